"""The desk every notice is written at: settings, templates, and the addresses mail comes from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from email.headerregistry import Address as HeaderAddress

from mailbaton.config import Settings
from mailbaton.outbound.compose import Composer


def header_address(name: str, addr: str) -> HeaderAddress:
    local, _, domain = addr.partition("@")
    return HeaderAddress(display_name=name, username=local, domain=domain)


@dataclass(frozen=True)
class Desk:
    """What every state change needs besides the session: settings and the templates."""

    settings: Settings
    composer: Composer
    # The address of the mailbox the mail in hand came in through: a ticket opened now
    # belongs to it, and its mail is sent from it. None: the first mailbox.
    inbox: str | None = None

    def reading(self, address: str) -> Desk:
        """This desk for the mail of the mailbox with this address."""
        return replace(self, inbox=address)

    @property
    def sender(self) -> HeaderAddress:
        """From of mail that belongs to no mailbox's ticket (alerts, digests): the first."""
        return self.sender_of(None)

    def sender_of(self, mailbox: str | None) -> HeaderAddress:
        """From of a ticket's mail: the address of the mailbox it came in through."""
        box = self.settings.mailbox_for(mailbox)
        return header_address(box.smtp.from_name, box.address)

    def reply_address(self, token: str | None, mailbox: str | None = None) -> HeaderAddress | None:
        box = self.settings.mailbox_for(mailbox)
        if not token or not box.mailbox.plus_addressing:
            return None
        local, _, domain = box.address.partition("@")
        return header_address(box.smtp.from_name, f"{local}+{token}@{domain}")

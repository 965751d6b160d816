"""The desk every notice is written at: settings, templates, and the addresses mail comes from."""

from __future__ import annotations

from dataclasses import dataclass
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

    @property
    def sender(self) -> HeaderAddress:
        return header_address(self.settings.smtp.from_name, self.settings.mailbox.address)

    def reply_address(self, token: str | None) -> HeaderAddress | None:
        if not token or not self.settings.mailbox.plus_addressing:
            return None
        local, _, domain = self.settings.mailbox.address.partition("@")
        return header_address(self.settings.smtp.from_name, f"{local}+{token}@{domain}")

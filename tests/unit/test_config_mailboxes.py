"""[mailboxes.NAME] (several shared mailboxes from one service): each read like [mailbox],
with an optional SMTP sign-in of its own; a clash between two is a problem line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbaton.config import ConfigError, Settings, from_dict

ROOT = Path(__file__).resolve().parents[2]
MAIN = {"username": "baton@example.com", "address": "baton@example.com"}
SALES = {"username": "sales-baton@example.com", "address": "sales-baton@example.com"}
OPS = {"username": "ops-baton@example.com", "address": "ops-baton@example.com", "port": 143}


def read(environ: dict[str, str] | None = None, **tables: object) -> Settings:
    return from_dict(tables, base=ROOT, environ=environ or {})


def problems(environ: dict[str, str] | None = None, **tables: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        read(environ, **tables)
    return caught.value.problems


def test_a_single_mailbox_is_the_main_one_and_the_only_one() -> None:
    settings = read(mailbox=MAIN)
    assert [(box.name, box.address) for box in settings.mailboxes] == [
        ("main", "baton@example.com")
    ]
    assert settings.mailbox_for("BATON@example.com").name == "main"


def test_mailbox_beside_mailboxes_is_one_more_named_main_and_first() -> None:
    settings = read(
        mailbox=MAIN,
        smtp={"host": "smtp.example.com", "username": "relay@example.com", "password": "p"},
        mailboxes={"sales": SALES, "ops": OPS},
    )
    assert [box.name for box in settings.mailboxes] == ["main", "sales", "ops"]
    assert settings.mailbox.address == "baton@example.com"
    ops = settings.mailbox_for("ops-baton@example.com")
    assert ops.mailbox.port == 143 and ops.mailbox.folder == "INBOX"
    # Without a table of its own, a mailbox sends through [smtp] as [smtp] signs in.
    assert ops.smtp == settings.smtp and not ops.own_smtp
    assert settings.shared_addresses == {
        "baton@example.com",
        "sales-baton@example.com",
        "ops-baton@example.com",
    }
    # An address no mailbox has (a mailbox since renamed): the first mailbox sends.
    assert settings.mailbox_for("gone@example.com").name == "main"
    assert settings.mailbox_for(None).name == "main"


def test_only_mailboxes_tables_the_first_is_the_default() -> None:
    settings = read(mailboxes={"sales": SALES, "ops": OPS})
    assert [box.name for box in settings.mailboxes] == ["sales", "ops"]
    assert settings.mailbox_name == "sales"
    assert settings.mailbox.address == "sales-baton@example.com"


def test_a_mailbox_smtp_table_overrides_only_what_it_gives() -> None:
    settings = read(
        mailbox=MAIN,
        smtp={"host": "smtp.office365.com", "username": "baton@example.com", "password": "a"},
        mailboxes={"sales": {**SALES, "smtp": {"username": SALES["username"], "password": "b"}}},
    )
    sales = settings.mailboxes[1]
    assert sales.own_smtp
    assert sales.smtp.host == "smtp.office365.com"
    assert (sales.smtp.username, sales.smtp.password) == (SALES["username"], "b")
    assert settings.smtp.password == "a"


def test_each_problem_names_the_mailbox_and_key() -> None:
    lines = problems(
        mailbox=MAIN,
        mailboxes={
            "main": SALES,
            "ops": {**OPS, "prot": 1, "smpt": {}, "smtp": {"hots": "x"}},
            "bad name!": "x",
        },
    )
    assert lines[0].startswith('mailboxes.main: "main" is the name [mailbox] goes by')
    assert lines[1] == "mailboxes.ops.prot: unknown key; did you mean 'port'?"
    assert lines[2] == "mailboxes.ops.smpt: unknown key; did you mean 'smtp'?"
    assert lines[3] == "mailboxes.ops.smtp.hots: unknown key; did you mean 'host'?"
    assert lines[4].startswith("mailboxes.bad name!: expected a table with the keys of [mailbox]")
    assert len(lines) == 5


def test_a_mailbox_without_its_required_keys_says_so() -> None:
    lines = problems(mailboxes={"sales": {"host": "imap.example.com"}})
    assert [line.split(":")[0] for line in lines] == [
        "mailboxes.sales.username",
        "mailboxes.sales.address",
    ]


def test_two_mailboxes_on_one_address_or_one_folder_are_refused() -> None:
    same_address = {**SALES, "address": "BATON@example.com"}
    same_folder = {**OPS, "username": "baton@example.com", "port": 993}
    lines = problems(mailbox=MAIN, mailboxes={"sales": same_address, "ops": same_folder})
    assert lines == [
        'mailboxes.sales.address: "baton@example.com" is also the address of [mailbox]; each '
        "mailbox needs an address of its own (its mail is sent from it)",
        "mailboxes.ops.folder: baton@example.com on 127.0.0.1, folder INBOX, is also watched by "
        "[mailbox]; the two would take each other's mail: give one another folder or account",
    ]
    # The same account with another folder is two mailboxes.
    other = read(mailbox=MAIN, mailboxes={"ops": {**same_folder, "folder": "Ops"}})
    assert [box.mailbox.folder for box in other.mailboxes] == ["INBOX", "Ops"]


def test_a_bad_name_is_refused() -> None:
    lines = problems(mailboxes={"sales team": SALES})
    assert lines == ["mailboxes.sales team: expected a name of at most 30 letters, digits, "
                     "'-' and '_'"]  # fmt: skip


def test_environment_sets_a_declared_mailbox_and_its_smtp_password() -> None:
    settings = read(
        {
            "MAILBATON_MAILBOXES__CUSTOMER_SUCCESS__PASSWORD": "imap-secret",
            "MAILBATON_MAILBOXES__CUSTOMER_SUCCESS__SMTP__PASSWORD": "smtp-secret",
            "MAILBATON_MAILBOXES__CUSTOMER_SUCCESS__FOLDERS__FAILED": "Broken",
        },
        mailbox=MAIN,
        smtp={"username": "relay@example.com", "password": "relay"},
        mailboxes={"customer-success": {**SALES, "password_env": "UNSET_VARIABLE"}},
    )
    box = settings.mailboxes[1]
    assert box.mailbox.password == "imap-secret"
    assert box.mailbox.folders.failed == "Broken"
    assert box.own_smtp and box.smtp.password == "smtp-secret"
    assert box.smtp.username == "relay@example.com"


def test_the_environment_cannot_add_a_mailbox() -> None:
    lines = problems({"MAILBATON_MAILBOXES__HR__PASSWORD": "x"}, mailbox=MAIN)
    assert lines == [
        "MAILBATON_MAILBOXES__HR__PASSWORD: no [mailboxes.hr] in the config file, or no such "
        "key; a mailbox is declared in the file, the environment sets its keys "
        "(MAILBATON_MAILBOXES__NAME__KEY)"
    ]


def test_oauth2_in_a_mailbox_signs_smtp_in_as_that_mailbox() -> None:
    lines = problems(mailbox=MAIN, mailboxes={"sales": {**SALES, "auth": "oauth2"}})
    assert [line.split(":")[0] for line in lines] == ["mailboxes.sales.auth"]
    microsoft = {"provider": "microsoft", "tenant": "t", "client_id": "c"}
    settings = read(
        {"SECRET": "s"},
        mailbox=MAIN,
        smtp={"auth": "oauth2"},
        oauth2={**microsoft, "client_secret_env": "SECRET"},
        mailboxes={"sales": {**SALES, "auth": "oauth2"}},
    )
    assert [box.smtp.username for box in settings.mailboxes] == [
        "baton@example.com",
        "sales-baton@example.com",
    ]
    assert all(box.mailbox.oauth2 is not None for box in settings.mailboxes)


def test_inbox_in_other_letters_is_the_same_folder() -> None:
    # IMAP's INBOX is one folder however it is written (RFC 3501 5.1): "inbox" beside
    # "INBOX" on one account is the same mail read twice.
    same = {**OPS, "username": "baton@example.com", "port": 993, "folder": "inbox"}
    assert problems(mailbox=MAIN, mailboxes={"ops": same}) == [
        "mailboxes.ops.folder: baton@example.com on 127.0.0.1, folder inbox, is also watched by "
        "[mailbox]; the two would take each other's mail: give one another folder or account",
    ]
    # Other folders keep their case: the server may tell them apart.
    read(mailbox={**MAIN, "folder": "Sales"}, mailboxes={"ops": {**same, "folder": "sales"}})


def test_two_names_one_environment_name_are_refused() -> None:
    # Both would be MAILBATON_MAILBOXES__SALES_EU__...: one variable set for two mailboxes.
    lines = problems(mailboxes={"sales-eu": SALES, "sales_eu": OPS})
    assert lines == [
        "mailboxes.sales_eu: is written SALES_EU in environment variables, as [mailboxes."
        "sales-eu] is; give one of them another name"
    ]


def test_a_misspelt_variable_of_a_declared_mailbox_gets_its_spelling() -> None:
    lines = problems({"MAILBATON_MAILBOXES__SALES__PASWORD": "x"}, mailboxes={"sales": SALES})
    assert lines == [
        "MAILBATON_MAILBOXES__SALES__PASWORD: no such setting; "
        "did you mean MAILBATON_MAILBOXES__SALES__PASSWORD?"
    ]


@pytest.mark.parametrize("where", ["mailbox", "mailboxes.sales"])
def test_a_table_where_a_value_belongs_names_the_table_meant(where: str) -> None:
    # [mailboxes.sales.folder] written for [mailboxes.sales.folders]: the line showed a dict.
    box = {**SALES, "folder": {"processed": "done"}}
    tables = {"mailbox": box} if where == "mailbox" else {"mailboxes": {"sales": box}}
    assert problems(**tables) == [
        f"{where}.folder: is a table, but 'folder' takes a single value; "
        f"did you mean [{where}.folders]?"
    ]

"""Shapes of reply that came out wrong before the client data: each cut where a person would cut."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from reply_dev_corpus import dev_corpus

from mailbaton.classify.data.attributions import ATTRIBUTIONS
from mailbaton.classify.data.devices import DEVICE_LINES
from mailbaton.classify.data.headers import LABELS, SEPARATORS
from mailbaton.classify.data.thunderbird_l10n import LOCALES
from mailbaton.classify.data.verdict_words import ACCEPT, REFUSE
from mailbaton.classify.verdicts import new_text, verdict_from_text

ORIGINAL = "Jane, Alice is handing this over to you. Please reply GOT IT or REFUSE.\n\nAcme"
QUOTED = "> Jane, Alice is handing this over to you. Please reply GOT IT or REFUSE.\n>\n> Acme"
DATA = Path(__file__).resolve().parents[2] / "mailbaton" / "classify" / "data"


@pytest.mark.parametrize(
    "block",
    [
        # GMX / WEB.DE: Gesendet before Von
        'Gesendet: Montag, 03. Juni 2024 um 10:15 Uhr\nVon: "Alice" <alice@example.com>\n'
        "An: jane@example.com\nBetreff: Re: [MB-7] Acme",
        # a separator glued to the first header line
        "________________________________From: Alice <alice@example.com>\nSent: Monday\n"
        "To: Jane\nSubject: [MB-7] Acme",
        # Répondre à inside a French block, with the space before the colon
        "De : Alice <alice@example.com>\nRépondre à : Alice <alice@example.com>\n"
        "Envoyé : lundi 3 juin 2024 10:15\nÀ : Jane\nObjet : [MB-7] Acme",
        # bold labels as a rich-text client's plain part writes them
        "**De :** Alice <alice@example.com>\n**Envoyé :** lundi 3 juin 2024\n**À :** Jane\n"
        "**Objet :** [MB-7] Acme",
        # Polish, Czech, Turkish, Japanese, Korean Outlook
        "Od: Alice <alice@example.com>\nWysłano: poniedziałek\nDo: Jane\nTemat: Acme",
        "Od: Alice <alice@example.com>\nOdesláno: pondělí\nKomu: Jane\nPředmět: Acme",
        "Kimden: Alice <alice@example.com>\nGönderildi: Pazartesi\nKime: Jane\nKonu: Acme",
        "差出人: Alice <alice@example.com>\n送信日時: 2024年6月3日 10:15\n宛先: Jane\n件名: Acme",
        "보낸 사람: Alice <alice@example.com>\n보낸 날짜: 2024년 6월 3일\n"
        "받는 사람: Jane\n제목: Acme",
        # Zimbra: separator, then To before Sent
        "----- Ursprüngliche Mail -----\nVon: Alice <alice@example.com>\nAn: Jane\n"
        "Gesendet: Montag, 3. Juni 2024 10:15:00\nBetreff: Acme",
        # Seznam
        "---------- Původní e-mail ----------\nOd: Alice <alice@example.com>\nKomu: Jane\n"
        "Datum: 3. 6. 2024 10:15:00\nPředmět: Acme",
    ],
)
def test_header_blocks_in_other_orders_and_languages_cut_the_original(block: str) -> None:
    assert new_text(f"Got it\n\n{block}\n\n{ORIGINAL}\n") == "Got it"


@pytest.mark.parametrize(
    "attribution",
    [
        "Dne 03.06.2024 v 10:15 Alice napsal(a):",  # Thunderbird cs
        "03.06.2024 10:15 keltezéssel, Alice írta:",  # Thunderbird hu
        "03.06.2024 10:15 tarihinde Alice yazdı:",  # Thunderbird tr
        "Στις 03.06.2024 10:15, ο/η Alice έγραψε:",  # Thunderbird el
        "在 03.06.2024 10:15, Alice 写道:",  # Thunderbird zh-CN
        "Alice kirjoitti 03.06.2024 klo 10:15:",  # Thunderbird fi
        "Am Montag, 3. Juni 2024, 10:15:00 MESZ hat Alice <alice@example.com> Folgendes"
        " geschrieben:",  # Yahoo de
        "Wiadomość napisana przez Alice <alice@example.com> w dniu 03.06.2024, o godz. 10:15:",
        "Alice <alice@example.com> schrieb am 03.06.2024 10:15:25:",  # HCL Notes de
        "03.06.2024 10:15, Alice:",  # Thunderbird uk: only a date, a time and a colon
    ],
)
def test_attributions_of_other_clients_and_locales(attribution: str) -> None:
    assert new_text(f"Got it\n\n{attribution}\n{QUOTED}\n") == "Got it"
    assert new_text(f"{attribution}\n{QUOTED}\n\nGot it\n") == "Got it"


def test_a_line_typed_right_above_an_attribution_is_kept() -> None:
    body = f"Da kümmere ich mich drum.\nAm 03.06.2024 um 10:15 schrieb Alice:\n{QUOTED}"
    assert new_text(body) == "Da kümmere ich mich drum."


def test_an_attribution_glued_after_the_answer_is_cut_from_it() -> None:
    body = "Will do. On Mon, Jun 3, 2024 at 10:15 AM Alice <alice@example.com> wrote:\n> x"
    assert new_text(body) == "Will do."
    body = "Übernommen. Am 03.06.2024 um 10:15 schrieb Alice <alice@example.com>:\n> x"
    assert new_text(body) == "Übernommen."


@pytest.mark.parametrize(
    "device",
    [
        "Von meinem iPhone gesendet",
        "Inviato da iPhone",
        "Wysłane z iPhone'a",
        "Отправлено с iPhone",
        "iPhoneから送信",
        "Envoyé à partir de Outlook pour iOS",
        "Outlook für Android beziehen",
        "Gesendet mit der GMX Mail App",
    ],
)
def test_device_lines_in_other_languages_end_the_text(device: str) -> None:
    assert new_text(f"Got it\n\n{device}\n\nREFUSE: in the signature") == "Got it"


def test_a_device_line_on_top_does_not_wipe_out_the_answer() -> None:
    body = f"Sent from my iPhone\n\nGot it, I'll call them Friday.\n\n{QUOTED}"
    assert new_text(body) == "Got it, I'll call them Friday."


def test_an_inline_answer_in_a_caseless_script_is_not_a_wrapped_quote() -> None:
    body = f"> {'x' * 70}\n收到，我来处理。\n> more of the quote"
    assert new_text(body) == "收到，我来处理。"


# --- the data and the development corpus --------------------------------------------


def test_every_data_entry_names_its_source() -> None:
    for row in ATTRIBUTIONS + DEVICE_LINES + SEPARATORS:
        assert row[-1] == "UI" or row[-1].startswith("corpus:"), row
    assert all(row[-1] == "UI" or row[-1].startswith("corpus:") for row in LABELS)


def test_corpus_sources_name_files_that_exist() -> None:
    shared = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    repo = Path(__file__).resolve().parents[2]
    for row in ATTRIBUTIONS + DEVICE_LINES + SEPARATORS + LABELS:
        if row[-1].startswith("corpus:"):
            path = row[-1].removeprefix("corpus:")
            assert (shared / path).is_file() or (repo / path).is_file(), path


def test_the_copyleft_data_keeps_its_licence_in_its_own_file() -> None:
    text = (DATA / "thunderbird_l10n.py").read_text()
    assert text.startswith("# This Source Code Form is subject to the terms of the Mozilla")
    assert len(LOCALES) >= 60
    others = [p for p in DATA.glob("*.py") if p.name != "thunderbird_l10n.py"]
    assert others and not any("Mozilla Public" in p.read_text() for p in others)


def test_the_verdict_words_cover_twenty_business_languages() -> None:
    assert len(ACCEPT) >= 20 and set(ACCEPT) == set(REFUSE)


def test_the_development_corpus_is_read_as_a_person_reads_it() -> None:
    cases = dev_corpus()
    assert len(cases) >= 600
    assert len({c.lang for c in cases}) >= 30 and len({c.client for c in cases}) >= 10
    texts = [
        c for c in cases if " ".join(new_text(c.text, c.html).split()) == " ".join(c.new.split())
    ]
    assert len(texts) >= 0.97 * len(cases)
    wrong = []
    for case in cases:
        verdict = verdict_from_text(new_text(case.text, case.html))
        reason = re.sub(r"\s+", " ", verdict.reason or "").strip() or None
        want = re.sub(r"\s+", " ", case.reason or "").strip() or None
        if (verdict.kind, reason) != (case.verdict, want):
            wrong.append((case.name, verdict.kind, reason))
    assert wrong == []


@pytest.mark.parametrize(
    "line",
    [
        "On 1, " * 45 + "wrote:",
        "Le 3 à 10:15, X a écrit " * 12 + ":",
        "De 3 à 10:15, Xa. " * 16 + ":",
        "Am 3. um 10:15 schrieb " * 12 + ":",
    ],
)
def test_lines_crafted_to_look_like_attributions_stay_fast(line: str) -> None:
    body = "Got it.\n" + (line + "\n") * 2000
    started = time.perf_counter()
    assert new_text(body).startswith("Got it.")
    assert time.perf_counter() - started < 3.0

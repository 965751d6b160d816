"""new_text over the shared corpus: never raises, and a floor of right cases per suite.

The expected replies below restate, in our own words and as data, what each
upstream suite asserts in its test code (see each folder's SOURCE.txt and
EXPECTATIONS.md). bench/replies.py imports this module to score the peers on
exactly the same cases with exactly the same definition of "right".

"Right" means: the new text equals one of the case's answers once all runs of
whitespace are collapsed to one space and the ends are stripped. The answers
are upstream's expected reply and, where upstream keeps something mailbaton
removes by design, that reply without it:
- discourse email_reply_trimmer keeps quoted lines that sit above new text; the
  verdict is read from unquoted text only, so the expected reply without its
  ">" lines counts too.
- talon (iphone, sparrow), crisp (email_1, email_3, email_emoji) keep the
  signature in the expected reply; the reply without it counts too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus import parsed

from mailbaton.classify import verdicts
from mailbaton.classify.verdicts import new_text, read_verdict
from mailbaton.mail.parse import html_to_text, parse_message

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

TRIMMER = "discourse__email_reply_trimmer/test"
TALON = "mailgun__talon/tests/fixtures"
GITHUB = "github__email_reply_parser/test/emails"
ZAPIER = "zapier__email-reply-parser/test/emails"
WILLDURAND = "willdurand__EmailReplyParser/tests/Fixtures"
CRISP = "crisp-oss__email-reply-parser/test/fixtures"

RIAK = (
    "Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\n"
    "running a test?\nI am currently using the Java HTTP API."
)
FUSCE = (
    "Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales"
    " ante sem sit amet metus.\nNulla malesuada, orci non vulputate lobortis, massa felis"
    " pharetra ex, convallis consectetur ex libero eget ante.\nNam vel turpis posuere, rhoncus"
    " ligula in, venenatis orci. Duis interdum venenatis ex a rutrum.\nDuis ut libero eu lectus"
    " consequat consequat ut vel lorem. Vestibulum convallis lectus urna,\net mollis ligula"
    " rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh."
)
ANOTHER = "Here is another email"
NOT_SIG = "Here is another email\n\nSent from my desk, is much easier then my mobile phone."
BULLETS = (
    "test 2 this should list second\n\nand have spaces\n\nand retain this formatting\n\n\n"
    "   - how about bullets\n   - and another"
)

# github/email_reply_parser: the visible reply its tests expect, per fixture.
GITHUB_EXPECTED: dict[str, tuple[str, ...]] = {
    "email_1_1": (RIAK,),
    "email_1_3": ("Oh thanks.\n\nHaving the function would be great.",),
    "email_2_1": ("Outlook with a reply",),
    "email_2_2": ("Outlook with a reply directly above line",),
    "email_2_3": ("Outlook with a reply directly above line",),
    "email_iPhone": (ANOTHER,),
    "email_BlackBerry": (ANOTHER,),
    "email_multi_word_sent_from_my_mobile_device": (ANOTHER,),
    "email_sent_from_my_not_signature": (NOT_SIG,),
    "email_bullets": (BULLETS,),
    "email_one_is_not_on": (
        "Thank, this is really helpful.\n\nOne outstanding question I had:\n\n"
        "Locally (on development), when I run...",
    ),
    "greedy_on": (
        "On your remote host you can run:\n\n     telnet 127.0.0.1 52698\n\nThis should connect"
        " to TextMate (on your Mac, via the tunnel). If that\nfails, the tunnel is not working.",
    ),
}
# zapier/email-reply-parser: only its fixtures that differ from github's.
ZAPIER_EXPECTED: dict[str, tuple[str, ...]] = {
    "email_gmail": ("This is a test for inbox replying to a github message.",),
    "email_headers_no_delimiter": ("And another reply!",),
    "email_2_3": ("Outlook with a reply above headers using unusual format",),
}
RIAK_ANSWER = (
    "Hi,\nYou can list the keys for the bucket and call delete for each. Or if you\nput the keys"
    " (and kept track of them in your test) you can delete them\none at a time (without"
    " incurring the cost of calling list first.)\n\nSomething like:\n\n        String bucket ="
    ' "my_bucket";\n        BucketResponse bucketResponse = riakClient.listBucket(bucket);\n'
    "        RiakBucketInfo bucketInfo = bucketResponse.getBucketInfo();\n\n        for(String"
    " key : bucketInfo.getKeys()) {\n            riakClient.delete(bucket, key);\n        }\n\n\n"
    "would do it.\n\nSee also\n\nhttp://wiki.basho.com/REST-API.html#Bucket-operations\n\nwhich"
    ' says\n\n"At the moment there is no straightforward way to delete an entire\nBucket. There'
    " is, however, an open ticket for the feature. To delete all\nthe keys in a bucket, you’ll"
    ' need to delete them all individually."'
)
# willdurand/EmailReplyParser (PHP): visible text or first fragment its tests expect.
WILLDURAND_EXPECTED: dict[str, tuple[str, ...]] = {
    "email_1": (RIAK,),
    "email_2": (RIAK_ANSWER,),
    **{f"email_{n}": (FUSCE,) for n in (*range(7, 19), 22, 23)},
    "email_norwegian_gmail": (FUSCE,),
    "email_23_1": (FUSCE.replace("rutrum.\nDuis", "rutrum.\n\nSomething wrote:\nDuis"),),
    "email_2_1": ("Outlook with a reply",),
    "email_iphone": (ANOTHER,),
    "email_blackberry": (ANOTHER,),
    "email_multi_word_sent_from_my_mobile_device": (ANOTHER,),
    "email_sent_from_my_not_signature": (NOT_SIG,),
    "email_bullets": (BULLETS,),
    "email_unquoted_reply": ("This is my reply.",),
    "email_custom_quote_header": ("Thank you!",),
    "email_customer_quote_header_2": ("Thank you very much.",),
    "email_customer_quote_header_3": (
        "bonjour,\nje n'ai pas eu de retour sur ma précision..\nmerci d'avance",
    ),
}
# willdurand's email_with_date_headers.txt, with [DATE] replaced by each of these.
WILLDURAND_DATES = (
    "On Tue, 2011-03-01 at 18:02 +0530, Abhishek Kona wrote:",
    "2014-03-20 8:48 GMT+01:00 Rémi Dolan <do_not_reply@dolan.com>:",
    "2014-03-20 20:48 GMT+01:00 Rémi Dolan <do_not_reply@dolan.com>:",
    "2014-03-09 20:48 GMT+01:00 Rémi Dolan <do_not_reply@dolan.com>:",
    "Le 19 mars 2014 10:37, Cédric Lombardot <cedric.lombardot@gmail.com> a écrit :",
    "El 19/03/2014 11:34, Juan Pérez <juan.perez@mailcatch.com> escribió:",
    "W dniu 7 stycznia 2015 15:24 użytkownik Paweł Brzoski <pbrzoski91@gmail.com> napisał:",
    "Le 19/03/2014 11:34, Georges du chemin a écrit :",
    "W dniu 2015-01-07 14:23, pbrzoski91@gmail.com pisze: ",
    "Den 08/06/2015 kl. 21.21 skrev Test user <test@example.com>:",
    "Am 25.06.2015 um 10:55 schrieb Test user:",
    "Test user <test@example.com> schrieb:",
    "在 2016年11月8日，下午2:23，Test user <test@example.com> 写道：",
    "2016. 11. 8. 오후 12:39 Test user <test@example.com> 작성:",
    "2016/11/08 14:26、Test user <test@example.com> のメッセージ:",
    "tir. 18. apr. 2017 kl. 13:09 skrev Test user <test@example.com>:",
)
# crisp-oss/email-reply-parser (JS): fixtures whose first fragment is the Fusce paragraph.
CRISP_FUSCE = (
    "email_7 email_8 email_9 email_10 email_11 email_12 email_13 email_14 email_15 email_16"
    " email_17 email_18 email_22 email_23 email_24 email_25 email_26 email_portuguese"
    " email_german email_german_2 email_german_3 email_german_outlook email_norwegian_gmail"
    " email_finnish email_italian email_russian email_outlook_split_line_from"
    " email_gmail_split_line_from email_ios_outlook email_ios_outlook_fr email_msn"
    " email_fr_multiline email_french_2 email_en_multiline_2 email_original_message"
    " email_original_message_2 email_danish_dash_separator email_french_dash_separator"
    " email_tricky_5_mixed_languages email_tricky_10_special_chars_in_name"
    " email_tricky_12_no_space_after_header email_tricky_14_long_quote_header"
    " email_tricky_15_original_message_variations"
).split()
CRISP_EXPECTED: dict[str, tuple[str, ...]] = {
    **{name: (FUSCE,) for name in CRISP_FUSCE},
    "email_1": (RIAK + "\n\n-Abhishek Kona", RIAK),
    "email_3": (
        "Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona",
        "Oh thanks.\n\nHaving the function would be great.",
    ),
    "email_sent_from": (
        "Hi it can happen to any texts you type, as long as you type in between words or"
        " paragraphs.",
    ),
    "email_emoji": ("🎉\n\n—\nJohn Doe\nCEO at Pandaland\n\n@pandaland", "🎉"),
    "email_zoho": (
        "What is the best way to clear a Riak bucket of all key, values after\nrunning a test?",
    ),
    "email_with_regards": ("Hi,\n\nI still have the same problem....\n\nCan you help?",),
}
TALON_HTML_ANSWER = "Hi. I am fine.\n\nThanks,\nAlex"

# Cases right when this was written (mailbaton): a regression must fail.
FLOORS = {
    "email_reply_trimmer": 63,
    "talon standard_replies": 12,
    "talon html_replies": 9,
    "github": 12,
    "zapier": 3,
    "willdurand": 44,
    "crisp": 48,
}


@dataclass(frozen=True)
class Case:
    name: str  # path under the corpus (plus a [label] for generated cases)
    text: str  # the plain text body every tool is given
    html: str | None  # the HTML body, given to mailbaton only (the peers read text)
    answers: tuple[str, ...]


def normalise(text: str | None) -> str:
    return " ".join((text or "").split())


def is_right(output: str | None, case: Case) -> bool:
    return normalise(output) in {normalise(a) for a in case.answers}


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")


def _unquoted(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))


def _table(corpus: Path, folder: str, table: dict[str, tuple[str, ...]]) -> list[Case]:
    return [
        Case(f"{folder}/{name}.txt", _read(corpus / folder / f"{name}.txt"), None, answers)
        for name, answers in table.items()
        if (corpus / folder / f"{name}.txt").is_file()
    ]


@functools.cache
def load_suites(corpus: Path = CORPUS) -> dict[str, list[Case]]:
    """Every suite with expected results, as cases; empty when the corpus is absent."""
    if not corpus.is_dir():
        return {}
    trimmer = []
    for path in sorted((corpus / TRIMMER / "emails").glob("*.txt")):
        expected = _read(corpus / TRIMMER / "trimmed" / path.name)
        name = f"{TRIMMER}/emails/{path.name}"
        trimmer.append(Case(name, _read(path), None, (expected, _unquoted(expected))))
    standard = []
    for path in sorted((corpus / TALON / "standard_replies").glob("*.eml")):
        mail = parse_message(path.read_bytes())
        answers: tuple[str, ...] = ("Hello",)
        reply_file = path.with_name(path.stem + "_reply_text")
        if reply_file.is_file():
            answers = (_read(reply_file), "Hello")
        standard.append(
            Case(f"{TALON}/standard_replies/{path.name}", mail.text, mail.html, answers)
        )
    html = []
    for path in sorted((corpus / TALON / "html_replies").glob("*.html")):
        source = _read(path)
        name = f"{TALON}/html_replies/{path.name}"
        html.append(Case(name, html_to_text(source), source, (TALON_HTML_ANSWER,)))
    willdurand = _table(corpus, WILLDURAND, WILLDURAND_EXPECTED)
    dated = corpus / WILLDURAND / "email_with_date_headers.txt"
    if dated.is_file():
        template = _read(dated)
        for index, date in enumerate(WILLDURAND_DATES, 1):
            text = template.replace("[DATE]", date)
            name = f"{WILLDURAND}/email_with_date_headers.txt[{index}]"
            willdurand.append(Case(name, text, None, ("Thank you very much.",)))
    return {
        "email_reply_trimmer": trimmer,
        "talon standard_replies": standard,
        "talon html_replies": html,
        "github": _table(corpus, GITHUB, GITHUB_EXPECTED),
        "zapier": _table(corpus, ZAPIER, ZAPIER_EXPECTED),
        "willdurand": willdurand,
        "crisp": _table(corpus, CRISP, CRISP_EXPECTED),
    }


def mailbaton_reply(case: Case) -> str:
    return new_text(case.text, case.html)


def _need_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}; corpus tests skipped")


def test_every_suite_has_its_cases() -> None:
    _need_corpus()
    sizes = {suite: len(cases) for suite, cases in load_suites().items()}
    # Every table row found its fixture: a renamed or lost file must not shrink a suite.
    assert sizes == {
        "email_reply_trimmer": 64,
        "talon standard_replies": 12,
        "talon html_replies": 9,
        "github": len(GITHUB_EXPECTED),
        "zapier": len(ZAPIER_EXPECTED),
        "willdurand": len(WILLDURAND_EXPECTED) + len(WILLDURAND_DATES),
        "crisp": len(CRISP_EXPECTED),
    }


@pytest.mark.parametrize("suite", sorted(FLOORS))
def test_suite_floor(suite: str) -> None:
    _need_corpus()
    cases = load_suites()[suite]
    misses = [c.name for c in cases if not is_right(mailbaton_reply(c), c)]
    right = len(cases) - len(misses)
    assert right >= FLOORS[suite], f"{suite}: {right}/{len(cases)} right; misses: {misses}"


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    skip = {"LICENSE", "SOURCE.txt", "EXPECTATIONS.md"}
    return sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and not p.name.startswith(tuple(skip))
    )


# Minutes of CPU over every corpus file: it runs in the long tier with the fuzz
# (`-m e2e`), so the quick loop (`-m "not e2e"`) stays quick.
@pytest.mark.e2e
def test_new_text_never_raises_on_any_corpus_message(monkeypatch: pytest.MonkeyPatch) -> None:
    _need_corpus()
    files = _corpus_files()
    assert len(files) > 1500
    # read_verdict reads the new text of the message itself, and turns what raises into
    # "": a spy keeps what that call returned or raised, so it is checked without
    # reading every message's new text a second time (5 s of CPU).
    seen: list[object] = []

    def spy(text: str, html: str | None = None, sent: Sequence[str] = ()) -> str:
        try:
            seen.append(result := new_text(text, html, sent))
        except BaseException as error:
            seen.append(error)
            raise
        return result

    monkeypatch.setattr(verdicts, "new_text", spy)
    for path in files:
        raw = path.read_bytes()
        # Every file both as a whole message and as a bare reply body.
        mail = parsed(path)
        seen.clear()
        assert read_verdict(mail).kind in {"accept", "refuse", "cancel", "unclear"}, path
        assert len(seen) == 1 and isinstance(seen[0], str), (path, seen)
        if b"\x00" not in raw[:4096]:  # text files only: TNEF and images are not bodies
            body = raw[:200_000].decode("utf-8", "replace")
            html = body if re.search(r"(?i)<html", body) else None
            assert isinstance(new_text(body, html), str), path

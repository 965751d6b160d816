"""replies: the verdict read from only what the replier wrote (SPEC section 5)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbaton.classify.verdicts import (
    Verdict,
    catcher_line,
    new_text,
    read_verdict,
    verdict_from_text,
)
from mailbaton.config import load
from mailbaton.mail.parse import ParsedMail, parse_message
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.preview import sample_context

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "replies"


def _rendered(name: str) -> str:
    context = sample_context(name, load(ROOT / "config.toml"))
    return Composer(ROOT / "mailbaton" / "templates").render(name, context).text


REQUEST = _rendered("request")
RECEIPT = _rendered("receipt")
# The request as mailbaton worded it when the fixtures were recorded (the Android reply
# pastes it back): what was sent on that ticket, whatever the templates say today.
REQUEST_WHEN_RECORDED = """Hi Jane,

Alice Smith <alice@example.com> is handing this over to you:

  Acme Corp - contract ready to countersign

It stays in Alice's name until you take it. Please reply to
this email before Mon 23 Nov 2026 13:30 UTC:

  GOT IT               - you own it from now on
  REFUSE: your reason  - it goes back to Alice

If nobody catches it by then, the managers are told.
"""


def quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def kind(text: str) -> str:
    return verdict_from_text(text).kind


# --- accept -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "GOT IT",
        "got it",
        "Got it!",
        "OK, got it.",
        "Got it, thanks",
        "gotit",
        "Accepted",
        "accept",
        "I accept",
        "Got it 👍",
        "Okay got it - will do",
        "Thanks, got it.",
        "**Got it**",
        "Hi Alice,\n\nGot it.",
        "Hello Alice,\nGot it, on it today.",
    ],
)
def test_accept_variants(text: str) -> None:
    assert verdict_from_text(text) == Verdict("accept", None, text)


@pytest.mark.parametrize(
    "text",
    [
        "not sure I got it",
        "haven't got it yet",
        "I don't got it",
        "not accepted",
        "can't accept",
        "Got it?",
        "Did you mean I should accept?",
        "Got it wrong, this is Carol's",
    ],
)
def test_negations_and_questions_are_not_accepts(text: str) -> None:
    assert kind(text) != "accept"


def test_accept_words_later_in_the_text_do_not_count() -> None:
    assert kind("Thanks for the note.\n\nGot it") == "unclear"


# --- refuse -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("REFUSE: on leave until May", "on leave until May"),
        ("refuse - not my area", "not my area"),
        ("Refused – wrong team", "wrong team"),
        ("REJECT: budget is frozen", "budget is frozen"),
        ("rejected, Carol owns Acme", "Carol owns Acme"),
        ("REFUSE the Acme account is Carol's", "Acme account is Carol's"),
        ("REFUSE\nI am away\nuntil May", "I am away\nuntil May"),
        ("REFUSED.\n\nNo budget left this quarter.", "No budget left this quarter."),
        ("REFUSE", ""),
        ("REFUSE:", ""),
    ],
)
def test_refuse_and_its_reason(text: str, reason: str) -> None:
    assert verdict_from_text(text) == Verdict("refuse", reason, text)


def test_refuse_in_the_middle_of_the_first_paragraph() -> None:
    text = "Sorry Alice.\nI have to refuse this one: I am out all December.\n\nJane"
    assert verdict_from_text(text) == Verdict("refuse", "I am out all December.", text)


def test_refuse_object_is_not_the_reason() -> None:
    text = "Sorry, I must reject this one.\nCarol runs Acme now."
    assert verdict_from_text(text).reason == "Carol runs Acme now."


def test_refuse_outside_the_first_paragraph_does_not_count() -> None:
    assert kind("Can we talk first?\n\nOtherwise I refuse.") == "unclear"


@pytest.mark.parametrize("text", ["I can't refuse that", "I'm not rejecting it, just asking"])
def test_negated_refusals_are_not_refusals(text: str) -> None:
    assert kind(text) == "unclear"


def test_refuse_wins_only_when_it_opens_the_opening_line() -> None:
    assert verdict_from_text("REFUSE: got it wrong, Carol's").kind == "refuse"
    assert kind("Got it, though I nearly refused") == "accept"
    assert kind("Got it.\nI would rather refuse next time") == "accept"


# --- cancel and unclear -------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["CANCEL", "cancel", "Cancelled", "Please cancel", "cancel it please, sorry"]
)
def test_cancel(text: str) -> None:
    assert verdict_from_text(text) == Verdict("cancel", None, text)


@pytest.mark.parametrize(
    "text", ["", "   \n\n", "What is this about?", "Thanks!", "Can I cancel later?"]
)
def test_anything_else_is_unclear(text: str) -> None:
    assert verdict_from_text(text) == Verdict("unclear", None, text)


def test_a_thumbs_up_accepts_unless_only_keywords_count() -> None:
    assert verdict_from_text("👍") == Verdict("accept", None, "👍")
    assert verdict_from_text("👍", strict=True) == Verdict("unclear", None, "👍")


# --- the request's own instructions never count -------------------------------------


def test_the_real_request_carries_the_instructions_this_guards_against() -> None:
    assert "GOT IT" in REQUEST and "REFUSE" in REQUEST


@pytest.mark.parametrize(
    "body",
    [
        quoted(REQUEST),
        "\n" + REQUEST,  # pasted back without ">" and nothing written
        "On Mon, 23 Nov 2026 at 09:30, mailbaton <baton@example.com> wrote:\n\n" + REQUEST,
        "From: mailbaton <baton@example.com>\nSent: Monday\nTo: Jane\nSubject: x\n\n" + REQUEST,
        # The request's instruction lines alone, however the template words them.
        "\n".join(line for line in REQUEST.splitlines() if "GOT IT" in line or "REFUSE" in line),
    ],
)
def test_quoted_or_pasted_instructions_never_decide(body: str) -> None:
    verdict = verdict_from_text(new_text(body, sent=[REQUEST]))
    assert verdict.kind == "unclear", verdict


def test_a_question_above_a_pasted_request_stays_a_question() -> None:
    text = new_text("Who is the customer contact?\n\n" + REQUEST, sent=[REQUEST])
    assert text == "Who is the customer contact?"


def test_an_answer_above_a_pasted_request_is_read() -> None:
    refusal = read_verdict(_mail("REFUSE: not mine\n\n" + REQUEST), sent=[REQUEST])
    assert refusal == Verdict("refuse", "not mine", "REFUSE: not mine")
    accept = read_verdict(_mail("Got it\n" + REQUEST), sent=[REQUEST])
    assert accept == Verdict("accept", None, "Got it")


def test_a_pasted_receipt_is_not_a_cancel_or_a_new_catcher() -> None:
    assert new_text(RECEIPT, sent=[REQUEST, RECEIPT]) == ""
    assert catcher_line(RECEIPT, sent=[RECEIPT]) is None
    assert catcher_line(quoted(RECEIPT)) is None


# --- attributions ------------------------------------------------------------------

ATTRIBUTIONS = [
    "On Mon, Nov 23, 2026 at 9:30 AM mailbaton <baton@example.com> wrote:",
    "On Mon, Nov 23, 2026 at 9:30 AM mailbaton <\nbaton@example.com> wrote:",  # Gmail wrap
    "On Mon, 23 Nov 2026 at 09:30, mailbaton <baton@example.com>\nwrote:",
    "On 23/11/2026 09:30, mailbaton wrote:",
    "Am Mo., 23. Nov. 2026 um 09:30 Uhr schrieb mailbaton <baton@example.com>:",
    "Am 23.11.2026 um 09:30 schrieb mailbaton:",
    "mailbaton <baton@example.com> schrieb am Mo., 23. Nov. 2026\num 09:30 Uhr:",
    "Le lun. 23 nov. 2026 à 09:30, mailbaton <baton@example.com> a écrit :",
    "El lun, 23 nov 2026 a las 9:30, mailbaton (<baton@example.com>) escribió:",
    "Op ma 23 nov 2026 om 09:30 schreef mailbaton <baton@example.com>:",
    "Op 23 nov 2026 om 09:30 heeft mailbaton <baton@example.com> het volgende geschreven:",
    "Il giorno lun 23 nov 2026 alle ore 09:30 mailbaton <baton@example.com> ha scritto:",
    "Em seg., 23 de nov. de 2026 às 09:30, mailbaton <baton@example.com> escreveu:",
    "Den 23 nov. 2026 kl. 09:30 skrev mailbaton <baton@example.com>:",
    "man. 23. nov. 2026 kl. 09:30 skrev mailbaton <baton@example.com>:",
    "pon., 23 lis 2026 o 09:30 mailbaton <baton@example.com> napisał(a):",
    "W dniu 23.11.2026 o 09:30, mailbaton pisze:",
    "пн, 23 нояб. 2026 г. в 09:30, mailbaton <baton@example.com>:",
    "23 нояб. 2026 г., в 09:30, mailbaton <baton@example.com> написал:",
    "2026年11月23日(月) 9:30 mailbaton <baton@example.com>:",
    "mailbaton <baton@example.com> 于2026年11月23日周一 09:30写道：",
    "2026-11-23 9:30 GMT+01:00 mailbaton <baton@example.com>:",
]


@pytest.mark.parametrize("attribution", ATTRIBUTIONS)
def test_attribution_and_the_unquoted_original_below_it_are_removed(attribution: str) -> None:
    body = f"Got it.\n\n{attribution}\n\nREFUSE: pasted original\nmore of it\n"
    assert new_text(body) == "Got it."


@pytest.mark.parametrize("attribution", ATTRIBUTIONS)
def test_attribution_above_a_quote_keeps_the_text_below(attribution: str) -> None:
    body = f"{attribution}\n> Hi Jane,\n> REFUSE: your reason\n\nREFUSE: on leave\n"
    assert new_text(body) == "REFUSE: on leave"


def test_a_sentence_ending_in_wrote_is_not_an_attribution() -> None:
    text = "Got it. Here is what Carol wrote:\nthe contract is signed."
    assert new_text(text) == text


# --- Outlook header blocks -----------------------------------------------------------

HEADER_BLOCKS = {
    "en": ("From", "Sent", "To", "Subject"),
    "de": ("Von", "Gesendet", "An", "Betreff"),
    "fr": ("De ", "Envoyé ", "À ", "Objet "),
    "es": ("De", "Enviado", "Para", "Asunto"),
    "nl": ("Van", "Verzonden", "Aan", "Onderwerp"),
}


@pytest.mark.parametrize("language", sorted(HEADER_BLOCKS))
@pytest.mark.parametrize("separator", ["", "________________________________\n"])
def test_outlook_header_block_cuts_the_original(language: str, separator: str) -> None:
    sender, sent, to, subject = HEADER_BLOCKS[language]
    block = (
        f"{separator}{sender}: mailbaton <baton@example.com>\n{sent}: 23.11.2026 09:30\n"
        f"{to}: Jane Doe <jane@example.com>\n{subject}: [MB-42] please reply GOT IT\n\n"
    )
    assert new_text(f"REFUSE: away\n\n{block}{REQUEST}") == "REFUSE: away"


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----Ursprüngliche Nachricht-----",
        "-------- Message d'origine --------",
        "-----Mensaje original-----",
        "---------- Forwarded message ---------",
    ],
)
def test_original_message_separators_cut(separator: str) -> None:
    assert new_text(f"Got it\n\n{separator}\nREFUSE: x\n") == "Got it"


def test_outlook_block_with_bold_keys_and_wrapped_from() -> None:
    body = (
        "Got it\n\n*From:* mailbaton\n<baton@example.com>\n*Sent:* Monday\n*To:* Jane\n"
        "*Subject:* x\n\nREFUSE: x"
    )
    assert new_text(body) == "Got it"


def test_a_lone_from_line_is_not_a_header_block() -> None:
    text = "Got it.\nFrom: the legal team, via Carol."
    assert new_text(text) == text


# --- HTML ---------------------------------------------------------------------------


def _fixture(name: str) -> ParsedMail:
    return parse_message((FIXTURES / name).read_bytes())


def _mail(text: str, html: str | None = None) -> ParsedMail:
    raw = "From: jane@example.com\nSubject: Re: x\nContent-Type: text/plain; charset=utf-8\n\n"
    mail = parse_message((raw + text).encode())
    return mail if html is None else ParsedMail(**{**mail.__dict__, "html": html})


def test_gmail_html_only_reply_reads_above_gmail_quote() -> None:
    mail = _fixture("gmail_html_only_refuse.eml")
    assert mail.html is not None and "gmail_quote" in mail.html
    assert read_verdict(mail) == Verdict(
        "refuse",
        "I am on leave until 4 December, please ask Carol.",
        "Sorry Alice, I have to refuse this one.\n"
        "I am on leave until 4 December, please ask Carol.\n\nJane",
    )


def test_outlook_html_cut_is_used_when_the_text_misses_the_quote() -> None:
    html = (
        '<div>Got it.</div><div id="appendonsend"></div><hr>'
        '<div id="divRplyFwdMsg"><b>Sender</b> mailbaton<br>'
        "<b>Time</b> 09:30</div><div>Hi Jane,<br>REFUSE: your reason</div>"
    )
    text = "Got it.\nSender mailbaton\nTime 09:30\nHi Jane,\nREFUSE: your reason"
    assert new_text(text) == text  # the text alone cannot tell
    assert new_text(text, html) == "Got it."
    assert read_verdict(_mail(text, html)).kind == "accept"


@pytest.mark.parametrize(
    ("name", "kind_", "reason", "text"),
    [
        ("gmail_html_got_it.eml", "accept", None, "Got it, thanks!"),
        ("iphone_got_it.eml", "accept", None, "Got it"),
        (
            "outlook_de_refuse.eml",
            "refuse",
            "Ich bin ab morgen im Urlaub, bitte an Carol geben.",
            "REFUSE: Ich bin ab morgen im Urlaub, bitte an Carol geben.\n\nViele Grüße\nJane",
        ),
        ("outlook_html_only_got_it.eml", "accept", None, "Got it.\n\nJane"),
        (
            "outlook_fr_got_it.eml",
            "accept",
            None,
            "OK, got it. Je m'en occupe.\n\nCordialement,\nJeanne",
        ),
        (
            "thunderbird_bottom_post_got_it.eml",
            "accept",
            None,
            "Got it. I'll call the customer on Friday.",
        ),
        (
            "android_unquoted_paste_unclear.eml",
            "unclear",
            None,
            "What is the deadline for this exactly?",
        ),
        (
            "apple_mail_nl_refuse.eml",
            "refuse",
            "dit hoort bij het team van Carol.",
            "Rejected - dit hoort bij het team van Carol.\n\nGroet,\nJan",
        ),
        ("outlook_cancel_thrower.eml", "cancel", None, "CANCEL - the customer signed already."),
    ],
)
def test_real_client_fixtures(name: str, kind_: str, reason: str | None, text: str) -> None:
    # What mailbaton sent on the ticket: the Android reply pastes it back unquoted.
    sent = [REQUEST, RECEIPT, REQUEST_WHEN_RECORDED]
    assert read_verdict(_fixture(name), sent=sent) == Verdict(kind_, reason, text)


def test_every_fixture_is_tested() -> None:
    names = {p.name for p in FIXTURES.glob("*.eml")}
    assert len(names) == 10


# --- signatures and disclaimers -----------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nJane Doe\nREFUSE desk",
        "--\nJane",
        "Sent from my iPhone",
        "Sent from my Android phone",
        "Sent from my Samsung Galaxy smartphone.",
        "Get Outlook for iOS<https://aka.ms/o0ukef>",
        "Get Outlook for Android",
        "Envoyé de mon iPhone",
        "Von meinem iPhone gesendet",
        "Enviado desde mi iPhone",
        "Verstuurd vanaf mijn iPhone",
        "Sent from my BlackBerry 10 smartphone.",
        "Sent via the Samsung Galaxy S23, an AT&T 5G smartphone",
        "Sent from Yahoo Mail on Android",
        "This email and any attachments are confidential and intended solely for the addressee.",
        "CONFIDENTIALITY NOTICE: This message is for the named person's use only.",
    ],
)
def test_signatures_and_disclaimers_are_removed(signature: str) -> None:
    assert new_text(f"Got it\n\n{signature}\nREFUSE: in the signature") == "Got it"


def test_signature_ends_at_the_quote_and_inline_text_after_it_is_kept() -> None:
    body = "Got it\n-- \nJane\n> Hi Jane\n> REFUSE: your reason\nOne more thing: call Bob."
    assert new_text(body) == "Got it\nOne more thing: call Bob."


def test_sent_from_in_a_sentence_is_kept() -> None:
    text = "Got it\n\nSent from my desk, which is easier than my mobile phone."
    assert new_text(text) == text


def test_external_sender_banner_is_removed() -> None:
    body = (
        "CAUTION: This email originated from outside of the organization. Do not click\n"
        "links or open attachments unless you recognize the sender.\n\nGot it"
    )
    assert new_text(body) == "Got it"
    assert read_verdict(_mail(body)).kind == "accept"


# --- bottom posting and inline replies ----------------------------------------------


def test_reply_below_the_quote() -> None:
    body = f"On Mon, Jane wrote on 23/11/2026, mailbaton wrote:\n{quoted(REQUEST)}\n\nGot it!"
    assert verdict_from_text(new_text(body)).kind == "accept"


def test_inline_replies_keep_every_unquoted_line() -> None:
    body = "> Due: 27 Nov\nFine.\n> Notes: call\nWill do.\n> GOT IT - you own it from now on\n"
    assert new_text(body) == "Fine.\nWill do."


def test_wrapped_quote_tail_is_part_of_the_quote() -> None:
    body = (
        "Got it\n\n> The customer expects a call on Friday about the countersigned\n"
        "contract\n> and the invoice.\n"
    )
    assert new_text(body) == "Got it"


# --- catcher line -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Catcher: carol@example.com", "carol@example.com"),
        ("catcher:  Carol Jones <carol@example.com>\n\nThanks", "Carol Jones <carol@example.com>"),
        ("Hi,\n\nNew catcher: carol@example.com", "carol@example.com"),
        ("*Catcher:* carol@example.com", "carol@example.com"),
        ("Catcher:", None),
        ("Please give it to Carol.", None),
        ("Thanks.\n\nCatcher: carol@example.com", None),
        ("> Catcher: jane@example.com\nSure", None),
    ],
)
def test_catcher_line(text: str, value: str | None) -> None:
    assert catcher_line(text) == value


def test_catcher_line_above_the_quoted_receipt() -> None:
    body = (
        f"Catcher: carol@example.com\n\nOn Mon, mailbaton <b@example.com> wrote:\n{quoted(RECEIPT)}"
    )
    assert catcher_line(body) == "carol@example.com"


# --- robustness ---------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400), st.none() | st.text())
def test_never_raises(text: str, html: str | None) -> None:
    stripped = new_text(text, html)
    assert isinstance(stripped, str)
    assert verdict_from_text(stripped).kind in {"accept", "refuse", "cancel", "unclear"}
    assert catcher_line(text) is None or isinstance(catcher_line(text), str)


def test_new_text_is_stable_on_its_own_output() -> None:
    once = new_text(f"Got it\n\nSent from my iPhone\n\n{quoted(REQUEST)}")
    assert new_text(once) == once == "Got it"


def test_long_and_pathological_input_is_fast() -> None:
    body = "Got it\n" + quoted("x" * 70 + "\n") * 20000 + ("On " * 5000) + "\n" + "-" * 100000
    started = time.perf_counter()
    assert verdict_from_text(new_text(body, "<div>" * 5000)).kind == "accept"
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "REFUSE: this one. Busy with the audit until Friday.",
            "Busy with the audit until Friday.",
        ),
        ("REFUSE: This ticket - wrong person for it", "wrong person for it"),
        ("Refused - that one, I'm off next week", "I'm off next week"),
        ("REFUSE: this one\nBusy all week", "Busy all week"),
        ("REFUSE: it is too late for me", "it is too late for me"),
        ("REFUSE: the client is not mine", "the client is not mine"),
        ("REFUSE: That's Bob's account", "That's Bob's account"),
    ],
)
def test_a_refusals_object_after_the_colon_is_not_its_reason(text: str, reason: str) -> None:
    verdict = verdict_from_text(text)
    assert (verdict.kind, verdict.reason) == ("refuse", reason)


# --- a keyword asked, weighed or told is no verdict ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "What does REFUSE mean here?",
        "Should I refuse?",
        "Can I reject it?",
        "Why would I refuse?",
        "Is it ok to refuse?",
        "What happens if I refuse?",
        "If I refuse, who gets it?",
        "Would refusing be OK?",
        "Do I reply REFUSE or GOT IT?",
        "Do I reply REFUSE, or GOT IT?",
        "GOT IT or REFUSE?",
        "Got it, or refuse?",
        "Accepted? I am not sure yet",
        "I might refuse, let me check with Kim first",
        "Perhaps I'll reject this one, let me think.",
        "Maybe refuse, depends on Kim",
        "I'd refuse but let me ask Kim",
        "Vielleicht REFUSE, ich frage Kim",
        "Refuse? No.",
        "Cancel, or wait for Bob?",
    ],
)
def test_a_keyword_asked_or_weighed_is_no_verdict(text: str) -> None:
    assert kind(text) == "unclear"
    assert verdict_from_text(text, strict=True).kind == "unclear"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bob rejected the last one, so I'll take it", "unclear"),
        ("The customer rejected the draft last week. Got it though.", "accept"),
        ("Thanks, I'll take it. Note: Legal rejected clause 4.", "accept"),
        ("I'll take it. Legal refused clause 4 last time, FYI.", "accept"),
        ("Got it. The board has already rejected plan B.", "accept"),
        ("Procurement refuses to sign without it, so I'll handle it", "unclear"),
        ("The vendor rejected our offer.", "unclear"),
    ],
)
def test_someone_elses_refusal_told_as_news_is_no_refusal(text: str, expected: str) -> None:
    assert kind(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("REFUSE: on vacation until Monday", "on vacation until Monday"),
        ("Refused - wrong team, try Kim", "wrong team, try Kim"),
        ("Rejected: not mine", "not mine"),
        ("I refuse this one: out all week", "out all week"),
        ("Sorry, I have to refuse - out sick", "out sick"),
        ("I rejected it: Kim owns Acme", "Kim owns Acme"),
        ("We've refused it - budget frozen", "budget frozen"),
        ("Unfortunately rejected: no budget", "no budget"),
        ("REFUSE: why me? Ask Kim.", "why me? Ask Kim."),
        ("Refused, can you ask Kim?", "can you ask Kim?"),
        ("I'd love to help, but I have to refuse: out sick", "out sick"),
        ("Hi Alice,\nREFUSE: busy", "busy"),
        ("REFUSE", ""),
    ],
)
def test_refusals_that_are_answers_still_refuse(text: str, reason: str) -> None:
    verdict = verdict_from_text(text)
    assert (verdict.kind, verdict.reason) == ("refuse", reason)


def test_got_it_opening_a_later_sentence_of_the_opening_line() -> None:
    assert kind("Thanks for the details. Got it!") == "accept"
    assert kind("Thanks for the details. Got it?") == "unclear"
    assert kind("Thanks for the details.\nGot it") == "unclear"  # not the opening line
    assert kind("Thanks for the details. Got it. I can't take this though.") == "unclear"
    assert verdict_from_text("Thanks for the details. Got it!", strict=True).kind == "unclear"


@pytest.mark.parametrize(
    "text",
    [
        "I've got it",
        "I’ve got it.",
        "Ive got it",
        "I have got it",
        "I've accepted it",
        "Ok, thanks, I've got it from here.",
        "Got-it",
        "Got it, can you send me the file?",
    ],
)
def test_got_it_after_ive_and_with_a_hyphen(text: str) -> None:
    assert verdict_from_text(text) == Verdict("accept", None, text)
    assert verdict_from_text(text, strict=True).kind == "accept"


# --- a closing ends the reason --------------------------------------------------------

CLOSINGS = (
    "Thanks,",
    "Thanks, Jane",
    "Best regards,",
    "Warm regards,",
    "All the best,",
    "Thx,",
    "Take care,",
    "Viele Grüße",
    "Mit freundlichen Grüßen",
    "Bien cordialement,",
    "Salutations,",
    "Un saludo,",
    "Cordiali saluti",
    "Met vriendelijke groet,",
    "Atenciosamente,",
)


@pytest.mark.parametrize("closing", CLOSINGS)
def test_a_closing_in_its_own_paragraph_ends_the_reason(closing: str) -> None:
    text = f"REFUSE\n\nWrong team, ask Kim.\n\n{closing}\nJane"
    assert verdict_from_text(text).reason == "Wrong team, ask Kim."


@pytest.mark.parametrize("closing", CLOSINGS)
def test_a_closing_in_the_reasons_paragraph_ends_it(closing: str) -> None:
    assert verdict_from_text(f"REFUSE\nWrong team, ask Kim.\n{closing}\nJane\nSales").reason == (
        "Wrong team, ask Kim."
    )
    everyday = verdict_from_text(f"I can't take this, I'm out sick.\n{closing}\nJane")
    assert (everyday.kind, everyday.reason) == ("refuse", "I can't take this, I'm out sick.")


def test_a_line_that_only_starts_like_a_closing_is_part_of_the_reason() -> None:
    text = "REFUSE\nThanks for thinking of me, but Kim owns Acme.\nBest of luck with it"
    assert verdict_from_text(text).reason == (
        "Thanks for thinking of me, but Kim owns Acme.\nBest of luck with it"
    )
    assert verdict_from_text("Out all week. REFUSE\nThanks,\nJane").reason == "Out all week"

# ruff: noqa: E501
"""The lines mail clients put above a quoted original, per client and locale, with sources.

Each entry: (client, locale, template, source). In a template, {name} and {addr}
stand for the original sender, and [...] marks a date or time the client fills
in (the text inside is a sample, used by the development corpus). Thunderbird's
strings, taken from its localisation files, are in thunderbird_l10n.py under
their own licence.

Sources: "UI" means written from knowledge of the client's user interface in that
locale (the version current in 2024-2025), not verified against a message file;
"corpus:<path>" means the form was seen in a real message in the shared corpus
(../shared/corpus) or in this repository's tests/fixtures/replies.
"""

from __future__ import annotations

__all__ = ["ATTRIBUTIONS"]

UI = "UI"

# fmt: off
ATTRIBUTIONS: tuple[tuple[str, str, str, str], ...] = (
    # --- Gmail (web and apps) ---------------------------------------------------------
    ("gmail", "en", "On [Mon, Jun 3, 2024] at [10:15 AM] {name} <{addr}> wrote:", "corpus:zapier__email-reply-parser/test/emails/email_gmail.txt"),
    ("gmail", "de", "Am [Mo., 3. Juni 2024] um [10:15] Uhr schrieb {name} <{addr}>:", UI),
    ("gmail", "fr", "Le [lun. 3 juin 2024] à [10:15], {name} <{addr}> a écrit :", UI),
    ("gmail", "es", "El [lun, 3 jun 2024] a las [10:15], {name} (<{addr}>) escribió:", UI),
    ("gmail", "pt", "Em [seg., 3 de jun. de 2024] às [10:15], {name} <{addr}> escreveu:", UI),
    ("gmail", "it", "Il giorno [lun 3 giu 2024] alle ore [10:15] {name} <{addr}> ha scritto:", UI),
    ("gmail", "nl", "Op [ma 3 jun 2024] om [10:15] schreef {name} <{addr}>:", UI),
    ("gmail", "sv", "Den [mån 3 juni 2024] kl [10:15] skrev {name} <{addr}>:", UI),
    ("gmail", "da", "Den [man. 3. jun. 2024] kl. [10.15] skrev {name} <{addr}>:", UI),
    ("gmail", "nb", "[man. 3. jun. 2024] kl. [10:15] skrev {name} <{addr}>:", "corpus:crisp-oss__email-reply-parser/test/fixtures/email_norwegian_gmail.txt"),
    ("gmail", "fi", "[ma 3. kesäkuuta 2024] klo [10.15] {name} <{addr}> kirjoitti:", "corpus:crisp-oss__email-reply-parser/test/fixtures/email_finnish.txt"),
    ("gmail", "pl", "[pon., 3 cze 2024] o [10:15] {name} <{addr}> napisał(a):", UI),
    ("gmail", "cs", "[po 3. 6. 2024] v [10:15] odesílatel {name} <{addr}> napsal:", UI),
    ("gmail", "sk", "[po 3. 6. 2024] o [10:15] {name} <{addr}> napísal(a):", UI),
    ("gmail", "hu", "{name} <{addr}> ezt írta (időpont: [2024. jún. 3., H, 10:15]):", UI),
    ("gmail", "ro", "Pe [lun., 3 iun. 2024] la [10:15], {name} <{addr}> a scris:", UI),
    ("gmail", "bg", "[пн, 3.06.2024] г. в [10:15] ч. {name} <{addr}> написа:", UI),
    ("gmail", "ru", "[пн, 3 июн. 2024] г. в [10:15], {name} <{addr}>:", "corpus:crisp-oss__email-reply-parser/test/fixtures/email_russian.txt"),
    ("gmail", "uk", "[пн, 3 черв. 2024] о [10:15] {name} <{addr}> пише:", UI),
    ("gmail", "el", "Στις [Δευ 3 Ιουν 2024] στις [10:15], ο/η {name} <{addr}> έγραψε:", UI),
    ("gmail", "tr", "{name} <{addr}>, [3 Haz 2024 Pzt], [10:15] tarihinde şunu yazdı:", UI),
    ("gmail", "ar", "في [الاثنين، 3 يونيو 2024] في [10:15 ص] {name} <{addr}> كتب:", UI),
    ("gmail", "he", "בתאריך [יום ב׳, 3 ביוני 2024] ב-[10:15] מאת {name} <{addr}>:", UI),
    ("gmail", "ja", "[2024年6月3日(月) 10:15] {name} <{addr}>:", UI),
    ("gmail", "zh", "{name} <{addr}> 于[2024年6月3日周一 10:15]写道：", UI),
    ("gmail", "zh-TW", "{name} <{addr}> 於 [2024年6月3日 週一 上午10:15]寫道：", UI),
    ("gmail", "ko", "[2024년 6월 3일 (월) 오전 10:15], {name} <{addr}>님이 작성:", UI),
    ("gmail", "hi", "[सोम, 3 जून 2024] को [10:15 am] बजे {name} <{addr}> ने लिखा:", UI),
    ("gmail", "id", "Pada [Sen, 3 Jun 2024] pukul [10.15] {name} <{addr}> menulis:", UI),
    ("gmail", "vi", "Vào [Th 2, 3 thg 6, 2024] vào lúc [10:15] {name} <{addr}> đã viết:", UI),
    ("gmail", "th", "เมื่อ [จ. 3 มิ.ย. 2024] เวลา [10:15] {name} <{addr}> เขียนว่า:", UI),
    ("gmail", "hr", "[pon, 3. lip 2024.] u [10:15] {name} <{addr}> napisao je:", UI),
    ("gmail", "et", "[E, 3. juuni 2024] kell [10:15] {name} <{addr}> kirjutas:", UI),
    ("gmail", "lt", "[2024-06-03, pr, 10:15] {name} <{addr}> rašė:", UI),
    ("gmail", "sl", "V [pon., 3. jun. 2024] ob [10:15] je oseba {name} <{addr}> napisala:", UI),
    ("gmail", "ca", "El [dl., 3 de juny 2024] a les [10:15], {name} (<{addr}>) va escriure:", UI),
    # --- Apple Mail (macOS) and Mail on iOS/iPadOS -----------------------------------
    ("apple", "en", "On [3 Jun 2024], at [10:15], {name} <{addr}> wrote:", "corpus:mailgun__talon/tests/fixtures/standard_replies/iphone.eml"),
    ("apple", "de", "Am [03.06.2024] um [10:15] schrieb {name} <{addr}>:", UI),
    ("apple", "fr", "Le [3 juin 2024] à [10:15], {name} <{addr}> a écrit :", UI),
    ("apple", "es", "El [3 jun 2024], a las [10:15], {name} <{addr}> escribió:", UI),
    ("apple", "it", "Il giorno [3 giu 2024], alle ore [10:15], {name} <{addr}> ha scritto:", UI),
    ("apple", "nl", "Op [3 jun 2024] om [10:15] heeft {name} <{addr}> het volgende geschreven:", "corpus:tests/fixtures/replies/apple_mail_nl_refuse.eml"),
    ("apple", "pt", "Em [3 de jun. de 2024], à(s) [10:15], {name} <{addr}> escreveu:", UI),
    ("apple", "sv", "[3 juni 2024] kl. [10:15] skrev {name} <{addr}>:", UI),
    ("apple", "da", "Den [3. jun. 2024] kl. [10.15] skrev {name} <{addr}>:", UI),
    ("apple", "fi", "{name} <{addr}> kirjoitti [3.6.2024] kello [10.15]:", UI),
    ("apple", "pl", "Wiadomość napisana przez {name} <{addr}> w dniu [03.06.2024], o godz. [10:15]:", UI),
    ("apple", "cs", "[3. 6. 2024] v [10:15], {name} <{addr}>:", UI),
    ("apple", "hu", "[2024. jún. 3.] dátummal, [10:15] időpontban {name} <{addr}> írta:", UI),
    ("apple", "ru", "[3 июня 2024] г., в [10:15], {name} <{addr}> написал(а):", UI),
    ("apple", "uk", "[3 черв. 2024] р. о [10:15] {name} <{addr}> написав(-ла):", UI),
    ("apple", "tr", "[3 Haz 2024] tarihinde [10:15] saatinde, {name} <{addr}> şunları yazdı:", UI),
    ("apple", "el", "Στις [3 Ιουν 2024], στις [10:15], ο χρήστης {name} <{addr}> έγραψε:", UI),
    ("apple", "ro", "Pe [3 iun. 2024], la [10:15], {name} <{addr}> a scris:", UI),
    ("apple", "he", "ב-[3 ביוני 2024], בשעה [10:15], {name} <{addr}> כתב/ה:", UI),
    ("apple", "ja", "[2024/06/03 10:15]、{name} <{addr}>のメール:", UI),
    ("apple", "zh", "[2024年6月3日 10:15]，{name} <{addr}> 写道：", UI),
    ("apple", "ko", "[2024. 6. 3. 오전 10:15], {name} <{addr}> 작성:", "corpus:willdurand__EmailReplyParser/tests/Fixtures/email_with_date_headers.txt"),
    ("apple", "id", "Pada [3 Jun 2024], pukul [10.15], {name} <{addr}> menulis:", UI),
    ("apple", "vi", "Vào [10:15, 3 thg 6, 2024], {name} <{addr}> đã viết:", UI),
    ("apple", "th", "เมื่อ [3 มิ.ย. 2024] เวลา [10:15] {name} <{addr}> เขียนว่า:", UI),
    ("apple", "ar", "في [3 يونيو 2024]، الساعة [10:15]، كتب {name} <{addr}>:", UI),
    # --- Yahoo Mail (web) ------------------------------------------------------------
    ("yahoo", "en", "On [Monday, June 3, 2024, 10:15:00 AM GMT+2], {name} <{addr}> wrote:", UI),
    ("yahoo", "de", "Am [Montag, 3. Juni 2024, 10:15:00 MESZ] hat {name} <{addr}> Folgendes geschrieben:", UI),
    ("yahoo", "fr", "Le [lundi 3 juin 2024, 10:15:00 UTC+2], {name} <{addr}> a écrit :", UI),
    ("yahoo", "es", "El [lunes, 3 de junio de 2024, 10:15:00 GMT+2], {name} <{addr}> escribió:", UI),
    ("yahoo", "it", "Il [lunedì 3 giugno 2024, 10:15:00 CEST], {name} <{addr}> ha scritto:", UI),
    # --- Outlook for iOS/Android, Outlook for Mac when set to an attribution line ------
    ("outlook_mobile", "en", "On [Mon, Jun 3, 2024 at 10:15 AM], {name} <{addr}> wrote:", UI),
    # --- Mail.ru, Yandex --------------------------------------------------------------
    ("mailru", "ru", "[Понедельник, 3 июня 2024, 10:15 +03:00] от {name} <{addr}>:", UI),
    ("yandex", "ru", "[03.06.2024, 10:15], \"{name}\" <{addr}>:", UI),
    # --- Onet, WP (Poland) ------------------------------------------------------------
    ("onet", "pl", "Dnia [3 czerwca 2024 10:15] {name} <{addr}> napisał(a):", UI),
    # --- HCL (Lotus) Notes ------------------------------------------------------------
    ("notes", "en", "{name} <{addr}> wrote on [03.06.2024 10:15:25]:", UI),
    ("notes", "de", "{name} <{addr}> schrieb am [03.06.2024 10:15:25]:", UI),
    ("notes", "fr", "{name} <{addr}> a écrit le [03/06/2024 10:15:25] :", UI),
    # --- Proton Mail ------------------------------------------------------------------
    ("proton", "en", "On [Monday, June 3rd, 2024] at [10:15], {name} <{addr}> wrote:", UI),
    ("proton", "de", "Am [Montag, 3. Juni 2024] um [10:15] schrieb {name} <{addr}>:", UI),
    ("proton", "fr", "Le [lundi 3 juin 2024] à [10:15], {name} <{addr}> a écrit :", UI),
)
# fmt: on

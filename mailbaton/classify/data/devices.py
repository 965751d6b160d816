# ruff: noqa: E501
"""The lines mobile and webmail clients add under a reply ("Sent from my iPhone"), per language.

Each entry: (client, language, template, source). {device} stands for a device or
app name of up to four words ("iPhone", "iPad", "Galaxy", "Android"). Sources: "UI"
means from knowledge of the client's default signature in that language (2024-2025),
not verified against a message file; "corpus:<path>" means seen in a real message in
the shared corpus or in tests/fixtures/replies.
"""

from __future__ import annotations

__all__ = ["DEVICE_LINES"]

UI = "UI"

# fmt: off
DEVICE_LINES: tuple[tuple[str, str, str, str], ...] = (
    # --- iOS Mail ---------------------------------------------------------------------
    ("ios", "en", "Sent from my {device}", "corpus:github__email_reply_parser/test/emails/email_iPhone.txt"),
    ("ios", "de", "Von meinem {device} gesendet", UI),
    ("ios", "fr", "Envoyé de mon {device}", UI),
    ("ios", "es", "Enviado desde mi {device}", UI),
    ("ios", "pt", "Enviado do meu {device}", UI),
    ("ios", "it", "Inviato da {device}", UI),
    ("ios", "nl", "Verstuurd vanaf mijn {device}", UI),
    ("ios", "sv", "Skickat från min {device}", UI),
    ("ios", "da", "Sendt fra min {device}", UI),
    ("ios", "nb", "Sendt fra min {device}", UI),
    ("ios", "fi", "Lähetetty {device}sta", UI),
    ("ios", "pl", "Wysłane z {device}", UI),
    ("ios", "cs", "Odesláno z {device}", UI),
    ("ios", "sk", "Odoslané z {device}", UI),
    ("ios", "hu", "{device}-ról küldve", UI),
    ("ios", "ro", "Trimis de pe {device}", UI),
    ("ios", "hr", "Poslano s mog {device}", UI),
    ("ios", "bg", "Изпратено от моя {device}", UI),
    ("ios", "ru", "Отправлено с {device}", UI),
    ("ios", "uk", "Надіслано з {device}", UI),
    ("ios", "el", "Στάλθηκε από το {device} μου", UI),
    ("ios", "tr", "{device}'umdan gönderildi", UI),
    ("ios", "ar", "أُرسلت من الـ {device} الخاص بي", UI),
    ("ios", "he", "נשלח מה-{device} שלי", UI),
    ("ios", "ja", "{device}から送信", UI),
    ("ios", "zh", "发自我的{device}", UI),
    ("ios", "zh-TW", "從我的 {device} 傳送", UI),
    ("ios", "ko", "{device}에서 보냄", UI),
    ("ios", "th", "ส่งจาก {device} ของฉัน", UI),
    ("ios", "vi", "Được gửi từ {device} của tôi", UI),
    ("ios", "id", "Dikirim dari {device} saya", UI),
    ("ios", "hi", "मेरे {device} से भेजा गया", UI),
    # --- Outlook for iOS and Android ----------------------------------------------------
    ("outlook_mobile", "en", "Get Outlook for {device}", "corpus:crisp-oss__email-reply-parser/test/fixtures/email_ios_outlook.txt"),
    ("outlook_mobile", "de", "Outlook für {device} beziehen", UI),
    ("outlook_mobile", "fr", "Obtenir Outlook pour {device}", UI),
    ("outlook_mobile", "fr", "Envoyé à partir de Outlook pour {device}", "corpus:crisp-oss__email-reply-parser/test/fixtures/email_ios_outlook_fr.txt"),
    ("outlook_mobile", "es", "Obtener Outlook para {device}", UI),
    ("outlook_mobile", "pt", "Obter o Outlook para {device}", UI),
    ("outlook_mobile", "it", "Scarica Outlook per {device}", UI),
    ("outlook_mobile", "nl", "Outlook voor {device} downloaden", UI),
    ("outlook_mobile", "sv", "Skaffa Outlook för {device}", UI),
    ("outlook_mobile", "da", "Hent Outlook til {device}", UI),
    ("outlook_mobile", "nb", "Få Outlook for {device}", UI),
    ("outlook_mobile", "fi", "Hanki Outlook for {device}", UI),
    ("outlook_mobile", "pl", "Pobierz aplikację Outlook dla systemu {device}", UI),
    ("outlook_mobile", "cs", "Stáhněte si Outlook pro {device}", UI),
    ("outlook_mobile", "ru", "Получить Outlook для {device}", UI),
    ("outlook_mobile", "tr", "{device} için Outlook'u edinin", UI),
    ("outlook_mobile", "ja", "{device} 版 Outlook を入手", UI),
    ("outlook_mobile", "zh", "获取 {device} 版 Outlook", UI),
    ("outlook_mobile", "ko", "{device}용 Outlook 받기", UI),
    # --- Samsung Email ------------------------------------------------------------------
    ("samsung", "en", "Sent from my Galaxy", UI),
    ("samsung", "en", "Sent from my {device} smartphone.", UI),
    ("samsung", "de", "Von meinem Galaxy gesendet", UI),
    ("samsung", "fr", "Envoyé depuis mon Galaxy", UI),
    ("samsung", "es", "Enviado desde mi Galaxy", UI),
    ("samsung", "it", "Inviato dal mio Galaxy", UI),
    ("samsung", "pt", "Enviado do meu Galaxy", UI),
    ("samsung", "ru", "Отправлено с Galaxy", UI),
    ("samsung", "pl", "Wysłane z mojego Galaxy", UI),
    ("samsung", "ko", "Galaxy에서 보냄", UI),
    # --- Yahoo, GMX/WEB.DE, Mail.ru, Proton, Huawei ------------------------------------------
    ("yahoo", "en", "Sent from Yahoo Mail on {device}", UI),
    ("yahoo", "en", "Sent from Yahoo Mail for {device}", UI),
    ("yahoo", "de", "Von Yahoo Mail auf {device} gesendet", UI),
    ("yahoo", "fr", "Envoyé de Yahoo Mail pour {device}", UI),
    ("gmx", "de", "Gesendet mit der GMX Mail App", UI),
    ("gmx", "de", "Gesendet mit der WEB.DE Mail App", UI),
    ("gmx", "en", "Sent with the GMX Mail app", UI),
    ("mailru", "ru", "Отправлено из мобильной Почты Mail.ru", UI),
    ("mailru", "ru", "Отправлено из Почты Mail.ru для {device}", UI),
    ("proton", "en", "Sent with Proton Mail secure email.", UI),
    ("proton", "en", "Sent from Proton Mail {device}", UI),
    ("huawei", "en", "Sent from my HUAWEI {device}", UI),
    ("huawei", "zh", "发自我的华为手机", UI),
    ("android", "en", "Sent from my {device} phone with Gmail", UI),
    ("any", "en", "From my {device}", "corpus:discourse__email_reply_trimmer/test/elided/signatures.txt"),
)
# fmt: on

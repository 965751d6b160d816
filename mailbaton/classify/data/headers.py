# ruff: noqa: E501
"""Header labels clients write above a pasted original, and the separator lines, per language.

Outlook (desktop, web, mobile) puts a block of From/Sent/To/Cc/Subject lines
above the original; Outlook for Mac and Samsung Email write Date instead of Sent;
GMX and WEB.DE start with Sent; Zimbra and Seznam put a separator first. Labels
of Thunderbird's forwarded header come from thunderbird_l10n.py.

Sources: "UI" means from knowledge of Outlook's localised user interface (Microsoft
365 apps, 2024-2025), not verified against a message file; "corpus:<path>" means
the label block was seen in a real message in the shared corpus.
"""

from __future__ import annotations

__all__ = ["LABELS", "SEPARATORS"]

UI = "UI"

# (language, From, Sent, To, Cc, Subject, Date, Reply-To, source); "" where unknown.
# fmt: off
LABELS: tuple[tuple[str, str, str, str, str, str, str, str, str], ...] = (
    ("en", "From", "Sent", "To", "Cc", "Subject", "Date", "Reply-To", "corpus:github__email_reply_parser/test/emails/email_2_1.txt"),
    ("de", "Von", "Gesendet", "An", "Cc", "Betreff", "Datum", "Antwort an", "corpus:crisp-oss__email-reply-parser/test/fixtures/email_german_outlook.txt"),
    ("fr", "De", "Envoyé", "À", "Cc", "Objet", "Date", "Répondre à", UI),
    ("es", "De", "Enviado", "Para", "CC", "Asunto", "Fecha", "Responder a", UI),
    ("pt", "De", "Enviado", "Para", "Cc", "Assunto", "Data", "Responder a", UI),
    ("pt-PT", "De", "Enviada", "Para", "Cc", "Assunto", "Data", "Responder a", UI),
    ("it", "Da", "Inviato", "A", "Cc", "Oggetto", "Data", "Rispondi a", UI),
    ("nl", "Van", "Verzonden", "Aan", "CC", "Onderwerp", "Datum", "Beantwoorden", UI),
    ("sv", "Från", "Skickat", "Till", "Kopia", "Ämne", "Datum", "Svara till", UI),
    ("da", "Fra", "Sendt", "Til", "Cc", "Emne", "Dato", "Svar til", UI),
    ("nb", "Fra", "Sendt", "Til", "Kopi", "Emne", "Dato", "Svar til", UI),
    ("fi", "Lähettäjä", "Lähetetty", "Vastaanottaja", "Kopio", "Aihe", "Päivämäärä", "Vastausosoite", UI),
    ("pl", "Od", "Wysłano", "Do", "DW", "Temat", "Data", "Odpowiedz do", UI),
    ("cs", "Od", "Odesláno", "Komu", "Kopie", "Předmět", "Datum", "Odpovědět komu", UI),
    ("sk", "Od", "Odoslané", "Komu", "Kópia", "Predmet", "Dátum", "Odpovedať", UI),
    ("hu", "Feladó", "Elküldve", "Címzett", "Másolatot kap", "Tárgy", "Dátum", "Válaszcím", UI),
    ("ro", "De la", "Trimis", "Către", "Cc", "Subiect", "Dată", "Răspuns la", UI),
    ("hr", "Šalje", "Poslano", "Prima", "Kopija", "Predmet", "Datum", "", UI),
    ("sl", "Od", "Poslano", "Za", "Kp", "Zadeva", "Datum", "", UI),
    ("sr", "Od", "Poslato", "Za", "Cc", "Tema", "Datum", "", UI),
    ("bg", "От", "Изпратено", "До", "Копие", "Относно", "Дата", "", UI),
    ("ru", "От", "Отправлено", "Кому", "Копия", "Тема", "Дата", "Ответить", UI),
    ("uk", "Від", "Надіслано", "Кому", "Копія", "Тема", "Дата", "", UI),
    ("el", "Από", "Στάλθηκε", "Προς", "Κοιν.", "Θέμα", "Ημερομηνία", "", UI),
    ("tr", "Kimden", "Gönderildi", "Kime", "Bilgi", "Konu", "Tarih", "Yanıt adresi", UI),
    ("et", "Saatja", "Saadetud", "Adressaat", "Koopia", "Teema", "Kuupäev", "", UI),
    ("lv", "No", "Nosūtīts", "Kam", "Kopija", "Tēma", "Datums", "", UI),
    ("lt", "Nuo", "Išsiųsta", "Kam", "Kopija", "Tema", "Data", "", UI),
    ("ca", "De", "Enviat", "Per a", "A/c", "Assumpte", "Data", "", UI),
    ("ar", "من", "تم الإرسال", "إلى", "نسخة", "الموضوع", "التاريخ", "", UI),
    ("he", "מאת", "נשלח", "אל", "עותק", "נושא", "תאריך", "", UI),
    ("ja", "差出人", "送信日時", "宛先", "CC", "件名", "日付", "", UI),
    ("zh", "发件人", "发送时间", "收件人", "抄送", "主题", "日期", "", UI),
    ("zh-TW", "寄件者", "寄件日期", "收件者", "副本", "主旨", "日期", "", UI),
    ("ko", "보낸 사람", "보낸 날짜", "받는 사람", "참조", "제목", "날짜", "", UI),
    ("th", "จาก", "ส่ง", "ถึง", "สำเนา", "เรื่อง", "วันที่", "", UI),
    ("vi", "Từ", "Đã gửi", "Đến", "Cc", "Chủ đề", "Ngày", "", UI),
    ("id", "Dari", "Dikirim", "Kepada", "Cc", "Subjek", "Tanggal", "", UI),
    ("ms", "Daripada", "Dihantar", "Kepada", "Sk", "Subjek", "Tarikh", "", UI),
    ("hi", "प्रेषक", "भेजा गया", "प्रति", "प्रतिलिपि", "विषय", "दिनांक", "", UI),
)

# Lines that stand alone between the reply and a pasted original (Outlook's
# "-----Original Message-----", Gmail's "Forwarded message", Zimbra's, Seznam's and
# Apple Mail's forward lines). (language, text, client, source)
SEPARATORS: tuple[tuple[str, str, str, str], ...] = (
    ("en", "Original Message", "outlook", "corpus:crisp-oss__email-reply-parser/test/fixtures/email_original_message.txt"),
    ("de", "Ursprüngliche Nachricht", "outlook", UI),
    ("fr", "Message d'origine", "outlook", UI),
    ("es", "Mensaje original", "outlook", UI),
    ("pt", "Mensagem original", "outlook", UI),
    ("it", "Messaggio originale", "outlook", UI),
    ("nl", "Oorspronkelijk bericht", "outlook", UI),
    ("sv", "Originalmeddelande", "outlook", UI),
    ("da", "Oprindelig meddelelse", "outlook", UI),
    ("nb", "Opprinnelig melding", "outlook", UI),
    ("fi", "Alkuperäinen viesti", "outlook", UI),
    ("pl", "Wiadomość oryginalna", "outlook", UI),
    ("cs", "Původní zpráva", "outlook", UI),
    ("sk", "Pôvodná správa", "outlook", UI),
    ("hu", "Eredeti üzenet", "outlook", UI),
    ("ro", "Mesaj original", "outlook", UI),
    ("hr", "Izvorna poruka", "outlook", UI),
    ("bg", "Оригинално съобщение", "outlook", UI),
    ("ru", "Исходное сообщение", "outlook", UI),
    ("uk", "Оригінальне повідомлення", "outlook", UI),
    ("el", "Αρχικό μήνυμα", "outlook", UI),
    ("tr", "Özgün İleti", "outlook", UI),
    ("ar", "الرسالة الأصلية", "outlook", UI),
    ("he", "הודעה מקורית", "outlook", UI),
    ("ja", "元のメッセージ", "outlook", UI),
    ("zh", "原始邮件", "outlook", UI),
    ("zh-TW", "原始郵件", "outlook", UI),
    ("ko", "원본 메시지", "outlook", UI),
    ("th", "ข้อความต้นฉบับ", "outlook", UI),
    ("vi", "Thư gốc", "outlook", UI),
    ("id", "Pesan Asli", "outlook", UI),
    ("en", "Forwarded message", "gmail", "corpus:discourse__email_reply_trimmer/test/elided/forwarded_gmail.txt"),
    ("de", "Weitergeleitete Nachricht", "gmail", UI),
    ("fr", "Message transféré", "gmail", UI),
    ("es", "Mensaje reenviado", "gmail", UI),
    ("nl", "Doorgestuurd bericht", "gmail", UI),
    ("de", "Ursprüngliche Mail", "zimbra", UI),
    ("fr", "Mail original", "zimbra", UI),
    ("cs", "Původní e-mail", "seznam", UI),
    ("en", "Original message", "samsung", UI),
)
# fmt: on

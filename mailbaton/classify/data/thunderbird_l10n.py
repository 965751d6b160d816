# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at http://mozilla.org/MPL/2.0/.
#
# ruff: noqa: E501
"""Thunderbird's reply and forward header strings and header labels, per locale.

Source: https://github.com/thunderbird/thunderbird-l10n at commit
5d7cde6f5d9237b64f7de733bb9fbb121055848a, files
<locale>/mail/chrome/messenger/messengercompose/composeMsgs.properties
(mailnews.reply_header_ondateauthorwrote, _authorwrotesingle, _authorwroteondate,
_originalmessage, mailnews.forward_header_originalmessage) and
<locale>/mail/chrome/messenger/mime.properties (1009 From, 1007 Date, 1012 To,
1013 CC, 1000 Subject, 1010 Reply-To). The strings are the localisers' work under
the Mozilla Public License 2.0, so they stay in this file, under that licence, apart
from mailbaton's own (MIT) code. Placeholders: #1 author, #2 date, #3 time.
Bidirectional embedding marks were dropped; nothing else was changed.
"""

from __future__ import annotations

__all__ = ["LOCALES"]

# (locale, on-date-author-wrote, author-wrote, author-wrote-on-date, original message
#  separator, forwarded message separator, From, Date, To, Cc, Subject, Reply-To)
# fmt: off
LOCALES: tuple[tuple[str, ...], ...] = (
    ('af', '', '', '', '-------- Oorspronklike boodskap --------', '', 'Van', 'Datum', 'Aan', 'CC', 'Onderwerp', 'Antwoord-aan'),
    ('ar', 'على #2 #3، كتب #1:', 'كتب #1:', 'كتب #1 على #2 #3:', '-------- الرسالة الأصليَّة --------', '-------- رسالة ممرّرة --------', 'مِن', 'التاريخ', 'إلى', 'CC', 'الموضوع', 'رُد إلى'),
    ('ast', 'El #2 a les #3, #1 escribió:', '#1 escribió:', "#1 escribió'l #2 a les #3:", '-------- Mensaxe orixinal --------', '-------- Mensaxe reunviáu --------', 'De', 'Data', 'Pa', 'CC', 'Asuntu', 'Responder a'),
    ('be', '#2 у #3 #1 напісаў:', '#1 напісаў:', '#1 напісаў #2 у #3:', '-------- Зыходнае паведамленне --------', '-------- Перанакіраванае паведамленне --------', 'Ад', 'Дата', 'Да', 'СА', 'Тэма', 'Зваротны-Адрас'),
    ('bg', 'На #2 в #3, #1 написа:', '#1 написа:', '#1 написа на #2 в #3:', '-------- Оригинално писмо --------', '-------- Препратено писмо --------', 'От', 'Дата', 'До', 'CC', 'Тема', 'Отговор до'),
    ('br', "D'an/ar #2 #3 eo bet skrivet gant #1 :", 'Skrivet eo bet gant #1 :', "D'an/ar #2 #3 eo bet skrivet gant #1 :", '-------- Kemennadenn orinel --------', '-------- Kemennadenn orinel --------', 'A-berzh', 'Deiziad', 'Da', 'CC', 'Danvez', 'Respont-Da'),
    ('bs', '#2 u #3, #1 je napisao/la:', '#1 je napisao/la:', '#1 napisao je #2 u #3:', '-------- Izvorna poruka --------', '-------- Proslijeđena poruka --------', 'Od', 'Datum', 'Za', 'CC', 'Naslov', 'Odgovori na'),
    ('ca', 'El #2 a les #3, #1 ha escrit:', '#1 ha escrit:', '#1 ha escrit el #2 a les #3:', '-------- Missatge original --------', '-------- Missatge reenviat --------', 'De', 'Data', 'A', 'CC', 'Assumpte', 'Respon a'),
    ('cak', "Ri #2 #3, #1 xutz'ib'aj:", "#1 xutz'ib'aj:", "#1 xutz'ib'aj pa #2 #3:", '-------- Qitzij Rutzijol --------', '-------- Taqon chik Rutzijol --------', 'Richin', "Q'ijul", 'Chi re', 'CC', 'Taqikil', 'Titzolïx Tzij Chi Re'),
    ('cs', 'Dne #2 v #3 #1 napsal(a):', '#1 napsal(a):', '#1 napsal(a) dne #2 v #3:', '-------- Původní zpráva --------', '-------- Přeposlaná zpráva --------', 'Od', 'Datum', 'Komu', 'Kopie', 'Předmět', 'Adresa pro odpověď'),
    ('cy', 'Ar #2 #3, ysgrifennodd #1:', 'Ysgrifennodd #1:', 'Ysgrifennodd #1 ar #2 #3:', '-------- Neges Wreiddiol --------', '-------- Neges Wreiddiol --------', 'Oddi wrth', 'Dyddiad', 'At', 'CC', 'Pwnc', 'Ateb-At'),
    ('da', 'Den #2 kl. #3 skrev #1:', '#1 skrev:', '#1 skrev den #2 kl. #3:', '-------- Oprindelig meddelelse --------', '-------- Videresendt meddelelse --------', 'Fra', 'Dato', 'Til', 'Kopi til (CC)', 'Emne', 'Svar-Til'),
    ('de', 'Am #2 um #3 schrieb #1:', '#1 schrieb:', '#1 schrieb am #2 um #3:', '-------- Original-Nachricht --------', '-------- Weitergeleitete Nachricht --------', 'Von', 'Datum', 'An', 'Kopie (CC)', 'Betreff', 'Antwort an'),
    ('dsb', '#2 #3 jo #1 napisał:', '#1 jo napisał:', '#1 jo #2 #3 napisał:', '-------- Originalna powěsć --------', '-------- Dalej pósrědnjona powěsć --------', 'Wót', 'Datum', 'Komu', 'Kopija', 'Tema', 'Wótegrono - komu'),
    ('el', 'Στις #2 #3, ο/η #1 έγραψε:', 'Ο/Η #1 έγραψε:', 'Ο/Η #1 έγραψε στις #2 #3:', '-------- Αρχικό μήνυμα --------', '-------- Προωθημένο μήνυμα --------', 'Από', 'Ημερομηνία', 'Προς', 'Κοιν.', 'Θέμα', 'Απάντηση'),
    ('en-CA', 'On #2 #3, #1 wrote:', '#1 wrote:', '#1 wrote on #2 #3:', '-------- Original Message --------', '-------- Forwarded Message --------', 'From', 'Date', 'To', 'CC', 'Subject', 'Reply-To'),
    ('en-GB', 'On #2 #3, #1 wrote:', '#1 wrote:', '#1 wrote on #2 #3:', '-------- Original Message --------', '-------- Forwarded Message --------', 'From', 'Date', 'To', 'CC', 'Subject', 'Reply-To'),
    ('es-AR', 'El #2 a las #3, #1 escribió:', '#1 escribió:', '#1 escribió el #2 a las #3:', '-------- Mensaje original --------', '-------- Mensaje reenviado --------', 'De', 'Fecha', 'A', 'CC', 'Asunto', 'Responder-a:'),
    ('es-ES', 'El #2 a las #3, #1 escribió:', '#1 escribió:', '#1 escribió el #2 a las #3:', '-------- Mensaje original --------', '-------- Mensaje reenviado --------', 'De', 'Fecha', 'Para', 'CC', 'Asunto', 'Responder a'),
    ('es-MX', 'En #2 #3, #1 escribió:', '#1 escribió:', '#1 escribió el #2 #3:', '-------- Mensaje original --------', '-------- Mensaje reenviado --------', 'De', 'Fecha', 'Para', 'CC', 'Asunto', 'Responder a'),
    ('et', '#2 #3 #1 kirjutas:', '#1 kirjutas:', '#1 kirjutas #2 #3:', '-------- Algne kiri --------', '-------- Edastatud kiri --------', 'Saatja', 'Kuupäev', 'Saaja', 'Koopia', 'Teema', 'Vastamise aadress'),
    ('eu', '#2 #3(e)an, #1 igorleak idatzi zuen:', '#1k idatzi zuen:', '#1 igorleak #2 #3(e)an idatzi zuen:', '-------- Jatorrizko mezua --------', '-------- Birbidalitako mezua --------', 'Nork', 'Data', 'Nori', 'CC', 'Gaia', 'Erantzun-honi'),
    ('fi', '#1 kirjoitti #2 klo #3:', '#1 kirjoitti:', '#1 kirjoitti #2 #3:', '-------- Alkuperäinen viesti / Orig.Msg. --------', '-------- Välitetty viesti / Fwd.Msg --------', 'Lähettäjä', 'Päiväys', 'Vastaanottaja', 'CC', 'Aihe', 'Vastausosoite'),
    ('fr', 'Le #2 à #3, #1 a écrit\xa0:', '#1 a écrit\xa0:', '#1 a écrit le #2 à #3\xa0:', '-------- Message original --------', '-------- Message transféré --------', 'De', 'Date', 'Pour', 'Copie à', 'Sujet', 'Répondre à'),
    ('fy-NL', 'Op #2 om #3, skreau #1:', '#1 skreau:', '#1 skreau op #2 om #3:', '-------- Oarspronklik berjocht --------', '-------- Trochstjoerd berjocht --------', 'Fan', 'Datum', 'Oan', 'CC', 'Underwerp', 'Antwurd-nei'),
    ('ga-IE', 'Ar #2 #3, scríobh #1:', 'Scríobh #1:', 'Scríobh #1 ar #2 #3:', '-------- Teachtaireacht Bhunaidh --------', '-------- Teachtaireacht Ar Aghaidh --------', 'Ó', 'Dáta', 'Chuig', 'Cc', 'Ábhar', 'Freagra-Chuig'),
    ('gd', 'Sgrìobh #1 na leanas #2 aig #3:', 'Sgrìobh #1 na leanas:', 'Sgrìobh #1 na leanas #2 aig #3:', '-------- An teachdaireachd thùsail --------', '-------- An teachdaireachd a tha ’ga shìneadh air adhart --------', 'O', 'Ceann-là', 'Gu', 'CC', 'Cuspair', 'Freagairt gu'),
    ('gl', 'O #2 ás #3, #1 escribiu:', '#1 escribiu:', '#1 escribiu o #2 ás #3:', '-------- Mensaxe orixinal --------', '-------- Mensaxe reenviada --------', 'De', 'Data', 'Para', 'CC', 'Asunto', 'Responder a'),
    ('he', 'נכתב על ידי #1, ב־#2 בשעה #3:', 'נכתב על ידי #1:', '', '-------- הודעה מקורית --------', '-------- הודעה שהועברה --------', 'מאת', 'תאריך', 'אל', 'עותק', 'נושא', 'השב-אל'),
    ('hr', '#2 u #3, #1 piše:', '#1 piše:', '#1 napisao je #2 u #3:', '-------- Izvorna poruka --------', '-------- Proslijeđena poruka --------', 'Šalje', 'Datum', 'Prima', 'CC', 'Naslov', 'Odgovori na'),
    ('hsb', '#2 #3 #1 napisa:', '#1 napisa:', '#1 #2 #3 napisa:', '-------- Originalna powěsć --------', '-------- Dale sposrědkowana powěsć --------', 'Wot', 'Datum', 'Komu', 'Kopija', 'Tema', 'Wotmołwa na'),
    ('hu', '#2 #3 keltezéssel, #1 írta:', '#1 írta:', '#1 írta #2 #3 dátummal:', '-------- Eredeti üzenet --------', '-------- Továbbított üzenet --------', 'Feladó', 'Dátum', 'Címzett', 'CC', 'Tárgy', 'Válaszcím'),
    ('hy-AM', '#2 #3-ին #1ը գրել է.', '#1-ը գրել է.', '#1-ը գրել է #2 #3-ին.', '-------- Բնօրինակ նամակը --------', '-------- Փոխանցվող նամակը --------', 'Ումից', 'Ամսաթիվ', 'Ում', 'CC', 'Վերնագիր', 'Պատասխանել՝'),
    ('hye', '#2 #3-ին #֊ը գրել է.', '#1-ը գրել է.', '#1-ը գրել է #2 #3 -ին', '-------- Բնաւրինակ հաղորդագրութիւն --------', '-------- Փոխանցուած հաղորդագրութիւն --------', 'Ումից', 'Ամսաթիւ', 'Ում (To)', 'CC', 'Թեմայ', 'Պատասխանել'),
    ('ia', 'Le #2 a #3, #1 ha scribite:', '#1 ha scribite:', '#1 ha scribite le #2 a #3:', '-------- Message original --------', '-------- Message inviate ultra--------', 'De', 'Data', 'A', 'CC', 'Subjecto', 'Responder a'),
    ('id', 'Pada #2 #3, #1 menulis:', '#1 menulis:', '#1 menulis di #2 #3:', '-------- Pesan Asli --------', '-------- Pesan Diteruskan --------', 'Dari', 'Tanggal', 'Kepada', 'CC', 'Subjek', 'Balas-Ke'),
    ('is', 'Þann #2 #3, skrifaði #1:', '#1 skrifaði:', '#1 skrifaði þann #2 #3:', '-------- Upprunalegur póstur --------', '-------- Áframsendur póstur --------', 'Frá', 'Dagsetning', 'Til', 'CC', 'Viðfangsefni', 'Svar-Við'),
    ('it', 'Il #2 #3, #1 ha scritto:', '#1 ha scritto:', '#1 ha scritto il #2 alle #3:', '-------- Messaggio originale --------', '-------- Messaggio Inoltrato --------', 'Mittente', 'Data', 'A', 'CC', 'Oggetto', 'Rispondi-a'),
    ('ja', 'On #2 #3, #1 wrote:', '#1 wrote:', '#1 wrote on #2 #3:', '-------- Original Message --------', '-------- Forwarded Message --------', 'From', 'Date', 'To', 'CC', 'Subject', 'Reply-To'),
    ('ja-JP-mac', 'On #2 #3, #1 wrote:', '#1 wrote:', '#1 wrote on #2 #3:', '-------- Original Message --------', '-------- Forwarded Message --------', 'From', 'Date', 'To', 'CC', 'Subject', 'Reply-To'),
    ('ka', 'თარიღი #2 #3, #1 წერს:', '#1 წერს:', 'თარიღი #2 #3, #1 წერს:', '-------- საწყისი წერილი --------', '-------- გადაგზავნილი წერილი --------', 'ვინ', 'თარიღი', 'ვის', 'ასლი', 'თემა', 'პასუხი'),
    ('kab', 'Di #2 #3, #1 yura:', '#1 yura:', '#1 yura  di #2 #3:', '-------- Izen anezli --------', '-------- Izen yettwawelhen --------', 'Si', 'Azemz', 'I', 'Anɣ.I', 'Amgay', 'Err-i'),
    ('kk', '#2 #3 уақытында, #1 жазған:', '#1 жазған:', '#1 жазған, уақыты #2 #3:', '-------- Түпнұсқа хабарламасы --------', '-------- Әрі қарай жіберілген хабарлама --------', 'Кімнен', 'Күні', 'Кімге', 'Көшірме', 'Тақырыбы', 'Кімге жауап беру'),
    ('km', 'នៅ\u200bលើ #2 #3, #1 បាន\u200bសរសេរ៖', '#1 បាន\u200bសរសេរ៖', '#1 បាន\u200bសរសេរ\u200bនៅ\u200bលើ #2 #3 ៖', '-------- Original Message --------', '-------- បាន\u200bបញ្ជូន\u200bសារ\u200bបន្ត --------', 'Ումից', 'Ամսաթիվ', 'Ում', 'CC', 'Վերնագիրը', 'Պատասխանել՝'),
    ('ko', '#2 #3에 #1 이(가) 쓴 글:', '%s 이(가) 쓴 글', '#1 이(가) #2 #3 에 쓴 글:', '--------    원본 메시지    --------', '-------- 전달된 메시지 --------', '보낸 사람', '날짜', '받는 사람', '참조', '제목', '회신 주소'),
    ('lt', '#2 #3, #1 rašė:', '#1 rašė:', '#1 rašė #2 #3:', '-------- Originalus laiškas --------', '-------- Persiųstas laiškas --------', 'Kas', 'Data', 'Kam', 'Kopija', 'Tema', 'Atgalinis adresas'),
    ('lv', '#2 #3 #1 rakstīja:', '# 1 rakstīja:', '#1 #2 #3 rakstīja:', '-------- Sākotnējā vēstule --------', '-------- Pārsūtītā vēstule --------', 'No', 'Datums', 'Uz', 'Kopija', 'Temats', 'Atbildēt uz'),
    ('mk', '', '', '', '-------- Оригинална порака --------', '', 'Од', 'Датум', 'До', 'CC', 'Тема', 'Одговори на'),
    ('ms', 'Pada #2 #3, #1 membalas:', '#1 membalas:', '#1 membalas pada #2 #3:', '-------- Mesej Asal --------', '-------- Mesej Dikirim Semula --------', 'Daripada', 'Tarikh', 'Kepada', 'CC', 'Subjek', 'Balas-Kepada'),
    ('nb-NO', 'Den #2 #3, skrev #1:', 'skrev #1:', '#1 skrev den #2 #3:', '-------- Opprinnelig melding --------', '-------- Videresendt melding --------', 'Fra', 'Dato', 'Til', 'CC', 'Emne', 'Svar-Til'),
    ('nl', 'Op #2 om #3 schreef #1:', '#1 schreef:', '#1 schreef op #2 om #3:', '-------- Oorspronkelijk bericht --------', '-------- Doorgestuurd bericht --------', 'Van', 'Datum', 'Aan', 'CC', 'Onderwerp', 'Antwoord-naar'),
    ('nn-NO', 'Den #2 #3, skreiv #1:', '#1 skreiv:', '#1 skreiv den #2 #3:', '-------- Opphavleg melding --------', '-------- Vidaresend melding --------', 'Frå', 'Dato', 'Til', 'CC', 'Emne', 'Svar-Til'),
    ('pa-IN', '', '', '', '-------- Original Message --------', '', 'From', 'Date', 'To', 'CC', 'Subject', 'Reply-To'),
    ('pl', 'W dniu #2 o\xa0#3, #1 pisze:', '#1 pisze:', 'W dniu #2 o\xa0#3, #1 pisze:', '--- Treść oryginalnej wiadomości ---', '--- Treść przekazanej wiadomości ---', 'Nadawca', 'Data', 'Adresat', 'Kopia', 'Temat', 'Odpowiedź-Do'),
    ('pt-BR', 'Em #2 #3, #1 escreveu:', '#1 escreveu:', '#1 escreveu em #2 #3:', '-------- Mensagem original --------', '-------- Mensagem encaminhada --------', 'De', 'Data', 'Para', 'CC', 'Assunto', 'Responder a'),
    ('pt-PT', 'Às #3 de #2, #1 escreveu:', '#1 escreveu:', '#1 escreveu às #3 de #2:', '-------- Mensagem original --------', '-------- Mensagem reencaminhada --------', 'De', 'Data', 'Para', 'CC', 'Assunto', 'Responder-Para'),
    ('rm', 'Ils #2 a las #3 ha #1 scrit:', '#1 ha scrit:', '#1 ha scrit ils #2 a las #3:', '-------- Messadi original --------', '--------  Messadi  renvià  --------', 'Da', 'Data', 'A', 'CC', 'Object', 'Respunder a'),
    ('ro', 'La #2 #3, #1 a scris:', '#1 a scris:', '#1 a scris la #2 #3:', '-------- Mesajul original --------', '-------- Mesaj redirecționat --------', 'de la', 'Dată', 'Către', 'CC', 'Subiect', 'Răspuns către'),
    ('ru', '#2 #3, #1 пишет:', '#1 пишет:', '#1 пишет #2 #3:', '-------- Исходное сообщение --------', '-------- Перенаправленное сообщение --------', 'От', 'Дата', 'Кому', 'Копия', 'Тема', 'Отвечать'),
    ('sk', 'Dňa #2 o #3 #1 napísal(a):', '#1 napísal(a):', '#1 napísal(a) dňa #2 o #3:', '-------- Pôvodná správa --- Original Message --------', '-------- Preposlaná správa --- Forwarded Message --------', 'Od', 'Dátum', 'Pre', 'Kópia', 'Predmet', 'Odpovedať na'),
    ('sl', '#1 je #2 ob #3\xa0napisal:', '#1 je napisal(a):', '#1 je #2 ob #3 napisal:', '-------- Izvirno sporočilo --------', '-------- Posredovano sporočilo --------', 'Od', 'Datum', 'Za', 'Kp', 'Zadeva', 'Odgovori za'),
    ('sq', 'Më #2, #3, #1 shkroi:', '#1 shkroi:', '#1 shkroi më #2, #3:', '-------- Mesazhi Origjinal --------', '-------- Mesazhi i Përcjellë --------', 'Nga', 'Datë', 'Për', 'CC', 'Subjekt', 'Përgjigj-Iu'),
    ('sr', 'Дана #2 у #3, #1 пише:', '#1 пише:', 'Дана #2 у #3, #1 пише:', '-------- Изворна порука --------', '-------- Прослеђена порука --------', 'Шаље', 'Датум', 'Прима', 'Коп', 'Тема', 'Одговор-за'),
    ('sv-SE', 'Den #2 kl. #3, skrev #1:', '#1 skrev:', '#1 skrev den #2 kl. #3:', '-------- Ursprungligt meddelande --------', '-------- Vidarebefordrat meddelande --------', 'Från', 'Datum', 'Till', 'Kopia', 'Ämne', 'Svar till'),
    ('th', 'เมื่อ #2 เวลา #3 #1 เขียนว่า:', '#1 เขียนว่า:', '#1 เขียนเมื่อ #2 เวลา #3 ว่า:', '-------- ข้อความต้นฉบับ --------', '-------- ข้อความที่ส่งต่อ --------', 'จาก', 'วันที่', 'ถึง', 'สำเนาถึง', 'หัวเรื่อง', 'ตอบกลับถึง'),
    ('tr', '#2 #3 tarihinde #1 yazdı:', '#1 yazdı:', '#1, #2 #3 tarihinde yazdı:', '-------- Özgün İleti --------', '-------- İletilen İleti --------', 'Kimden', 'Tarih', 'Kime', 'CC', 'Konu', 'Reply-To'),
    ('uk', '#2 #3, #1:', '#1 написав:', '#1 пише #2 #3:', '-------- Початкове повідомлення --------', '-------- Переслане повідомлення --------', 'Від', 'Дата', 'Кому', 'CC', 'Тема', 'Відповісти'),
    ('uz', '#2 #3, #1 da yozdi:', '#1 yozdi:', '#1 #2 #3da yozdi:', '-------- Asl xabar --------', '-------- Uzatilgan xabar --------', 'Jo‘natuvchi', 'Sana', 'Qabul qiluvchi', 'CC', 'Mavzu', 'Qabul qiluvchiga javob yozish'),
    ('vi', 'Vào lúc #3 #2, #1 đã viết:', '#1 đã viết:', '#1 đã viết vào lúc #3 #2:', '-------- Thư gốc --------', '-------- Tin nhắn đã được chuyển tiếp --------', 'Từ', 'Ngày', 'Tới', 'CC', 'Tiêu đề', 'Trả lời Tới'),
    ('zh-CN', '在 #2 #3, #1 写道:', '#1 写道:', '#1 写于 #2 #3:', '-------- 原始消息 --------', '-------- 转发的消息 --------', '发件人', '日期', '收件人', '抄送', '主题', '回复地址'),
    ('zh-TW', '#1 於 #2 #3 寫道:', '#1 寫道:', '#1 於 #2 #3 寫道:', '------- 原始郵件 -------', '-------- 轉寄郵件 --------', '從', '日期', '到', '副本', '主旨', '回函地址'),
)
# fmt: on

"""What a catcher writes back, per language: an acceptance, a refusal with its reason, a question.

Written for the development corpus (tests/reply_dev_corpus.py) as a colleague in that
language would write them; the refusal is also the reason the thrower must be told.
"""

from __future__ import annotations

# language: (acceptance, refusal, question)
ANSWERS: dict[str, tuple[str, str, str]] = {
    "en": (
        "I'll take it, I'll call the customer on Friday.",
        "I can't take this, I'm out all next week.",
        "Who is the contact at Acme?",
    ),
    "de": (
        "Übernommen, ich rufe den Kunden am Freitag an.",
        "Das kann ich leider nicht übernehmen, ich bin nächste Woche im Urlaub.",
        "Wer ist bei Acme der Ansprechpartner?",
    ),
    "fr": (
        "Je m'en occupe, j'appelle le client vendredi.",
        "Je ne peux pas m'en occuper, je suis absent toute la semaine prochaine.",
        "Qui est le contact chez Acme ?",
    ),
    "es": (
        "Me encargo yo, llamo al cliente el viernes.",
        "No puedo encargarme, estoy fuera toda la semana que viene.",
        "¿Quién es el contacto en Acme?",
    ),
    "pt": (
        "Pode deixar, ligo para o cliente na sexta.",
        "Não posso assumir, estou fora a semana que vem inteira.",
        "Quem é o contato na Acme?",
    ),
    "it": (
        "Me ne occupo io, chiamo il cliente venerdì.",
        "Non posso occuparmene, sono fuori tutta la prossima settimana.",
        "Chi è il referente in Acme?",
    ),
    "nl": (
        "Ik pak het op, ik bel de klant vrijdag.",
        "Ik kan dit niet oppakken, ik ben volgende week de hele week weg.",
        "Wie is de contactpersoon bij Acme?",
    ),
    "sv": (
        "Jag tar det, jag ringer kunden på fredag.",
        "Jag kan inte ta det, jag är borta hela nästa vecka.",
        "Vem är kontaktpersonen på Acme?",
    ),
    "da": (
        "Jeg tager den, jeg ringer til kunden på fredag.",
        "Jeg kan ikke tage den, jeg er væk hele næste uge.",
        "Hvem er kontaktpersonen hos Acme?",
    ),
    "nb": (
        "Jeg tar den, jeg ringer kunden på fredag.",
        "Jeg kan ikke ta den, jeg er borte hele neste uke.",
        "Hvem er kontaktpersonen hos Acme?",
    ),
    "fi": (
        "Hoidan tämän, soitan asiakkaalle perjantaina.",
        "En voi ottaa tätä, olen poissa koko ensi viikon.",
        "Kuka on yhteyshenkilö Acmella?",
    ),
    "pl": (
        "Zajmę się tym, zadzwonię do klienta w piątek.",
        "Nie mogę tego wziąć, cały przyszły tydzień mnie nie ma.",
        "Kto jest osobą kontaktową w Acme?",
    ),
    "cs": (
        "Beru si to, v pátek zavolám zákazníkovi.",
        "Nemůžu to vzít, celý příští týden jsem pryč.",
        "Kdo je kontaktní osoba v Acme?",
    ),
    "sk": (
        "Beriem si to, v piatok zavolám zákazníkovi.",
        "Nemôžem to zobrať, celý budúci týždeň som preč.",
        "Kto je kontaktná osoba v Acme?",
    ),
    "hu": (
        "Elvállalom, pénteken felhívom az ügyfelet.",
        "Nem tudom elvállalni, egész jövő héten nem leszek itt.",
        "Ki a kapcsolattartó az Acme-nél?",
    ),
    "ro": (
        "Mă ocup eu, sun clientul vineri.",
        "Nu pot prelua, sunt plecat toată săptămâna viitoare.",
        "Cine este persoana de contact la Acme?",
    ),
    "bg": (
        "Поемам го, ще се обадя на клиента в петък.",
        "Не мога да го поема, цялата следваща седмица ме няма.",
        "Кой е контактът в Acme?",
    ),
    "ru": (
        "Беру на себя, позвоню клиенту в пятницу.",
        "Не могу взять, меня не будет всю следующую неделю.",
        "Кто контактное лицо в Acme?",
    ),
    "uk": (
        "Беру на себе, зателефоную клієнту в п'ятницю.",
        "Не можу взяти, мене не буде весь наступний тиждень.",
        "Хто контактна особа в Acme?",
    ),
    "el": (
        "Το αναλαμβάνω, θα πάρω τον πελάτη την Παρασκευή.",
        "Δεν μπορώ να το αναλάβω, λείπω όλη την επόμενη εβδομάδα.",
        "Ποιος είναι ο υπεύθυνος επικοινωνίας στην Acme;",
    ),
    "tr": (
        "Ben hallederim, cuma günü müşteriyi ararım.",
        "Bunu üstlenemem, önümüzdeki hafta boyunca yokum.",
        "Acme'deki irtibat kişisi kim?",
    ),
    "ar": (
        "سأتولى الأمر، سأتصل بالعميل يوم الجمعة.",
        "لا أستطيع تولي هذا، سأكون غائبًا طوال الأسبوع القادم.",
        "من هو جهة الاتصال في Acme؟",
    ),
    "he": (
        "אני על זה, אתקשר ללקוח ביום שישי.",
        "אני לא יכול לקחת את זה, אני לא נמצא כל השבוע הבא.",
        "מי איש הקשר ב-Acme?",
    ),
    "ja": (
        "承知しました。金曜日にお客様へ電話します。",
        "申し訳ありませんが、対応できません。来週は一週間不在です。",
        "Acmeの担当者はどなたですか？",
    ),
    "zh": (
        "收到，我周五给客户打电话。",
        "抱歉，我无法接手，下周我整周都不在。",
        "Acme的联系人是谁？",
    ),
    "ko": (
        "제가 맡겠습니다. 금요일에 고객에게 전화하겠습니다.",
        "죄송하지만 맡을 수 없습니다. 다음 주 내내 부재중입니다.",
        "Acme 담당자가 누구인가요?",
    ),
    "hi": (
        "मैं इसे संभाल लूंगा, शुक्रवार को ग्राहक को फ़ोन करूंगा।",
        "मैं नहीं ले सकता, अगले पूरे हफ़्ते मैं बाहर हूँ।",
        "Acme में संपर्क व्यक्ति कौन है?",
    ),
    "id": (
        "Saya ambil, saya telepon pelanggan hari Jumat.",
        "Saya tidak bisa mengambil ini, saya tidak ada sepanjang minggu depan.",
        "Siapa kontak di Acme?",
    ),
    "vi": (
        "Tôi nhận, thứ Sáu tôi sẽ gọi cho khách hàng.",
        "Tôi không thể nhận việc này, cả tuần sau tôi vắng mặt.",
        "Ai là người liên hệ ở Acme?",
    ),
    "th": (
        "รับทราบครับ ผมจะโทรหาลูกค้าวันศุกร์",
        "ขอโทษครับ ผมรับไม่ได้ สัปดาห์หน้าผมไม่อยู่ทั้งสัปดาห์",
        "ใครเป็นผู้ติดต่อที่ Acme ครับ",
    ),
}

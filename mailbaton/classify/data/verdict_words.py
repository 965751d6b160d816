# ruff: noqa: E501
"""Everyday acceptances and refusals beside the keywords, per language, for people to read.

ACCEPT: phrases that, opening a reply, say "I take it" ("I'll take it", "übernommen",
"je m'en occupe", "承知しました"). REFUSE: phrases that, anywhere in the first
paragraph, say "I will not take it" ("I can't take this", "kann ich nicht
übernehmen"). Lower case; a phrase matches at word boundaries, and in Chinese,
Japanese, Korean and Thai as a plain substring. CONDITIONS: words that make what
follows a condition ("if", "wenn"), so "I'll take it if Bob can't" is not an answer.

Source of every entry: everyday business usage in that language, written for
mailbaton from the maintainers' knowledge; none comes from another project.
They only count when protocol.strict_verdicts is false (the default).
"""

from __future__ import annotations

__all__ = ["ACCEPT", "CONDITIONS", "NEGATIONS", "NOT_AFTER_ACCEPT", "PRELUDES", "REFUSE"]

# fmt: off
# Short words that may come before the phrase: "OK, I'll take it", "Ja, übernommen".
PRELUDES: tuple[str, ...] = (
    "ok", "okay", "okey", "oké", "okej", "yes", "yep", "yeah", "sure", "fine", "great", "perfect",
    "alright", "all right", "thanks", "thank you", "no problem", "np", "sounds good", "understood",
    "noted", "ja", "jo", "klar", "gerne", "gern", "alles klar", "in ordnung", "verstanden", "danke",
    "oui", "d'accord", "entendu", "bien reçu", "merci", "c'est noté", "sí", "si", "vale", "de acuerdo",
    "claro", "gracias", "sim", "claro", "obrigado", "obrigada", "certo", "va bene", "grazie",
    "ricevuto", "prima", "goed", "dank", "bedankt", "tak", "dobrze", "jasne", "dzięki", "ano", "dobře",
    "jasně", "díky", "áno", "dobre", "igen", "rendben", "köszi", "da", "bine", "да", "хорошо",
    "понял", "поняла", "спасибо", "так", "добре", "дякую", "evet", "tamam", "teşekkürler",
    "ναι", "εντάξει", "نعم", "حسنا", "כן", "בסדר", "はい", "好的", "好", "네", "예", "좋습니다", "हाँ",
    "ठीक है", "ya", "baik", "siap", "vâng", "được", "ค่ะ", "ครับ", "kyllä", "selvä", "okei", "javisst",
    "absolut", "selvfølgelig", "gjerne", "gerne", "erledigt", "passt", "super", "perfekt", "gut",
    "sehr gut", "parfait", "très bien", "perfecto", "genial", "listo", "perfetto", "benissimo",
    "perfeito", "ótimo", "beleza", "top",
)

ACCEPT: dict[str, tuple[str, ...]] = {
    "en": ("i'll take it", "i will take it", "i'll take this", "i'll take this one", "i'll take care of it",
           "i'll take care of this", "i'll handle it", "i'll handle this", "i'll do it", "i'll own it", "will do",
           "on it", "i'm on it", "i am on it", "ack", "acked", "acknowledged", "count me in", "consider it done",
           "i've got this", "i got this", "i can take it", "i can take this", "happy to take it",
           "happy to take this", "taking it", "taking this", "sure thing", "will handle",
           "leave it with me", "i'm taking it"),
    "de": ("übernommen", "ich übernehme", "übernehme ich", "ich übernehme das", "mache ich", "mach ich",
           "erledige ich", "ich erledige das", "ich kümmere mich", "kümmere mich drum", "wird erledigt",
           "geht klar", "angenommen", "ich nehme es", "ich nehme das", "nehme ich"),
    "fr": ("je m'en occupe", "je m'en charge", "je prends", "je le prends", "je la prends", "pris en charge",
           "c'est pris", "accepté", "acceptée", "je gère", "je m'occupe de tout", "ça roule, je m'en occupe"),
    "es": ("me encargo", "yo me encargo", "lo tomo", "la tomo", "lo tomo yo", "acepto", "aceptado", "yo lo hago",
           "cuenta conmigo", "me ocupo", "yo me ocupo", "hecho, me encargo", "me lo quedo", "me la quedo",
           "lo asumo", "lo asumo yo"),
    "pt": ("eu assumo", "assumo", "pode deixar", "deixa comigo", "fico com isso", "fico com ele", "aceito",
           "eu cuido disso", "eu cuido", "vou tratar disso", "está comigo"),
    "it": ("me ne occupo", "me ne occupo io", "ci penso io", "lo prendo io", "lo prendo", "accetto",
           "preso in carico", "accettato", "lo gestisco io"),
    "nl": ("ik pak het op", "ik pak het", "ik neem het", "ik neem het over", "ik regel het", "komt goed",
           "geaccepteerd", "doe ik", "ik ga ermee aan de slag", "pak ik op", "neem ik"),
    "sv": ("jag tar det", "jag tar den", "jag fixar det", "jag tar hand om det", "accepterat", "jag åtar mig",
           "det tar jag", "fixar det"),
    "da": ("jeg tager den", "jeg tager det", "jeg tager mig af det", "jeg klarer det", "accepteret",
           "den tager jeg", "jeg ordner det"),
    "nb": ("jeg tar den", "jeg tar det", "jeg tar meg av det", "jeg fikser det", "akseptert", "den tar jeg",
           "jeg ordner det"),
    "fi": ("hoidan", "hoidan tämän", "hoidan sen", "otan tämän", "otan sen", "otan hoitaakseni", "hyväksytty",
           "hyväksyn"),
    "pl": ("biorę to", "biorę", "zajmę się tym", "przejmuję", "przyjmuję", "zrobię to", "załatwię to",
           "akceptuję", "przyjęte"),
    "cs": ("beru", "beru si to", "postarám se o to", "převezmu to", "přebírám", "přijímám", "vyřídím to",
           "udělám to"),
    "sk": ("beriem", "beriem si to", "postarám sa o to", "prevezmem to", "preberám", "prijímam", "vybavím to"),
    "hu": ("elvállalom", "vállalom", "intézem", "átvettem", "átveszem", "elfogadom", "megcsinálom"),
    "ro": ("mă ocup eu", "mă ocup", "preiau eu", "preiau", "accept", "acceptat", "o fac eu", "mă ocup de asta"),
    "bg": ("поемам го", "поемам", "ще се погрижа", "приемам", "ще го направя"),
    "ru": ("беру", "беру на себя", "принято", "займусь", "сделаю", "возьму", "взял в работу", "взяла в работу",
           "принял", "приняла", "беру в работу"),
    "uk": ("беру", "беру на себе", "прийнято", "займуся", "зроблю", "візьму", "взяв у роботу", "взяла в роботу"),
    "tr": ("ben hallederim", "hallederim", "üstleniyorum", "ben alıyorum", "alıyorum", "kabul ediyorum",
           "ilgileniyorum", "ben ilgilenirim"),
    "el": ("το αναλαμβάνω", "αναλαμβάνω", "το κανονίζω", "δεκτό", "το παίρνω"),
    "ar": ("سأتولى الأمر", "سأتولى ذلك", "سأتولى", "تم الاستلام", "سأقوم بذلك", "أقبل", "مقبول", "حاضر"),
    "he": ("אני על זה", "אני לוקח את זה", "אני לוקחת את זה", "אטפל בזה", "מקבל", "מקבלת", "לקחתי"),
    "ja": ("承知しました", "承知いたしました", "了解しました", "了解です", "かしこまりました", "対応します",
           "引き受けます", "担当します", "お引き受けします"),
    "zh": ("收到", "我来处理", "我来负责", "我接手", "我接了", "接受", "没问题，我来", "我來處理", "我接手了",
           "交给我", "交給我"),
    "ko": ("제가 맡겠습니다", "맡겠습니다", "처리하겠습니다", "접수했습니다", "수락합니다", "제가 하겠습니다"),
    "hi": ("मैं इसे संभाल लूंगा", "मैं संभाल लूंगा", "मैं ले लेता हूँ", "मैं ले लेती हूँ", "मैं कर दूंगा",
           "मैं देख लूंगा", "स्वीकार है"),
    "id": ("saya ambil", "saya tangani", "saya kerjakan", "saya urus", "diterima", "saya terima"),
    "vi": ("tôi nhận", "để tôi làm", "tôi sẽ xử lý", "đã nhận", "tôi sẽ làm"),
    "th": ("รับทราบ", "ผมรับเอง", "ฉันรับเอง", "จะจัดการให้", "ผมจะจัดการ", "ฉันจะจัดการ"),
}

REFUSE: dict[str, tuple[str, ...]] = {
    "en": ("can't take this", "can't take it", "can't take that", "can't take this one", "can't take on",
           "cannot take this", "cannot take it", "cannot take on", "can not take this", "can't take it on",
           "unable to take", "not able to take", "won't be able to take", "can't do this", "can't do it",
           "can't handle this", "can't handle it", "have to decline", "must decline", "i decline",
           "i'll have to decline", "i'll pass on", "have to pass on", "i must pass", "can't accept",
           "cannot accept", "no capacity", "don't have capacity", "don't have the capacity",
           "not my area", "wrong person", "not the right person", "can't take the", "cannot take the"),
    "de": ("kann ich nicht übernehmen", "kann ich leider nicht übernehmen", "kann das nicht übernehmen",
           "kann das leider nicht übernehmen", "nicht übernehmen", "muss ablehnen", "muss leider ablehnen",
           "lehne ab", "lehne ich ab", "keine kapazität", "schaffe ich nicht", "schaffe das nicht",
           "bin nicht zuständig", "nicht zuständig"),
    "fr": ("je ne peux pas m'en occuper", "je ne peux pas le prendre", "je ne peux pas la prendre",
           "je ne peux pas prendre", "je ne peux pas m'en charger", "je ne peux pas accepter", "je dois refuser",
           "je décline", "impossible pour moi", "pas disponible pour", "ce n'est pas mon périmètre"),
    "es": ("no puedo encargarme", "no puedo tomarlo", "no puedo tomarla", "no puedo aceptar", "no puedo hacerlo",
           "no puedo asumirlo", "tengo que rechazar", "no tengo capacidad", "no me es posible", "no me corresponde"),
    "pt": ("não posso assumir", "não posso aceitar", "não posso pegar", "não posso fazer", "não consigo assumir",
           "não consigo pegar", "tenho que recusar", "preciso recusar", "não é comigo"),
    "it": ("non posso prenderlo", "non posso occuparmene", "non posso accettare", "non posso farlo",
           "non posso prenderla", "devo rifiutare", "non è di mia competenza"),
    "nl": ("kan ik niet oppakken", "kan ik niet aannemen", "kan ik niet doen", "kan ik niet overnemen",
           "ik kan dit niet oppakken", "ik kan dit niet aannemen", "ik kan dit niet doen", "moet ik weigeren",
           "moet ik afwijzen", "geen capaciteit", "ik kan het niet oppakken"),
    "sv": ("kan inte ta det", "kan inte ta den", "kan inte ta detta", "måste tacka nej", "tackar nej",
           "jag avböjer", "hinner inte"),
    "da": ("kan ikke tage den", "kan ikke tage det", "må desværre sige nej", "jeg afslår", "siger nej tak",
           "når det ikke"),
    "nb": ("kan ikke ta den", "kan ikke ta det", "må dessverre si nei", "jeg avslår", "rekker det ikke"),
    "fi": ("en voi ottaa", "en pysty ottamaan", "en ehdi", "joudun kieltäytymään", "kieltäydyn", "en voi hoitaa"),
    "pl": ("nie mogę tego wziąć", "nie mogę wziąć", "nie mogę przyjąć", "nie mogę się tym zająć", "nie dam rady",
           "muszę odmówić", "odmawiam"),
    "cs": ("nemůžu to vzít", "nemůžu vzít", "nemůžu převzít", "nemohu převzít", "nemohu přijmout",
           "nemůžu to převzít", "musím odmítnout", "odmítám", "nestihnu to"),
    "sk": ("nemôžem to zobrať", "nemôžem zobrať", "nemôžem prevziať", "musím odmietnuť", "odmietam",
           "nestihnem to"),
    "hu": ("nem tudom elvállalni", "nem vállalom", "vissza kell utasítanom", "elutasítom", "nem tudom vállalni"),
    "ro": ("nu pot prelua", "nu pot să preiau", "nu pot accepta", "trebuie să refuz", "nu mă pot ocupa"),
    "bg": ("не мога да го поема", "не мога да поема", "отказвам", "не мога да се заема"),
    "ru": ("не могу взять", "не могу принять", "не могу этим заняться", "не смогу", "вынужден отказаться",
           "вынуждена отказаться", "отказываюсь", "не возьму"),
    "uk": ("не можу взяти", "не можу прийняти", "не зможу", "змушений відмовитися", "змушена відмовитися",
           "відмовляюся", "не візьму"),
    "tr": ("alamam", "üstlenemem", "yapamam", "reddediyorum", "kabul edemem", "ilgilenemem"),
    "el": ("δεν μπορώ να το αναλάβω", "πρέπει να αρνηθώ", "αρνούμαι", "δεν μπορώ να το πάρω"),
    "ar": ("لا أستطيع", "لا يمكنني", "أعتذر عن", "أرفض", "لن أتمكن"),
    "he": ("אני לא יכול לקחת", "אני לא יכולה לקחת", "לא אוכל", "אני מסרב", "אני מסרבת", "לא יכול לטפל",
           "לא יכולה לטפל"),
    "ja": ("お受けできません", "対応できません", "引き受けられません", "お断りします", "辞退します", "対応できかねます",
           "お引き受けできません"),
    "zh": ("无法接手", "不能接", "接受不了", "不接受", "不能接受", "没办法接", "我拒绝", "无法处理", "接不了", "無法接手", "沒辦法接"),
    "ko": ("맡을 수 없습니다", "거절합니다", "처리할 수 없습니다", "맡기 어렵습니다", "처리하기 어렵습니다"),
    "hi": ("मैं नहीं ले सकता", "मैं नहीं ले सकती", "नहीं कर पाऊंगा", "नहीं कर पाऊंगी", "अस्वीकार"),
    "id": ("tidak bisa mengambil", "tidak bisa menangani", "saya tolak", "tidak dapat mengambil", "tidak bisa mengerjakan"),
    "vi": ("không thể nhận", "tôi từ chối", "không nhận được việc này", "không thể xử lý"),
    "th": ("ไม่สามารถรับ", "ขอปฏิเสธ", "รับไม่ได้"),
}

# Words that, right after an English acceptance, make it something else: "I'll take it up
# with Carol", "I'll take it back", "I'll take it to the team".
NOT_AFTER_ACCEPT: tuple[str, ...] = (
    "up", "back", "to", "off", "away", "out", "with", "as", "easy", "further", "elsewhere",
)

# Negations that follow the verb in their language: "Ich übernehme das nicht", "Jag tar
# det inte", "Je prends pas". In the clause after an acceptance, they undo it.
NEGATIONS: tuple[str, ...] = (
    "not", "never", "nicht", "kein", "keine", "nie", "niemals", "pas", "jamais", "niet", "geen",
    "nooit", "inte", "ej", "aldrig", "ikke", "aldri", "non", "não", "no",
)

# A condition before or right after the phrase: "if I can't take it", "I'll take it if ...".
CONDITIONS: tuple[str, ...] = (
    "if", "unless", "in case", "wenn", "falls", "sofern", "si", "à condition", "se", "caso", "indien",
    "om", "hvis", "jos", "jeśli", "jeżeli", "pokud", "jestli", "ak", "ha", "dacă", "если", "якщо", "eğer",
    "αν", "إذا", "אם", "もし", "如果", "만약", "अगर", "jika", "kalau", "nếu", "ถ้า", "why", "warum",
    "pourquoi", "por qué", "perché", "waarom", "czemu", "почему", "dlaczego",
)
# fmt: on

import pytest
from hypothesis import given, settings, strategies as st

from recruit_detect.entities import e164, find_entities, summarize
from recruit_detect.normalize import normalize


def entities(text, kind):
    return [(text[e.start:e.end], e.value) for e in find_entities(normalize(text)) if e.kind == kind]


@pytest.mark.parametrize("text,amount,currency,role,period", [
    ("biaya admin Rp 3.500.000 dulu", 3_500_000, "IDR", "fee", None),
    ("gaji 3,5jt", 3_500_000, "IDR", "pay", None),
    ("gaji 15 juta/bln", 15_000_000, "IDR", "pay", "month"),
    ("NT$ 28.000 per bulan", 28_000, "TWD", "pay", "month"),
    ("HKD 4.990", 4_990, "HKD", None, None),
    ("RM 2.000", 2_000, "MYR", None, None),
    ("salary USD 1.200", 1_200, "USD", "pay", None),
    ("gaji 1.300 riyal", 1_300, "SAR", "pay", None),
    ("DP 500rb", 500_000, "IDR", "fee", None),
    ("gaji harian 200 ribu/hari", 200_000, "IDR", "pay", "day"),
])
def test_money(text, amount, currency, role, period):
    (span, value), = entities(text, "money")
    assert (value["amount"], value["currency"], value["role"], value["period"]) == (amount, currency, role, period)


def test_money_span_covers_obfuscated_digits():
    text = "biaya ５ｊｔ"
    (span, value), = entities(text, "money")
    assert span == "５ｊｔ" and value["amount"] == 5_000_000


@pytest.mark.parametrize("text,number", [
    ("WA 0812-3456-7890", "+6281234567890"),
    ("hub +62 812 3456 7890", "+6281234567890"),
    ("telp 0857.1234.5678", "+6285712345678"),
    ("0️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣9️⃣", "+6281234567890"[:-1]),
    ("w a 0 8 1 3 1 1 2 2 3 3 4 4", "+628131122334" + "4"),
    ("WA \u0660\u0668\u0661\u0662-\u0663\u0664\u0665\u0666-\u0667\u0668\u0669\u0660", "+6281234567890"),  # Arabic-Indic
    ("hub \u0966\u096e\u0967\u0969 \u0967\u0967\u0968\u0968 \u0969\u0969\u096a\u096a", "+628131122334" + "4"),  # Devanagari
])
def test_phones(text, number):
    assert [v for _, v in entities(text, "phone")] == [number]


def test_a_phone_in_arabic_indic_digits_spans_the_original_digits():
    post = "Hubungi WA \u0660\u0668\u0661\u0662-\u0663\u0664\u0665\u0666-\u0667\u0668\u0669\u0660 sekarang"
    norm = normalize(post)
    [phone] = [e for e in find_entities(norm) if e.kind == "phone"]
    assert post[phone.start:phone.end] == post[11:25] and norm.obfuscation == {"fancy": 12}


def test_links_handles_and_emails():
    text = "daftar wa.me/6281234567890 atau t.me/lokerjob, @admin_loker, email hrd@maju.co.id, bit.ly/abc"
    assert [v for _, v in entities(text, "whatsapp")] == ["+6281234567890"]
    assert [v for _, v in entities(text, "telegram")] == ["@lokerjob", "@admin_loker"]
    assert [v for _, v in entities(text, "email")] == ["hrd@maju.co.id"]
    assert [v for _, v in entities(text, "url")] == ["bit.ly/abc"]


@pytest.mark.parametrize("text,group", [
    ("Gabung grup WA: chat.whatsapp.com/AbCdEf123456 sekarang", "chat.whatsapp.com/AbCdEf123456"),
    ("join https://chat.whatsapp.com/KxYz789AbC.", "https://chat.whatsapp.com/KxYz789AbC"),
    ("grup telegram t.me/+AbCdEfGh123", "t.me/+AbCdEfGh123"),
    ("info di t.me/joinchat/AAAAbbbbCCCC", "t.me/joinchat/AAAAbbbbCCCC"),  # elongation shortens the normalized code
])
def test_group_invitations_keep_the_posters_code(text, group):
    assert entities(text, "group") == [(group, group)]
    assert entities(text, "telegram") == [] and entities(text, "url") == []


def test_links_keep_their_case():
    assert [v for _, v in entities("daftar di bit.ly/3XyZabc, atau https://Forms.gle/AbC123 ya", "url")] == [
        "bit.ly/3XyZabc", "https://Forms.gle/AbC123"]


def test_a_whatsapp_link_with_too_many_digits_is_not_cut_to_a_wrong_number():
    assert entities("wa.me/62812345678901234567 info", "whatsapp") == []


def test_destinations_from_names_and_flags():
    assert [v for _, v in entities("kerja di 🇰🇭 lalu Myawaddy dan Riyadh", "destination")] == ["Kamboja", "Myanmar", "Arab Saudi"]


def test_e164_and_summary():
    assert e164("0812 3456 7890") == "+6281234567890"
    ents = find_entities(normalize("WA 081234567890 atau 0812-3456-7890, biaya 3jt"))
    assert summarize(ents) == {"phones": ["+6281234567890"],
                               "money": [{"amount": 3000000, "currency": "IDR", "period": None, "role": "fee",
                                          "idr": 3000000, "idr_per_month": None}]}


@pytest.mark.parametrize("text,kind,expected", [
    ("PT Sinar Bahari Mandiri (P3MI) membuka lowongan", "organisation", ["PT Sinar Bahari Mandiri"]),
    ("daftar di LPK-SO Fuji Insan Kendal sekarang", "organisation", ["LPK-SO Fuji Insan Kendal"]),
    ("CV. Maju Jaya butuh sopir", "organisation", ["CV. Maju Jaya"]),
    ("pt dirahasiakan ya", "organisation", []),
    ("SIP3MI No. 412/KEP/2023 dan JO No. TW-2025-0117.", "licence",
     [{"type": "SIP3MI", "number": "412/KEP/2023"}, {"type": "JO", "number": "TW-2025-0117"}]),
    ("SIP2MI nomor B.1234/PK/2025", "licence", [{"type": "SIP2MI", "number": "B.1234/PK/2025"}]),
    ("usia 20-35 tahun, tinggi min 155", "age", [{"min": 20, "max": 35}]),
    ("Umur 18 s/d 40", "age", [{"min": 18, "max": 40}]),
    ("usia maksimal 45", "age", [{"max": 45}]),
    ("kerja di KH, lanjut Myawaddy, atau Timteng", "destination", ["Kamboja", "Myanmar", "Timur Tengah"]),
])
def test_organisations_licences_ages_destinations(text, kind, expected):
    assert [v for _, v in entities(text, kind)] == expected


PIECES = ["biaya admin ", "5jt ", "B I A Y A ", "v!sa turis ", "🇰🇭 ", "kata Kapolres. ", "wa.me/6281234567 ",
          "0812-3456-7890 ", "PT Maju Jaya ", "usia 20-35 ", "RM 2.000 ", "\u200b", "а", "𝐆𝐀𝐉𝐈 ", "\n", "tanpa biaya "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=14).map("".join))
def test_every_highlighted_span_is_a_slice_of_the_post(post):
    from recruit_detect.detector import analyze

    doc = analyze(post)
    for hit in doc.cues:
        assert 0 <= hit.start < hit.end <= len(post)
    for ent in doc.entities:
        assert 0 <= ent.start < ent.end <= len(post)
        assert ent.to_dict(post)["text"] == post[ent.start:ent.end]


_PHONE_LIKE = st.builds("".join, st.tuples(st.sampled_from(["0", "62", "+62", "+6"]), st.sampled_from(["", " ", "-", "."]),
                                            st.just("8"), st.text("0123456789 -.", min_size=6, max_size=14)))
_FILLER = st.sampled_from(["0", "8", "62", "+", "/", "=", " ", "-", ".", "1", "a", "\u0668", "wa.me/"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_PHONE_LIKE | _FILLER, max_size=12).map("".join))
def test_phone_finder_equals_the_pattern_with_its_lookbehind(text):
    import re

    from recruit_detect.entities import _PHONE, _phones

    full = re.compile(r"(?<![\d/=])" + _PHONE.pattern)
    assert [m.span() for m in _phones(text)] == [m.span() for m in full.finditer(text)]


@pytest.mark.parametrize("text,value", [("3.500.000", 3_500_000), ("1,200", 1200), ("3,5", 3.5), ("2.5", 2.5),
                                        ("15", 15), ("1.250,000", 1_250_000), ("1.2.3", 123)])
def test_parse_number_reads_indonesian_and_english_grouping(text, value):
    from recruit_detect.money import parse_number

    assert parse_number(text) == value

"""Bank accounts and e-wallets as payee leads: exact values and spans, the usual false friends,
and offsets that always point at the number in the original post."""
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from recruit_detect.accounts import find_accounts
from recruit_detect.cli import cli
from recruit_detect.entities import find_entities, summarize
from recruit_detect.normalize import normalize
from recruit_detect.report import pivot


def _accounts(post):
    return [(post[e.start:e.end], e.value) for e in find_accounts(normalize(post))]


@pytest.mark.parametrize("post,span,value", [
    ("biaya admin 3jt transfer ke rek BCA 123-456-7890 a.n Budi Santoso. WA 0812-3456-7890",
     "rek BCA 123-456-7890 a.n Budi Santoso",
     {"bank": "BCA", "number": "1234567890", "holder": "Budi Santoso", "personal": True}),
    ("norek BRI 0123-01-012345-50-1 an. Siti Aminah", "norek BRI 0123-01-012345-50-1 an. Siti Aminah",
     {"bank": "BRI", "number": "012301012345501", "holder": "Siti Aminah", "personal": True}),
    ("DP via DANA 0812 3456 7890 a/n Rina", "DANA 0812 3456 7890 a/n Rina",  # an e-wallet's number is a mobile
     {"bank": "DANA", "number": "081234567890", "holder": "Rina", "personal": True}),
    ("no. rek mandiri: 1370012345678 atas nama PT Maju Jaya lalu kirim bukti",
     "no. rek mandiri: 1370012345678 atas nama PT Maju Jaya", {"bank": "Mandiri", "number": "1370012345678",
                                                                "holder": "PT Maju Jaya", "personal": False}),
    ("BNI a.n. Dewi Lestari 0987654321 ya", "BNI a.n. Dewi Lestari 0987654321",  # holder before the number
     {"bank": "BNI", "number": "0987654321", "holder": "Dewi Lestari", "personal": True}),
    ("Rekening: 1234567890 (BSI)", "Rekening: 1234567890",
     {"bank": "BSI", "number": "1234567890", "holder": None, "personal": None}),
    ("B C A 1234567890 a.n budi santoso lalu kirim bukti", "B C A 1234567890 a.n budi santoso",
     {"bank": "BCA", "number": "1234567890", "holder": "budi santoso", "personal": True}),  # plain words: two at most
    ("rek bri 1234567890123 a.n M. Yusuf Hasan, konfirmasi", "rek bri 1234567890123 a.n M. Yusuf Hasan",
     {"bank": "BRI", "number": "1234567890123", "holder": "M. Yusuf Hasan", "personal": True}),
])
def test_accounts_have_bank_number_holder_and_the_posters_span(post, span, value):
    assert _accounts(post) == [(span, value)]


@pytest.mark.parametrize("post", [
    "dana talangan 15.000.000 dari perusahaan",  # "dana" is also a word, and that is an amount
    "biaya 1.500.000.000 ke bca",
    "Lowongan teller BCA, hubungi WA 081234567890",  # a contact word before the number
    "bri unit cabang 081234567890",  # a bank's name then a mobile number: a phone, not an account
    "rek bca 123456789",  # nine digits
    "gaji dikirim ke rekening setiap bulan, info 0812 3456 7890",
])
def test_no_account_in_these(post):
    assert _accounts(post) == []


def test_accounts_are_entities_summarized_and_shown_by_check():
    post = "Daftar bayar 2jt ke rek BCA 1234567890 a.n Budi Santoso, WA 081234567890"
    summary = summarize(find_entities(normalize(post)))
    assert summary["accounts"] == [
        {"bank": "BCA", "number": "1234567890", "holder": "Budi Santoso", "personal": True}]
    assert summary["phones"] == ["+6281234567890"]
    out = CliRunner().invoke(cli, ["check", post]).output
    assert "accounts: BCA 1234567890 a.n. Budi Santoso (rekening pribadi)" in out


def test_the_report_pivots_on_account_numbers():
    account = {"bank": "BCA", "number": "1234567890", "holder": None, "personal": None}
    records = [{"band": "high", "entities": {"accounts": [account]}},
               {"band": "high", "entities": {"accounts": [account], "phones": ["+6281234567890"]}},
               {"band": "low", "entities": {"accounts": [account]}}]
    assert pivot(records)[0] == {"value": "1234567890", "label": "BCA 1234567890", "kind": "accounts", "high": 2,
                                 "posts": 3}


_PARTS = st.sampled_from(["rek", "Rekening", "norek", "BCA", "B C A", "dana", "OVO", "a.n", "Budi", "santoso", ":",
                          "1234567890", "0812-3456-7890", "123 456 7890", "1.500.000.000", "WA", "(BSI)", "\n", ",",
                          "𝐁𝐑𝐈", "transfer", "ke", "0"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_PARTS, max_size=14), st.sampled_from([" ", "  ", " \u200b"]))
def test_account_spans_hold_the_number_in_the_original_post(parts, sep):
    post = sep.join(parts)
    for e in find_accounts(normalize(post)):
        assert 0 <= e.start < e.end <= len(post)
        assert e.value["number"] in re.sub(r"\D", "", post[e.start:e.end])
        assert 10 <= len(e.value["number"]) <= 20

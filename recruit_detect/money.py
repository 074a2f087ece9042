"""Money amounts in a normalized post: "Rp 3.500.000", "3,5jt", "15 juta/bln", "NT$ 28.000", "HKD 4.990".

Each amount gets a currency, a period, a role (a fee the applicant pays, or pay the job offers)
read from the words just before it, and an approximate IDR value so officers can compare offers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from recruit_detect import prefilter, resources, safe_regex

_UNITS = {"juta": 1_000_000, "jt": 1_000_000, "ribu": 1_000, "rb": 1_000, "k": 1_000, "miliar": 1_000_000_000,
          "m": 1_000_000}
_PERIOD_WORDS = {"bulan": "month", "month": "month", "hari": "day", "day": "day", "minggu": "week",
                 "week": "week", "jam": "hour", "hour": "hour", "tahun": "year", "year": "year"}
_PER_MONTH = {"month": 1.0, "day": 26.0, "week": 4.33, "hour": 208.0, "year": 1 / 12}
_FEE = safe_regex.compile(r"(?:biaya|bayar|transfer|tf|dp|setor|deposit|top\s?up|admin|jaminan|pendaftaran|uang\s+muka|"
                          r"modal|cicil|harga|tarif)\W*(?:\w+\W+){0,3}$", name="money.fee")
_PAY = safe_regex.compile(r"(?:gaji|salary|upah|bonus|komisi|income|penghasilan|dibayar|digaji|pendapatan|thp|gp|"
                          r"uang\s+saku|lembur)\W*(?:\w+\W+){0,3}$", name="money.pay")


@dataclass(frozen=True)
class Money:
    start: int  # offsets into the normalized text; the caller maps them to the original
    end: int
    amount: float
    currency: str
    period: str | None
    role: str | None
    idr: float
    idr_per_month: float | None

    def to_dict(self) -> dict:
        return {"amount": _tidy(self.amount), "currency": self.currency, "period": self.period, "role": self.role,
                "idr": _tidy(self.idr),
                "idr_per_month": None if self.idr_per_month is None else _tidy(self.idr_per_month)}


def _tidy(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 2)


@cache
def _currencies() -> tuple[dict[str, str], dict[str, float], safe_regex.SafePattern]:
    alias_to_code, rates = {}, {}
    for code, value in resources.table("currencies.tsv").items():
        aliases, _, rate = value.partition("\t")
        rates[code] = float(rate)
        for alias in aliases.split():
            alias_to_code[alias] = code
    cur = "|".join(re.escape(a) for a in sorted(alias_to_code, key=len, reverse=True))
    num = r"\d{1,12}(?:[.,]\d{1,3}){0,4}"  # bounded: digit chains like "1.1.1.1..." stay linear
    unit = r"(?:\s?(?:juta|jt|ribu|rb|k|miliar)\b)?"
    period = r"(?:\s*(?:/|per\s?|se)(?P<period>bulan|month|hari|day|minggu|week|jam|hour|tahun|year)\b)?"
    pattern = safe_regex.compile(
        rf"(?<![\w$])(?:(?P<cur1>{cur})\s?(?P<n1>{num})(?P<u1>{unit})"
        rf"|(?P<n2>{num})(?:\s?-\s?(?P<n2b>{num}))?(?P<u2>{unit})\s?(?P<cur2>{cur})(?![a-z])"
        rf"|(?P<n3>{num})(?:\s?-\s?(?P<n3b>{num}))?\s?(?P<u3>juta|jt|ribu|rb|k|miliar)\b){period}", name="money.amount")
    return alias_to_code, rates, pattern


def parse_number(text: str) -> float:
    """Indonesian and English digit grouping: "3.500.000", "1,200", "3,5", "2.5"."""
    groups = text.replace(",", ".").split(".")
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))
    if len(groups) == 2:
        return float(f"{groups[0]}.{groups[1]}")
    return float("".join(groups))


def find_money(text: str) -> list[Money]:
    """All amounts in normalized `text`, with offsets into it."""
    alias_to_code, rates, pattern = _currencies()
    found = []
    for m in prefilter.finditer(pattern, text):
        g = m.groupdict()
        number = g["n1"] or g["n2"] or g["n3"]
        unit = (g["u1"] or g["u2"] or g["u3"] or "").strip()
        alias = g["cur1"] or g["cur2"]
        if alias is None and not unit:
            continue
        code = alias_to_code[alias] if alias else "IDR"
        amount = parse_number(number) * _UNITS.get(unit, 1)
        if amount <= 0:
            continue
        period = _PERIOD_WORDS.get(g["period"]) if g["period"] else None
        before = text[max(0, m.start() - 40):m.start()]
        fee, pay = _FEE.search(before), _PAY.search(before)
        role = None
        if fee or pay:
            role = "fee" if fee and (not pay or fee.start() > pay.start()) else "pay"
        if role is None and period:
            role = "pay"
        idr = amount * rates[code]
        per_month = idr * _PER_MONTH[period or "month"] if role == "pay" else None
        found.append(Money(m.start(), m.end(), amount, code, period, role, idr, per_month))
    return found

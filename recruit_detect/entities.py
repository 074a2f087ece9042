"""What an officer follows up, each with its span in the original post: phones (E.164), WhatsApp
and Telegram links, WhatsApp and Telegram group invitations, e-mails, URLs, money, bank accounts
and e-wallets (accounts.py), destination countries, companies and agencies (PT, CV, LPK, P3MI),
licence and job-order numbers, and age ranges."""
from __future__ import annotations

import re
import unicodedata
from functools import cache

from recruit_detect import prefilter, resources, safe_regex
from recruit_detect.accounts import find_accounts
from recruit_detect.money import find_money
from recruit_detect.normalize import Normalized
from recruit_detect.types import Entity

# Indonesian mobile numbers: 08xx, +62 8xx, 62-8xx, with spaces, dots or dashes between digit groups.
# No digit, "/" or "=" may come just before; `_phones` checks that in Python, so the pattern opens
# with literals and `re` jumps between "+", "6" and "0" instead of trying every position.
_PHONE = safe_regex.compile(r"(?:\+62|62|0)[\s\-.]?8(?:[\s\-.]?\d){7,11}(?!\d)", name="entities.phone")
_WHATSAPP = safe_regex.compile(r"(?:https?://)?(?:wa\.me/|api\.whatsapp\.com/send\?phone=)\+?(\d{9,15})(?!\d)",
                               name="entities.whatsapp")
_TELEGRAM = safe_regex.compile(r"(?:https?://)?t\.me/(?!joinchat/)([a-z0-9_]{4,32})"
                               r"|(?<![\w.])@([a-z][a-z0-9_]{3,31})(?![\w@.])", name="entities.telegram")
# Invitations to a WhatsApp or Telegram group, where many ads lead: one of the best pivots. The
# code is read in the original post; in the normalized text elongation may have shortened it.
_GROUP = safe_regex.compile(r"(?:https?://)?(?:chat\.whatsapp\.com/(?:invite/)?[a-z0-9]{2,40}"
                            r"|t\.me/(?:\+|joinchat/)[a-z0-9_\-]{2,40})", name="entities.group")
# Bounded repetitions everywhere: a 50,000-character token must not make matching quadratic.
_EMAIL = safe_regex.compile(r"[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,6}", name="entities.email")
_ORG = safe_regex.compile(r"(?<![a-z0-9])(pt|cv|ud|lpk(?:-so)?|p3mi|yayasan|koperasi)\.?(?=\s)", name="entities.org")
_CAPITALISED = safe_regex.compile(r"(?:[ \t]{1,3}(?:[A-Z0-9][\w&'.-]{0,40}|&)){1,6}", name="entities.capitalised")
_LICENCE = safe_regex.compile(r"(?<![a-z0-9])(sip3mi|sip2mi|siup3mi|siuppak|nib|job\s*order|jo)"
                              r"\s*(?:no\.?|nomor|#)?\s*[:.]?\s*"
                              r"([a-z0-9./-]*\d[a-z0-9./-]*)", name="entities.licence")
_AGE = safe_regex.compile(r"(?:usia|umur)\s*(?:antara\s*)?(\d{2})\s*(?:-|–|s/?d|sampai|hingga|sd)\s*(\d{2})"
                          r"|(?:usia|umur)\s*(min(?:imal|imum)?|max(?:imal|imum)?|maks(?:imal)?)\.?\s*(\d{2})",
                          name="entities.age")
_URL = safe_regex.compile(r"(?:https?://|www\.)[^\s<>\"']+|\b(?:bit\.ly|s\.id|linktr\.ee|lynk\.id|tinyurl\.com)/[^\s<>\"']+",
                          name="entities.url")


def _after_number(c: str) -> bool:
    return c in "/=" or c.isdecimal()  # re's \d is isdecimal()


def _phones(text: str):
    r"""The matches of `(?<![\d/=])` + `_PHONE`."""
    return prefilter.finditer_left_bounded(_PHONE, text, _after_number)


def e164(digits: str) -> str:
    """'0812-3456-7890' or '62 812 3456 7890' -> '+6281234567890'. Digits of other scripts
    ("٠٨١٢", which the patterns' \\d accepts) become ASCII digits."""
    d = "".join(str(unicodedata.decimal(c)) for c in digits if c.isdecimal())
    if d.startswith("0"):
        d = "62" + d[1:]
    return "+" + d


@cache
def _destination_pattern() -> tuple[dict[str, str], safe_regex.SafePattern]:
    table = resources.table("destinations.tsv")
    alternation = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(table, key=len, reverse=True))
    return table, safe_regex.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])", name="entities.destination")


def find_entities(norm: Normalized) -> tuple[Entity, ...]:
    text = norm.text
    found: list[Entity] = []

    def add(kind: str, a: int, b: int, value) -> None:
        start, end = norm.original_span(a, b)
        found.append(Entity(kind, start, end, value))

    for m in prefilter.finditer(_WHATSAPP, text):
        number = e164(m.group(1))
        if len(number) <= 16:  # E.164 has at most 15 digits: "wa.me/0" and 14 more is no number
            add("whatsapp", m.start(), m.end(), number)
    taken = [(e.start, e.end) for e in found]
    for m in _phones(text):
        start, end = norm.original_span(m.start(), m.end())
        if not any(a <= start < b for a, b in taken):
            found.append(Entity("phone", start, end, e164(m.group())))
    for m in prefilter.finditer(_EMAIL, text):
        add("email", m.start(), m.end(), m.group())
    emails = [(e.start, e.end) for e in found if e.kind == "email"]
    for m in prefilter.finditer(_TELEGRAM, text):
        start, _ = norm.original_span(m.start(), m.end())
        if not any(a <= start < b for a, b in emails):
            add("telegram", m.start(), m.end(), "@" + (m.group(1) or m.group(2)))
    # Links keep the poster's letters: the normalized text is lower case, and the code of a
    # short link or a group invitation is not ("bit.ly/3XyZab").
    for m in prefilter.finditer(_GROUP, text):
        start, end = norm.original_span(m.start(), m.end())
        found.append(Entity("group", start, end, norm.original[start:end]))
    for m in prefilter.finditer(_URL, text):
        if not any(host in m.group() for host in ("wa.me/", "t.me/", "chat.whatsapp.com/")):
            start, end = norm.original_span(m.start(), m.end())
            found.append(Entity("url", start, end, norm.original[start:end].rstrip(".,)")))
    found += money_entities(norm)
    found += find_accounts(norm)
    for m in prefilter.finditer(_ORG, text):
        start, end = norm.original_span(m.start(), m.end())
        name = _CAPITALISED.match(norm.original, end)
        if name:
            found.append(Entity("organisation", start, name.end(), norm.original[start:name.end()].strip()))
    for m in prefilter.finditer(_LICENCE, text):
        start, end = norm.original_span(m.start(), m.end())
        number_start, number_end = norm.original_span(m.start(2), m.end(2))
        kind = "JO" if m.group(1).startswith(("jo", "job")) else m.group(1).upper()
        found.append(Entity("licence", start, end, {"type": kind,
                                                    "number": norm.original[number_start:number_end].rstrip(".")}))
    for m in prefilter.finditer(_AGE, text):
        if m.group(1):
            value = {"min": int(m.group(1)), "max": int(m.group(2))}
        else:
            value = {"min" if m.group(3).startswith("min") else "max": int(m.group(4))}
        add("age", m.start(), m.end(), value)
    table, pattern = _destination_pattern()
    for m in prefilter.finditer(pattern, text):
        add("destination", m.start(), m.end(), table[" ".join(m.group().split())])
    return tuple(sorted(found, key=lambda e: (e.start, e.end, e.kind)))


def money_entities(norm: Normalized) -> tuple[Entity, ...]:
    """The amounts of money alone: the only entities the classifier's features read
    (features.CueFeatures), so training finds just these. The other finders are 60% of the
    entity time on bench_train's posts (money 140 of 345 us a post)."""
    return tuple(Entity("money", *norm.original_span(m.start, m.end), m.to_dict()) for m in find_money(norm.text))


def summarize(entities: tuple[Entity, ...]) -> dict:
    """The score record's `entities` object: values grouped by kind, duplicates removed, in order."""
    out: dict[str, list] = {}
    for e in entities:
        key = {"money": "money", "phone": "phones", "whatsapp": "phones", "age": "ages"}.get(e.kind, e.kind + "s")
        values = out.setdefault(key, [])
        if e.value not in values:
            values.append(e.value)
    return out

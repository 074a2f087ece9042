"""Bank accounts and e-wallets a post asks money to be sent to. The payee is an investigator's
strongest lead in an advance-fee case, and a personal account is itself a red flag (red-flags.md
R01: "transfer ke rekening pribadi"; PPATK can freeze it).

An account is the word "rekening" ("rek", "norek"), a bank or an e-wallet, then within 30
characters on the same line a number of 10 to 20 digits. The holder is the name after "a.n.",
"a/n" or "atas nama", before or after the number; `personal` says whether it is a person's name
rather than a company's ("PT", "CV", "Yayasan"...). Not an account: a number after a contact word
("hubungi", "wa", "telp"), an amount ("1.500.000.000"), and a mobile number after a bank's name
without the word "rekening" (a branch's phone); an e-wallet's number is a mobile number."""
from __future__ import annotations

import re
from functools import cache

from recruit_detect import prefilter, resources, safe_regex
from recruit_detect.normalize import Normalized
from recruit_detect.types import Entity

_CONTACT = safe_regex.compile(r"(?<![a-z])(?:wa|whatsapp|hub|hubungi|telp|telepon|tlp|hp|call|chat|dm|inbox|japri"
                              r"|kontak|cp|sms)(?![a-z])", name="accounts.contact")
_AMOUNT = safe_regex.compile(r"\d{1,3}(?:[.,]\d{3})+", name="accounts.amount")
_MOBILE = safe_regex.compile(r"(?:62|0)8\d{7,11}", name="accounts.mobile")
_HOLDER = safe_regex.compile(r"(?:a\.?\s?n\.?|a/n|atas\s+nama)\s{0,3}:?\s{0,3}(?=[a-z])", name="accounts.holder")
# A holder that is a company, not a person (read in the holder's name, a few words).
_COMPANY = re.compile(r"(?:pt|cv|ud|lpk|p3mi|yayasan|koperasi|bank)\b\.?", re.IGNORECASE)
# The holder's name, read in the original post: capitalised words, or at most two plain words.
# Latin letters only: `re` and `regex` disagree on which symbols ("🅺") are word characters.
_NAME = safe_regex.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'.]*(?:[ \t]+[A-Za-z\u00c0-\u024f]"
                           r"[A-Za-z\u00c0-\u024f'.]*){0,3}", name="accounts.name")


# Numbers come first, and only in posts that name a bank or "rekening": a scan for digits is fast,
# where a pattern opening with a bank's name and a lookbehind tried every position (9 us a post).
_NUMBER = safe_regex.compile(r"\d(?:[ .\-]?\d){9,19}(?!\d)", name="accounts.number")
_GAP = 30  # characters between the name and the number


@cache
def _patterns() -> tuple[dict[str, tuple[str, str]], safe_regex.SafePattern, safe_regex.SafePattern, int]:
    names = {alias: tuple(value.split("\t")) for alias, value in resources.table("banks.tsv").items()}
    alternation = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in sorted(names, key=len, reverse=True))
    # What stands before a number: "rekening" or a bank, then up to _GAP characters, none a digit
    # or a line break.
    head = safe_regex.compile(
        rf"(?<![a-z0-9])(?:(?P<keyword>(?:no\.?\s?)?rekening|norek)|(?P<alias>{alternation}))(?![a-z0-9])"
        rf"(?P<gap>[^\d\n]{{0,{_GAP}}})\Z", name="accounts.head")
    bank = safe_regex.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])", name="accounts.bank")
    return names, head, bank, _GAP + 3 + max(map(len, [*names, "no. rekening"]))


def _holder(norm: Normalized, marker: re.Match | None) -> tuple[str | None, int]:
    """The name after a holder marker, read in the original post, and where it ends there."""
    if marker is None:
        return None, -1
    name = _NAME.match(norm.original, norm.original_span(marker.end(), marker.end() + 1)[0])
    if not name:
        return None, -1
    words = list(re.finditer(r"\S+", name.group()))
    # A full stop after a word longer than an initial ("Santoso.") ends the sentence, and the name.
    words = words[:next((k + 1 for k, w in enumerate(words) if re.fullmatch(r"\w{3,}\.", w.group())), len(words))]
    lead = next((k for k, w in enumerate(words) if not w.group()[0].isupper()), len(words))
    last = words[(lead or min(2, len(words))) - 1]
    holder = name.group()[:last.end()].rstrip(".,")
    return " ".join(holder.split()), name.start() + len(holder)


def _personal(holder: str | None) -> bool | None:
    """A person's account (True), a company's or foundation's (False), or no holder named (None):
    an agency takes fees into its company account, a fraudster into a person's (R01)."""
    if holder is None:
        return None
    return _COMPANY.match(holder) is None


def find_accounts(norm: Normalized) -> list[Entity]:
    names, head, bank_pattern, reach = _patterns()
    text = norm.text
    found: list[Entity] = []
    if not prefilter.may_match(head, text):  # no "rekening" and no bank: two posts in three
        return found
    for n in _NUMBER.finditer(text):
        if n.start() and text[n.start() - 1].isdecimal():
            continue
        m = head.search(text, max(0, n.start() - reach), n.start())
        if m is None or _CONTACT.search(m.group("gap")) or _AMOUNT.fullmatch(n.group()):
            continue
        digits = re.sub(r"\D", "", n.group())
        after = text[n.end():n.end() + 12]
        alias = m.group("alias") or next((b.group() for b in bank_pattern.finditer(m.group("gap"))), None) or next(
            (b.group() for b in bank_pattern.finditer(after) if b.start() < 4), None)
        name, kind = names[" ".join(alias.split())] if alias else (None, None)
        if _MOBILE.fullmatch(digits) and kind != "wallet":
            continue
        start, end = norm.original_span(m.start(), n.end())
        marker = _HOLDER.match(text, n.end() + len(after) - len(after.lstrip(" ,(:")))
        if marker is not None and marker.start() - n.end() <= 3:
            holder, holder_end = _holder(norm, marker)
            end = max(end, holder_end)
        else:
            holder, _ = _holder(norm, _HOLDER.search(text, m.start("gap"), n.start()))
        found.append(Entity("account", start, end, {"bank": name, "number": digits, "holder": holder,
                                                    "personal": _personal(holder)}))
    return found

"""Read the language data files shipped in `recruit_detect/lang/id` (sorted TSV and word lists)."""
from __future__ import annotations

from functools import cache
from importlib import resources


def _lines(name: str) -> list[str]:
    text = resources.files("recruit_detect.lang.id").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def table(name: str) -> dict[str, str]:
    """A two-column TSV as a dict; duplicate keys are an error so the files stay unambiguous."""
    out: dict[str, str] = {}
    for line in _lines(name):
        key, _, value = line.partition("\t")
        if not value or key in out:
            raise ValueError(f"{name}: bad or duplicate row {line!r}")
        out[key] = value
    return out


@cache
def words(name: str) -> frozenset[str]:
    return frozenset(_lines(name))

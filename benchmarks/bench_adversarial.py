"""Robustness to obfuscation: recall and mean risk on held-out illegal posts before and after each
evasion family, for the pipeline with the normalizer and for the same pipeline without it.

The corpus is split by group (one fold, `--fold K`, of a stratified group 5-fold split is held
out); both models are trained on the rest. Each family rewrites only the risky words (the words of
the risk cues' phrases) in every held-out illegal post, the way posters evade keyword filters.

    python benchmarks/bench_adversarial.py [--corpus corpus/*.jsonl] [--fold K] [--output NAME.json]

Writes benchmarks/results/adversarial.json for fold 0, adversarial_foldK.json for fold K, or
benchmarks/results/NAME.json with --output.
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from recruit_detect.cues import default_cues
from recruit_detect.detector import analyze
from recruit_detect.entities import find_entities
from recruit_detect.model import RiskModel, choose_thresholds
from recruit_detect.normalize import Normalized
from recruit_detect.tokens import tokenize
from recruit_detect.types import Analysis

HERE = Path(__file__).resolve().parent
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}
FLAGS = {"kamboja": "🇰🇭", "myanmar": "🇲🇲", "malaysia": "🇲🇾", "taiwan": "🇹🇼", "saudi": "🇸🇦", "thailand": "🇹🇭",
         "laos": "🇱🇦", "dubai": "🇦🇪", "korea": "🇰🇷", "jepang": "🇯🇵", "qatar": "🇶🇦"}
SLANG = {"yang": "yg", "tidak": "gak", "juta": "jt", "bisa": "bs", "sudah": "udh", "untuk": "utk", "dengan": "dgn",
         "langsung": "lgsg", "bulan": "bln", "kerja": "krj", "berangkat": "brkt", "pengalaman": "pngalaman"}


def _math_bold(word):
    return "".join(chr(0x1D41A + ord(c) - 97) if "a" <= c <= "z" else chr(0x1D400 + ord(c) - 65) if "A" <= c <= "Z"
                   else c for c in word)


FAMILIES = {
    "spaced_letters": lambda w, r: " ".join(w),
    "leetspeak": lambda w, r: "".join(LEET.get(c, c) if r.random() < 0.6 else c for c in w),
    "punctuation_inside": lambda w, r: ".".join(w) if r.random() < 0.5 else w[:2] + "." + w[2:],
    "emoji_for_words_digits": lambda w, r: FLAGS.get(w.lower(), w),
    "math_letters": lambda w, r: _math_bold(w),
    "fullwidth_digits": None,  # digits, not words: handled below
    "zero_width": lambda w, r: w[:len(w) // 2] + "\u200b" + w[len(w) // 2:],
    "cyrillic_lookalikes": lambda w, r: "".join(CYRILLIC.get(c, c) for c in w),
    "elongation": lambda w, r: w + w[-1] * 4,
    "slang_respelling": None,  # common words, not only risky ones: handled below
}


def risky_words() -> set[str]:
    words = set()
    for cue in default_cues().cues:
        if cue.polarity == "risk":
            words |= {w for p in cue.phrases for w in p.lower().split() if w.isalpha() and len(w) >= 4}
    return words | set(FLAGS)


def perturb(text: str, family: str, words: set[str], rng: random.Random) -> str:
    if family == "fullwidth_digits":
        return text.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if family == "slang_respelling":
        return re.sub(r"\b(" + "|".join(SLANG) + r")\b", lambda m: SLANG[m.group(1).lower()], text, flags=re.IGNORECASE)
    fn = FAMILIES[family]
    return re.sub(r"[A-Za-z]{4,}", lambda m: fn(m.group(), rng) if m.group().lower() in words else m.group(), text)


def analyze_raw(post: str) -> Analysis:
    """The same analysis without the normalizer: lowercasing only (its offsets are trivially 1:1)."""
    text = post.lower() if len(post.lower()) == len(post) else post
    norm = Normalized(post, text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    tokens = tokenize(text)
    return Analysis(post, norm, default_cues().find(norm, tokens), find_entities(norm), tokens)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", default=sorted(str(p) for p in (HERE.parent / "corpus").glob("*.jsonl")))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fold", type=int, default=0, choices=range(5), help="held-out fold of the 5 (default 0)")
    ap.add_argument("--output", help="result file name under benchmarks/results/ "
                                     "(default adversarial.json for fold 0, else adversarial_foldK.json)")
    args = ap.parse_args()
    output = HERE / "results" / (args.output or ("adversarial.json" if args.fold == 0 else f"adversarial_fold{args.fold}.json"))
    rows = [json.loads(line) for p in args.corpus for line in Path(p).read_text(encoding="utf-8").splitlines() if line]
    y = np.array([r["label"] == "illegal" for r in rows], dtype=int)
    groups = np.array([r["group"] for r in rows])
    train, test = list(StratifiedGroupKFold(5, shuffle=True, random_state=args.seed).split(rows, y, groups))[args.fold]
    held = [rows[i]["text"] for i in test if y[i]]
    words = risky_words()
    result = {"fold": args.fold, "seed": args.seed, "held_out_illegal": len(held), "families": {}}
    for name, analyzer in (("with_normalizer", analyze), ("without_normalizer", analyze_raw)):
        docs = [analyzer(rows[i]["text"]) for i in train]
        model = RiskModel(folds=3, seed=args.seed).fit(docs, y[train], groups[train])
        threshold = choose_thresholds(y[train], model.oof_proba_).illegal
        for family in ["clean", *FAMILIES]:
            rng = random.Random(args.seed)
            texts = held if family == "clean" else [perturb(t, family, words, rng) for t in held]
            risk = model.predict_proba([analyzer(t) for t in texts])[:, 1]
            entry = result["families"].setdefault(family, {})
            entry[name] = {"recall": round(float(np.mean(risk >= threshold)), 4), "mean_risk": round(float(risk.mean()), 4)}
    for family, entry in result["families"].items():
        for name in ("with_normalizer", "without_normalizer"):
            entry[name]["recall_drop_points"] = round(100 * (result["families"]["clean"][name]["recall"]
                                                             - entry[name]["recall"]), 1)
    print(f"{'family':<24}{'recall (norm)':>14}{'drop':>7}{'risk':>7}   {'recall (raw)':>13}{'drop':>7}{'risk':>7}")
    for family, e in result["families"].items():
        a, b = e["with_normalizer"], e["without_normalizer"]
        print(f"{family:<24}{a['recall']:>14.3f}{a['recall_drop_points']:>7.1f}{a['mean_risk']:>7.3f}   "
              f"{b['recall']:>13.3f}{b['recall_drop_points']:>7.1f}{b['mean_risk']:>7.3f}")
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

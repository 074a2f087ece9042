"""Train a model folder from labelled posts: deduplicate, cross-validate by group, calibrate,
choose thresholds out of fold, and describe the result in metadata and a model card."""
from __future__ import annotations

import datetime as _dt
import platform
import time

import numpy as np

from recruit_detect import __version__
from recruit_detect.corpus import Post
from recruit_detect.counts import analyze_and_count
from recruit_detect.cues import default_cues
from recruit_detect.evaluate import format_metrics, metrics
from recruit_detect.model import LOGISTIC_C, RiskModel, choose_thresholds, default_folds
from recruit_detect.scorer import MEMORY_TERMS, NEIGHBOURS
from recruit_detect.workers import run_all


def deduplicate(normalized: list[str]) -> list[int]:
    """Indices of the posts to keep: those whose normalized text repeats no earlier post, so no
    copy straddles a split."""
    seen, kept = set(), []
    for k, text in enumerate(normalized):
        key = " ".join(text.split())
        if key not in seen:
            seen.add(key)
            kept.append(k)
    return kept


def near_duplicate_groups(texts: list[str], threshold: float = 0.5, max_df: int = 50) -> list[str]:
    """Group posts that share more than `threshold` of their word 5-grams (the corpus rule), so
    re-posts and lightly edited copies never straddle a split. Shingles found in more than
    `max_df` posts (boilerplate such as "minat hubungi") link nothing."""
    from collections import Counter, defaultdict

    shingles = []
    for text in texts:
        words = text.split()
        grams = {" ".join(words[i:i + 5]) for i in range(len(words) - 4)} or {" ".join(words)}
        shingles.append(grams)
    index = defaultdict(list)
    for k, grams in enumerate(shingles):
        for gram in grams:
            index[gram].append(k)
    parent = list(range(len(texts)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for k, grams in enumerate(shingles):
        shared = Counter(j for gram in grams if len(index[gram]) <= max_df for j in index[gram] if j > k)
        for j, n in shared.items():
            if n / min(len(grams), len(shingles[j])) > threshold:
                parent[root(j)] = root(k)
    return [f"dup:{root(k)}" for k in range(len(texts))]


def analyze_all(texts: list[str], jobs: int = 1, chunk: int | None = None):
    """Analyze posts in order, in `jobs` worker processes when there are enough of them, and
    count their features there too (the counts are stateless, and counting in the parent was a
    serial phase of its own). Returns (normalized texts, counts)."""
    from scipy import sparse

    # Four chunks per worker at least, so one slow chunk does not leave the other workers idle.
    chunk = chunk or max(250, min(2000, -(-len(texts) // (4 * max(jobs, 1)))))
    if jobs <= 1 or len(texts) <= chunk:
        return analyze_and_count(texts)
    analyze_and_count(texts[:1])  # builds the cue set, automata and lexicons once, for the workers to inherit
    parts = run_all(analyze_and_count, [(texts[i:i + chunk],) for i in range(0, len(texts), chunk)], jobs)
    return [t for normalized, _ in parts for t in normalized], sparse.vstack([c for _, c in parts], format="csr")


def train(posts: list[Post], seed: int = 0, jobs: int = 1, name: str = "model", corpus_fingerprint: str = "",
          label_map: dict | None = None, folds: int | None = None):
    """Return (model, metadata, card text, out-of-fold metrics). `folds` defaults to
    model.default_folds of the posts kept."""
    import sklearn
    import skops

    cues = default_cues()
    clock = time.perf_counter()
    total = len(posts)
    # Exact repeats (a scrape's reposts) would be dropped below anyway; dropping them first spares
    # analysing them. The posts kept are the same: the first copy comes first in both.
    first: dict[str, Post] = {}
    for post in posts:
        first.setdefault(post.text, post)
    posts = list(first.values())
    normalized, counts = analyze_all([p.text for p in posts], jobs)
    kept = deduplicate(normalized)
    if len(kept) < len(posts):
        posts, normalized, counts = [posts[k] for k in kept], [normalized[k] for k in kept], counts[kept]
    dropped = total - len(posts)
    seconds = {"analysis and counts": time.perf_counter() - clock}
    clock = time.perf_counter()
    y = np.array([p.illegal for p in posts])
    if all(p.group for p in posts):
        groups, groups_from = np.array([p.group for p in posts]), "group field"
    else:  # no group column: cluster near-duplicates so copies stay in one fold
        inferred = near_duplicate_groups(normalized)
        groups = np.array([p.group or g for p, g in zip(posts, inferred)])
        groups_from = "near-duplicate clusters"
    seconds["groups"] = time.perf_counter() - clock
    model = RiskModel(folds=folds or default_folds(len(posts)), seed=seed, n_jobs=jobs)
    model.fit(None, y, groups, counts=counts, ids=[p.id for p in posts])
    seconds.update(model.seconds_)
    clock = time.perf_counter()
    model.span_tagger_, highlights = _learn_highlights(posts, y, groups, seed, jobs, cues)
    if highlights:
        seconds["highlights"] = time.perf_counter() - clock
    thresholds = choose_thresholds(y, model.oof_proba_)
    oof = metrics(y, model.oof_proba_, thresholds.illegal, labels=[p.label for p in posts],
                  subtypes=[p.subtype for p in posts])
    warnings = [] if model.cross_validated_ else [
        "too few posts or groups per class for cross-validation: calibration, thresholds and metrics are "
        "in-sample and optimistic; add labelled posts before trusting this model"]
    weights = model.pipeline_.named_steps["weights"]
    metadata = {
        "name": name,
        "warnings": warnings,
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "recruit_detect": __version__,
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                      "skops": skops.__version__, "numpy": np.__version__},
        "corpus_fingerprint": corpus_fingerprint,
        "cue_set": cues.digest,
        "label_map": label_map or {"illegal": 1, "other": 0},
        "training": {"posts": len(posts), "duplicates_dropped": dropped, "illegal": int(y.sum()),
                     "groups": int(len(set(groups))), "groups_from": groups_from, "folds": len(set(model.fold_)) if model.cross_validated_ else 0, "seed": seed,
                     "model": {"C": model.C, "logistic_C": LOGISTIC_C, "min_ratio": weights.min_ratio,
                               "cue_weight": weights.cue_weight, "nb_power": weights.nb_power,
                               "memory_posts": 0 if model.memory_ is None else len(model.memory_[3]),
                               "neighbours": NEIGHBOURS, "memory_terms": MEMORY_TERMS},
                     "seconds": {k: round(v, 1) for k, v in seconds.items()}},
        "thresholds": thresholds.to_dict(),
        "cross_validated": oof,
        "highlights": highlights,
    }
    return model, metadata, model_card(metadata), oof


def _learn_highlights(posts: list[Post], y, groups, seed: int, jobs: int, cues):
    """span_tagger.learn on the posts with annotated cue spans (a project-format corpus)."""
    from recruit_detect.detector import analyze
    from recruit_detect.span_tagger import MIN_POSTS, learn

    known = set(cues.ids)  # a researcher's own span labels are not cues the detector can show
    spans = [tuple(s for s in p.spans or () if s[0] in known) for p in posts]
    annotated = [k for k, s in enumerate(spans) if s]
    if len(annotated) < MIN_POSTS:
        return None, None
    return learn([analyze(posts[k].text) for k in annotated], [spans[k] for k in annotated], y[annotated],
                 groups[annotated], seed, jobs)


def _highlights(h: dict | None) -> str:
    if not h:
        return ("No learned highlights: the corpus had too few posts with annotated cue spans; the cue rules' "
                "highlights are shown alone.\n")
    row = lambda name, m: f"| {name} | {m['recall']} | {m['precision']} | {m['hits']} |"  # noqa: E731
    return f"""A token tagger learned from the {h['posts']} posts with annotated cue spans adds highlights beside
the cue rules' on posts in the `review` and `high` bands (a learned span that overlaps a rule hit
of its cue is dropped). Measured out of fold ({h['folds']} grouped folds) on every annotated post, against
the {h['rules']['annotated']} annotated spans:

| highlights | recall | precision | highlights shown |
|---|---|---|---|
{row("cue rules", h['rules'])}
{row("cue rules + tagger", h['rules_and_model'])}
{row("the tagger's highlights alone", h['model_only'])}

Cues left to the rules (their learned highlights were right less than half the time out of fold):
{", ".join(h['cues_off']) or "none"}. That choice was made on the same folds, so the figures lean optimistic.
"""


def _memory(model: dict) -> str:
    if not model["memory_posts"]:
        return "no memory of training posts (the corpus is too large for one)"
    return (f"a memory of the {model['memory_posts']} training posts, each by its {model['memory_terms']} heaviest word "
            f"n-grams (how much nearer a post is to its {model['neighbours']} most similar illegal posts than to its "
            f"{model['neighbours']} most similar others)")


def _timing(seconds: dict | None) -> str:
    if not seconds:
        return ""
    return "Training took " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()) + ".\n"


def _fold_caveat(folds: int) -> str:
    if folds < 2:
        return ""
    return (f"Each fold's model learned from {folds - 1} of {folds} parts of the posts, so these figures understate the "
            "final model a little, and most with 2 folds.\n")


def model_card(md: dict) -> str:
    t, tr, cv = md["thresholds"], md["training"], md["cross_validated"]
    return f"""# Model card: {md['name']}

Created {md['created']} by recruit-detect {md['recruit_detect']} (scikit-learn {md['libraries']['scikit-learn']},
skops {md['libraries']['skops']}, numpy {md['libraries']['numpy']}). Corpus fingerprint
`{md['corpus_fingerprint'][:16] or 'n/a'}`, cue set `{md['cue_set']}`.

{"".join(f"> **Warning:** {w}{chr(10)}" for w in md.get("warnings", []))}
## What it does

Scores an Indonesian social-media post with a calibrated probability that it is an illegal
recruitment advertisement (non-procedural placement, trafficking lure or job fraud). Features:
hashed word 1-2-grams and character 2-5-grams (within words) over normalized text, TF-IDF
weighted per block and scaled by each n-gram's log-count ratio between the classes to the power
{tr['model']['nb_power']} (NB-SVM; n-grams below {tr['model']['min_ratio']} of their block's mean ratio are dropped), plus the cue engine's hits (active,
negated and reported cues, obfuscation counts, money roles), weighted {tr['model']['cue_weight']} against the n-grams.
Model: a class-balanced linear SVM (squared hinge, C={tr['model']['C']}) and a class-balanced logistic
regression (C={tr['model']['logistic_C']}) on these features, and {_memory(tr['model'])}, stacked and calibrated by a
logistic regression fitted on their out-of-fold scores.

## Training data

{tr['posts']} posts after removing {tr['duplicates_dropped']} duplicates of normalized text;
{tr['illegal']} illegal; {tr['groups']} groups; {tr['folds']}-fold stratified group cross-validation; seed {tr['seed']}.
{_timing(tr.get('seconds'))}
## Thresholds (chosen on out-of-fold predictions)

| | risk |
|---|---|
| flagged `illegal` (half the best F1, where a calibrated model's F1 peaks) | >= {t['illegal']} |
| band `high` (out-of-fold precision >= 0.98) | >= {t['high']} |
| band `review` (keeps 99% of illegal posts above it) | >= {t['review']} |

## Cross-validated metrics (grouped, out of fold)

{_fold_caveat(tr['folds'])}
```
{format_metrics(cv)}
```

## Highlights

{_highlights(md.get('highlights'))}
## Limits

- Trained on posts the team wrote by hand; real posts differ in length, topic mix and
  obfuscation. Treat the risk as triage for a human officer, never as proof.
- Text only: posters where the offer is in an image need OCR upstream.
- Licence numbers and company names are not verified against SISKOP2MI; a legitimate-looking
  ad can borrow a real company's name.
- Destinations, moratorium countries and slang drift; the cue files and the corpus need updates.
"""

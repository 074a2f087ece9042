"""From a post to a verdict and a score record (DESIGN 4.2): analyze with the rules, score with
the calibrated model, band with the thresholds stored in the model's metadata."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from recruit_detect import safe_regex
from recruit_detect.cues import CueSet, default_cues
from recruit_detect.entities import find_entities, summarize
from recruit_detect.errors import ModelError
from recruit_detect.normalize import normalize
from recruit_detect.span_tagger import SpanTagger, highlights
from recruit_detect.tokens import tokenize
from recruit_detect.types import Analysis, Thresholds, Verdict

if TYPE_CHECKING:  # scorer.py imports this module (through counts.py)
    from recruit_detect.scorer import LinearScorer


def analyze(post: str, cues: CueSet | None = None, entities=find_entities) -> Analysis:
    """Normalize, find cues and entities: the pure, model-free part of the pipeline. Its time is
    bounded: on `re` under a CPU-time alarm, else again on the guarded engine (safe_regex).
    `entities` finds the entities; training passes entities.money_entities, all its features read."""
    cues = cues or default_cues()  # loaded outside the alarm: a half-built cache must not survive it
    if safe_regex.can_interrupt():
        try:
            with safe_regex.interrupt_after(safe_regex.post_seconds(len(post))):
                return _analyze(post, cues, entities)
        except safe_regex.OutOfTime:
            pass
    with safe_regex.guarded() as timed_out:
        analysis = _analyze(post, cues, entities)
    if not timed_out:
        return analysis
    return replace(analysis, warnings=tuple(
        f"pattern {name} ran out of time; its cues or entities may be incomplete" for name in timed_out))


def post_patterns() -> list[safe_regex.SafePattern]:
    """Every pattern that reads a post, with the lazily built ones (cues, currencies,
    destinations, banks) built: for the regex-safety tests and benchmark."""
    from recruit_detect.accounts import _patterns as _account_patterns
    from recruit_detect.entities import _destination_pattern
    from recruit_detect.money import _currencies

    default_cues(), _currencies(), _destination_pattern(), _account_patterns()
    return safe_regex.live()


def _analyze(post: str, cues: CueSet, entities) -> Analysis:
    norm = normalize(post)
    tokens = tokenize(norm.text)  # tokenized once: the cue phrase matcher and the word features share it
    return Analysis(post, norm, cues.find(norm, tokens), entities(norm), tokens)


def default_model_dir() -> Path:
    """$RECRUIT_DETECT_MODEL, else the model installed with the package, else models/default of
    the source tree this module runs from."""
    if os.environ.get("RECRUIT_DETECT_MODEL"):
        return Path(os.environ["RECRUIT_DETECT_MODEL"])
    from importlib import resources

    try:
        shipped = Path(str(resources.files("recruit_detect.shipped_models").joinpath("default")))
    except ModuleNotFoundError:  # running from a source tree that was not installed
        shipped = Path(__file__).resolve().parent.parent / "models" / "default"
    return shipped


def model_name(metadata: dict) -> str:
    return f"{metadata.get('name', 'model')}@{metadata['sha256'][:7]}"


def _matching_cues(metadata: dict) -> CueSet:
    cues = default_cues()
    if metadata.get("cue_set") not in (None, cues.digest):
        raise ModelError(f"the model was trained with cue set {metadata.get('cue_set')} but this installation has "
                         f"{cues.digest}; retrain the model with `recruit-detect train`")
    return cues


def check_model_dir(folder: str | os.PathLike) -> str:
    """The model's name, after every check that is quick (see persist.check_model): a batch run
    fails fast on a missing, altered or outdated model, and leaves the slow load to its workers."""
    from recruit_detect.persist import check_model

    metadata = check_model(folder)
    _matching_cues(metadata)
    return model_name(metadata)


@dataclass(frozen=True)
class Detector:
    model: LinearScorer
    metadata: dict
    cues: CueSet
    tagger: SpanTagger | None = None  # learned highlights, when the training corpus had annotated spans

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None) -> "Detector":
        """The model's arrays, read as data (see scorer.py); a file in another skops format is
        built by skops and its arrays taken from the objects."""
        from recruit_detect.persist import UnreadableModelData, load_model, read_model_data
        from recruit_detect.scorer import LinearScorer

        folder = folder or default_model_dir()
        try:
            data, metadata = read_model_data(folder)
            scorer = LinearScorer.from_data(data)
            tagger = data.get("span_tagger_")
            try:
                tagger = tagger and SpanTagger.from_data(tagger)
            except (KeyError, TypeError, ValueError) as exc:
                raise UnreadableModelData(f"a span tagger without {exc}") from None
        except UnreadableModelData:
            model, metadata = load_model(folder)
            scorer, tagger = LinearScorer.from_model(model), getattr(model, "span_tagger_", None)
        return cls(scorer, metadata, _matching_cues(metadata), tagger)

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(**self.metadata["thresholds"])

    @property
    def name(self) -> str:
        return model_name(self.metadata)

    def verdicts(self, posts: list[str]) -> list[Verdict]:
        analyses = [analyze(p, self.cues) for p in posts]
        if not analyses:
            return []
        risks = self.model.predict_proba(analyses)[:, 1]
        t = self.thresholds
        verdicts = [Verdict(float(r), t.band(float(r)), bool(r >= t.illegal), a) for r, a in zip(risks, analyses)]
        # Learned highlights explain a post an officer must read (bands review and high); on the
        # rest the rules' highlights are enough, and tagging every post would add about a fifth to
        # the scoring time (some 125 us a post against 630; span_tagger.BATCH, bench_profile).
        shown = [k for k, v in enumerate(verdicts) if v.band != "low"]
        if self.tagger is not None and shown:
            for k, learned in zip(shown, highlights(self.tagger, [analyses[k] for k in shown], self.cues)):
                verdicts[k] = replace(verdicts[k], learned=learned)
        return verdicts

    def record(self, verdict: Verdict, record_id, lang: str = "id", terms: bool = False) -> dict:
        """The score record of DESIGN 4.2; with `terms`, also entity spans and the model's strongest words."""
        post = verdict.analysis.post
        cues = []
        for hit in sorted((*verdict.analysis.cues, *verdict.learned), key=lambda h: (h.start, h.end, h.cue)):
            if hit.negated:
                continue
            cue = self.cues.get(hit.cue)
            entry = hit.to_dict(post, cue.reason if lang == "id" else cue.reason_en)
            entry["title"] = cue.title if lang == "id" else cue.title_en
            if cue.law:
                entry["law"] = cue.law
            cues.append(entry)
        rec = {"id": record_id, "risk": round(verdict.risk, 4), "band": verdict.band, "illegal": verdict.illegal,
               "cues": cues, "entities": summarize(verdict.analysis.entities), "model": self.name, "error": None}
        if verdict.analysis.warnings:
            rec["warnings"] = list(verdict.analysis.warnings)
        if terms:  # the analyst view: also every entity with its span, the model's strongest words and its memory
            from recruit_detect.explain import memory_evidence, term_weights

            rec["entity_spans"] = [e.to_dict(post) for e in verdict.analysis.entities]
            rec["terms"] = [{"start": a, "end": b, "text": post[a:b], "weight": w}
                            for a, b, w in term_weights(self.model, verdict.analysis)]
            memory = memory_evidence(self.model, verdict.analysis)
            if memory is not None:
                rec["memory"] = memory
        return rec


def error_record(record_id, message: str, model_name: str | None) -> dict:
    return {"id": record_id, "risk": None, "band": None, "illegal": None, "cues": [], "entities": {},
            "model": model_name, "error": message}

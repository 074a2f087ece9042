"""Silver labels from the cue rules (red-flags.md §7.3), to bootstrap a new corpus: a proposed
label, a confidence, and the rules that fired. Rules, not the classifier: a researcher reviews
them before training. Each rule's precision on the project corpus is in benchmarks/results."""
from __future__ import annotations

from dataclasses import dataclass

from recruit_detect.types import Analysis

HARD_RISK = ("procedure_bypass", "non_work_visa", "moratorium_domestic", "document_retention", "task_deposit",
             "coercion")
DOCUMENT_FRAMES = ("news_source", "fact_check")
FRAMES = ("reported_speech", "warning_frame", "enforcement", "legal_citation", "victim_account", "jobseeker_question")
OVERSEAS = ("scam_destination", "moratorium_domestic", "fishing_crew", "fake_internship", "non_work_visa")


@dataclass(frozen=True)
class SilverLabel:
    label: str  # illegal | legitimate | not_ad | unknown
    confidence: float
    rules: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"label": self.label, "confidence": self.confidence, "rules": list(self.rules)}


def propose(doc: Analysis) -> SilverLabel:
    active = {h.cue for h in doc.cues if h.active}
    frames = {h.cue for h in doc.cues if h.polarity == "not_ad" and not h.negated}
    risk = {h.cue: h.severity for h in doc.cues if h.active and h.polarity == "risk"}
    reported = {h.cue for h in doc.cues if h.reported}
    legit = active & {"licensed_agency", "licence_number", "job_order_detail", "official_channel", "zero_cost",
                      "official_training", "work_visa", "government_programme"}
    # 1. Reporting frames first: news and fact-checks quote every red flag.
    if frames & set(DOCUMENT_FRAMES):
        return SilverLabel("not_ad", 0.9, ("N:document_frame",))
    if len(frames & set(FRAMES)) >= 2 and len(reported) >= len(risk):
        return SilverLabel("not_ad", 0.8, ("N:two_frames_reported_cues",))
    if frames & {"victim_account", "jobseeker_question", "warning_frame"}:
        return SilverLabel("not_ad", 0.65, ("N:first_person_or_warning_frame",))
    # 2. An un-negated, un-reported hard cue in an ad.
    hard = sorted(c for c in risk if c in HARD_RISK)
    if hard:
        return SilverLabel("illegal", 0.85, tuple(f"I:hard:{c}" for c in hard))
    if "fee_demand" in risk and active & set(OVERSEAS):
        return SilverLabel("illegal", 0.8, ("I:fee_for_overseas_job",))
    medium = sorted(c for c, s in risk.items() if s == "medium")
    if len(medium) >= 2 and not legit:
        return SilverLabel("illegal", 0.7, ("I:two_medium_no_legit",))
    # 3. Verifiable legitimacy with at most one medium cue.
    if {"licensed_agency", "government_programme"} & legit and {"licence_number", "official_channel"} & legit \
            and len(medium) < 2:
        return SilverLabel("legitimate", 0.8, ("L:actor_and_verifiable",))
    if frames & set(FRAMES):
        return SilverLabel("not_ad", 0.55, ("N:other_frame",))
    if not medium and legit:
        return SilverLabel("legitimate", 0.55, ("L:no_risk_some_legit",))
    return SilverLabel("unknown", 0.0, ())

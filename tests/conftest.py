import json
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHIPPED = ROOT / "models" / "default"


def corpus_records():
    return [json.loads(line) for path in sorted(CORPUS.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def records():
    return corpus_records()


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory, records):
    """A stratified 240-post slice of the project corpus as JSONL, for quick training in tests."""
    rng = random.Random(7)
    by_label = {}
    for r in records:
        by_label.setdefault(r["label"], []).append(r)
    picked = [r for label in sorted(by_label) for r in rng.sample(by_label[label], 80)]
    path = tmp_path_factory.mktemp("corpus") / "small.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_model(tmp_path_factory, small_corpus):
    """A model folder trained on the small corpus through the library (3 folds)."""
    from recruit_detect.corpus import load_posts
    from recruit_detect.persist import save_model
    from recruit_detect.training import train

    folder = tmp_path_factory.mktemp("models") / "small"
    model, metadata, card, _ = train(load_posts([small_corpus]), seed=0, name="small", folds=3)
    save_model(folder, model, metadata, card)
    return folder

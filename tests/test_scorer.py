import subprocess
import sys

import numpy as np
import pytest

from recruit_detect import persist
from recruit_detect.detector import Detector, analyze
from recruit_detect.persist import load_model, read_model_data
from recruit_detect.scorer import LinearScorer

from conftest import SHIPPED


@pytest.fixture(scope="module")
def analyses(records):
    return [analyze(r["text"]) for r in records[::7]]


@pytest.mark.parametrize("which", ["small", "shipped"])
def test_the_model_read_as_data_scores_exactly_as_the_skops_built_one(small_model, analyses, which):
    folder = small_model if which == "small" else SHIPPED
    model, _ = load_model(folder)
    scorer = LinearScorer.from_data(read_model_data(folder)[0])
    built = LinearScorer.from_model(model)
    for field in LinearScorer.__dataclass_fields__:
        mine, theirs = getattr(scorer, field), getattr(built, field)
        assert np.array_equal(mine, theirs) if isinstance(mine, np.ndarray) else mine == theirs, field
    assert np.array_equal(scorer.predict_proba(analyses), model.predict_proba(analyses))
    assert np.array_equal(Detector.load(folder).model.predict_proba(analyses), model.predict_proba(analyses))


def test_a_file_the_data_reader_cannot_read_is_built_by_skops(small_model, analyses, monkeypatch):
    expected = Detector.load(small_model).model.predict_proba(analyses)
    monkeypatch.setattr(persist, "SKOPS_PROTOCOL", -1)  # as if skops had changed its format
    with pytest.raises(persist.UnreadableModelData, match="skops protocol 2"):
        read_model_data(small_model)
    assert np.array_equal(Detector.load(small_model).model.predict_proba(analyses), expected)


def test_a_model_of_other_steps_is_not_read_as_ours(small_model):
    data, _ = read_model_data(small_model)
    data["pipeline_"]["steps"] = data["pipeline_"]["steps"][1:]
    with pytest.raises(persist.UnreadableModelData):
        LinearScorer.from_data(data)


def test_scoring_imports_neither_skops_nor_scikit_learn():
    code = ("import sys; from recruit_detect.detector import Detector; d = Detector.load(); "
            "d.record(d.verdicts(['Dicari TKW ke Taiwan, biaya admin 5jt'])[0], 1, terms=True); "
            "print(sorted(m for m in ('sklearn', 'skops') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse

from recruit_detect import persist
from recruit_detect.detector import Detector, analyze
from recruit_detect.persist import load_model, read_model_data
from recruit_detect.scorer import LinearScorer, neighbour_score, heaviest_words

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
        if sparse.issparse(mine):
            mine, theirs = mine.toarray(), theirs.toarray()
        assert np.array_equal(mine, theirs) if isinstance(mine, np.ndarray) else mine == theirs, field
    assert scorer.memory.shape == (model.memory_[3].size, 1 << scorer.word_bits) and scorer.memory_illegal.any()
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


def test_the_neighbour_score_is_the_top_k_similarity_to_illegal_minus_to_other_posts():
    memory = sparse.csr_matrix(np.array([[1.0, 0, 0], [0.6, 0.8, 0], [0, 1.0, 0], [0, 0.6, 0.8], [0, 0, 1.0]]))
    illegal = np.array([True, True, False, False, False])
    words = sparse.csr_matrix(np.array([[1.0, 0, 0], [0, 0, 1.0], [0, 0, 0]]))
    # post 0: illegal similarities 1.0 and 0.6, others 0, 0, 0; post 1: 0, 0 against 0, 0.8, 1.0
    assert np.allclose(neighbour_score(words, memory, illegal, k=1), [1.0, -1.0, 0.0])
    assert np.allclose(neighbour_score(words, memory, illegal, k=2), [0.8, -0.9, 0.0])
    # more neighbours than illegal posts: all of them
    assert np.allclose(neighbour_score(words, memory, illegal, k=3), [0.8, -0.6, 0.0])
    assert np.allclose(neighbour_score(words, memory, np.zeros(5, bool), k=2), [-0.8, -0.9, 0.0])  # no illegal post
    assert np.array_equal(neighbour_score(sparse.csr_matrix((2, 3)), memory, illegal), [0.0, 0.0])  # no shared n-gram


def test_a_repost_with_a_new_number_and_town_sits_next_to_the_training_ad(records):
    """The memory's reason to exist: the model recalls an ad it was trained on when it comes back
    lightly edited. Trained on posts the memory then holds, the edited copy's neighbour score is
    its similarity to the original, not to any other post."""
    from recruit_detect.detector import analyze
    from recruit_detect.model import RiskModel

    posts = records[::5]
    y = np.array([r["label"] == "illegal" for r in posts])
    model = RiskModel(folds=3).fit([analyze(r["text"]) for r in posts], y, np.array([r["group"] for r in posts]),
                                   ids=[r["id"] for r in posts])
    scorer = LinearScorer.from_model(model)
    assert scorer.memory.shape[0] == len(posts) and np.array_equal(scorer.memory_illegal, y)
    original = next(r["text"] for r, bad in zip(posts, y) if bad and "08" in r["text"] and len(r["text"]) > 200)
    edited = original.replace("08", "09", 1) + " Berangkat dari Cilacap."
    rows = scorer.weighted([analyze(edited), analyze(original)])
    similarities = (heaviest_words(rows, scorer.blocks) @ scorer.memory.T).toarray()
    assert similarities[1].max() == pytest.approx(1.0) and similarities[0].argmax() == similarities[1].argmax()
    assert similarities[0].max() > 0.8 > np.sort(similarities[0])[-2]
    assert scorer.neighbour_weight > 0
    # and the explanation names it
    from recruit_detect.explain import memory_evidence

    source = next(r["id"] for r in posts if r["text"] == original)
    named = memory_evidence(scorer, analyze(edited))["nearest_illegal"]
    assert named == {"id": source, "similarity": round(float(similarities[0].max()), 3)}
    assert "nearest_illegal" not in memory_evidence(LinearScorer.from_model(_without_ids(model)), analyze(edited))


def _without_ids(model):
    """The model as a trainer that gave no ids would have left it."""
    import copy

    bare = copy.copy(model)
    bare.memory_ids_ = None
    return bare


def test_a_large_corpus_keeps_no_memory_and_stacks_two_scores(small_corpus, monkeypatch):
    from recruit_detect import model
    from recruit_detect.corpus import load_posts
    from recruit_detect.training import train

    posts = load_posts([small_corpus])
    monkeypatch.setattr(model, "MEMORY_POSTS", len(posts))
    large, metadata, card, _ = train(posts, seed=0, folds=3)
    assert large.memory_ is None and large.calibrator_.coef_.shape == (1, 2)
    assert metadata["training"]["model"]["memory_posts"] == 0 and "no memory of training posts" in card
    scorer = LinearScorer.from_model(large)
    assert scorer.memory is None and scorer.neighbour_weight == 0.0
    small, metadata, card, _ = train(posts[:-1], seed=0, folds=3)
    assert small.calibrator_.coef_.shape == (1, 3) and metadata["training"]["model"]["memory_posts"] == len(posts) - 1
    analyses = [analyze(p.text) for p in posts[:20]]
    for fitted in (large, small):  # the stack read as one linear model gives the stacker's own probabilities
        X = fitted.pipeline_.named_steps["weights"].transform(fitted.pipeline_.named_steps["counts"].transform(analyses))
        inputs = [fitted.pipeline_.named_steps["linear"].decision_function(X), fitted.logistic_.decision_function(X)]
        if fitted.memory_ is not None:
            scorer = LinearScorer.from_model(fitted)
            inputs.append(neighbour_score(heaviest_words(X, scorer.blocks), scorer.memory, scorer.memory_illegal))
        expected = fitted.calibrator_.predict_proba(np.column_stack(inputs))[:, 1]
        assert np.allclose(fitted.predict_proba(analyses)[:, 1], expected, rtol=0, atol=1e-9)


def test_a_model_of_the_previous_format_is_refused_with_the_fix(small_model, tmp_path):
    import json
    import shutil

    from recruit_detect.errors import ModelError

    old = tmp_path / "old"
    shutil.copytree(small_model, old)
    metadata = json.loads((old / "metadata.json").read_text())
    (old / "metadata.json").write_text(json.dumps({**metadata, "format_version": 1}))
    with pytest.raises(ModelError, match="format version 1, this recruit-detect reads 2; retrain"):
        Detector.load(old)


def test_scores_do_not_depend_on_the_batching(small_model, analyses, monkeypatch):
    """Each post's heaviest words and its neighbours are found among all the batch's entries at
    once (one sort key: batch row, then weight); a post's result must not depend on its row."""
    from recruit_detect import scorer as scoring

    model = Detector.load(small_model).model
    whole = model.predict_proba(analyses)
    monkeypatch.setattr(scoring, "BATCH", 7)
    assert len(analyses) > 7 and np.array_equal(model.predict_proba(analyses), whole)
    assert np.array_equal(model.predict_proba(analyses[::-1]), whole[::-1])

import csv
import io
import json

import pytest
from click.testing import CliRunner

from recruit_detect import __version__
from recruit_detect.cli import cli

FEE_AD = "Dicari TKW ke Taiwan, gaji 25jt, biaya admin 5jt transfer dulu. WA 0812-3456-7890"


@pytest.fixture()
def run(small_model):
    def invoke(*args, input=None, model=True):
        runner = CliRunner()
        extra = ["--model", str(small_model)] if model else []
        return runner.invoke(cli, [*args[:1], *extra, *args[1:]] if model else list(args), input=input)
    return invoke


def test_help_and_version():
    runner = CliRunner()
    assert runner.invoke(cli, ["-h"]).exit_code == 0
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_check_json_follows_the_score_record(run):
    result = run("check", "--format", "json", FEE_AD)
    assert result.exit_code == 0, result.output
    rec = json.loads(result.stdout)
    assert {"id", "risk", "band", "illegal", "cues", "entities", "model", "error"} <= set(rec)
    assert 0 <= rec["risk"] <= 1 and rec["band"] in ("high", "review", "low") and rec["error"] is None
    for c in rec["cues"]:
        assert FEE_AD[c["start"]:c["end"]] == c["text"]
    assert {"cue": "fee_demand", "text": "biaya admin 5jt"}.items() <= next(c for c in rec["cues"] if c["cue"] == "fee_demand").items()
    assert rec["entities"]["phones"] == ["+6281234567890"]
    phone = next(e for e in rec["entity_spans"] if e["kind"] == "phone")
    assert FEE_AD[phone["start"]:phone["end"]] == phone["text"] == "0812-3456-7890"
    assert all(FEE_AD[t["start"]:t["end"]] == t["text"] for t in rec["terms"]) and rec["terms"]


def test_check_reads_stdin_and_renders_text(run):
    result = run("check", "-", input=FEE_AD)
    assert result.exit_code == 0
    assert "Permintaan biaya di muka “biaya admin 5jt”" in result.stdout and "risk " in result.stdout
    assert "⚖ UU 18/2017 Pasal 30" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal
    # the model's words, each side listed with its weight as the JSON record gives them (which
    # side has words depends on the small model, so both are checked against the record)
    terms = json.loads(run("check", "--format", "json", FEE_AD).stdout)["terms"]
    for label, side in (("kata yang menaikkan risiko: ", [t for t in terms if t["weight"] >= 0.005]),
                        ("kata yang menurunkan risiko: ", [t for t in terms if t["weight"] <= -0.005])):
        listed = ", ".join(f"{t['text']} ({t['weight']:+.2f})" for t in side)
        assert (label + listed in result.stdout) if side else (label not in result.stdout)
    assert any(abs(t["weight"]) >= 0.005 for t in terms)


def test_check_text_lists_only_the_words_whose_weight_shows():
    from recruit_detect.cli import _render

    terms = [{"start": 0, "end": 5, "text": "biaya", "weight": 0.21}, {"start": 6, "end": 11, "text": "admin", "weight": 0.004},
             {"start": 12, "end": 15, "text": "5jt", "weight": -0.005}, {"start": 16, "end": 20, "text": "visa", "weight": -0.003}]
    rec = {"risk": 0.9, "band": "high", "illegal": True, "cues": [], "terms": terms, "entities": {}, "model": "m"}
    lines = _render("biaya admin 5jt visa", rec, "id").splitlines()
    assert "kata yang menaikkan risiko: biaya (+0.21)" in lines and "kata yang menurunkan risiko: 5jt (-0.01)" in lines


def test_check_shows_what_the_memory_adds_and_the_record_agrees_with_the_risk(run, small_model, small_corpus):
    import numpy as np
    from scipy.special import expit

    from recruit_detect.detector import Detector, analyze
    from recruit_detect.explain import term_weights

    rec = json.loads(run("check", "--format", "json", FEE_AD).stdout)
    memory = rec["memory"]
    assert set(memory) == {"illegal", "other", "weight", "nearest_illegal"}
    assert 0 <= memory["other"] <= 1 and 0 < memory["illegal"] <= memory["nearest_illegal"]["similarity"] <= 1
    illegal_ids = {r["id"] for r in map(json.loads, small_corpus.read_text().splitlines()) if r["label"] == "illegal"}
    assert memory["nearest_illegal"]["id"] in illegal_ids
    # the memory's weight and the linear part together are the risk's log-odds
    scorer = Detector.load(small_model).model
    doc = analyze(FEE_AD)
    linear = float((scorer.weighted([doc]) @ scorer.coef.T + scorer.intercept).ravel()[0])
    assert expit(linear + memory["weight"]) == pytest.approx(rec["risk"], abs=1e-3)  # both rounded in the record
    assert np.sign(memory["weight"]) == np.sign(memory["illegal"] - memory["other"])
    assert term_weights(scorer, doc)  # the words still explain the linear part
    for lang, words in (("id", f"mirip iklan ilegal yang dikenal {memory['illegal']:.2f}, mirip unggahan lain "
                                f"{memory['other']:.2f} ({memory['weight']:+.2f})"),
                        ("en", f"like known illegal ads {memory['illegal']:.2f}, like other posts {memory['other']:.2f} "
                               f"({memory['weight']:+.2f})")):
        assert words in run("check", "--lang", lang, FEE_AD).stdout.splitlines()
    near = memory["nearest_illegal"]
    assert f"    iklan ilegal terdekat: {near['id']} ({near['similarity']:.2f})" in run("check", FEE_AD).stdout.splitlines()


def test_check_exit_code(run):
    flagged = run("check", "--format", "json", "--exit-code", FEE_AD)
    assert flagged.exit_code == 3 and json.loads(flagged.stdout)["illegal"] is True
    calm = run("check", "--format", "json", "--exit-code", "Toko roti Bu Sri butuh kasir, lamaran ke toko.")
    assert calm.exit_code == 0 and json.loads(calm.stdout)["illegal"] is False


def test_check_english_reasons(run):
    rec = json.loads(run("check", "--format", "json", "--lang", "en", FEE_AD).stdout)
    assert next(c for c in rec["cues"] if c["cue"] == "fee_demand")["reason"].startswith("The applicant is asked to pay")


def test_check_with_a_missing_model_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(cli, ["check", "--model", str(tmp_path / "nope"), "x"])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


JSONL = (json.dumps({"id": "a", "text": FEE_AD}) + "\n" + "{broken\n" + "[1, 2]\n"
         + json.dumps({"id": "d", "text": 5}) + "\n" + json.dumps({"id": "e", "body": "x"}) + "\n"
         + json.dumps({"id": "f", "text": "   "}) + "\n" + json.dumps({"id": "g", "text": "Toko roti butuh kasir"}) + "\n")


def test_score_jsonl_keeps_every_row_in_order(run):
    result = run("score", "-", input=JSONL)
    assert result.exit_code == 0, result.output
    recs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in recs] == ["a", 2, 3, "d", "e", "f", "g"]
    assert [bool(r["error"]) for r in recs] == [False, True, True, True, True, True, False]
    assert recs[1]["error"] == "line 2 is not valid JSON (Expecting property name enclosed in double quotes)"
    assert recs[2]["error"] == "line 3 is a JSON list, not an object"
    assert recs[3]["error"] == "field 'text' is int, not text"
    assert recs[4]["error"] == "no field 'text'"
    assert recs[5]["error"] == "empty text"
    assert all(r["risk"] is None and r["band"] is None for r in recs if r["error"])
    assert "records 7 errors 5" in result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_score_jobs_give_identical_bytes(run, tmp_path, fmt):
    """630 records: three chunks of 256, so two workers each encode some and order matters."""
    src = tmp_path / "in.jsonl"
    src.write_text(JSONL * 90, encoding="utf-8")
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.{fmt}"
        assert run("score", str(src), "-o", str(out), "--jobs", jobs, "--quiet").exit_code == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    if fmt == "jsonl":
        assert outs[0].count(b"\n") == 630
    else:
        assert len(list(csv.reader(io.StringIO(outs[0].decode())))) == 631  # with the header


def test_score_csv_in_and_out_with_kept_fields(run, tmp_path):
    src = tmp_path / "in.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["post_id", "title", "body", "source"])
        w.writerow(["x1", "Lowongan", "biaya admin 5jt\nberangkat ke Kamboja", "fb"])
        w.writerow(["x2", "", "", "ig"])
    result = run("score", str(src), "--format", "csv", "--text-field", "title", "--text-field", "body",
                 "--id-field", "post_id", "--keep-fields", "source")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["source"], r["error"]) for r in rows] == [("x1", "fb", ""), ("x2", "ig", "empty text")]
    assert {c["cue"] for c in json.loads(rows[0]["cues"])} >= {"fee_demand", "scam_destination"}


def test_score_txt_lines(run, tmp_path):
    src = tmp_path / "posts.txt"
    src.write_bytes(b"biaya admin 5jt\n\xff\xfe rusak\n")
    recs = [json.loads(x) for x in run("score", str(src)).stdout.splitlines()]
    assert [r["id"] for r in recs] == [1, 2]
    assert recs[1]["warnings"] == ["invalid UTF-8 replaced"] and recs[1]["error"] is None


def test_score_unreadable_input_is_one_line(run, tmp_path):
    result = run("score", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 1 and "cannot open" in result.stderr and "Traceback" not in result.stderr


def test_train_and_evaluate_with_column_mapping(tmp_path, small_corpus):
    rows = [json.loads(line) for line in small_corpus.read_text(encoding="utf-8").splitlines()]
    mapped = tmp_path / "mapped.jsonl"
    mapped.write_text("".join(json.dumps({"body": r["text"], "lab": "yes" if r["label"] == "illegal" else "no",
                                          "grp": r["group"]}) + "\n" for r in rows), encoding="utf-8")
    model = tmp_path / "model"
    runner = CliRunner()
    result = runner.invoke(cli, ["train", str(mapped), "-o", str(model), "--text-field", "body", "--label-field", "lab",
                                 "--positive", "yes", "--group-field", "grp", "--folds", "4"])
    assert result.exit_code == 0, result.output
    assert "label mapping: no -> other, yes -> illegal" in result.stderr
    meta = json.loads((model / "metadata.json").read_text())
    assert meta["training"]["posts"] == len(rows) and meta["label_map"] == {"no": 0, "yes": 1}
    assert meta["training"]["folds"] == 4 and "4-fold stratified group" in (model / "MODEL_CARD.md").read_text()
    ev = runner.invoke(cli, ["evaluate", str(mapped), "--model", str(model), "--format", "json", "--text-field", "body",
                             "--label-field", "lab", "--positive", "yes"])
    assert ev.exit_code == 0, ev.output
    m = json.loads(ev.stdout)
    assert m["n"] == len(rows) and m["positives"] == 80 and set(m["by_label"]) == {"no", "yes"}


def test_reading_a_corpus_leaves_no_arrow_copy_in_the_datasets_cache(tmp_path, monkeypatch):
    import datasets

    from recruit_detect.corpus import read_rows

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)  # where load_dataset caches by default
    (tmp_path / "ads.csv").write_text('id,text,label\n1,"gaji 15jt, biaya 20jt",illegal\n2,halo,other\n', encoding="utf-8")
    (tmp_path / "ads.jsonl").write_text('{"id": "a", "text": "kerja di kamboja", "label": "illegal"}\n', encoding="utf-8")
    assert read_rows(tmp_path / "ads.csv") == [{"id": 1, "text": "gaji 15jt, biaya 20jt", "label": "illegal"},
                                               {"id": 2, "text": "halo", "label": "other"}]
    assert read_rows(tmp_path / "ads.jsonl") == [{"id": "a", "text": "kerja di kamboja", "label": "illegal"}]
    assert not cache.exists() or not any(p.is_file() for p in cache.rglob("*"))


def test_train_with_one_class_is_a_usage_error(tmp_path, small_corpus):
    result = CliRunner().invoke(cli, ["train", str(small_corpus), "-o", str(tmp_path / "m"), "--positive", "nothing"])
    assert result.exit_code == 2 and "only one class" in result.stderr


def test_train_with_a_missing_column_names_the_columns(tmp_path, small_corpus):
    result = CliRunner().invoke(cli, ["train", str(small_corpus), "-o", str(tmp_path / "m"), "--text-field", "body"])
    assert result.exit_code == 1 and "has no column 'body'" in result.stderr and "its columns are id, text" in result.stderr


def test_cues_list_and_check():
    runner = CliRunner()
    listed = runner.invoke(cli, ["cues", "list"])
    assert listed.exit_code == 0 and listed.stdout.splitlines()[0].split()[0] == "coercion"
    checked = runner.invoke(cli, ["cues", "check"])
    assert checked.exit_code == 0 and "0 failing" in checked.stderr


def test_train_on_a_tiny_corpus_warns_that_metrics_are_in_sample(tmp_path):
    tiny = tmp_path / "tiny.jsonl"
    tiny.write_text("".join(json.dumps({"text": t, "label": l}) + "\n" for t, l in [
        ("biaya admin 5jt ke Kamboja", "illegal"), ("toko roti butuh kasir", "legitimate"),
        ("waspada penipuan, kata polisi", "not_ad")]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["train", str(tiny), "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "warning: too few posts or groups per class for cross-validation" in result.stderr
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert meta["training"]["folds"] == 0 and meta["warnings"]
    assert "**Warning:**" in (tmp_path / "m" / "MODEL_CARD.md").read_text()


def test_near_duplicates_share_a_group_when_there_is_no_group_column():
    from recruit_detect.training import near_duplicate_groups

    texts = ["dicari tkw ke taiwan gaji besar biaya admin lima juta transfer dulu ya",
             "dicari tkw ke taiwan gaji besar biaya admin lima juta transfer dulu ya kak cepat",
             "toko roti bu sri butuh kasir lamaran langsung ke toko jalan merdeka",
             "lowongan guru tk di yayasan harapan bangsa kirim lamaran ke kantor"]
    groups = near_duplicate_groups(texts)
    assert groups[0] == groups[1] and len({groups[0], groups[2], groups[3]}) == 3


def test_same_seed_gives_identical_metrics(small_corpus):
    from recruit_detect.corpus import Mapping, load_posts
    from recruit_detect.training import train

    posts = load_posts([small_corpus], Mapping(group_field=None))
    runs = [train(posts, seed=s)[1] for s in (3, 3)]
    assert runs[0]["cross_validated"] == runs[1]["cross_validated"]
    assert runs[0]["thresholds"] == runs[1]["thresholds"]
    assert runs[0]["training"]["groups_from"] == "near-duplicate clusters"
    assert runs[0]["training"]["folds"] == 3  # the default below LARGE_CORPUS posts


def test_parallel_fits_give_the_serial_model_exactly(records):
    """liblinear draws from one random generator per process: fits that ran in threads shared it
    and gave a different model on every run."""
    import numpy as np

    from recruit_detect.model import RiskModel
    from recruit_detect.training import analyze_all

    _, counts = analyze_all([r["text"] for r in records], jobs=1)
    y, groups = np.array([r["label"] == "illegal" for r in records]), np.array([r["group"] for r in records])
    serial, parallel = (RiskModel(folds=3, n_jobs=jobs).fit(None, y, groups, counts=counts) for jobs in (1, 2))
    assert np.array_equal(serial.pipeline_.named_steps["linear"].coef_, parallel.pipeline_.named_steps["linear"].coef_)
    assert np.array_equal(serial.oof_proba_, parallel.oof_proba_)


def test_a_large_corpus_is_cross_validated_with_two_folds(small_corpus, monkeypatch):
    from recruit_detect import model
    from recruit_detect.corpus import Mapping, load_posts
    from recruit_detect.training import train

    posts = load_posts([small_corpus], Mapping(group_field=None))
    monkeypatch.setattr(model, "LARGE_CORPUS", len(posts))
    assert train(posts, seed=1)[1]["training"]["folds"] == 2
    assert train(posts, seed=1, folds=4)[1]["training"]["folds"] == 4  # an explicit count wins
    assert train(posts[:-1], seed=1)[1]["training"]["folds"] == 3


def test_repeats_are_dropped_before_training_and_change_nothing(small_corpus):
    from dataclasses import replace

    from recruit_detect.corpus import Mapping, load_posts
    from recruit_detect.training import train

    posts = load_posts([small_corpus], Mapping(group_field=None))
    exact = [replace(p, id=f"copy-{p.id}") for p in posts[:5]]
    spaced = [replace(p, id=f"spaced-{p.id}", text=p.text.replace(" ", "  ", 1)) for p in posts[5:8]]
    with_repeats = posts[:10] + exact + spaced + posts[10:]
    metadata = train(with_repeats, seed=1, folds=3)[1]
    plain = train(posts, seed=1, folds=3)[1]
    assert metadata["training"]["duplicates_dropped"] == plain["training"]["duplicates_dropped"] + 8
    assert metadata["cross_validated"] == plain["cross_validated"] and metadata["thresholds"] == plain["thresholds"]


def test_parallel_analysis_counts_what_the_serial_path_counts(small_corpus):
    from recruit_detect.cues import default_cues
    from recruit_detect.detector import analyze
    from recruit_detect.model import count_features
    from recruit_detect.counts import analyze_and_count
    from recruit_detect.training import analyze_all, deduplicate

    texts = [json.loads(line)["text"] for line in small_corpus.read_text(encoding="utf-8").splitlines()][:60]
    texts += texts[:3]  # three exact repeats
    analyses = [analyze(t, default_cues()) for t in texts]
    serial, counts = analyze_all(texts, jobs=1)
    parallel, parallel_counts = analyze_all(texts, jobs=2, chunk=25)
    batched, batched_counts = analyze_and_count(texts, batch=10)
    assert serial == parallel == batched == [a.normalized.text for a in analyses]
    assert (counts != count_features(analyses)).nnz == 0 and (counts != parallel_counts).nnz == 0
    assert (counts != batched_counts).nnz == 0
    assert counts.shape[0] == 63 and deduplicate(serial) == list(range(60))


def test_evaluate_writes_a_report_folder(run, small_corpus, small_model, tmp_path):
    out = tmp_path / "eval"
    result = run("evaluate", str(small_corpus), "-o", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"metrics.json", "report.md", "precision_recall.png", "roc.png",
                                                "reliability.png", "confusion_matrix.png", "risk_by_subtype.png"}
    m = json.loads((out / "metrics.json").read_text())
    assert m["n"] == 240 and m["positives"] == 80
    fee = m["cues"]["fee_demand"]
    assert 0 < fee["illegal"] <= fee["posts"] and fee["precision"] == round(fee["illegal"] / fee["posts"], 4)
    assert len(m["false_positives"]) <= 20 and len(m["false_negatives"]) <= 20
    assert "## Worst false positives" in (out / "report.md").read_text()
    # The slice carries the corpus's annotated spans: the highlights are measured against them.
    from recruit_detect.corpus import load_posts
    from recruit_detect.cue_spans import agreement, engine_hits, engine_spans, negation_agreement
    from recruit_detect.detector import analyze

    posts = load_posts([small_corpus])
    analyses = [analyze(p.text) for p in posts]
    expected = agreement([p.spans for p in posts], [engine_spans(a) for a in analyses])
    expected["negation"] = negation_agreement([p.spans for p in posts], [p.denied for p in posts],
                                              [engine_hits(a) for a in analyses])
    assert m["cue_spans"] == json.loads(json.dumps(expected)) and m["cue_spans"]["posts"] > 200
    assert m["cue_spans"]["negation"]["denied"] > 0 and m["cue_spans"]["negation"]["negated"] > 0
    assert 0 < m["cue_spans"]["overall"]["recall"] < 1 and 0 < m["cue_spans"]["overall"]["precision"] < 1
    report = (out / "report.md").read_text()
    assert f"| (all) | {expected['overall']['annotated']} |" in report
    assert f"of {expected['negation']['denied']} denied" in report
    # and what the score records show: the rules' highlights and, on flagged posts, the learned ones
    from recruit_detect.cue_spans import shown_spans
    from recruit_detect.detector import Detector

    verdicts = Detector.load(small_model).verdicts([p.text for p in posts])
    shown = agreement([p.spans for p in posts], [shown_spans(v) for v in verdicts])
    assert m["highlights"] == json.loads(json.dumps(shown))
    assert shown["overall"]["recall"] > expected["overall"]["recall"]
    assert "## Highlights shown" in report


def test_label_proposes_silver_labels_with_rules(tmp_path):
    src = tmp_path / "posts.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": 1, "text": "Berangkat pakai visa turis, tanpa ribet, tinggal bawa KTP"},
        {"id": 2, "text": "JAKARTA, KabarNusa.id – Polisi menangkap calo yang memakai visa turis, kata Kapolres."},
        {"id": 3, "text": "PT Sinar Bahari (P3MI) SIP3MI No. 12/2025, daftar melalui SISKOP2MI"},
        {"id": 4, "text": "selamat pagi semua"},
        {"id": 5, "text": 7}]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["label", str(src)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["label"]) for r in rows] == [(1, "illegal"), (2, "not_ad"), (3, "legitimate"),
                                                     (4, "unknown"), (5, None)]
    assert rows[0]["rules"] == ["I:hard:non_work_visa", "I:hard:procedure_bypass"]
    assert rows[1]["rules"] == ["N:document_frame"] and rows[4]["error"] == "field 'text' is int, not text"
    assert "illegal 1" in result.stderr


def test_label_writes_its_file_whole_or_not_at_all(tmp_path, monkeypatch):
    src = tmp_path / "posts.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": "visa turis"}) + "\n" for i in range(3)), encoding="utf-8")
    out = tmp_path / "silver.jsonl"
    assert CliRunner().invoke(cli, ["label", str(src), "-o", str(out)]).exit_code == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [0, 1, 2]
    assert not (tmp_path / "silver.jsonl.partial").exists()

    import recruit_detect.silver as silver

    calls = iter(range(10))

    def fail_on_second(analysis):
        if next(calls) == 1:
            raise KeyboardInterrupt
        return real(analysis)

    real = silver.propose
    monkeypatch.setattr(silver, "propose", fail_on_second)
    again = tmp_path / "again.jsonl"
    result = CliRunner().invoke(cli, ["label", str(src), "-o", str(again)])
    assert result.exit_code != 0
    assert not again.exists() and not (tmp_path / "again.jsonl.partial").exists()

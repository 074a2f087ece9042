"""The `recruit-detect` command line. Library errors become one line on stderr here, and only here."""
from __future__ import annotations

import functools
import itertools
import json
import os
import sys
import time
from pathlib import Path

import click

from recruit_detect import __version__
from recruit_detect.errors import RecruitDetectError

# A checkpoint fsyncs the output and records how far it got: at most this often (checked every
# 256 records), so a long run does not wait on the disk after every chunk.
CHECKPOINT_SECONDS = 1.0

POLARITY_STYLE = {"risk": {"fg": "red"}, "legit": {"fg": "green"}, "not_ad": {"fg": "cyan"}}


def _color() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None  # None: click decides (colour only on a terminal)


def handle_errors(fn):
    """Turn library errors into one line (with the fix) and exit 1; `--debug` shows the traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RecruitDetectError as exc:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    return wrapper


def model_option(fn):
    return click.option("--model", "model_dir", type=click.Path(file_okay=False), default=None,
                        help="Model folder (default: $RECRUIT_DETECT_MODEL or the shipped models/default).")(fn)


def mapping_options(fn):
    for decorator in reversed([
        click.option("--text-field", "text_fields", multiple=True, help="Column holding the text; repeat to join several."),
        click.option("--label-field", default="label", show_default=True, help="Column holding the label."),
        click.option("--positive", "positives", multiple=True,
                     help="Label value(s) that mean illegal/fraud (default: illegal, 1, true, fraud, yes)."),
        click.option("--id-field", default="id", show_default=True, help="Column holding the post id."),
        click.option("--group-field", default="group", show_default=True,
                     help="Column grouping near-identical posts (kept in one fold)."),
    ]):
        fn = decorator(fn)
    return fn


DEFAULT_POSITIVES = ("illegal", "1", "true", "True", "fraud", "yes", "1.0")


def _echo_label_mapping(posts, mapping) -> dict:
    """Print how the corpus's label values fold to illegal vs. other, and return that map."""
    label_map = {v: int(v in mapping.positive) for v in sorted({p.label for p in posts})}
    click.echo("label mapping: " + ", ".join(f"{v} -> {'illegal' if k else 'other'}" for v, k in label_map.items()),
               err=True)
    return label_map


def _mapping(text_fields, label_field, positives, id_field, group_field):
    from recruit_detect.corpus import Mapping

    return Mapping(tuple(text_fields) or ("text",), label_field, tuple(positives) or DEFAULT_POSITIVES, id_field,
                   group_field or None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recruit-detect")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def cli(debug):
    """Find illegal recruitment advertisements in Indonesian social-media posts.

    \b
    Examples:
      recruit-detect check "Dicari TKW ke Taiwan, biaya admin 5jt transfer dulu"
      recruit-detect score posts.jsonl -o scored.jsonl --jobs 2
      recruit-detect train corpus/*.jsonl -o models/mine
      recruit-detect evaluate corpus/*.jsonl --model models/mine
    """


# --- check -----------------------------------------------------------------------------------

def _style(c: dict) -> dict:
    if c["polarity"] == "risk":
        if c["reported"]:
            return {"fg": "yellow"}
        return {"fg": "red", "bold": c["severity"] == "hard"}
    return POLARITY_STYLE[c["polarity"]]


def _highlight(post: str, cues: list[dict], terms: list[dict]) -> str:
    """The post with cue spans coloured by polarity and severity (reported risk cues in yellow),
    and the model's strongest words outside the cues in bold (for) or dim (against)."""
    marks = [(c["start"], c["end"], _style(c)) for c in cues]
    marks += [(t["start"], t["end"], {"bold": True} if t["weight"] > 0 else {"dim": True}) for t in terms]
    out, pos = [], 0
    for start, end, style in sorted(marks, key=lambda m: (m[0], -(m[1] - m[0]))):
        if start < pos:
            continue
        out.append(post[pos:start])
        out.append(click.style(post[start:end], underline="fg" in style, **style))
        pos = end
    out.append(post[pos:])
    return "".join(out)


def _render(post: str, rec: dict, lang: str) -> str:
    en = lang == "en"
    filled = round(rec["risk"] * 20)
    band_style = {"high": "red", "review": "yellow", "low": "green"}[rec["band"]]
    verdict = ("flagged as illegal recruitment" if en else "ditandai sebagai perekrutan ilegal") if rec["illegal"] else ""
    lines = [_highlight(post, rec["cues"], rec.get("terms", [])), "",
             f"risk {'█' * filled}{'░' * (20 - filled)} {rec['risk']:.2f}  band "
             + click.style(rec["band"].upper(), fg=band_style, bold=True) + (f"  → {verdict}" if verdict else "")]
    if rec["cues"]:
        lines.append("")
        seen = set()
        for c in rec["cues"]:
            if (c["cue"], c["text"]) in seen:
                continue
            seen.add((c["cue"], c["text"]))
            status = (" (quoted/reported)" if en else " (dikutip/dilaporkan)") if c["reported"] else ""
            if c.get("source") == "model":  # the span tagger's, not a cue rule's: say how sure it is
                status += f" ({'learned' if en else 'dipelajari model'}, {c['probability']:.2f})"
            lines.append(f"{click.style('●', **_style(c))} {c['title']} “{c['text']}”{status}: {c['reason']}")
            if c.get("law"):
                lines.append(click.style(f"    ⚖ {c['law']}", dim=True))
    terms = rec.get("terms", [])
    if terms:
        # only the words whose weight shows at two decimals: "(-0.00)" tells an officer nothing
        ups = ", ".join(f"{t['text']} (+{t['weight']:.2f})" for t in terms if t["weight"] >= 0.005)
        downs = ", ".join(f"{t['text']} ({t['weight']:.2f})" for t in terms if t["weight"] <= -0.005)
        lines.append("")
        if ups:
            lines.append(("model words for: " if en else "kata yang menaikkan risiko: ") + ups)
        if downs:
            lines.append(("model words against: " if en else "kata yang menurunkan risiko: ") + downs)
    memory = rec.get("memory")
    if memory:  # the training posts this one most resembles, by class
        lines.append((f"like known illegal ads {memory['illegal']:.2f}, like other posts {memory['other']:.2f} "
                      if en else f"mirip iklan ilegal yang dikenal {memory['illegal']:.2f}, mirip unggahan lain "
                      f"{memory['other']:.2f} ") + f"({memory['weight']:+.2f})")
        near = memory.get("nearest_illegal")
        if near:
            lines.append((f"    nearest known illegal ad: {near['id']} ({near['similarity']:.2f})" if en else
                          f"    iklan ilegal terdekat: {near['id']} ({near['similarity']:.2f})"))
    ents = rec["entities"]
    if ents:
        lines.append("")
        for key, values in ents.items():
            shown = [_money(v) if key == "money" else _account(v, en) if key == "accounts" else str(v) for v in values]
            lines.append(f"{key}: " + ", ".join(shown))
    lines.append(click.style(f"model {rec['model']}", dim=True))
    return "\n".join(lines)


def _account(v: dict, en: bool) -> str:
    personal = v["personal"] and ("(personal account)" if en else "(rekening pribadi)")
    return " ".join(filter(None, (v["bank"], v["number"], v["holder"] and f"a.n. {v['holder']}", personal)))


def _money(v: dict) -> str:
    amount = f"{v['amount']:,}".replace(",", ".")
    parts = [f"{v['currency']} {amount}"]
    if v.get("period"):
        parts.append(f"/{v['period']}")
    if v.get("role"):
        parts.append(f" [{v['role']}]")
    if v["currency"] != "IDR":
        parts.append(f" ≈ Rp {round(v['idr']):,}".replace(",", "."))
    return "".join(parts)


@cli.command()
@click.argument("text", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@model_option
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True, help="Language of the reasons.")
@click.option("--exit-code", is_flag=True, help="Exit with status 3 when the post is flagged as illegal.")
@handle_errors
def check(text, fmt, model_dir, lang, exit_code):
    """Score one post (TEXT, or '-' / nothing to read it from stdin) and show its cues.

    \b
    Example:
      recruit-detect check "Kerja di 🇰🇭 gaji 15jt, v!sa turis, biaya adm1n 5jt"
    """
    from recruit_detect.detector import Detector

    if text is None or text == "-":
        if sys.stdin.isatty() and text is None:
            raise click.UsageError("give the post as an argument, or pipe it on stdin with '-'")
        text = sys.stdin.read()
    if not text.strip():
        raise click.UsageError("the post is empty")
    from recruit_detect.batch import replace_surrogates

    text = replace_surrogates(text)
    detector = Detector.load(model_dir)
    rec = detector.record(detector.verdicts([text])[0], "-", lang=lang, terms=True)
    if fmt == "json":
        click.echo(json.dumps(rec, ensure_ascii=False))
    else:
        click.echo(_render(text, rec, lang), color=_color())
    for warning in rec.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
    if exit_code and rec["illegal"]:
        sys.exit(3)


# --- score -----------------------------------------------------------------------------------

class _Progress:
    """posts, posts/s and (when the input size is known) an ETA on one stderr line."""

    def __init__(self, enabled: bool, fraction=None):
        self.enabled, self.fraction = enabled, fraction
        self.start = self.last = time.monotonic()

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.25 and not force):
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        line = f"{done:,} posts  {rate:,.0f} posts/s"
        fraction = self.fraction() if self.fraction else None
        if fraction and 0 < fraction < 1:
            left = (now - self.start) * (1 - fraction) / fraction
            line += f"  {fraction:.0%}  ETA {int(left // 60)}:{int(left % 60):02d}"
        click.echo("\r" + line.ljust(60), err=True, nl=False)

    def close(self, done: int) -> None:
        if self.enabled:
            self.update(done, force=True)
            click.echo("", err=True)


def _input_fraction(path: str, fmt: str, stream):
    if stream is None or fmt not in ("jsonl", "csv", "txt") or not Path(path).is_file():
        return None
    size = Path(path).stat().st_size or 1
    raw = stream.buffer if hasattr(stream, "buffer") else stream
    return lambda: raw.tell() / size


def _resume_fingerprint(*parts) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


@cli.command()
@click.argument("input_path", metavar="INPUT|-")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or '-' for stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Output format (default: from the output extension, else jsonl).")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "txt", "parquet", "hf"]), default=None,
              help="Input format (default: from the extension or folder; stdin is jsonl).")
@model_option
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--text-field", "text_fields", multiple=True, help="Field holding the text; repeat to join several.")
@click.option("--id-field", default="id", show_default=True, help="Field holding the id (else the line number).")
@click.option("--keep-fields", default="", help="Comma-separated input fields to copy into each output record.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run into the same OUTPUT.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="'spark' scores a Parquet or JSONL folder on a Spark cluster (pip install 'recruit-detect[spark]').")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
@handle_errors
def score(input_path, output, fmt, input_format, model_dir, jobs, text_fields, id_field, keep_fields, resume,
          engine, quiet):
    """Score every post of INPUT: one output record per input record, in order.

    INPUT is a JSONL, CSV, TXT (one post per line) or Parquet file, a folder of such files, a
    saved Hugging Face dataset folder, or '-' for stdin (JSONL unless --input-format says
    otherwise). Rows that cannot be scored keep their place with `error` set.

    \b
    Examples:
      recruit-detect score posts.jsonl -o scored.jsonl --jobs 2
      cat posts.txt | recruit-detect score - --input-format txt --format csv
      recruit-detect score scrape/ -o scored.parquet --text-field caption --keep-fields url,author
      recruit-detect score posts.jsonl -o scored.jsonl --resume      # after an interruption
    """
    from recruit_detect.batch import Writer, input_format as detect_format, read_records, score_chunks
    from recruit_detect.detector import check_model_dir, default_model_dir
    from recruit_detect.errors import CorpusError

    fmt = fmt or next((f for f in ("csv", "parquet") if output.lower().endswith("." + f)), "jsonl")
    # Absolute: worker processes may run in another directory (a reused pool started elsewhere).
    model_dir = str(Path(model_dir or default_model_dir()).absolute())
    # Fail fast, before reading any input, on the quick checks; the model itself is loaded where
    # it scores (in each worker with --jobs N), so the workers' start is not delayed by a load here.
    model_name = check_model_dir(model_dir)
    in_fmt = detect_format(input_path, input_format)
    keep = tuple(f for f in keep_fields.split(",") if f)
    fields = tuple(text_fields) or ("text",)
    if engine == "spark":
        from recruit_detect.spark import score_path

        n = score_path(input_path, in_fmt, output, model_dir, fields, id_field, keep)
        if not quiet:
            click.echo(f"records {n}", err=True)
        return
    if resume and output == "-":
        raise click.UsageError("--resume needs -o OUTPUT")
    stream = None
    if in_fmt in ("jsonl", "csv", "txt") and (input_path == "-" or Path(input_path).is_file()):
        try:
            stream = sys.stdin.buffer if input_path == "-" else open(input_path, "rb")
        except OSError as exc:
            raise CorpusError(f"cannot open {input_path} ({exc.strerror}); check the path") from None
    elif not Path(input_path).exists():
        raise CorpusError(f"cannot open {input_path} (no such file or folder); check the path")
    stat = Path(input_path).stat() if input_path != "-" else None
    writer = Writer(output, fmt, keep, resume=resume, fingerprint=_resume_fingerprint(
        str(Path(input_path).resolve()), stat and (stat.st_size, stat.st_mtime_ns), in_fmt, fields, id_field, keep,
        fmt, model_name))
    counts = {"records": 0, "errors": 0, "high": 0, "review": 0, "low": 0}
    progress = _Progress(not quiet and sys.stderr.isatty(), _input_fraction(input_path, in_fmt, stream))
    ok = False
    try:
        records = read_records(stream if stream is not None else input_path, in_fmt, fields, id_field, keep)
        if writer.done:
            records = itertools.islice(records, writer.done, None)
            if not quiet:
                click.echo(f"resuming after {writer.done} records already in {output}.partial", err=True)
        last_checkpoint = 0.0
        for part in score_chunks(records, model_dir, jobs, writer.fmt, writer.columns, freeze=True):
            writer.write(part.payload)
            counts["records"] += part.records
            for key, n in part.tallies.items():
                counts[key] += n
            progress.update(writer.done + counts["records"])
            if time.monotonic() - last_checkpoint >= CHECKPOINT_SECONDS:
                writer.checkpoint(counts["records"])
                last_checkpoint = time.monotonic()
        writer.checkpoint(counts["records"])
        ok = True
    finally:
        # A run that stops before its first record (a model the workers refuse to load) leaves
        # nothing to resume.
        empty = writer.done + counts["records"] == 0
        writer.close(ok, discard=not ok and empty)
        progress.close(writer.done + counts["records"])
        if stream is not None and stream is not sys.stdin.buffer:
            stream.close()
        if not ok and not empty and output != "-" and not quiet:
            click.echo(f"interrupted: {output} was not written; rerun with --resume to continue", err=True)
    if not quiet:
        click.echo(" ".join(f"{k} {v}" for k, v in counts.items()), err=True)


# --- train / evaluate ------------------------------------------------------------------------

@cli.command()
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Model folder to write.")
@mapping_options
@click.option("--seed", default=0, show_default=True, help="Random seed; the same seed gives the same model.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for analysis and cross-validation.")
@click.option("--folds", type=click.IntRange(2, 20), default=None,
              help="Grouped cross-validation folds for calibration, thresholds and the reported metrics "
                   "[default: 3; 2 from 50,000 posts].")
@click.option("--name", default=None, help="Model name in its metadata (default: the folder name).")
@handle_errors
def train(corpus, output, text_fields, label_field, positives, id_field, group_field, seed, jobs, folds, name):
    """Train a model folder from labelled CORPUS files (JSONL, CSV, Parquet or a dataset folder).

    \b
    Examples:
      recruit-detect train corpus/*.jsonl -o models/default
      recruit-detect train ads.csv -o models/ads --text-field title --text-field body \\
          --label-field fraudulent --positive 1
    """
    from recruit_detect.corpus import fingerprint, load_posts
    from recruit_detect.evaluate import format_metrics
    from recruit_detect.persist import save_model
    from recruit_detect.training import train as train_model

    mapping = _mapping(text_fields, label_field, positives, id_field, group_field)
    posts = load_posts(corpus, mapping)
    label_map = _echo_label_mapping(posts, mapping)
    if len(set(label_map.values())) < 2:
        raise click.UsageError(f"labels {sorted(label_map)} give only one class; name the illegal value(s) with --positive")
    files = [p for p in corpus if Path(p).is_file()]
    model, metadata, card, oof = train_model(posts, seed=seed, jobs=jobs, folds=folds, name=name or Path(output).name,
                                             corpus_fingerprint=fingerprint(files), label_map=label_map)
    save_model(output, model, metadata, card)
    for warning in metadata["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(format_metrics(oof), err=True)
    click.echo(f"model written to {output}", err=True)


@cli.command()
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True))
@model_option
@mapping_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", "report_dir", type=click.Path(file_okay=False), default=None,
              help="Also write a report folder: metrics.json, report.md, plots, worst errors, cue table.")
@handle_errors
def evaluate(corpus, model_dir, text_fields, label_field, positives, id_field, group_field, fmt, report_dir):
    """Measure a model on labelled CORPUS files: illegal-class precision, recall, F1, PR-AUC,
    ROC-AUC, and the false-positive rate of every negative label and subtype. When the posts carry
    annotated cue spans (the project's `cues` field), also how many of them the highlights find.

    \b
    Examples:
      recruit-detect evaluate heldout.jsonl --model models/default --format json
      recruit-detect evaluate heldout.csv --text-field body --label-field fraudulent --positive 1 -o eval/
    """
    from recruit_detect.corpus import load_posts
    from recruit_detect.detector import Detector
    from recruit_detect.evaluate import format_metrics, metrics

    detector = Detector.load(model_dir)
    mapping = _mapping(text_fields, label_field, positives, id_field, group_field)
    posts = load_posts(corpus, mapping)
    _echo_label_mapping(posts, mapping)
    verdicts = detector.verdicts([p.text for p in posts])
    m = metrics([p.illegal for p in posts], [v.risk for v in verdicts], detector.thresholds.illegal,
                labels=[p.label for p in posts], subtypes=[p.subtype for p in posts])
    m["model"] = detector.name
    if any(p.spans for p in posts):
        from recruit_detect.cue_spans import agreement, engine_hits, engine_spans, negation_agreement, shown_spans

        m["cue_spans"] = agreement([p.spans for p in posts], [engine_spans(v.analysis) for v in verdicts])
        m["cue_spans"]["negation"] = negation_agreement([p.spans for p in posts], [p.denied for p in posts],
                                                        [engine_hits(v.analysis) for v in verdicts])
        if detector.tagger is not None:  # what a score record shows: the rules' and the learned highlights
            m["highlights"] = agreement([p.spans for p in posts], [shown_spans(v) for v in verdicts])
    if report_dir:
        from recruit_detect.evaluation_report import write_report

        write_report(report_dir, posts, verdicts, m, detector.thresholds.illegal)
        click.echo(f"report written to {report_dir}", err=True)
    click.echo(json.dumps(m, ensure_ascii=False, indent=2) if fmt == "json" else format_metrics(m))


# --- label -----------------------------------------------------------------------------------

@cli.command()
@click.argument("input_path", metavar="INPUT|-")
@click.option("-o", "--output", default="-", show_default=True, help="JSONL output, or '-' for stdout.")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "txt", "parquet", "hf"]), default=None)
@click.option("--text-field", "text_fields", multiple=True, help="Field holding the text; repeat to join several.")
@click.option("--id-field", default="id", show_default=True)
@handle_errors
def label(input_path, output, input_format, text_fields, id_field):
    """Propose silver labels for an unlabelled corpus from the cue rules: label (illegal,
    legitimate, not_ad or unknown), confidence and the rules that fired, one JSON line per input.
    Review them before training; per-rule precision is in benchmarks/results/silver.json.

    \b
    Example:
      recruit-detect label scraped.csv --text-field caption -o silver.jsonl
    """
    from recruit_detect.batch import input_format as detect_format, read_records
    from recruit_detect.cues import default_cues
    from recruit_detect.detector import analyze
    from recruit_detect.silver import propose

    fmt = detect_format(input_path, input_format)
    source = sys.stdin.buffer if input_path == "-" else input_path
    cue_set = default_cues()
    counts: dict[str, int] = {}
    # Written next to the output and renamed when complete, so an interrupted run leaves no half file.
    partial = f"{output}.partial"
    out = sys.stdout if output == "-" else open(partial, "w", encoding="utf-8")
    try:
        for rec in read_records(source, fmt, tuple(text_fields) or ("text",), id_field):
            row = {"id": rec.id, "label": None, "confidence": None, "rules": [], "error": rec.error}
            if rec.error is None:
                row.update(propose(analyze(rec.text, cue_set)).to_dict())
            counts[row["label"] or "error"] = counts.get(row["label"] or "error", 0) + 1
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    except BaseException:
        if out is not sys.stdout:
            out.close()
            os.unlink(partial)
        raise
    if out is not sys.stdout:
        out.close()
        os.replace(partial, output)
    click.echo(" ".join(f"{k} {v}" for k, v in sorted(counts.items())), err=True)


# --- report ----------------------------------------------------------------------------------

@cli.command()
@click.argument("scored", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--text-field", default="text", show_default=True,
              help="Field of the scored records holding the post (score with --keep-fields text).")
@click.option("--title", default="recruit-detect report", show_default=True)
@handle_errors
def report(scored, output, text_field, title):
    """Write one self-contained HTML page (no network) for SCORED.jsonl: posts sorted by risk,
    cues highlighted with reasons on hover, filters, search and a contact pivot.

    \b
    Example:
      recruit-detect score posts.jsonl -o scored.jsonl --keep-fields text
      recruit-detect report scored.jsonl -o report.html
    """
    from recruit_detect.errors import CorpusError
    from recruit_detect.report import render

    records = []
    with open(scored, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                raise CorpusError(f"{scored} line {n} is not JSON; pass the JSONL written by `recruit-detect score`") from None
            if not isinstance(rec, dict) or "risk" not in rec:
                raise CorpusError(f"{scored} line {n} is not a score record; pass the output of `recruit-detect score`")
            records.append(rec)
    if records and not any(r.get(text_field) for r in records):
        raise CorpusError(f"the records have no {text_field!r} field, so the posts cannot be shown; score with "
                          f"--keep-fields {text_field}")
    Path(output).write_text(render(records, title, text_field), encoding="utf-8")
    click.echo(f"{len(records)} posts written to {output}", err=True)


# --- cues ------------------------------------------------------------------------------------

@cli.group()
def cues():
    """List or check the cue definitions."""


@cues.command("list")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@handle_errors
def cues_list(lang):
    """One line per cue: id, polarity, severity, red-flag codes and title."""
    from recruit_detect.cues import default_cues

    for c in default_cues().cues:
        title = c.title if lang == "id" else c.title_en
        click.echo(f"{c.id:<22} {c.polarity:<7} {c.severity:<7} {','.join(c.refs):<8} {title}")


@cues.command("check")
@handle_errors
def cues_check():
    """Validate every cue file and run its match / no_match examples; exit 1 on any failure."""
    from recruit_detect.cues import default_cues

    cue_set = default_cues()
    problems = cue_set.check_examples()
    for p in problems:
        click.echo(p, err=True)
    n = sum(len(c.match) + len(c.no_match) for c in cue_set.cues)
    click.echo(f"{len(cue_set.cues)} cues, {n} examples, {len(problems)} failing", err=True)
    if problems:
        sys.exit(1)


def _terminate(signum, frame):
    raise KeyboardInterrupt  # so SIGTERM unwinds like Ctrl-C: partial outputs are cleaned up, not left half-written


def main():
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="recruit-detect")

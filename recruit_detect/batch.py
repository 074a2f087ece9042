"""Batch scoring: read posts from JSONL / CSV / TXT / Parquet files, folders, saved datasets or
stdin as a stream, score them in chunks (in parallel worker processes when asked), and write one
record per input, in order, through a checkpointed partial file that `--resume` can continue.

A row that cannot be scored keeps its place with `error` set; nothing is dropped.
"""
from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

from recruit_detect.errors import CorpusError

MAX_CHARS = 20_000  # longer posts are truncated (and flagged): no real ad is longer
INPUT_FORMATS = ("jsonl", "csv", "txt", "parquet", "hf")
OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
SCORE_FIELDS = ("id", "risk", "band", "illegal", "cues", "entities", "model", "error")


@dataclass(frozen=True)
class InputRecord:
    id: object
    text: str | None
    error: str | None = None
    kept: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def input_format(path: str, explicit: str | None) -> str:
    """The input format: explicit, else from the extension; a folder is a saved Hugging Face
    dataset or a folder of Parquet / JSONL files; stdin is JSONL."""
    if explicit:
        return explicit
    p = Path(path)
    if path != "-" and p.is_dir():
        if (p / "dataset_info.json").exists() or (p / "state.json").exists() or (p / "dataset_dict.json").exists():
            return "hf"
        for fmt, pattern in (("parquet", "*.parquet"), ("jsonl", "*.jsonl"), ("jsonl", "*.json"), ("csv", "*.csv")):
            if any(p.glob(pattern)):
                return fmt
        raise CorpusError(f"{path} is a folder with no dataset, Parquet, JSONL or CSV files in it")
    suffix = p.suffix.lower().lstrip(".")
    if path == "-" or suffix in ("json", "jsonl", "ndjson", ""):
        return "jsonl"
    if suffix in ("csv", "txt", "parquet"):
        return suffix
    raise CorpusError(f"cannot tell the format of {path} from its extension; pass --input-format "
                      f"{'|'.join(INPUT_FORMATS)}")


def _text_lines(stream: IO[bytes]) -> Iterator[tuple[str, bool]]:
    """Lines decoded as UTF-8; undecodable bytes are replaced and the line is flagged."""
    first = True
    for raw in stream:
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            first = False
        try:
            line, bad = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            line, bad = raw.decode("utf-8", errors="replace"), True
        yield line.rstrip("\r\n"), bad


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """Lone surrogates (from JSON "\\ud800" escapes or undecodable argv bytes) cannot be written as
    UTF-8; replace them with U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _make(rid, row: dict | None, text_fields, keep_fields, bad_utf8=False) -> InputRecord:
    warnings = ("invalid UTF-8 replaced",) if bad_utf8 else ()
    kept = {f: row.get(f) for f in keep_fields} if row is not None else {f: None for f in keep_fields}
    # JSON can carry lone surrogates ("\ud800") that no UTF-8 output can hold: replace them.
    kept = {k: replace_surrogates(v) if isinstance(v, str) else v for k, v in kept.items()}
    parts = []
    for f in text_fields:
        value = row.get(f) if row is not None else None
        if value is None:
            continue
        if not isinstance(value, str):
            return InputRecord(rid, None, f"field {f!r} is {type(value).__name__}, not text", kept, warnings)
        if value.strip():
            parts.append(value)
    if not parts:
        missing = [f for f in text_fields if row is None or f not in row]
        why = f"no field {', '.join(map(repr, missing))}" if missing else "empty text"
        return InputRecord(rid, None, why, kept, warnings)
    text = "\n\n".join(parts)
    if _SURROGATE.search(text):
        text, warnings = replace_surrogates(text), warnings + ("lone surrogates replaced",)
    if "\x00" in text:  # NUL bytes come from broken exports; they carry no text
        text, warnings = text.replace("\x00", " "), warnings + ("NUL characters replaced",)
    if len(text) > MAX_CHARS:
        text, warnings = text[:MAX_CHARS], warnings + (f"truncated to {MAX_CHARS} characters",)
    return InputRecord(rid, text, None, kept, warnings)


def _rows_jsonl(stream):
    for n, (line, bad) in enumerate(_text_lines(stream), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            yield n, None, f"line {n} is not valid JSON ({exc.msg})", bad
            continue
        if not isinstance(row, dict):
            yield n, None, f"line {n} is a JSON {type(row).__name__}, not an object", bad
            continue
        yield n, row, None, bad


def _rows_csv(stream):
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    for n, row in enumerate(csv.DictReader(text), 1):
        yield n, row, None, any("\ufffd" in v for v in row.values() if isinstance(v, str))


def _rows_txt(stream):
    for n, (line, bad) in enumerate(_text_lines(stream), 1):
        yield n, {"text": line}, None, bad


def _rows_parquet(paths):
    import pyarrow.parquet as pq

    n = 0
    for path in paths:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=2048):
            for row in batch.to_pylist():
                n += 1
                yield n, row, None, False


def _rows_hf(path):
    import datasets

    ds = datasets.load_from_disk(str(path))
    parts = ds.values() if isinstance(ds, datasets.DatasetDict) else [ds]
    n = 0
    for part in parts:
        for row in part:  # memory-mapped Arrow: rows are read lazily
            n += 1
            yield n, row, None, False


def read_rows(source: str | IO[bytes], fmt: str):
    """Yield (number, row or None, error or None, invalid UTF-8) from a path or a binary stream."""
    if fmt in ("parquet", "hf"):
        if not isinstance(source, str):
            raise CorpusError(f"{fmt} input must be a file or folder, not stdin")
        p = Path(source)
        if fmt == "hf":
            return _rows_hf(p)
        return _rows_parquet(sorted(p.glob("*.parquet")) if p.is_dir() else [p])
    if isinstance(source, str) and Path(source).is_dir():
        pattern = {"jsonl": "*.json*", "csv": "*.csv", "txt": "*.txt"}[fmt]
        return _concat(sorted(Path(source).glob(pattern)), fmt)
    stream = open(source, "rb") if isinstance(source, str) else source
    return {"jsonl": _rows_jsonl, "csv": _rows_csv, "txt": _rows_txt}[fmt](stream)


def _concat(paths, fmt):
    n = 0
    for path in paths:
        with open(path, "rb") as stream:
            for _, row, error, bad in {"jsonl": _rows_jsonl, "csv": _rows_csv, "txt": _rows_txt}[fmt](stream):
                n += 1
                yield n, row, error, bad


def read_records(source, fmt: str, text_fields=("text",), id_field="id", keep_fields=()) -> Iterator[InputRecord]:
    """Stream input records: one per row, line or JSON value, bad ones carrying an error."""
    if fmt not in INPUT_FORMATS:
        raise CorpusError(f"unknown input format {fmt!r}; use one of {', '.join(INPUT_FORMATS)}")
    if fmt == "txt":
        text_fields, keep_fields = ("text",), ()
    for n, row, error, bad in read_rows(source, fmt):
        if error:
            yield InputRecord(n, None, error, {f: None for f in keep_fields})
            continue
        rid = row.get(id_field) if fmt != "txt" else None
        yield _make(n if rid in (None, "") else rid, row, text_fields, keep_fields, bad)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Scraped posts repeat (the same ad in many groups): each process keeps the records of the last
# REMEMBERED posts it scored, by exact text, and copies them for a repeat: 13 MiB for 4,096
# records of the benchmark posts, texts included.
REMEMBERED = 4096
_LOADED: dict[str, tuple] = {}  # model folder -> (detector, its remembered records)
_GC_THRESHOLDS = (50_000, 10, 10)  # see load_detector


def load_detector(model_dir: str, freeze: bool = False) -> tuple:
    """(detector, remembered records): one per process, loaded on first use, so workers load the
    model once.

    With `freeze` (a process this package runs: the CLI, its workers, Spark's), everything loaded
    so far is frozen out of the cyclic collector, whose full collections walked the model's, the
    cues' and the modules' 60,000 objects: 18 of them took 0.35 of the 11.4 s of CPU that 20,000
    bench posts took with one job. Not in a caller's process (a notebook), where frozen objects
    that later form a cycle would never be freed.

    The young generation is also collected every 50,000 allocations instead of 700 (`_GC_THRESHOLDS`).
    A chunk's analyses and records live until the chunk is written, so frequent young collections
    promoted them and older ones walked them again: 20,000 bench posts took 9.47-9.76 s instead
    of 9.71-10.07 s, in three interleaved pairs, at the same peak RSS (106 MiB). Cycles are still
    collected."""
    if model_dir not in _LOADED:
        from recruit_detect.detector import Detector

        _LOADED[model_dir] = Detector.load(model_dir), OrderedDict()
        if freeze:
            gc.collect()
            gc.freeze()
            gc.set_threshold(*_GC_THRESHOLDS)
    return _LOADED[model_dir]


def _score_texts(detector, texts: list[str]) -> dict[str, dict]:
    """A record (id None) for each distinct text; one bad post must not sink the others, so a
    failed batch is scored again post by post."""
    from recruit_detect.detector import error_record

    try:
        return {t: detector.record(v, None) for t, v in zip(texts, detector.verdicts(texts))}
    except Exception:
        records = {}
        for t in texts:
            try:
                records[t] = detector.record(detector.verdicts([t])[0], None)
            except Exception as exc:
                records[t] = error_record(None, f"could not score this post ({type(exc).__name__}: {exc})",
                                          detector.name)
        return records


def score_chunk(model_dir: str, chunk: list[InputRecord], freeze: bool = False) -> list[dict]:
    from recruit_detect.detector import error_record

    detector, recent = load_detector(model_dir, freeze)
    fresh = list(dict.fromkeys(r.text for r in chunk if r.error is None and r.text not in recent))
    scored = _score_texts(detector, fresh) if fresh else {}
    out = []
    for r in chunk:
        if r.error is not None:
            rec = error_record(r.id, r.error, detector.name)
        else:
            known = recent.get(r.text)
            if known is not None:
                recent.move_to_end(r.text)
            rec = {**(known or scored[r.text]), "id": r.id}  # a shallow copy: nothing below changes the nested values
        if r.warnings:
            rec["warnings"] = list(r.warnings) + rec.get("warnings", [])
        rec.update(r.kept)
        out.append(rec)
    # Only clean records are remembered: an error or a pattern that ran out of time may not recur.
    for text, rec in scored.items():
        if not rec["error"] and "warnings" not in rec:
            recent[text] = rec
            if len(recent) > REMEMBERED:
                recent.popitem(last=False)
    return out


@dataclass(frozen=True)
class ScoredChunk:
    """One scored chunk as a worker returns it. `payload` is the chunk's output already encoded
    (JSONL or CSV text) or, for Parquet, its records. Encoding in the worker, not the parent,
    spares the parent unpickling every record's dict and encoding it again, on cores the
    workers need (with 2 jobs on 20,000 posts the parent now uses 1.2 s of CPU, the workers 27.7)."""

    records: int
    tallies: dict  # {"errors" or a band: how many records}
    payload: str | list[dict]


def encode(records: list[dict], fmt: str, columns) -> str | list[dict]:
    """Records as the text `Writer` appends for JSONL and CSV; Parquet keeps the dicts."""
    if fmt == "jsonl":
        return "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    if fmt == "csv":
        text = io.StringIO()
        rows = csv.writer(text)
        for rec in records:
            rows.writerow(["" if v is None else v for v in flat_record(rec, columns).values()])
        return text.getvalue()
    return records


def score_and_encode(model_dir: str, chunk: list[InputRecord], fmt: str, columns, freeze: bool = False) -> ScoredChunk:
    records = score_chunk(model_dir, chunk, freeze)
    tallies: dict = {}
    for rec in records:
        key = "errors" if rec["error"] else rec["band"]
        tallies[key] = tallies.get(key, 0) + 1
    return ScoredChunk(len(records), tallies, encode(records, fmt, columns))


def score_chunks(records: Iterable[InputRecord], model_dir: str, jobs: int, fmt: str, columns,
                 chunk_size: int = 256, freeze: bool = False) -> Iterator[ScoredChunk]:
    """Score records in order, a chunk at a time, encoded for output format `fmt` with `columns`
    (CSV); with jobs > 1, chunks go to joblib worker processes, which always `freeze` (see
    `load_detector`); with one job, this process does when asked."""
    chunks = _chunks(records, chunk_size)
    if jobs <= 1:
        for chunk in chunks:
            yield score_and_encode(model_dir, chunk, fmt, columns, freeze)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs")
    yield from parallel(delayed(score_and_encode)(model_dir, c, fmt, columns, True) for c in chunks)


def flat_record(rec: dict, columns) -> dict:
    """A score record as flat columns for CSV, Parquet and Spark: `risk` and `illegal` keep their
    types, cues / entities / warnings become JSON text, everything else text; missing is None."""
    out = {}
    for c in columns:
        v = rec.get(c)
        if v is None or c in ("risk", "illegal"):
            out[c] = v
        else:
            out[c] = json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)
    return out


class Writer:
    """Writes score records to stdout, or to OUTPUT through OUTPUT.partial, renamed into place
    only when the run completes. After every chunk, OUTPUT.partial.state records how many input
    records and bytes are safely written, so `--resume` continues exactly where a run stopped."""

    def __init__(self, output: str, fmt: str, keep_fields=(), resume: bool = False, fingerprint: str = ""):
        self.output, self.fmt, self.keep_fields = output, fmt, tuple(keep_fields)
        self.columns = SCORE_FIELDS + ("warnings",) + self.keep_fields
        self.done = 0  # records already written by an earlier, interrupted run
        self.fingerprint = fingerprint
        self.parquet = None
        self.buffer: list[dict] = []
        if output == "-":
            if fmt == "parquet":
                raise CorpusError("Parquet output needs a file: pass -o OUTPUT.parquet")
            self.partial = None
            self.stream = sys.stdout
        else:
            self.partial = Path(output + ".partial")
            self.state = Path(output + ".partial.state")
            if resume and fmt == "parquet":
                raise CorpusError("--resume works with JSONL and CSV output; rerun without --resume")
            if resume and self.partial.exists() and self.state.exists():
                state = json.loads(self.state.read_text())
                if state.get("fingerprint") != fingerprint:
                    raise CorpusError(f"{self.partial} was written for other input or options; rerun without --resume "
                                      "to start over")
                self.done = state["records"]
                with open(self.partial, "r+b") as f:
                    f.truncate(state["bytes"])  # drop a record cut off mid-write
                self.stream = open(self.partial, "a", encoding="utf-8", newline="")
            else:
                self.stream = open(self.partial, "w", encoding="utf-8", newline="") if fmt != "parquet" else None
        if fmt == "csv" and self.done == 0:
            csv.writer(self.stream).writerow(self.columns)

    def write(self, payload: str | list[dict]) -> None:
        """Append one chunk's `encode` output."""
        if isinstance(payload, str):
            self.stream.write(payload)
            return
        self.buffer += payload
        if len(self.buffer) >= 8192:
            self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.buffer:
            return
        columns = {k: [] for k in self.columns}
        for rec in self.buffer:
            for k, v in flat_record(rec, self.columns).items():
                columns[k].append(v)
        schema = pa.schema([(k, pa.float64() if k == "risk" else pa.bool_() if k == "illegal" else pa.string())
                            for k in self.columns])
        table = pa.table(columns, schema=schema)
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.partial, schema)
        self.parquet.write_table(table)
        self.buffer = []

    def checkpoint(self, records: int) -> None:
        """Everything up to `records` input records (this run's count) is on disk."""
        if self.partial is None or self.fmt == "parquet":
            return
        self.stream.flush()
        os.fsync(self.stream.fileno())
        tmp = self.state.with_name(self.state.name + ".tmp")
        tmp.write_text(json.dumps({"records": self.done + records, "bytes": self.partial.stat().st_size,
                                   "fingerprint": self.fingerprint}))
        os.replace(tmp, self.state)

    def close(self, ok: bool = True, discard: bool = False) -> None:
        """Rename the partial file into place when `ok`; else keep it for `--resume`, unless `discard`."""
        if self.partial is None:
            self.stream.flush()
            return
        if self.fmt == "parquet":
            if ok:
                self._flush_parquet()
                if self.parquet is None:  # no records at all: still write a valid, empty file
                    self._flush_parquet_empty()
            if self.parquet is not None:
                self.parquet.close()
        else:
            self.stream.close()
        if ok:
            os.replace(self.partial, self.output)
            self.state.unlink(missing_ok=True)
        elif discard:
            self.partial.unlink(missing_ok=True)
            self.state.unlink(missing_ok=True)

    def _flush_parquet_empty(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([(k, pa.string()) for k in self.columns])
        self.parquet = pq.ParquetWriter(self.partial, schema)

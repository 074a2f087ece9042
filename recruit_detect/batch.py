"""Batch scoring: read posts from JSONL / CSV / TXT (file or stdin) as a stream, score them in
chunks (in parallel worker processes when asked), and write one record per input, in order.

A row that cannot be scored keeps its place with `error` set; nothing is dropped.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

from recruit_detect.errors import CorpusError

MAX_CHARS = 20_000  # longer posts are truncated (and flagged): no real ad is longer
INPUT_FORMATS = ("jsonl", "csv", "txt")
OUTPUT_FORMATS = ("jsonl", "csv")
SCORE_FIELDS = ("id", "risk", "band", "illegal", "cues", "entities", "model", "error")


@dataclass(frozen=True)
class InputRecord:
    id: object
    text: str | None
    error: str | None = None
    kept: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def input_format(path: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    suffix = Path(path).suffix.lower().lstrip(".")
    if path == "-" or suffix in ("json", "jsonl", "ndjson", ""):
        return "jsonl"
    if suffix in ("csv", "txt"):
        return suffix
    raise CorpusError(f"cannot tell the format of {path} from its extension; pass --input-format jsonl|csv|txt")


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


def _make(rid, row: dict | None, text_fields, keep_fields, bad_utf8=False) -> InputRecord:
    warnings = ("invalid UTF-8 replaced",) if bad_utf8 else ()
    kept = {f: row.get(f) for f in keep_fields} if row is not None else {f: None for f in keep_fields}
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
    if len(text) > MAX_CHARS:
        text, warnings = text[:MAX_CHARS], warnings + (f"truncated to {MAX_CHARS} characters",)
    return InputRecord(rid, text, None, kept, warnings)


def read_records(stream: IO[bytes], fmt: str, text_fields=("text",), id_field="id",
                 keep_fields=()) -> Iterator[InputRecord]:
    """Stream input records from a binary stream."""
    if fmt == "jsonl":
        for n, (line, bad) in enumerate(_text_lines(stream), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                yield InputRecord(n, None, f"line {n} is not valid JSON ({exc.msg})", {f: None for f in keep_fields})
                continue
            if not isinstance(row, dict):
                yield InputRecord(n, None, f"line {n} is a JSON {type(row).__name__}, not an object",
                                  {f: None for f in keep_fields})
                continue
            rid = row.get(id_field)
            yield _make(n if rid is None else rid, row, text_fields, keep_fields, bad)
    elif fmt == "txt":
        for n, (line, bad) in enumerate(_text_lines(stream), 1):
            yield _make(n, {"text": line}, ("text",), (), bad)
    elif fmt == "csv":
        raw = stream.read()
        try:
            text, bad = raw.decode("utf-8-sig"), False
        except UnicodeDecodeError:
            text, bad = raw.decode("utf-8-sig", errors="replace"), True
        reader = csv.DictReader(io.StringIO(text, newline=""))
        for n, row in enumerate(reader, 1):
            rid = row.get(id_field)
            yield _make(n if rid in (None, "") else rid, row, text_fields, keep_fields, bad and "\ufffd" in str(row))
    else:
        raise CorpusError(f"unknown input format {fmt!r}; use one of {', '.join(INPUT_FORMATS)}")


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_WORKER_DETECTORS: dict = {}


def _detector(model_dir: str):
    """One detector per process, loaded on first use: workers load the model once."""
    if model_dir not in _WORKER_DETECTORS:
        from recruit_detect.detector import Detector

        _WORKER_DETECTORS[model_dir] = Detector.load(model_dir)
    return _WORKER_DETECTORS[model_dir]


def score_chunk(model_dir: str, chunk: list[InputRecord]) -> list[dict]:
    from recruit_detect.detector import error_record

    detector = _detector(model_dir)
    good = [r for r in chunk if r.error is None]
    records = {}
    try:
        verdicts = detector.verdicts([r.text for r in good])
        records = {id(r): detector.record(v, r.id) for r, v in zip(good, verdicts)}
    except Exception:  # one bad post must not sink its chunk: score the chunk post by post
        for r in good:
            try:
                records[id(r)] = detector.record(detector.verdicts([r.text])[0], r.id)
            except Exception as exc:
                records[id(r)] = error_record(r.id, f"could not score this post ({type(exc).__name__}: {exc})",
                                              detector.name)
    out = []
    for r in chunk:
        rec = records.get(id(r)) or error_record(r.id, r.error, detector.name)
        if r.warnings:
            rec["warnings"] = list(r.warnings)
        rec.update(r.kept)
        out.append(rec)
    return out


def score_stream(records: Iterable[InputRecord], model_dir: str, jobs: int = 1, chunk_size: int = 256) -> Iterator[dict]:
    """Score records in order; with jobs > 1, chunks go to joblib worker processes."""
    if jobs <= 1:
        for chunk in _chunks(records, chunk_size):
            yield from score_chunk(model_dir, chunk)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs")
    for out in parallel(delayed(score_chunk)(model_dir, c) for c in _chunks(records, chunk_size)):
        yield from out


class Writer:
    """Writes score records as JSONL or CSV to stdout or, atomically, to a file."""

    def __init__(self, output: str, fmt: str, keep_fields=()):
        self.output, self.fmt, self.keep_fields = output, fmt, tuple(keep_fields)
        self.tmp = None
        if output == "-":
            self.stream = sys.stdout
        else:
            target = Path(output)
            fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
            self.stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self.csv = None
        if fmt == "csv":
            self.csv = csv.writer(self.stream)
            self.csv.writerow(SCORE_FIELDS + ("warnings",) + self.keep_fields)

    def write(self, rec: dict) -> None:
        if self.csv is None:
            self.stream.write(json.dumps(rec, ensure_ascii=False) + "\n")
            return
        row = []
        for key in SCORE_FIELDS + ("warnings",) + self.keep_fields:
            value = rec.get(key)
            if isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False)
            row.append("" if value is None else value)
        self.csv.writerow(row)

    def close(self, ok: bool = True) -> None:
        if self.tmp is None:
            self.stream.flush()
            return
        self.stream.close()
        if ok:
            os.replace(self.tmp, self.output)
        else:
            os.unlink(self.tmp)

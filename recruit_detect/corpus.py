"""Read labelled corpora: the project's JSONL (DESIGN 4.1) or any CSV / JSONL / Parquet file or
saved Hugging Face dataset, through a column mapping. Files are never renamed or rewritten."""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from recruit_detect.cue_spans import Span, parse_annotation
from recruit_detect.errors import CorpusError

FORMATS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".tsv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class Mapping:
    """Which columns hold the text (joined with a blank line), the label, the id, the group, the
    subtype and the annotated cue spans."""

    text_fields: tuple[str, ...] = ("text",)
    label_field: str = "label"
    positive: tuple[str, ...] = ("illegal",)
    id_field: str = "id"
    group_field: str | None = "group"
    subtype_field: str | None = "subtype"
    cues_field: str | None = "cues"


@dataclass(frozen=True)
class Post:
    id: str
    text: str
    label: str  # the original label value, as a string
    illegal: int  # 1 when label is one of Mapping.positive
    group: str
    subtype: str = ""
    source: str = ""
    # Annotated un-negated and negated cue spans (cue_spans.parse_annotation); None when the row
    # has none. Only the project's single text field has offsets that mean something.
    spans: tuple[Span, ...] | None = None
    denied: tuple[Span, ...] | None = None


def read_rows(path: str | os.PathLike) -> list[dict]:
    """All rows of a CSV / JSONL / Parquet file or a `save_to_disk` dataset folder, via `datasets`."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path} does not exist; check the path")
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    try:
        if path.is_dir():
            ds = datasets.load_from_disk(str(path))
            if isinstance(ds, datasets.DatasetDict):
                ds = datasets.concatenate_datasets(list(ds.values()))
        else:
            fmt = FORMATS.get(path.suffix.lower())
            if fmt is None:
                raise CorpusError(f"{path}: unknown format {path.suffix!r}; use .jsonl, .csv, .tsv, .parquet or a "
                                  "saved Hugging Face dataset folder")
            kwargs = {"delimiter": "\t"} if path.suffix.lower() == ".tsv" else {}
            # A throw-away cache: `load_dataset` converts the file to Arrow in its cache folder,
            # which kept a copy of every corpus file ever read under ~/.cache (1.2 GB after a
            # few bench_train runs), and the rows are read once.
            with tempfile.TemporaryDirectory(prefix="recruit-detect-") as cache:
                return datasets.load_dataset(fmt, data_files=str(path), split="train", cache_dir=cache,
                                             **kwargs).to_list()
    except CorpusError:
        raise
    except Exception as exc:
        raise CorpusError(f"{path} could not be read ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
                          "check that the file is valid for its extension") from None
    return ds.to_list()


def load_posts(paths, mapping: Mapping = Mapping()) -> list[Post]:
    posts = []
    for path in paths:
        rows = read_rows(path)
        if not rows:
            raise CorpusError(f"{path} has no rows")
        missing = [f for f in (*mapping.text_fields, mapping.label_field) if f not in rows[0]]
        if missing:
            raise CorpusError(f"{path} has no column {', '.join(map(repr, missing))}; its columns are "
                              f"{', '.join(rows[0])}; map them with --text-field / --label-field")
        for n, row in enumerate(rows, 1):
            parts = [str(row[f]) for f in mapping.text_fields if row.get(f) not in (None, "")]
            label = row.get(mapping.label_field)
            if not parts or label is None:
                continue
            label = str(label)
            rid = row.get(mapping.id_field)
            rid = str(rid) if rid not in (None, "") else f"{Path(path).name}:{n}"
            group = row.get(mapping.group_field) if mapping.group_field else None
            subtype = row.get(mapping.subtype_field) if mapping.subtype_field else None
            spans = denied = None
            if mapping.cues_field and len(mapping.text_fields) == 1:
                value = row.get(mapping.cues_field)
                spans, denied = parse_annotation(value), parse_annotation(value, negated=True)
            posts.append(Post(rid, "\n\n".join(parts), label, int(label in mapping.positive),
                              str(group) if group not in (None, "") else "", str(subtype or ""), str(path), spans,
                              denied))
    if not posts:
        raise CorpusError("no labelled posts found; check --text-field and --label-field")
    return posts


def project_corpus_files(root: str | os.PathLike = "corpus") -> list[Path]:
    return sorted(Path(root).glob("*.jsonl"))


def fingerprint(paths) -> str:
    """sha256 over the names and bytes of the corpus files, to tell when a model is stale."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()

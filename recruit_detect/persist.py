"""Model folders: `model.skops` + `metadata.json` (with the file's sha256) + `MODEL_CARD.md`.

Loading verifies the hash, refuses symlinks that leave the folder, and lets skops build only the
types on TRUSTED below; anything else fails closed. Pickle and joblib are never used for models.
Scoring reads the same file as data alone (`read_model_data`): no object is built and no class
imported, so it needs neither skops nor scikit-learn.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from recruit_detect.errors import ModelError, UntrustedModelError

FORMAT_VERSION = 2  # 2: the stacked model with a memory (model.RiskModel)
SKOPS_PROTOCOL = 2  # the schema version of skops files that read_model_data reads
MODEL_FILE, METADATA_FILE, CARD_FILE = "model.skops", "metadata.json", "MODEL_CARD.md"

# Every type a recruit-detect model is built from. Kept in code, never read from the model file.
TRUSTED = (
    "builtins.slice",
    "numpy.dtype",
    "numpy.float16",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "numpy.random.mtrand.RandomState",
    "recruit_detect.features.BlockTfidf",
    "recruit_detect.features.CueFeatures",
    "recruit_detect.features.HashedChars",
    "recruit_detect.features.HashedWords",
    "recruit_detect.model.RiskModel",
    "recruit_detect.span_tagger.SpanTagger",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "sklearn.svm._classes.LinearSVC",
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inside(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.exists():
        raise ModelError(f"{path} is missing; train a model with `recruit-detect train` or point --model at a model folder")
    if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
        raise UntrustedModelError(f"{path} is a link that points outside the model folder; copy the real file into {folder}")
    return path


def save_model(folder: str | os.PathLike, model, metadata: dict, card: str) -> dict:
    """Write the model atomically: a temporary folder is filled, then renamed into place."""
    import skops.io as sio

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        sio.dump(model, tmp / MODEL_FILE)
        metadata = {**metadata, "format_version": FORMAT_VERSION, "sha256": sha256(tmp / MODEL_FILE)}
        (tmp / METADATA_FILE).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / CARD_FILE).write_text(card, encoding="utf-8")
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            os.replace(folder, old)
            os.replace(tmp, folder)
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
        else:
            os.replace(tmp, folder)
    finally:
        if tmp.exists():
            for f in tmp.iterdir():
                f.unlink()
            tmp.rmdir()
    return metadata


def read_metadata(folder: str | os.PathLike) -> dict:
    path = _inside(Path(folder), METADATA_FILE)
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}); retrain the model") from None
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{path} has format version {metadata.get('format_version')!r}, this recruit-detect reads "
                         f"{FORMAT_VERSION}; retrain the model with this version")
    return metadata


def check_model(folder: str | os.PathLike) -> dict:
    """Every check of `load_model` that needs neither skops nor scikit-learn (which take seconds
    to import): the folder, its metadata and the model file's hash. Returns the metadata."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(f"model folder {folder} does not exist; pass --model DIR or set RECRUIT_DETECT_MODEL")
    metadata = read_metadata(folder)
    path = _inside(folder, MODEL_FILE)
    if sha256(path) != metadata.get("sha256"):
        raise UntrustedModelError(f"{path} does not match the sha256 in {METADATA_FILE}; the file was changed "
                                  "after training: retrain or restore the original")
    return metadata


class UnreadableModelData(Exception):
    """The file holds a node `read_model_data` does not read (another skops format, say):
    load it with `load_model` instead."""


def _node_data(node: dict, archive: zipfile.ZipFile):
    """The value of one skops schema node as plain data: JSON values, lists, dicts, and numeric
    arrays read with `allow_pickle=False`. An object becomes a dict of its attributes with its
    type name under "__type__", and only a type on TRUSTED is accepted."""
    loader = node.get("__loader__")
    if loader == "JsonNode":
        return json.loads(node["content"])
    if loader in ("ListNode", "TupleNode"):
        return [_node_data(item, archive) for item in node["content"]]
    if loader == "DictNode":
        return {key: _node_data(value, archive) for key, value in node["content"].items()}
    if loader == "ObjectNode":
        name = f"{node['__module__']}.{node['__class__']}"
        if name not in TRUSTED:
            raise UntrustedModelError(f"the model file holds a {name}, which is not on the trusted list; refusing to load it")
        state = _node_data(node["content"], archive)
        if not isinstance(state, dict):  # an object saved by its own reducer, not as attributes
            raise UnreadableModelData(f"a {name} not saved as attributes")
        return {"__type__": name, **state}
    if loader == "NdArrayNode" and node.get("type") == "numpy":
        with archive.open(node["file"]) as f:
            try:
                return np.load(io.BytesIO(f.read()), allow_pickle=False)
            except ValueError:  # an array of Python objects, which only unpickling could build
                raise UntrustedModelError(f"the model file's {node['file']} is not an array of numbers; refusing to "
                                          "load it") from None
    raise UnreadableModelData(f"a skops {loader} node")


def read_model_data(folder: str | os.PathLike) -> tuple[dict, dict]:
    """Return (the model as data, metadata) after `check_model`'s checks; see `_node_data`."""
    metadata = check_model(folder)
    path = Path(folder) / MODEL_FILE
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
            if schema.get("protocol") != SKOPS_PROTOCOL:
                raise UnreadableModelData(f"skops protocol {schema.get('protocol')!r}")
            return _node_data(schema, archive), metadata
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise UntrustedModelError(f"{path} is not a skops model file ({type(exc).__name__}); only skops files "
                                  "made by `recruit-detect train` are loaded") from None


def load_model(folder: str | os.PathLike):
    """Return (model, metadata), or raise ModelError / UntrustedModelError with the fix."""
    import skops.io as sio

    metadata = check_model(folder)
    path = Path(folder) / MODEL_FILE
    try:
        untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED))
    except Exception as exc:  # not a skops archive at all (a pickle, a joblib file, garbage)
        raise UntrustedModelError(f"{path} is not a skops model file ({type(exc).__name__}); only skops files "
                                  "made by `recruit-detect train` are loaded") from None
    if untrusted:
        raise UntrustedModelError(f"{path} needs types that are not on the trusted list ({', '.join(untrusted)}); "
                                  "refusing to load it")
    try:
        model = sio.load(path, trusted=list(TRUSTED))
    except Exception as exc:
        raise UntrustedModelError(f"{path} could not be loaded safely ({type(exc).__name__}: {exc})") from None
    return model, metadata

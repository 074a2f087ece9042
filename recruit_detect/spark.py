"""Score posts on a Spark cluster: `mapInPandas` runs the same chunk scorer as the local path on
each partition. The model folder is shipped to the executors once (`SparkContext.addFile`) and
loaded once per Python worker.

    from recruit_detect.spark import score_dataframe
    scored = score_dataframe(spark.read.parquet("posts/"), "models/default", text_fields=("caption",))

Needs the `spark` extra: pip install 'recruit-detect[spark]'.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from recruit_detect.batch import SCORE_FIELDS
from recruit_detect.errors import CorpusError

_TYPES = {"risk": "double", "illegal": "boolean"}


def output_schema(keep_fields=()) -> str:
    return ", ".join(f"`{c}` {_TYPES.get(c, 'string')}" for c in SCORE_FIELDS + ("warnings",) + tuple(keep_fields))


def _partition_scorer(model_name: str, text_fields, id_field, keep_fields, chunk_size: int):
    """A module-level factory, so the closure Spark pickles holds only plain values."""
    def score_partitions(frames):
        import pandas as pd
        from pyspark import SparkFiles

        from recruit_detect.batch import InputRecord, _make, flat_record, score_chunk

        model_dir = SparkFiles.get(model_name)
        columns = list(SCORE_FIELDS + ("warnings",) + tuple(keep_fields))
        for frame in frames:
            rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
            records = [InputRecord(row.get(id_field), None, "not valid JSON", {f: row.get(f) for f in keep_fields})
                       if row.get("_corrupt_record") else _make(row.get(id_field), row, text_fields, keep_fields)
                       for row in rows]
            scored = []
            for start in range(0, len(records), chunk_size):
                chunk = records[start:start + chunk_size]
                scored += [flat_record(r, columns) for r in score_chunk(model_dir, chunk, freeze=True)]
            yield pd.DataFrame(scored, columns=columns)
    return score_partitions


def score_dataframe(df, model_dir, text_fields=("text",), id_field: str = "id", keep_fields=(), chunk_size: int = 256):
    """Return a DataFrame with one score record per input row (DESIGN 4.2; cues and entities as JSON)."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    folder = Path(model_dir).resolve()
    if not folder.is_dir():
        raise CorpusError(f"model folder {folder} does not exist")
    spark = df.sparkSession
    spark.sparkContext.addFile(str(folder), recursive=True)
    if id_field not in df.columns:  # like the local path: number the rows from 1, in input order
        df = df.withColumn("_order", F.monotonically_increasing_id())
        df = df.withColumn(id_field, F.row_number().over(Window.orderBy("_order")).cast("string")).drop("_order")
    for field in text_fields:
        if field not in df.columns:
            df = df.withColumn(field, F.lit(None).cast("string"))
    df = df.withColumn(id_field, F.col(id_field).cast("string"))
    scorer = _partition_scorer(folder.name, tuple(text_fields), id_field, tuple(keep_fields), chunk_size)
    return df.mapInPandas(scorer, output_schema(keep_fields))


def session(master: str | None = None):
    """A Spark session: the active one under spark-submit, else a local one on all cores."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master(master or os.environ.get("SPARK_MASTER", "local[*]"))
            .appName("recruit-detect").config("spark.ui.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())


def score_path(input_path: str, fmt: str, output: str, model_dir: str, text_fields=("text",), id_field="id",
               keep_fields=(), master: str | None = None) -> int:
    """Score a Parquet / JSONL / CSV file or folder with Spark; write a Parquet folder when OUTPUT
    ends in .parquet, else a folder of JSON-lines part files. Returns the number of records."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise CorpusError("Spark scoring needs pyspark: pip install 'recruit-detect[spark]'") from None
    if output == "-":
        raise CorpusError("--engine spark writes a folder: pass -o OUTPUT_FOLDER")
    spark = session(master)
    reader = spark.read
    if fmt == "parquet":
        df = reader.parquet(input_path)
    elif fmt == "jsonl":
        df = reader.option("mode", "PERMISSIVE").json(input_path)
    elif fmt == "csv":
        df = reader.option("header", True).option("multiLine", True).option("escape", '"').csv(input_path)
    else:
        raise CorpusError(f"--engine spark reads Parquet, JSONL or CSV, not {fmt}")
    scored = score_dataframe(df, model_dir, text_fields, id_field, keep_fields)
    scored = scored.cache()
    n = scored.count()
    writer = scored.write.mode("overwrite")
    writer.parquet(output) if output.endswith(".parquet") else writer.json(output)
    return n

"""Parity: Spark (local, the same stages and the same core function in its tasks) writes the same
rows as embedded DuckDB on one small export: every assessment, worklist row, error, measure count
and summary figure. One small export keeps CI fast (a Spark session costs seconds to start)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq

from igcds.knowledge.policy import Policy
from igcds.population import synth
from igcds.population.progress import Progress
from igcds.population.run import RunSettings, run
from tests.test_population import AS_OF


def test_spark_and_duckdb_write_the_same_rows(tmp_path: Path, policy: Policy) -> None:
    export = tmp_path / "export"
    synth.generate(48, export, seed=11, as_of=AS_OF, enrich=20)
    summaries = {}
    for engine in ("duckdb", "spark"):
        settings = RunSettings(AS_OF, policy, engine=engine, workers=1, spark_master="local[2]")
        summaries[engine] = run(export, tmp_path / engine, settings, Progress(io.StringIO()))
    duck, spark = tmp_path / "duckdb", tmp_path / "spark"
    for name in ("assessments.ndjson", "worklist.csv", "errors.ndjson"):
        rows = (duck / name).read_text(encoding="utf-8").splitlines()
        assert rows == (spark / name).read_text(encoding="utf-8").splitlines(), name
    assessments = (duck / "assessments.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(assessments) > 15
    assert pq.read_table(duck / "worklist.parquet").equals(pq.read_table(spark / "worklist.parquet"))
    assert json.loads((duck / "measures.json").read_bytes()) == json.loads((spark / "measures.json").read_bytes())
    for summary in summaries.values():
        summary.pop("elapsed_s")
    assert summaries["spark"].pop("engine") == "spark"
    assert summaries["duckdb"].pop("engine") == "duckdb"
    assert summaries["spark"] == summaries["duckdb"]
    assert summaries["duckdb"]["errors"] >= 2

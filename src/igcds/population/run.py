"""One population run: census, grouping and assessment on the chosen engine, then the outputs."""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from igcds.domain.errors import InputError
from igcds.knowledge import loader
from igcds.knowledge.policy import Policy
from igcds.population import prefilter, stages
from igcds.population.outputs import OutputWriter
from igcds.population.pool import assess_all
from igcds.population.progress import Progress
from igcds.version import __version__

Engine = Literal["duckdb", "spark"]


@dataclass(frozen=True, slots=True)
class RunSettings:
    as_of: date
    policy: Policy
    engine: Engine = "duckdb"
    workers: int = os.cpu_count() or 1
    memory_limit: str = "512MB"  # DuckDB's; it spills the rest to a temporary directory
    spark_master: str | None = None


def run(export_dir: Path, out_dir: Path, settings: RunSettings, progress: Progress | None = None) -> dict[str, Any]:
    """Writes the outputs into `out_dir` and returns summary.json's content."""
    progress = progress or Progress()
    started = time.monotonic()
    kb = loader.load()
    files = stages.export_files(export_dir)
    signals = prefilter.signal_patterns(kb)
    writer = OutputWriter(out_dir, kb, settings.as_of)
    label = f"reading {sum(len(p) for p in files.values())} files ({', '.join(files)}) with {settings.engine}"
    progress.step(label)
    if settings.engine == "spark":
        from igcds.population.spark import SparkEngine

        spark = SparkEngine(settings.spark_master, max(2, settings.workers * 2))
        try:
            census = spark.census(files, signals)
            progress.step(_census_line(census))
            for outcome in progress.track(
                spark.outcomes(settings.as_of, settings.policy), census.candidates, "assessed"
            ):
                writer.add(outcome)
        finally:
            spark.close()
    else:
        import duckdb

        from igcds.population.duck import DuckEngine

        with tempfile.TemporaryDirectory(prefix="igcds-duckdb-") as spill:
            duck = DuckEngine(Path(spill), settings.memory_limit, settings.workers)
            try:
                census = duck.census(files, signals)
                progress.step(_census_line(census))
                outcomes = assess_all(duck.groups(files), settings.as_of, settings.policy, settings.workers)
                for outcome in progress.track(outcomes, census.candidates, "assessed"):
                    writer.add(outcome)
            except duckdb.Error as error:  # one line naming the file, never the record DuckDB quotes
                writer.abandon()
                raise unreadable_export(export_dir, str(error)) from None
            finally:
                duck.close()
    summary = writer.finish(
        census,
        {
            "engine": settings.engine,
            "as_of": settings.as_of.isoformat(),
            "igcds_version": __version__,
            "knowledge_version": kb.version,
            "elapsed_s": round(time.monotonic() - started, 2),
        },
    )
    progress.step(
        f"{summary['assessed']} assessed, {summary['not_candidates']} not candidates, {summary['errors']} errors "
        f"in {summary['elapsed_s']} s -> {out_dir}"
    )
    return summary


def _census_line(census: stages.Census) -> str:
    return (
        f"{census.patients_read} patients, {census.candidates} candidates, "
        f"{len(census.error_patients)} unreadable, {census.orphan_resources} records for "
        f"{census.missing_patients} patients not in the export"
    )


def unreadable_export(export_dir: Path, message: str) -> InputError:
    """What DuckDB could not read, said in one line: the file, and whether it is not gzip or not
    UTF-8 NDJSON. DuckDB's own message quotes the offending line (patient data), so it is not shown."""
    named = re.search(r"[\w./-]+\.ndjson(?:\.gz)?", message)
    where = named.group(0) if named else str(export_dir)
    if "gzip" in message.lower():
        return InputError(where, None, "not a gzip file")
    return InputError(where, None, "not UTF-8 NDJSON (one JSON resource per line)")

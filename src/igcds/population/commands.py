"""The `igcds population` and `igcds synth` commands (registered in the CLI app). They run under
the CLI's central error handler: bad input is one line on stderr and exit 2."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class EngineChoice(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def _missing_extra(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


def population_command(
    export_dir: Annotated[
        Path, typer.Argument(metavar="EXPORT_DIR", help="FHIR Bulk Data export: <Type>.ndjson or .ndjson.gz files.")
    ],
    as_of: Annotated[str, typer.Option("--as-of", help="Assessment date YYYY-MM-DD (required: one date for all).")],
    policy_file: Annotated[Path | None, typer.Option("--policy", help="TOML file overriding site policy.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for the outputs (created if missing).")] = Path(
        "igcds-population"
    ),
    engine: Annotated[
        EngineChoice, typer.Option("--engine", help="duckdb (embedded, default) or spark (local[*] or --spark-master).")
    ] = EngineChoice.duckdb,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Assessment processes (default: the CPU count).")
    ] = None,
    memory_limit: Annotated[
        str, typer.Option("--memory-limit", help="DuckDB memory limit; the rest spills to a temporary directory.")
    ] = "512MB",
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark master URL (default: local[*], or spark-submit's).")
    ] = None,
) -> None:
    """Assess every patient of a FHIR Bulk Data export: the clinic's worklist and quality measures.

    Writes assessments.ndjson, worklist.parquet and worklist.csv (critical first), measures.json
    (FHIR MeasureReport Bundle), errors.ndjson and summary.json into --out. Every Patient lands in
    exactly one of assessed, not candidate (nothing on record puts them in scope) or error.
    """
    from igcds.cli.assess_input import parse_as_of
    from igcds.cli.program import guarded, load_policy

    def run() -> None:
        import os
        import shutil

        from igcds.domain.errors import InputError
        from igcds.population.run import RunSettings
        from igcds.population.run import run as run_population

        needed = ["duckdb", "pyarrow"] + (["pyspark"] if engine is EngineChoice.spark else [])
        missing = [name for name in needed if _missing_extra(name)]
        if missing:
            raise InputError("igcds population", None, f"needs {', '.join(missing)}: pip install 'igcds[population]'")
        if engine is EngineChoice.spark and not (shutil.which("java") or os.environ.get("JAVA_HOME")):
            raise InputError(
                "igcds population --engine spark", None, "needs Java 17 (no java on the PATH, no JAVA_HOME)"
            )
        settings = RunSettings(
            as_of=parse_as_of(as_of),
            policy=load_policy(policy_file),
            engine=engine.value,
            workers=workers or os.cpu_count() or 1,
            memory_limit=memory_limit,
            spark_master=spark_master,
        )
        run_population(export_dir, out, settings)

    guarded(run)


def synth_command(
    count: Annotated[int, typer.Argument(metavar="N", min=1, help="Number of patients.")],
    out_dir: Annotated[Path, typer.Argument(metavar="OUTDIR", help="Directory for the NDJSON files.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same export.")] = 1,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Records are dated up to this day YYYY-MM-DD (default: today).")
    ] = None,
    enrich: Annotated[
        float, typer.Option("--enrich", help="Multiply every pathway's prevalence (small exports with every pathway).")
    ] = 1.0,
) -> None:
    """Write a synthetic FHIR Bulk Data export for tests and benchmarks (no real person in it).

    Each pathway (hyper-IgM, selective IgM deficiency, warning-sign infections, ...) at a known
    prevalence, repeat labs and infusions, resources shuffled across patients, a few broken records.
    """
    from igcds.cli.assess_input import parse_as_of
    from igcds.cli.program import guarded

    def run() -> None:
        from igcds.domain.errors import InputError
        from igcds.population import synth

        day = parse_as_of(as_of)
        try:
            counts = synth.generate(count, out_dir, seed, day, enrich)
        except ValueError as error:
            raise InputError("--enrich", None, str(error)) from None
        except OSError as error:
            raise InputError(str(out_dir), None, f"cannot write ({error.strerror})") from None
        typer.echo(f"{count} patients written to {out_dir} (seed {seed})")
        for pathway, patients in counts.most_common():
            typer.echo(f"  {pathway:36} {patients}")

    guarded(run)

"""The files a population run writes into --out (schemas in docs/population.md):
assessments.ndjson, worklist.parquet, worklist.csv, measures.json, errors.ndjson, summary.json.
Outcomes arrive in patient order from either engine; everything written is a function of them and
of the census, so both engines write the same rows."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import IO, Any

from igcds.domain.assessment import PRIORITY_ORDER
from igcds.domain.errors import InputError
from igcds.knowledge.loader import KnowledgeBase
from igcds.population.core import Outcome
from igcds.population.measures import MeasureCounter
from igcds.population.stages import Census, ErrorRecord

WORKLIST_COLUMNS = (
    "patient",
    "diagnosis",
    "code",
    "recommendation_id",
    "priority",
    "due_date",
    "action",
    "reason",
    "citations",
)


def worklist_rows(assessment: dict[str, Any]) -> list[dict[str, str]]:
    """One row per recommendation, due by the core's deadline where it set one (a measles
    post-exposure window), else as of the assessment date."""
    return [
        {
            "patient": assessment["patient"]["id"],
            "diagnosis": assessment["diagnosis"]["code"],
            "code": rec["code"],
            "recommendation_id": rec["id"],
            "priority": rec["priority"],
            "due_date": rec.get("due") or assessment["as_of"],
            "action": rec["title"],
            "reason": rec["rationale"],
            "citations": " ".join(rec["citations"]),
        }
        for rec in assessment["recommendations"]
    ]


class OutputWriter:
    def __init__(self, out_dir: Path, kb: KnowledgeBase, as_of: date) -> None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            self._assessments: IO[str] = (out_dir / "assessments.ndjson").open("w", encoding="utf-8")
        except OSError as error:
            raise InputError(str(out_dir), None, f"cannot write ({error.strerror})") from None
        self.out_dir = out_dir
        self.measures = MeasureCounter(kb, as_of)
        # Rows go to disk as they come; DuckDB sorts them at the end (memory flat with the population).
        self._worklist_rows = out_dir / "worklist.unsorted.ndjson"
        self._worklist: IO[str] = self._worklist_rows.open("w", encoding="utf-8")
        self.worklist_count = 0
        self.errors: list[ErrorRecord] = []
        self.assessed = 0
        self.diagnoses: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()

    def add(self, outcome: Outcome) -> None:
        if outcome.assessment is None:
            if outcome.error is not None:
                self.errors.append(outcome.error)
            return
        self._assessments.write(outcome.assessment + "\n")
        assessment = json.loads(outcome.assessment)
        self.assessed += 1
        self.diagnoses[assessment["diagnosis"]["code"]] += 1
        self.codes.update(rec["code"] for rec in assessment["recommendations"])
        for row in worklist_rows(assessment):
            self._worklist.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n")
            self.worklist_count += 1
        self.measures.add(assessment)

    def abandon(self) -> None:
        """The run failed: close the partial files (they say so by the missing summary.json)."""
        self._assessments.close()
        self._worklist.close()

    def finish(self, census: Census, summary: dict[str, Any]) -> dict[str, Any]:
        """Write everything else; returns summary.json's content."""
        self._assessments.close()
        self._worklist.close()
        self._write_worklist()
        errors = sorted([*census.errors, *self.errors], key=ErrorRecord.sort_key)
        with (self.out_dir / "errors.ndjson").open("w", encoding="utf-8") as handle:
            for error in errors:
                handle.write(json.dumps(asdict(error), separators=(",", ":"), ensure_ascii=False) + "\n")
        measures = self.measures.bundle(self.assessed)
        (self.out_dir / "measures.json").write_text(json.dumps(measures, indent=1) + "\n", encoding="utf-8")
        failed = census.error_patients | {e.patient for e in self.errors if e.patient is not None}
        content = {
            "schema": "igcds.population-summary/1",
            "patients_read": census.patients_read,
            "candidates": census.candidates,
            "assessed": self.assessed,
            "not_candidates": census.patients_read - census.candidates - len(census.error_patients),
            "errors": len(failed),
            "error_records": len(errors),
            "orphan_resources": census.orphan_resources,
            "missing_patients": census.missing_patients,
            "records_without_patient": census.records_without_patient,
            "diagnoses": dict(sorted(self.diagnoses.items())),
            "recommendations": dict(sorted(self.codes.items())),
            "worklist_rows": self.worklist_count,
            **summary,
        }
        (self.out_dir / "summary.json").write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        return content

    def _write_worklist(self) -> None:
        """Critical first, then urgent, then routine; by patient, code and recommendation id."""
        import duckdb

        rank = " ".join(f"WHEN '{priority}' THEN {order}" for priority, order in PRIORITY_ORDER.items())
        columns = ", ".join(f"'{name}': 'VARCHAR'" for name in WORKLIST_COLUMNS)
        query = (  # every name in it is ours
            f"SELECT {', '.join(WORKLIST_COLUMNS)} FROM read_json({_quoted(self._worklist_rows)}, "  # noqa: S608
            f"format = 'newline_delimited', columns = {{{columns}}}) "
            f"ORDER BY CASE priority {rank} END, patient, code, recommendation_id"
        )
        con = duckdb.connect()
        with tempfile.TemporaryDirectory(prefix="igcds-worklist-") as spill:
            con.execute(f"SET temp_directory = {_quoted(Path(spill))}")
            con.execute("SET memory_limit = '256MB'")
            for name, options in (("worklist.parquet", "FORMAT parquet"), ("worklist.csv", "FORMAT csv, HEADER")):
                con.execute(f"COPY ({query}) TO {_quoted(self.out_dir / name)} ({options})")
        con.close()
        self._worklist_rows.unlink()


def _quoted(path: Path) -> str:
    """A file name as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"

"""The files a population run writes into --out (schemas in docs/population.md):
assessments.ndjson, worklist.parquet, worklist.csv, measures.json, errors.ndjson, summary.json.
Outcomes arrive in patient order from either engine; everything written is a function of them and
of the census, so both engines write the same rows."""

from __future__ import annotations

import csv
import json
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
    """One row per recommendation: igcds recommends what is due as of the assessment date."""
    return [
        {
            "patient": assessment["patient"]["id"],
            "diagnosis": assessment["diagnosis"]["code"],
            "code": rec["code"],
            "recommendation_id": rec["id"],
            "priority": rec["priority"],
            "due_date": assessment["as_of"],
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
        self.worklist: list[dict[str, str]] = []
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
        self.worklist += worklist_rows(assessment)
        self.measures.add(assessment)

    def finish(self, census: Census, summary: dict[str, Any]) -> dict[str, Any]:
        """Write everything else; returns summary.json's content."""
        self._assessments.close()
        self.worklist.sort(key=lambda row: (PRIORITY_ORDER[row["priority"]], row["patient"], row["code"]))
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
            "worklist_rows": len(self.worklist),
            **summary,
        }
        (self.out_dir / "summary.json").write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        return content

    def _write_worklist(self) -> None:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        columns = {name: [row[name] for row in self.worklist] for name in WORKLIST_COLUMNS}
        table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
        pq.write_table(table, self.out_dir / "worklist.parquet")
        with (self.out_dir / "worklist.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=WORKLIST_COLUMNS)
            writer.writeheader()
            writer.writerows(self.worklist)

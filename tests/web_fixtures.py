"""Fixtures shared by the web tests: a population `--out` folder generated from the examples (the
population run's worklist.csv columns and assessments.ndjson lines), and the web app's settings."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from igcds import engine
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import json_contract
from igcds.web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 23)
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
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
POPULATION = (
    "higm-cd40lg-boy.json",
    "sigmd-recurrent-sinusitis.json",
    "sigmd-asymptomatic.json",
    "possible-sigmd-child.json",
)


def population_out(folder: Path, kb: KnowledgeBase) -> Path:
    """What `igcds population --out` writes, for four example patients: one worklist row per
    recommendation; the due dates spread over the month so the date filter has work to do."""
    rows = []
    with (folder / "assessments.ndjson").open("w", encoding="utf-8") as handle:
        for index, name in enumerate(POPULATION):
            bundle = json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))
            assessment = json.loads(
                json_contract.render(engine.assess(read.read_bundle(bundle, AS_OF, kb), AS_OF, kb=kb), kb)
            )
            handle.write(json.dumps(assessment) + "\n")
            for rec in assessment["recommendations"]:
                rows.append(
                    {
                        "patient": assessment["patient"]["id"],
                        "diagnosis": assessment["diagnosis"]["code"],
                        "code": rec["code"],
                        "recommendation_id": rec["id"],
                        "priority": rec["priority"],
                        "due_date": date(2026, 11, 23 + index).isoformat(),
                        "action": rec["title"],
                        "reason": rec["rationale"],
                        "citations": " ".join(rec["citations"]),
                    }
                )
    with (folder / "worklist.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=WORKLIST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (folder / "summary.json").write_text(json.dumps({"as_of": AS_OF.isoformat(), "assessed": len(POPULATION)}))
    return folder


def settings(worklist_dir: Path | None = None) -> WebSettings:
    return WebSettings(worklist_dir=worklist_dir, today=lambda: AS_OF, smart_client_id="igcds-test")

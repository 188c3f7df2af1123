"""Docs are executed: the README's example output is what igcds prints, its Python example runs,
the generated reference pages are current, and every command has help."""

from __future__ import annotations

import json
import re
import shlex
from datetime import date
from pathlib import Path

import pytest

import igcds
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import knowledge_docs
from tests.conftest import ROOT, run_igcds

README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_readme_text_output_is_real() -> None:
    shown = fenced("text")[0]
    done = run_igcds("assess", "examples/sigmd-recurrent-sinusitis.json", "--as-of", "2026-11-23")
    assert done.code == 0
    assert done.out.startswith(shown)


def test_readme_dose_output_is_real() -> None:
    shown = fenced("text")[1]
    done = run_igcds("dose", "--weight", "70", "--product", "gammagard-liquid")
    assert done.code == 0
    assert done.out == shown


def test_readme_json_excerpt_is_real() -> None:
    shown = json.loads(fenced("json")[0])
    done = run_igcds("assess", "examples/higm-cd40lg-boy.json", "--as-of", "2026-11-23", "--format", "json")
    result = json.loads(done.out)
    for key, value in shown["diagnosis"].items():
        assert result["diagnosis"][key] == value
    assert [f"{r['code']} [{r['priority']}]" for r in result["recommendations"]] == shown["recommendations"]
    for key, value in shown["dose"].items():
        assert result["dose"][key] == value
    assert result["data_gaps"] == shown["data_gaps"]


def test_readme_python_example_runs() -> None:
    code = fenced("python")[0]
    code = "\n".join(line[2:] if line.startswith("  ") else line for line in code.splitlines())
    bundle = json.loads((ROOT / "examples" / "higm-cd40lg-boy.json").read_text(encoding="utf-8"))
    namespace = {"bundle_dict": bundle, "print": lambda *args: None}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["assessment"].diagnosis.code == "hyper-igm-syndrome"


README_COMMANDS = [line.split("#")[0].strip() for line in fenced("console")[1].splitlines() if line.strip()]


@pytest.mark.parametrize("command", README_COMMANDS)
def test_readme_commands_run(command: str, tmp_path: Path) -> None:
    """Each command the README shows, run as written (in-process; test_cli_smoke runs the installed script)."""
    program, *args = shlex.split(command)
    assert program == ".venv/bin/igcds"
    if "-o" in args:  # written into a temporary folder, not the checkout
        target = tmp_path / Path(args[args.index("-o") + 1]).name
        args[args.index("-o") + 1] = str(target)
    done = run_igcds(*args)
    assert done.code == 0, done.err
    if "-o" in args:
        assert target.read_text(encoding="utf-8")
    else:
        assert done.out


@pytest.mark.parametrize("page", sorted(knowledge_docs.PAGES))
def test_generated_reference_pages_are_current(page: str, kb: KnowledgeBase) -> None:
    on_disk = (ROOT / "docs" / page).read_text(encoding="utf-8")
    assert on_disk == knowledge_docs.PAGES[page](kb), "run: python -m igcds.report.knowledge_docs docs"


COMMANDS = ["assess", "dose", "guideline", "serve", "products", "knowledge"]


def test_the_help_lists_every_command() -> None:
    listed = run_igcds("--help").out
    for command in COMMANDS:
        assert command in listed


@pytest.mark.parametrize("args", [["--help"], *([command, "--help"] for command in COMMANDS)])
def test_every_command_has_help(args: list[str]) -> None:
    done = run_igcds(*args)
    assert done.code == 0
    assert "Usage" in done.out


def test_knowledge_command_proves_consistency() -> None:
    done = run_igcds("knowledge")
    assert done.code == 0
    assert "consistent" in done.out


def test_public_api_is_exact_and_import_is_light() -> None:
    assert set(igcds.__all__) == {"Assessment", "PatientRecord", "Policy", "__version__", "assess", "read_bundle"}
    done = run_python("import sys, igcds; print(sorted(m for m in ('typer', 'pydantic', 'yaml') if m in sys.modules))")
    assert done == "[]"


def run_python(code: str) -> str:
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_json_output_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    done = run_igcds(
        "assess", "examples/sigmd-asymptomatic.json", "--as-of", "2026-11-23", "--format", "json", "-o", str(target)
    )
    assert (done.code, done.out) == (0, "")
    result = json.loads(target.read_text(encoding="utf-8"))
    assert result["schema"] == "igcds.assessment/1"
    assert result["as_of"] == date(2026, 11, 23).isoformat()
    assert result["patient"]["age_years"] == 52.78

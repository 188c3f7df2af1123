"""`make demo` (issue 13 item 16): after the full reports it ends with one line per example patient
(diagnosis | first action | dose), from `igcds assess --format summary`."""

from __future__ import annotations

import re

from tests.conftest import ROOT, run_igcds

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def demo_recipe() -> list[str]:
    recipe = re.search(r"^demo:.*?\n((?:\t.*\n)+)", MAKEFILE, flags=re.MULTILINE)
    assert recipe is not None
    return recipe.group(1).splitlines()


def test_demo_ends_with_the_summary_of_every_example() -> None:
    lines = demo_recipe()
    summary_from = next(i for i, line in enumerate(lines) if "Summary" in line)
    assert "--format summary" in " ".join(lines[summary_from:])
    assert "--format summary" not in " ".join(lines[:summary_from])


def test_every_example_summarises_to_one_line_of_three_parts() -> None:
    examples = sorted((ROOT / "examples").glob("*.json"))
    assert examples
    for bundle in examples:
        done = run_igcds("assess", str(bundle), "--as-of", "2026-11-23", "--format", "summary")
        assert done.code == 0, bundle.name
        assert done.out.count("\n") == 1, bundle.name
        diagnosis, first, dose = done.out.strip().split(" | ")
        assert first.startswith("first: "), bundle.name
        assert dose.startswith("dose: "), bundle.name
        assert ": " in diagnosis, bundle.name


def test_readme_summary_lines_are_real() -> None:
    """The README shows three lines of the summary `make demo` ends with."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"```txt\n(.*?)```", readme, flags=re.DOTALL)
    summary = next(block for block in shown if " | first: " in block)
    real = "".join(
        run_igcds("assess", str(bundle), "--as-of", "2026-11-23", "--format", "summary").out
        for bundle in sorted((ROOT / "examples").glob("*.json"))
    )
    for line in summary.splitlines():
        assert line in real.splitlines()

"""`igcds knowledge`: load and check the whole knowledge base, and summarise it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from igcds.cli.assess_input import parse_as_of
from igcds.cli.program import guarded


def knowledge(
    records: Annotated[
        Path | None,
        typer.Option(
            "--records",
            help="Folder of FHIR Bundles (*.json) to assess: count the recommendations that cite no record "
            "fact without being declared fires_on_absence (e.g. --records examples --as-of 2026-11-23).",
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date for --records, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Check the whole knowledge base (schemas, unique ids, citations resolve) and summarise it."""

    def run() -> None:
        from igcds.knowledge import citation_hosts, loader

        kb = loader.load()
        typer.echo(f"knowledge base {kb.version}: consistent")
        typer.echo(
            f"  {len(kb.recommendations)} recommendations, {len(kb.references)} references, "
            f"{len(kb.divergences)} recorded divergences from the source documents"
        )
        typer.echo(
            f"  {len(kb.conditions)} condition sets, {len(kb.infections)} infection classes, "
            f"{len(kb.medications)} medication sets, {len(kb.reference_ranges.bands)} reference-range bands, "
            f"{len(kb.policy.keys)} policy keys, {len(kb.products)} products"
        )
        typer.echo(f"  {len(citation_hosts.non_canonical(kb))} citation links that are not a canonical record")
        absent = sum(1 for entry in kb.recommendations.values() if entry.fires_on_absence)
        typer.echo(f"  {absent} recommendations declared fires_on_absence (the only ones that may cite no record fact)")
        if records is not None:
            _check_records(records, parse_as_of(as_of))

    guarded(run)


def _check_records(folder: Path, as_of: date) -> None:
    """Which recommendations fire with an empty evidence list is known only by running the rules,
    so it is counted over records, not read from the knowledge base. Any is a bug: exit 1."""
    from igcds import engine
    from igcds.cli.assess_input import read_input
    from igcds.domain.errors import InputError
    from igcds.fhir import read
    from igcds.knowledge import loader

    kb = loader.load()
    bundles = sorted(folder.glob("*.json"))
    if not bundles:
        raise InputError(str(folder), None, "no *.json FHIR Bundles in this folder")
    untraced: list[str] = []
    for path in bundles:
        try:
            record = read.read_bundle(read.parse_json(read_input(str(path)), str(path)), as_of, kb)
        except InputError as error:  # name the file as well as the resource
            raise InputError(str(path), None, str(error)) from None
        untraced += [f"{path.stem}: {rec_id}" for rec_id in engine.untraced(engine.assess(record, as_of, kb=kb), kb)]
    typer.echo(
        f"  {len(untraced)} recommendations with undeclared empty evidence over {len(bundles)} records in {folder}"
    )
    for line in untraced:
        typer.echo(f"    {line}")
    if untraced:
        raise typer.Exit(1)

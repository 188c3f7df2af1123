"""`igcds knowledge`: load and check the whole knowledge base, and summarise it."""

from __future__ import annotations

import typer

from igcds.cli.program import guarded


def knowledge() -> None:
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

    guarded(run)

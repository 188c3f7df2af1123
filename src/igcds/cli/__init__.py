"""The `igcds` command (Typer): `app`, its central error handler and shared options live in
`igcds.cli.app`, each command in its own module. Like every shell, the commands reach the core
through igcds.engine, igcds.domain, igcds.fhir and igcds.knowledge, never igcds.rules or
igcds.dosing."""

from __future__ import annotations

from igcds.cli import assess, dose, guideline, knowledge, products, serve
from igcds.cli.app import app, main

# In the order `igcds --help` lists them.
for command in (assess.assess, dose.dose, guideline.guideline, products.products, serve.serve, knowledge.knowledge):
    app.command()(command)

__all__ = ["app", "main"]

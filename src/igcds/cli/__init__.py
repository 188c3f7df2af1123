"""The `igcds` command (Typer). `igcds.cli.program` holds the app, its central error handler and
the shared options; each command is its own module, registered here in the order `igcds --help`
lists them. Like every shell, the commands reach the core through igcds.engine, igcds.domain,
igcds.fhir and igcds.knowledge, never igcds.rules or igcds.dosing."""

from __future__ import annotations

from igcds.cli import assess, dose, guideline, knowledge, products, serve
from igcds.cli.program import app, main
from igcds.population.commands import population_command, synth_command

# In the order `igcds --help` lists them.
for command in (assess.assess, dose.dose, guideline.guideline, products.products, serve.serve, knowledge.knowledge):
    app.command()(command)
app.command("population")(population_command)
app.command("synth")(synth_command)

__all__ = ["app", "main"]

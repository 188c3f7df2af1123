"""The `igcds` command. One central error handler maps errors to exit codes:

  0  an assessment was produced (possibly with data gaps)
  1  internal error (a bug in igcds or its knowledge base)
  2  unusable input: not JSON, not a Bundle, no or several Patients, a value that cannot be
     interpreted, a bad policy file; one plain line on stderr names the resource and field.

Tracebacks appear only with --verbose. Heavy modules are imported inside commands so that
`igcds --help` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2

app = typer.Typer(
    name="igcds",
    help="Clinical decision support for immunoglobulin replacement in selective IgM deficiency "
    "and hyper-IgM syndromes. Supports, and does not replace, clinical judgement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
state = {"verbose": False}
Result = TypeVar("Result")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


def terminal_has_colour() -> bool:
    """Colour only on a terminal that supports it (https://no-color.org: NO_COLOR turns it off)."""
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM", "") != "dumb"


def fail(message: str, code: int) -> None:
    """One plain line on stderr, then exit."""
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


def guarded(action: Callable[[], Result]) -> Result:
    """Run a command body under the central error handler."""
    from igcds.domain.errors import InputError, KnowledgeError

    try:
        return action()
    except typer.Exit:
        raise
    except InputError as error:
        if state["verbose"]:
            raise
        fail(str(error), EXIT_INPUT)
    except KnowledgeError as error:
        if state["verbose"]:
            raise
        fail(f"knowledge base: {error}", EXIT_INTERNAL)
    except Exception as error:  # the last line of defence: never a traceback for users
        if state["verbose"]:
            raise
        fail(f"internal error ({type(error).__name__}: {error}); rerun with --verbose", EXIT_INTERNAL)
    raise AssertionError("unreachable")


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", help="Show tracebacks of internal errors.")] = False,
) -> None:
    state["verbose"] = verbose


def _parse_as_of(value: str | None) -> date:
    from igcds.domain.errors import InputError

    if value is None:
        return date.today()  # noqa: DTZ011, TID251 - the CLI is where the clock is read
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", None, f"not a date (YYYY-MM-DD): {value!r}") from None


def _read_input(path: str) -> bytes:
    from igcds.domain.errors import InputError

    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(path, None, f"cannot read ({error.strerror})") from None


def load_policy(path: Path | None) -> Any:
    """Site policy from a TOML file (every key documented in knowledge/data/policy.yaml)."""
    import tomllib

    from igcds.domain.errors import InputError
    from igcds.knowledge import loader
    from igcds.knowledge.policy import make_policy

    overrides: dict[str, Any] = {}
    if path is not None:
        try:
            overrides = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise InputError(str(path), None, f"cannot read policy file ({error.strerror})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise InputError(str(path), None, f"not a TOML policy file ({error})") from None
    return make_policy(loader.load().policy, overrides)


def emit(rendered: str, output: Path | None) -> None:
    """To standard output, or to the `-o` file (a file that cannot be written is an input error)."""
    from igcds.domain.errors import InputError

    if output is None:
        sys.stdout.write(rendered)
        return
    try:
        output.write_text(rendered, encoding="utf-8")
    except OSError as error:
        raise InputError(str(output), None, f"cannot write ({error.strerror})") from None


def render_assessment(assessment: Any, kb: Any, output_format: ReportFormat, colour: bool = False) -> str:
    if output_format is ReportFormat.json:
        from igcds.report import json_contract

        return json_contract.render(assessment, kb)
    if output_format is ReportFormat.markdown:
        from igcds.report import markdown

        return markdown.render(assessment, kb)
    if output_format is ReportFormat.html:
        from igcds.report import html

        return html.render(assessment, kb)
    from igcds.report import text

    return text.render(assessment, kb, colour=colour)


@app.command()
def assess(
    input_path: Annotated[str, typer.Argument(metavar="INPUT", help="FHIR R4 Bundle (JSON), or - for stdin.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assessment date YYYY-MM-DD (default: today).")] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text (terminal), json (the contract), markdown or html.")
    ] = ReportFormat.text,
    policy_file: Annotated[Path | None, typer.Option("--policy", help="TOML file overriding site policy.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE instead of stdout.")] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="Product id for the dose (default: the patient's own, or policy).")
    ] = None,
) -> None:
    """Assess one patient: diagnosis, work-up, treatment, dose, safety and monitoring, each cited."""

    def run() -> None:
        from igcds import engine
        from igcds.dosing import catalogue
        from igcds.fhir import read
        from igcds.knowledge import loader

        day = _parse_as_of(as_of)
        policy = load_policy(policy_file)
        kb = loader.load()
        bundle = read.parse_json(_read_input(input_path), "stdin" if input_path == "-" else input_path)
        record = read.read_bundle(bundle, day, kb)
        if product is not None:
            catalogue.product(kb, product)  # an unknown id is an input error before any work
        assessment = engine.assess(record, day, policy, kb, engine.DoseRequest(product))
        rendered = render_assessment(assessment, kb, output_format, colour=output is None and terminal_has_colour())
        emit(rendered, output)

    guarded(run)


class RouteChoice(StrEnum):
    IV = "IV"
    SC = "SC"


class SexChoice(StrEnum):
    male = "male"
    female = "female"


class RiskChoice(StrEnum):
    thrombosis = "thrombosis"
    renal = "renal"


@app.command()
def dose(
    weight_kg: Annotated[float, typer.Option("--weight", help="Body weight in kg.")],
    height_cm: Annotated[
        float | None, typer.Option("--height", help="Height in cm (adjusted-weight policies).")
    ] = None,
    sex: Annotated[SexChoice | None, typer.Option("--sex", help="male or female (ideal body weight).")] = None,
    age_years: Annotated[
        float | None, typer.Option("--age", help="Age in years (NBA exclusions, SC site limits by age).")
    ] = None,
    mg_per_kg: Annotated[float | None, typer.Option("--mg-per-kg", help="Dose per kg (default: policy start).")] = None,
    interval_weeks: Annotated[float | None, typer.Option("--interval-weeks", help="Weeks between doses.")] = None,
    route: Annotated[RouteChoice, typer.Option("--route", help="IV or SC.")] = RouteChoice.IV,
    product: Annotated[
        str | None, typer.Option("--product", help="Product id (vials, mL, infusion plan); see `igcds products`.")
    ] = None,
    from_iv: Annotated[
        bool,
        typer.Option(
            "--from-iv", help="With --route SC: --mg-per-kg and --interval-weeks are the IV regimen to convert."
        ),
    ] = False,
    risk: Annotated[
        list[RiskChoice] | None, typer.Option("--risk", help="thrombosis or renal (repeatable): hold the IV rate down.")
    ] = None,
    continuing: Annotated[
        bool, typer.Option("--continuing", help="Already on this product: later-infusion SC limits, no ramp-up.")
    ] = False,
    policy_file: Annotated[Path | None, typer.Option("--policy", help="TOML file overriding site policy.")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.text,
) -> None:
    """Dose for a weight and regimen: grams, vials, mL and the infusion plan, on site policy."""

    def run() -> None:
        import json
        import textwrap
        from dataclasses import asdict

        from igcds.dosing import order
        from igcds.knowledge import loader
        from igcds.report.dose_text import dose_lines

        kb = loader.load()
        policy = load_policy(policy_file)
        figures = order.DoseOrder(
            weight_kg=weight_kg,
            height_cm=height_cm,
            sex=sex.value if sex else "unknown",
            age_years=age_years,
            route=route.value,
            mg_per_kg=mg_per_kg,
            interval_days=round(interval_weeks * 7) if interval_weeks is not None else None,
            product=product,
            from_iv=from_iv,
            risks=tuple(r.value for r in risk or ()),
            new_to_product=not continuing,
        )
        today = date.today()  # noqa: DTZ011, TID251 - the CLI is where the clock is read
        result = order.dose_for_figures(figures, policy, kb, today)
        warnings = []
        if policy.rounding == "vial" and result.product is None:
            warnings.append("no product chosen: vial rounding not applied (rounded to the nearest gram)")
        if order.above_ceiling(result, policy):
            warnings.append(
                f"above the ceiling of {policy.max_mg_per_kg_4wk:g} mg/kg per 4 weeks (policy max_mg_per_kg_4wk)"
            )
        if output_format is OutputFormat.json:
            payload = {"dose": asdict(result), "warnings": warnings, "disclaimer": kb.disclaimer}
            sys.stdout.write(json.dumps(payload, indent=2) + "\n")
            return
        lines = dose_lines(result, "")
        lines += [f"Warning: {warning}." for warning in warnings]
        typer.echo("\n".join([*lines, *textwrap.wrap(kb.disclaimer, 80)]))

    guarded(run)


class GuidelineName(StrEnum):
    igm_deficiency = "igm-deficiency"
    hyper_igm = "hyper-igm"


class DocumentFormat(StrEnum):
    markdown = "markdown"
    html = "html"


@app.command()
def guideline(
    name: Annotated[GuidelineName, typer.Argument(help="igm-deficiency or hyper-igm.")],
    output_format: Annotated[DocumentFormat, typer.Option("--format", help="markdown or html.")] = (
        DocumentFormat.markdown
    ),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE instead of stdout.")] = None,
) -> None:
    """The condition's treatment guideline from the knowledge base, every statement cited, with
    where it differs from the source document."""

    def run() -> None:
        from igcds.knowledge import loader
        from igcds.report import guideline as document

        kb = loader.load()
        render = document.html if output_format is DocumentFormat.html else document.markdown
        rendered = render(kb, name.value)
        emit(rendered, output)

    guarded(run)


@app.command()
def products() -> None:
    """List the product catalogue: concentration, routes, vials, conversion factor, label date."""

    def run() -> None:
        from igcds.knowledge import loader

        for item in loader.load().products.values():
            vials = ", ".join(f"{v.grams:g} g" for v in item.vials) or "vials not verified"
            factor = (
                f"SC factor {item.sc.conversion_factor:g}"
                if item.sc and item.sc.conversion_factor
                else ("SC as IV (1:1)" if item.sc and item.sc.frequency == "as-iv" else "")
            )
            details = "; ".join(
                part for part in (f"{item.concentration_percent:g}%", "/".join(item.routes), vials, factor) if part
            )
            typer.echo(f"{item.id:18} {item.name}: {details} (label {item.label_date or 'date not verified'})")

    guarded(run)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8080,
    insecure_dev: Annotated[
        bool,
        typer.Option("--insecure-dev", help="Skip client JWT verification (local and sandbox testing only)."),
    ] = False,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings: trusted clients, CORS, feedback database.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
) -> None:
    """Run the CDS Hooks 2.0 service (patient-view, order-select, order-sign) with feedback."""

    def run() -> None:
        import importlib.util
        import os

        from igcds.domain.errors import InputError

        if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
            raise InputError("igcds serve", None, "needs the service extra: pip install 'igcds[service]'")
        import uvicorn

        from igcds.hooks import settings as service_settings

        service_settings.load(config, insecure_dev)  # a bad file fails here, before the server starts
        os.environ["IGCDS_SERVICE_CONFIG"] = str(config) if config else ""
        os.environ["IGCDS_SERVICE_INSECURE_DEV"] = "1" if insecure_dev else ""
        if insecure_dev:
            sys.stderr.write("igcds serve: INSECURE DEV MODE, client JWTs are not verified\n")
        from igcds.hooks.app import log_config

        uvicorn.run(
            "igcds.hooks.app:from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,  # the service logs one line per call itself, with the outcome
            log_config=log_config(insecure_dev),
        )

    guarded(run)


@app.command()
def knowledge() -> None:
    """Check the whole knowledge base (schemas, unique ids, citations resolve) and summarise it."""

    def run() -> None:
        from igcds.knowledge import loader

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

    guarded(run)


def main() -> None:
    app()


from igcds.population.commands import population_command, synth_command  # noqa: E402 - registered last

app.command("population")(population_command)
app.command("synth")(synth_command)

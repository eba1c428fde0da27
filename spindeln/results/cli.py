"""`spindeln summary` and `spindeln chart`: the same results as the pages, from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext

from spindeln.programmes.cli import group_named, programme_named
from spindeln.results import figures, gate
from spindeln.results.gate import NotReleased
from spindeln.results.queries import SelectionError, programme_summary


@click.command()
@click.option("--programme", "slug", required=True, help="Programme slug.")
@click.option("--round", "rounds", type=int, multiple=True, help="Round number (repeat for several; default: all closed).")
@click.option("--unit", "unit_name", help="Only this unit (name or key).")
@click.option("--profession", "profession_name", help="Only this profession (key or name).")
@click.option("--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True)
@with_appcontext
def summary(slug, rounds, unit_name, profession_name, output_format):
    """Print the analysis summary (docs/summary.md) of closed rounds as JSON."""
    programme = programme_named(slug)
    try:
        result = programme_summary(programme, list(rounds) or None, unit_name, profession_name)
    except (SelectionError, NotReleased) as error:
        raise click.ClickException(str(error)) from error
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
    sys.stdout.write("\n")


@click.command()
@click.option("--programme", "slug", required=True, help="Programme slug.")
@click.option("--round", "number", type=int, required=True, help="Round number (a closed round).")
@click.option("--compare", type=int, multiple=True, help="Overlay these rounds (radar); the first is the 'before' of a dumbbell.")
@click.option("--unit", "unit_name", help="Only this unit (name or key).")
@click.option("--profession", "profession_name", help="Only this profession (key or name).")
@click.option("--kind", type=click.Choice(["radar", "dispersion", "trend", "professions", "dumbbell"]), default="radar",
              show_default=True)
@click.option("--format", "output_format", type=click.Choice(["svg", "png"]), default="svg", show_default=True)
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@with_appcontext
def chart(slug, number, compare, unit_name, profession_name, kind, output_format, language, out):
    """Write a chart of a round as SVG or PNG, the same as the results page shows."""
    programme = programme_named(slug)
    measurement_round = gate.readable_round(programme, number)
    if measurement_round is None:
        raise click.ClickException(f"Round {number} of {slug!r} has no results (not closed, or no such round).")
    unit, profession = group_named(programme, unit_name, profession_name)
    if kind == "radar" and compare:
        kind = "compare"
    selection = figures.Selection(programme, measurement_round, unit, profession, list(compare))
    with current_app.test_request_context("/"), force_locale(language):
        try:
            body = figures.chart_image(kind, selection, output_format, language, gettext)
        except (SelectionError, NotReleased) as error:
            raise click.ClickException(str(error)) from error
    out.write_bytes(body)
    click.echo(f"Wrote {out}")

"""`spindeln report`: the PDF handout of a closed round, from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from spindeln.programmes.cli import group_named, programme_named
from spindeln.reports.handout import HandoutError, make_handout
from spindeln.results.gate import NotReleased


@click.command()
@click.option("--programme", "slug", required=True, help="Programme slug.")
@click.option("--round", "number", type=int, required=True, help="Round number (a closed round).")
@click.option("--unit", "unit_name", help="Only this unit (name or key).")
@click.option("--profession", "profession_name", help="Only this profession (key or name).")
@click.option("--compare", type=int, multiple=True,
              help="Compare with this earlier round (repeat for two; default: the previous and the first).")
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PDF file to write.")
@with_appcontext
def report(slug, number, unit_name, profession_name, compare, language, out):
    """Write the PDF handout of a closed round: charts, tables, discussion prompts and comments."""
    programme = programme_named(slug)
    unit, profession = group_named(programme, unit_name, profession_name)
    with current_app.test_request_context("/"), force_locale(language):
        try:
            pdf = make_handout(programme, number, unit=unit, profession=profession, compare=compare,
                               language=language)
        except (HandoutError, NotReleased) as error:
            raise click.ClickException(str(error)) from error
    out.write_bytes(pdf)
    click.echo(f"Wrote {out}")

"""`spindeln import` and `spindeln export`: rounds collected elsewhere in, data and summaries out."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from spindeln.transfer.importing import MAX_FILE_BYTES


def _rounds_text(counts: dict[int, int]) -> str:
    return ", ".join(f"round {number}: {count}" for number, count in counts.items())


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", "slug", required=True, help="Programme slug.")
@click.option("--create", is_flag=True,
              help="Create the programme, and the units and professions the file names, when they do not exist.")
@click.option("--instrument", "instrument_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Instrument file (TOML) of a programme that --create makes; default: the shipped instrument.")
@with_appcontext
def import_command(file: Path, slug: str, create: bool, instrument_file: Path | None) -> None:
    """Import responses collected elsewhere (CSV or XLSX, one row per response); all or nothing."""
    from spindeln.db import db
    from spindeln.instrument import InstrumentError, load_instrument
    from spindeln.transfer.importing import ImportRejected, plan_import, read_table
    from spindeln.transfer.operations import import_responses
    from spindeln.web import instruments

    if instrument_file is not None and not create:
        raise click.UsageError("--instrument is for a new programme: give --create as well.")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(f"{file} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; nothing was imported.")
    registry = instruments()
    instrument = None
    if instrument_file is not None:
        try:
            instrument = load_instrument(instrument_file)
            registry.add(instrument, instrument_file)
        except InstrumentError as error:
            raise click.ClickException(str(error)) from error

    today = dt.date.today()
    try:
        item_keys = (instrument or _programme_instrument(slug, registry)).item_keys
        table = read_table(file.read_bytes(), item_keys)
        plan = plan_import(table, slug, registry, create=create, instrument=instrument, today=today)
        if plan.programme is None and instrument_file is not None:
            _keep_instrument_file(instrument_file, plan.instrument)
        result = import_responses(plan, file.name, registry, today=today)
    except ImportRejected as error:
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(
            f"Nothing was imported from {file.name}: {len(error.problems)} problem(s)."
        ) from error
    db.session.commit()

    if result.created_programme:
        click.echo(f"Created the programme {slug!r} with instrument {plan.instrument.id} {plan.instrument.version}.")
    if result.created_units:
        click.echo(f"Created units: {', '.join(result.created_units)}")
    if result.created_professions:
        click.echo(f"Created professions: {', '.join(result.created_professions)}")
    if result.created_rounds:
        click.echo(f"Created closed rounds: {', '.join(str(n) for n in result.created_rounds)}")
    click.echo(f"Imported {result.total} responses into {slug} ({_rounds_text(result.counts)}).")


def _programme_instrument(slug: str, registry):
    """The instrument the file is read with: the programme's, else the default (for --create)."""
    from spindeln.instrument import DEFAULT_INSTRUMENT
    from spindeln.programmes.queries import programme_by_slug

    programme = programme_by_slug(slug)
    if programme is None:
        return registry.get(*DEFAULT_INSTRUMENT)
    return registry.get(programme.instrument_id, programme.instrument_version)


def _keep_instrument_file(source: Path, instrument) -> None:
    """Copy a new programme's instrument into the instance's instruments/ folder, where the app finds it."""
    folder = Path(current_app.instance_path) / "instruments"
    target = folder / f"{instrument.id}-{instrument.version}.toml"
    if target.exists() or any(path.resolve() == source.resolve() for path in folder.glob("*.toml")):
        return
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    click.echo(f"Copied the instrument to {target}")


@click.command("export")
@click.option("--programme", "slug", required=True, help="Programme slug.")
@click.option("--format", "file_format", required=True, type=click.Choice(["csv", "xlsx", "json"]),
              help="File format; json is for the summary.")
@click.option("--kind", type=click.Choice(["responses", "summary"]), default="responses", show_default=True,
              help="The raw responses (with a codebook) or the summary tables.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="File to write; a CSV of responses gets its codebook next to it as FILE.codebook.csv.")
@with_appcontext
def export_command(slug: str, file_format: str, kind: str, out: Path) -> None:
    """Export a programme's closed rounds: raw responses or the summary (with the anonymity rule)."""
    from spindeln.programmes.cli import programme_named
    from spindeln.results.gate import NotReleased
    from spindeln.transfer.exporting import codebook_download, responses_download, summary_download
    from spindeln.web import instrument_of

    programme = programme_named(slug)
    if kind == "responses" and file_format == "json":
        raise click.UsageError("Responses are exported as csv or xlsx; json is for --kind summary.")
    try:
        if kind == "summary":
            download = summary_download(programme, file_format)
            out.write_bytes(download.data)
            click.echo(f"Wrote the summary of {slug} to {out}")
            return
        instrument = instrument_of(programme)
        download, table = responses_download(programme, instrument, file_format)
    except NotReleased as error:
        raise click.ClickException(str(error)) from error
    out.write_bytes(download.data)
    rounds = ", ".join(str(number) for number in table.rounds) or "none"
    click.echo(f"Wrote {len(table.rows)} responses of {slug} (closed rounds: {rounds}) to {out}")
    if file_format == "csv":
        codebook = out.with_name(out.name + ".codebook.csv")
        codebook.write_bytes(codebook_download(programme, instrument).data)
        click.echo(f"Wrote the codebook to {codebook}")
    if table.other_instrument:
        left_out = ", ".join(str(number) for number in table.other_instrument)
        click.echo(f"Left out rounds {left_out}: they used another instrument than the programme's.")
    if table.left_out_rows:
        click.echo(f"Left out {table.left_out_rows} response(s) of groups the anonymity rule hides.")
    if table.withheld_answers:
        click.echo(f"Withheld {table.withheld_answers} answer(s) (written “dold”) of statements the anonymity "
                   "rule hides for their group.")

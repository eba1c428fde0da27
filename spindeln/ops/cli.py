"""`spindeln backup` and `spindeln restore`: a consistent copy of the database, and bringing it back."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from spindeln.ops.backup import (
    BackupError,
    backup_postgres,
    backup_sqlite,
    inspect_sqlite_backup,
    is_sqlite,
    restore_postgres,
    restore_sqlite,
    sqlite_path,
)


def _known_revision(revision: str) -> bool:
    """Whether the shipped migrations know `revision` (a backup from a newer Spindeln does not)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from spindeln.db import db
    from spindeln.migrate import alembic_config

    try:
        return ScriptDirectory.from_config(alembic_config(db.engine)).get_revision(revision) is not None
    except CommandError:
        return False


@click.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write (replaced if it exists).")
@with_appcontext
def backup(out: Path) -> None:
    """Write a consistent copy of the database to a file; safe while the app runs."""
    url = current_app.config["DATABASE_URL"]
    out = out.resolve()
    if not out.parent.is_dir():
        raise click.ClickException(f"There is no folder {out.parent}.")
    try:
        if is_sqlite(url):
            backup_sqlite(sqlite_path(url), out)
        else:
            backup_postgres(url, out)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {out} ({out.stat().st_size} bytes).")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(file: Path, yes: bool) -> None:
    """Replace the whole database with a backup made by `spindeln backup`."""
    from spindeln.db import db

    url = current_app.config["DATABASE_URL"]
    file = file.resolve()
    try:
        if is_sqlite(url):
            revision = inspect_sqlite_backup(file)
            if not _known_revision(revision):
                raise BackupError(f"The backup's schema revision {revision} is newer than this Spindeln: "
                                  "upgrade Spindeln first.")
        elif not file.is_file():
            raise BackupError(f"There is no file {file}.")
        target = db.engine.url.render_as_string(hide_password=True)
        if not yes:
            click.confirm(f"Replace everything in {target} with {file}?", abort=True)
        db.engine.dispose()
        if is_sqlite(url):
            restore_sqlite(file, sqlite_path(url))
        else:
            restore_postgres(url, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {file} into {target}.")
    from spindeln.migrate import current_revision, head_revision

    if current_revision(db.engine) != head_revision(db.engine):
        click.echo("The backup is from an older Spindeln: run `spindeln db upgrade` before serving.")

"""Backups of the database while the app runs, and restoring one.

SQLite: sqlite3's online backup API copies a consistent snapshot page by page while the app keeps
writing, and restores the same way into the live file (a plain file copy could tear a page or miss
the write-ahead log). PostgreSQL: `pg_dump -Fc`, and its restore run by psql in one transaction,
with the URL's parts.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """A backup or restore could not be made; the message says why and what to do."""


def is_sqlite(url: str | URL) -> bool:
    """Whether the database behind `url` is SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path:
    """The file of an SQLite URL."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory: there is nothing to back up.")
    return Path(database)


def _integrity(connection: sqlite3.Connection) -> str:
    return ", ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def backup_sqlite(database: Path, out: Path) -> str | None:
    """Copy `database` to `out` consistently while others write; the copy's schema revision."""
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        # In one step: the copy is a single read transaction, a snapshot no concurrent commit can tear.
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        check = _integrity(target)
        revision = _revision(target)
    finally:
        target.close()
        source.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check ({check}); nothing was written to {out}.")
    os.replace(partial, out)
    return revision


def inspect_sqlite_backup(backup: Path) -> str:
    """The schema revision of a Spindeln SQLite backup; BackupError if it is not a sound one."""
    if not backup.is_file():
        raise BackupError(f"There is no file {backup}.")
    try:
        connection = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            check = _integrity(connection)
            revision = _revision(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup} is not an SQLite database ({error}).") from error
    if check != "ok":
        raise BackupError(f"{backup} failed its integrity check ({check}).")
    if revision is None:
        raise BackupError(f"{backup} is not a Spindeln database (it has no schema revision).")
    return revision


def restore_sqlite(backup: Path, database: Path) -> None:
    """Replace the contents of `database` with `backup`, through the backup API so a running app stays sound."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=30)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools of the server's major version "
            "(Debian and Ubuntu: `apt-get install postgresql-client`)."
        )
    return path


def _pg_connection(url: str | URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump and pg_restore, and the environment holding the password."""
    parsed = make_url(url)
    options = []
    if parsed.host:
        options += ["--host", parsed.host]
    if parsed.port:
        options += ["--port", str(parsed.port)]
    if parsed.username:
        options += ["--username", parsed.username]
    if not parsed.database:
        raise BackupError("The DATABASE_URL names no database.")
    options += ["--dbname", parsed.database]
    # The password goes through the environment, never the command line other users can read.
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return options, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([*command, "--no-password"], env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")


def backup_postgres(url: str | URL, out: Path) -> None:
    """Dump the database at `url` to `out` in pg_dump's custom format (a consistent snapshot)."""
    options, env = _pg_connection(url)
    partial = out.with_name(out.name + ".partial")
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *options], env)
    os.replace(partial, out)


def restore_postgres(url: str | URL, backup: Path) -> None:
    """Restore a pg_dump custom-format file into the database at `url`, replacing Spindeln's tables.

    All in one transaction: pg_restore writes the dump as SQL, with the drops of what it replaces;
    in front of it go the drops of every table of the current schema, since a table newer than the
    backup (which `--clean` does not know) could hold on to the tables the dump replaces; psql runs
    the whole script or, on the first error, nothing of it.
    """
    if not backup.is_file():
        raise BackupError(f"There is no file {backup}.")
    from spindeln.db import Base  # the current schema's tables
    import spindeln.models  # noqa: F401  (registers every table)

    options, env = _pg_connection(url)
    script = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--file", "-",
                             str(backup)], env=env, capture_output=True)
    if script.returncode:
        raise BackupError(f"pg_restore failed: {script.stderr.decode(errors='replace').strip()}")
    tables = [table.name for table in Base.metadata.sorted_tables] + ["alembic_version"]
    drops = "".join(f'DROP TABLE IF EXISTS public."{name}" CASCADE;\n' for name in tables).encode()
    result = subprocess.run([_pg_tool("psql"), "--single-transaction", "--quiet", "--no-psqlrc",
                             "--set", "ON_ERROR_STOP=1", "--no-password", *options],
                            input=drops + script.stdout, env=env, capture_output=True)
    if result.returncode:
        raise BackupError(f"psql failed: {result.stderr.decode(errors='replace').strip()}")

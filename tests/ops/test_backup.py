"""`spindeln backup` and `spindeln restore`: a consistent copy while others write, and bringing it back."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import run_cli, scratch_postgres_database




def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


class Writer(threading.Thread):
    """Another process's submissions: a receipt and a response in each transaction, as the app writes them."""

    def __init__(self, database: Path):
        super().__init__(daemon=True)
        self.database = database
        self.stop = threading.Event()
        self.transactions = 0

    def run(self):
        connection = sqlite3.connect(self.database, isolation_level=None, timeout=10)
        round_id, unit_id, profession_id = connection.execute(
            "SELECT r.id, u.id, p.id FROM rounds r JOIN units u ON u.programme_id = r.programme_id "
            "JOIN professions p ON p.programme_id = r.programme_id WHERE r.state = 'open' LIMIT 1"
        ).fetchone()
        while not self.stop.is_set():
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO submission_receipts (digest, round_id) VALUES (?, ?)",
                               (uuid.uuid4().bytes * 2, round_id))
            connection.execute(
                "INSERT INTO responses (round_id, unit_id, profession_id, submitted_on, answers, comment) "
                "VALUES (?, ?, ?, '2021-03-01', ?, 'backup-test')",
                (round_id, unit_id, profession_id, bytes(range(9))),
            )
            connection.execute("COMMIT")
            self.transactions += 1
        connection.close()


def test_a_backup_taken_while_responses_come_in_is_a_consistent_snapshot(demo_instance, tmp_path):
    database = demo_instance / "spindeln.sqlite"
    writer = Writer(database)
    writer.start()
    try:
        while writer.transactions < 20:
            threading.Event().wait(0.01)
        result = run_cli(demo_instance, "backup", "--out", str(tmp_path / "copy.sqlite"))
        during = writer.transactions
    finally:
        writer.stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        written = connection.execute("SELECT count(*) FROM responses WHERE comment = 'backup-test'").fetchone()[0]
        receipts = connection.execute("SELECT count(*) FROM submission_receipts").fetchone()[0]
    # Whole transactions only: every copied receipt has its response, and nothing half-written.
    assert 20 <= written <= during + 1
    assert receipts == written
    assert not (tmp_path / "copy.sqlite.partial").exists()


def test_restore_asks_first_then_brings_the_backup_back_into_the_live_database(demo_instance, tmp_path):
    database = demo_instance / "spindeln.sqlite"
    backup = tmp_path / "before.sqlite"
    assert run_cli(demo_instance, "backup", "--out", str(backup)).exit_code == 0
    responses = count(database, "responses")
    # The app is running: one of its connections stays open across the restore.
    app_connection = sqlite3.connect(database)
    app_connection.execute("PRAGMA journal_mode=WAL")
    with app_connection:
        app_connection.execute("DELETE FROM responses")

    declined = run_cli(demo_instance, "restore", str(backup), input="n\n")
    assert declined.exit_code != 0 and "Replace everything" in declined.output
    assert count(database, "responses") == 0

    restored = run_cli(demo_instance, "restore", str(backup), input="y\n")
    assert restored.exit_code == 0, restored.output
    assert app_connection.execute("SELECT count(*) FROM responses").fetchone()[0] == responses
    assert app_connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert app_connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    app_connection.close()
    assert "db upgrade" not in restored.output


def test_restore_refuses_a_file_that_is_not_a_spindeln_backup(demo_instance, tmp_path):
    database = demo_instance / "spindeln.sqlite"
    before = count(database, "responses")
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("Protokoll från erfarenhetsutbytet\n" * 100)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for file, message in ((not_sqlite, "not an SQLite database"), (other, "not a Spindeln database"),
                          (tmp_path / "missing.sqlite", "There is no file")):
        result = run_cli(demo_instance, "restore", "--yes", str(file))
        assert result.exit_code != 0
        assert message in result.output
    assert count(database, "responses") == before


def test_backup_to_a_folder_that_does_not_exist_says_so(demo_instance, tmp_path):
    result = run_cli(demo_instance, "backup", "--out", str(tmp_path / "no" / "such" / "copy.sqlite"))
    assert result.exit_code != 0 and "There is no folder" in result.output


@pytest.fixture
def postgres_instance(tmp_path, monkeypatch):
    """An instance on a PostgreSQL database of its own (made and dropped here), with the demo."""
    import spindeln.cli
    from spindeln.db import db

    # Each command builds an app; close its pooled connections here rather than leave them to the collector.
    apps = []
    build = spindeln.cli.create_app
    monkeypatch.setattr(spindeln.cli, "create_app", lambda *a, **k: apps.append(build(*a, **k)) or apps[-1])
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            message = (f"{tool} is missing: PostgreSQL backups need the client tools "
                       "(Debian: apt-get install postgresql-client)")
            if os.environ.get("CI"):
                pytest.fail(message + "; CI must test them, not skip")
            pytest.skip(message)
    with scratch_postgres_database("spindeln_backup") as url:
        instance = tmp_path / "pg"
        env = {"DATABASE_URL": url}
        assert run_cli(instance, "init", env=env).exit_code == 0
        assert run_cli(instance, "demo", env=env).exit_code == 0
        yield instance, url
        for app in apps:
            with app.app_context():
                for engine in db.engines.values():
                    engine.dispose()

def test_postgresql_backup_and_restore_with_pg_dump(postgres_instance, tmp_path):
    instance, url = postgres_instance
    env = {"DATABASE_URL": url}
    engine = create_engine(url)
    with engine.connect() as connection:
        responses = connection.execute(text("SELECT count(*) FROM responses")).scalar()
    backup = tmp_path / "stad.dump"
    made = run_cli(instance, "backup", "--out", str(backup), env=env)
    assert made.exit_code == 0, made.output
    assert backup.read_bytes()[:5] == b"PGDMP"
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM responses"))
    restored = run_cli(instance, "restore", "--yes", str(backup), env=env)
    assert restored.exit_code == 0, restored.output
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM responses")).scalar() == responses
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()

"""Durability: the SQLite settings of every connection, and a failed save that says so and keeps the answers."""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from spindeln import create_app
from spindeln.db import db
from spindeln.survey.models import Response, SubmissionReceipt
from tests.conftest import hidden_fields, text_of
from tests.survey.test_respond import complete_answers, respondent_path


def test_every_connection_of_the_app_is_durable_and_strict(tmp_path):
    app = create_app(
        {"SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'durable.sqlite'}"},
        instance_path=tmp_path,
    )
    with app.app_context():
        connection = db.session.connection()
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }
        db.engine.dispose()
    # synchronous=2 is FULL: a commit waits for the disk, so an acknowledged response survives a power cut.
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 10000, "foreign_keys": 1}


def _form(client, path):
    """Open the form in English and fill it in completely."""
    page = client.get(path + "?lang=en")
    return hidden_fields(page.data) | complete_answers(q3="7", comment="Vi behöver mer tid för samverkan.")


def _assert_save_failed_and_answers_kept(response, sent):
    assert response.status_code == 503
    assert "Location" not in response.headers
    html = response.data.decode()
    assert "Your answers could not be saved" in text_of(response.data)
    assert "Nothing was stored" in text_of(response.data)
    # Every answer is still chosen, the comment is still there, and the same form can be sent again.
    assert re.search(r'<input[^>]*\bchecked\b[^>]*id="q3-6"|<input[^>]*id="q3-6"[^>]*\bchecked\b', html)
    assert re.search(r'<input[^>]*\bchecked\b[^>]*id="q9-10"|<input[^>]*id="q9-10"[^>]*\bchecked\b', html)
    assert "Vi behöver mer tid för samverkan." in html
    assert hidden_fields(html)["submission_key"] == sent["submission_key"]


def _stored():
    db.session.rollback()
    return list(db.session.scalars(select(Response))), list(db.session.scalars(select(SubmissionReceipt)))


def test_a_commit_that_fails_gives_a_clear_503_keeps_the_answers_and_stores_nothing(client, open_round, monkeypatch):
    path = respondent_path(open_round)
    db.session.commit()
    sent = _form(client, path)

    def disk_full(self):
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    with monkeypatch.context() as patch:
        patch.setattr(Session, "commit", disk_full)
        response = client.post(path, data=sent)
    _assert_save_failed_and_answers_kept(response, sent)
    assert _stored() == ([], [])
    # Once the disk has room again, the same form goes through, once.
    again = client.post(path, data=sent)
    assert again.status_code == 302 and again.headers["Location"].endswith("/tack")
    responses, receipts = _stored()
    assert len(responses) == 1 and len(receipts) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_locked_sqlite_database_gives_a_clear_503_not_a_500(client, open_round):
    path = respondent_path(open_round)
    db.session.commit()
    sent = _form(client, path)
    # Wait a tenth of a second for the lock instead of ten, so that the test is quick.
    db.engine.dispose()
    event.listen(db.engine, "checkout", lambda connection, record, proxy: connection.execute("PRAGMA busy_timeout=100"))
    blocker = sqlite3.connect(db.engine.url.database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds SQLite's one write lock
    try:
        response = client.post(path, data=sent)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    _assert_save_failed_and_answers_kept(response, sent)
    assert _stored() == ([], [])
    again = client.post(path, data=sent)
    assert again.status_code == 302
    assert len(_stored()[0]) == 1

"""`spindeln serve`: worker processes, the schema check, and no acknowledged response lost when killed."""

from __future__ import annotations

import http.client
import re
import sqlite3
import time
from pathlib import Path

import pytest

import spindeln.ops.serving
from bench.bench_crash import crash_run
from bench.bench_meeting import Server, free_port, serve_command
from tests.conftest import run_cli


@pytest.fixture
def demo_link(demo_instance):
    """The demo instance and the path of its open round's link."""
    instance = demo_instance
    path = run_cli(instance, "link", "--programme", "stis-ytterstaden", "--round", "7").output.strip()
    assert path.startswith("/r/")
    return instance, path


def test_serve_refuses_a_database_that_is_not_at_the_newest_schema(tmp_path, monkeypatch):
    instance = tmp_path / "old"
    instance.mkdir()
    (instance / "config.toml").write_text('SECRET_KEY = "x"\n')
    monkeypatch.setattr(spindeln.ops.serving, "serve", lambda *args: pytest.fail("served an old database"))
    result = run_cli(instance, "serve")
    assert result.exit_code != 0
    assert "spindeln db upgrade" in result.output


def test_serve_runs_worker_processes_and_answers_the_form(demo_link, tmp_path):
    instance, path = demo_link
    port = free_port()
    command, env = serve_command("spindeln", port, "serve", workers=2, threads=1, instance=instance)
    with Server(command, port, env, tmp_path / "serve.log") as server:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        # gunicorn forks its workers one after another, a moment apart: the first may answer first.
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        deadline = time.monotonic() + 10
        while len(children.read_text().split()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = children.read_text().split()
    assert response.status == 200
    assert 'name="submission_key"' in body
    assert response.getheader("Server", "").startswith("gunicorn")
    assert len(workers) == 2
    log = (tmp_path / "serve.log").read_text()
    assert "2 worker processes" in log
    # No access log: it would keep respondents' addresses next to their link.
    assert path not in log and not re.search(r"127\.0\.0\.1 .*GET", log)


def test_nothing_acknowledged_is_lost_or_doubled_when_the_server_is_killed_mid_burst(demo_link, tmp_path):
    instance, path = demo_link
    result = crash_run(instance, path, respondents=40, kill_after=10, workers=2, log=tmp_path / "crash.log")
    assert result.problems == [], "\n".join(result.lines())
    assert 10 <= result.acknowledged_before_kill < 40
    assert len(result.stored) == 40
    with sqlite3.connect(instance / "spindeln.sqlite") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

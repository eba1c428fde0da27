"""Serving the app with gunicorn's sync worker processes.

Measured with bench/bench_meeting.py (docs/deployment.md has the numbers): on SQLite, a few
single-threaded worker processes keep the latency tail of a burst of submissions low, while many
threads in one process queue up behind the GIL and SQLite's single write lock. Processes also scale
on PostgreSQL, and nothing a request needs lives in one process's memory.
"""

from __future__ import annotations

import gc
import os

from flask import Flask
from gunicorn.app.base import BaseApplication

from spindeln.db import db


def default_workers() -> int:
    """Worker processes when none are asked for: two per core, at least two, at most eight."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


def _freeze_the_built_app() -> None:
    """Keep what the parent built (the app, its libraries: most of the heap) out of the workers' garbage collection.

    Otherwise every full collection in a worker walks all of it again, 100 ms or more at a time in
    the middle of a burst of submissions, and writes to pages the forked workers could have shared.
    """
    gc.freeze()


def _forget_inherited_connections(app: Flask) -> None:
    """A forked worker must not use the database connections of its parent: open its own."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


class ProductionServer(BaseApplication):
    """gunicorn serving an app that was built (and checked) once, before the workers are forked."""

    def __init__(self, app: Flask, host: str, port: int, workers: int):
        self.application = app
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            # A submission takes milliseconds; a worker stuck for half a minute is replaced.
            "timeout": 30,
            "graceful_timeout": 10,
            # No access log: it would keep respondents' IP addresses next to their link and time.
            "accesslog": None,
            "proc_name": "spindeln",
            "pre_fork": lambda server, worker: _freeze_the_built_app(),
            "post_fork": lambda server, worker: _forget_inherited_connections(app),
        }
        super().__init__()

    def load_config(self) -> None:
        """Take the options given in code, nothing from the environment or a config file."""
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 24+ listens on a control socket in the home folder by default; one
            # instance's socket must not clash with another's, and nothing here uses it.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        """The app, already built in the parent process."""
        return self.application


def serve(app: Flask, host: str, port: int, workers: int) -> None:
    """Serve `app` on host:port with `workers` processes until stopped (SIGTERM or Ctrl-C)."""
    # The parent checked the schema through the pool; its connections must not cross the fork.
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    ProductionServer(app, host, port, workers).run()

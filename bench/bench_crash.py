"""Kill the server in the middle of a burst of submissions; nothing acknowledged may be lost or doubled.

    .venv/bin/python bench/bench_crash.py [--respondents 300] [--kill-after 100] [--workers W]

A fresh instance (as bench_meeting.py makes it) is served with `spindeln serve`. Every respondent
opens the form; then all send their answers at once, each with a unique marker as its comment. When
`--kill-after` submissions have been acknowledged (a 302 to the thank-you page), the server and all
its workers get SIGKILL. The server is started again, and every respondent who got no acknowledgement
sends the same form again, as a person pressing "send" once more would. Then:

- every acknowledged submission is in the database,
- no marker is stored twice (the one-time submission key catches a form whose first sending was
  stored just before the kill but never acknowledged),
- every respondent ends up stored once, and
- `PRAGMA integrity_check` says ok.

SIGKILL loses the processes, not the operating system's page cache: surviving a power cut rests on
synchronous=FULL (see docs/deployment.md), which this test cannot pull the plug on.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_meeting import (  # noqa: E402
    Respondent,
    Server,
    free_port,
    make_instance,
    serve_command,
    stored_markers,
)


@dataclass
class CrashResult:
    """What the crash run found."""

    respondents: int
    acknowledged_before_kill: int
    failed_at_kill: int
    acknowledged_after_retry: int
    stored_unacknowledged: int
    stored: list[str]
    integrity: str
    problems: list[str]

    def lines(self) -> list[str]:
        """The report."""
        return [
            f"{self.respondents} respondents; {self.acknowledged_before_kill} acknowledged before the kill, "
            f"{self.failed_at_kill} got no acknowledgement and sent again, "
            f"{self.acknowledged_after_retry} of those acknowledged after the restart; "
            f"{self.stored_unacknowledged} had been stored before the kill without being acknowledged",
            f"stored {len(set(self.stored))} distinct markers in {len(self.stored)} rows; integrity_check: {self.integrity}",
            "OK" if not self.problems else "PROBLEMS: " + "; ".join(self.problems),
        ]


def crash_run(instance: Path, path: str, respondents: int, kill_after: int, workers: int,
              log: Path | None = None, deadline: float = 60) -> CrashResult:
    """Burst, SIGKILL after `kill_after` acknowledgements, restart, resend the unacknowledged; check."""
    port = free_port()
    command, env = serve_command("spindeln", port, "serve", workers, 1, instance=instance)
    run_id = uuid.uuid4().hex[:8]
    people = [Respondent(port, path, f"meeting-{run_id}-{i:04d}", random.Random(i), timeout=20)
              for i in range(respondents)]
    server = Server(command, port, env, log).start()
    try:
        for person in people:
            person.get_form()
        acknowledged = threading.Semaphore(0)
        go = threading.Event()

        def send(person: Respondent) -> None:
            go.wait()
            person.submit()
            if person.acknowledged:
                acknowledged.release()

        threads = [threading.Thread(target=send, args=(p,), daemon=True) for p in people]
        for thread in threads:
            thread.start()
        go.set()
        stop_at = time.monotonic() + deadline
        for _ in range(kill_after):
            if not acknowledged.acquire(timeout=max(0.0, stop_at - time.monotonic())):
                break
        server.kill()
        for thread in threads:
            thread.join(max(0.0, stop_at - time.monotonic()))
        before = sum(p.acknowledged for p in people)
        unacknowledged = [p for p in people if not p.acknowledged]
        stored_at_kill = set(stored_markers(instance / "spindeln.sqlite", run_id))
        stored_unacknowledged = len(stored_at_kill & {p.marker for p in unacknowledged})
        server = Server(command, port, env, log).start()
        for person in unacknowledged:
            person.submit()
        after = sum(p.acknowledged for p in unacknowledged)
    finally:
        server.stop()
    database = instance / "spindeln.sqlite"
    stored = stored_markers(database, run_id)
    with sqlite3.connect(database) as connection:
        integrity = ", ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    problems = []
    acknowledged_markers = {p.marker for p in people if p.acknowledged}
    if missing := acknowledged_markers - set(stored):
        problems.append(f"{len(missing)} acknowledged submissions are not stored")
    if len(stored) != len(set(stored)):
        problems.append(f"{len(stored) - len(set(stored))} submissions are stored twice")
    if len(set(stored)) != respondents:
        problems.append(f"{len(set(stored))} respondents stored, not {respondents}")
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    if before >= respondents:
        problems.append("the server was killed after the burst, not during it: lower --kill-after")
    return CrashResult(respondents, before, len(unacknowledged), after, stored_unacknowledged, stored, integrity,
                       problems)


def main(argv: list[str] | None = None) -> int:
    """Run the crash test once; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=300)
    parser.add_argument("--kill-after", type=int, default=100, help="acknowledgements before the kill")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="spindeln-crash-"))
    try:
        instance, path = make_instance(folder)
        result = crash_run(instance, path, args.respondents, args.kill_after, args.workers, folder / "server.log")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n".join(result.lines()))
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""The experience-exchange meeting: N people open the form and submit it within seconds of each other.

    .venv/bin/python bench/bench_meeting.py [--respondents 500] [--workers W] [--spread S]
                                            [--server serve|waitress] [--threads T]

It makes a fresh instance in a temporary folder (`spindeln init`, `spindeln demo`: seven districts and
an open round, `spindeln link` for its address), starts `spindeln serve` on a free port of 127.0.0.1,
and lets N respondents, each with a cookie jar of its own, fetch the form (phase 1: the QR code is
scanned) and then post complete answers (phase 2: everyone presses "send"; all at once, or spread
over `--spread` seconds) and open the thank-you page they are sent to. It then checks that exactly
N responses are stored, each respondent's marker once. The same load then runs against the floor
(bench/floor_app.py: bare Flask + SQLAlchemy storing nine integers, served the same way), and our
throughput is printed as a share of the floor's. On Linux each phase also shows the CPU time per
respondent of the server's processes and of the load generator.

`--server waitress --threads T` serves both apps with Waitress threads instead, for the comparison in
docs/deployment.md. All traffic goes to 127.0.0.1; the run is bounded (`--deadline` seconds a phase)
and stops by itself. The load generator shares the machine's cores with the server, so the numbers
are a lower bound of what the server alone can do.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SPINDELN = str(BIN / "spindeln")
DEMO_SLUG = "stis-ytterstaden"
OPEN_ROUND = 7
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


# --- servers -------------------------------------------------------------------------------------

def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A server subprocess in a process group of its own, so that it can be killed whole."""

    def __init__(self, command: list[str], port: int, env: dict[str, str] | None = None, log: Path | None = None):
        self.command, self.port = command, port
        self.env = os.environ | (env or {})
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "Server":
        """Start the server and wait until it answers."""
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                self.command, env=self.env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        finally:
            if self.log:
                output.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {' '.join(self.command)}"
                                   + (f" (see {self.log})" if self.log else ""))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout} s: {' '.join(self.command)}")

    def kill(self) -> None:
        """SIGKILL the server and all its workers at once, as a power cut or the OOM killer would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), or kill it if it does not stop in ten seconds."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_command(app: str, port: int, server: str, workers: int, threads: int, instance: Path | None = None,
                  floor_database: Path | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line (and environment) that serves `app` ("spindeln" or "floor") the chosen way."""
    python = sys.executable
    if app == "spindeln":
        env = {"SPINDELN_INSTANCE": str(instance)}
        if server == "serve":
            return [SPINDELN, "--instance", str(instance), "serve", "--port", str(port), "--workers", str(workers)], env
        target = "spindeln:create_app"
    else:
        env = {"FLOOR_DATABASE": str(floor_database)}
        target = "bench.floor_app:create_app"
    if server == "serve":
        # The floor served like `spindeln serve`: gunicorn sync workers, the app built before the fork.
        from gunicorn.config import Config

        quiet = ["--no-control-socket"] if "control_socket_disable" in Config().settings else []
        return [python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--worker-class", "sync", "--preload", *quiet, f"{target}()"], env
    return [python, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", f"--threads={threads}",
            "--call", target], env


def group_cpu_seconds(pgid: int | None) -> float | None:
    """CPU seconds (user + system) the live processes of process group `pgid` have used; None without /proc."""
    proc = Path("/proc")
    if pgid is None or not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        # After the command name: state, ppid, pgrp, ... utime (14th field of the line), stime (15th).
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# --- respondents ---------------------------------------------------------------------------------

@dataclass
class Timing:
    """One request: when it started, how long it took, and what came back."""

    started: float
    seconds: float
    status: int | None
    error: str | None = None


class Respondent:
    """One person with a phone: a cookie jar of its own, the form's hidden fields, and a marker."""

    def __init__(self, port: int, path: str, marker: str, rng: random.Random, timeout: float = 60):
        self.port, self.path, self.marker, self.rng, self.timeout = port, path, marker, rng, timeout
        self.cookies: dict[str, str] = {}
        self.fields: dict[str, str] = {}
        self.units: list[str] = []
        self.professions: list[str] = []
        self.form_timing: Timing | None = None
        self.post_timing: Timing | None = None
        self.thanks_timing: Timing | None = None
        self.location: str | None = None
        self.body: str | None = None

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[Timing, bytes, http.client.HTTPResponse | None]:
        headers = {"Connection": "close", "User-Agent": "bench-meeting"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            return Timing(started, time.monotonic() - started, None, f"{type(error).__name__}: {error}"), b"", None
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Timing(started, time.monotonic() - started, response.status), data, response

    def get_form(self) -> None:
        """Open the link, as after scanning the QR code."""
        timing, data, _ = self._request("GET", self.path + "?lang=en")
        html = data.decode("utf-8", "replace")
        for tag in HIDDEN.findall(html):
            attributes = dict(ATTRIBUTE.findall(tag))
            if "name" in attributes:
                self.fields[attributes["name"]] = attributes.get("value", "")
        self.units = re.findall(r'<option[^>]*value="([^"]+)"', html)
        self.professions = re.findall(r'name="profession"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="profession"', html)
        self.professions = [a or b for a, b in self.professions]
        if timing.status == 200 and not {"csrf_token", "submission_key"} <= self.fields.keys():
            timing.error = "the form lacks its hidden fields"
        self.form_timing = timing

    def answers(self) -> dict[str, str]:
        """Complete answers: nine ratings (sometimes "cannot assess"), unit, profession, the marker."""
        data = dict(self.fields)
        for i in range(1, 10):
            data[f"q{i}"] = "x" if self.rng.random() < 0.05 else str(self.rng.randint(1, 10))
        data["unit"] = self.rng.choice(self.units) if self.units else "unit"
        data["profession"] = self.rng.choice(self.professions) if self.professions else "profession"
        data["comment"] = self.marker
        return data

    def submit(self) -> None:
        """Send the answers (the same ones again when retried); a 302 to the thank-you page acknowledges."""
        if self.body is None:
            self.body = urllib.parse.urlencode(self.answers())
        timing, _, response = self._request("POST", self.path, self.body)
        self.location = response.headers.get("Location") if response else None
        if timing.status == 302 and not (self.location or "").endswith("/tack"):
            timing.error = f"redirected to {self.location}"
        self.post_timing = timing

    @property
    def acknowledged(self) -> bool:
        """The server said the answers were stored."""
        return bool(self.post_timing and self.post_timing.status == 302 and not self.post_timing.error)

    def open_thanks(self) -> None:
        """Follow the redirect, as a browser does."""
        if self.acknowledged:
            self.thanks_timing, _, _ = self._request("GET", urllib.parse.urlsplit(self.location).path)


def run_in_threads(respondents: list[Respondent], action, spread: float, deadline: float) -> float:
    """Let every respondent do `action` in a thread of its own, released together; the wall time."""
    start = threading.Event()
    rng = random.Random(7)
    delays = [rng.uniform(0, spread) for _ in respondents]

    def one(respondent: Respondent, delay: float) -> None:
        start.wait()
        if delay:
            time.sleep(delay)
        action(respondent)

    threading.stack_size(512 * 1024)
    threads = [threading.Thread(target=one, args=(r, d), daemon=True) for r, d in zip(respondents, delays)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    start.set()
    stop_at = began + deadline
    for thread in threads:
        thread.join(max(0.0, stop_at - time.monotonic()))
    return time.monotonic() - began


# --- the run -------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    """The `share` quantile of `values` (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class PhaseReport:
    """What one phase (forms or submissions) measured."""

    name: str
    count: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: CPU seconds the server's processes and the load generator used during the phase (None: unknown).
    server_cpu: float | None = None
    client_cpu: float | None = None

    @property
    def throughput(self) -> float:
        """Successful requests per second over the phase."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        """One line of the report."""
        ms = [1000 * s for s in self.latencies]
        return (f"  {self.name:<12} {len(self.latencies):>4}/{self.count} ok in {self.seconds:6.2f} s"
                f"  {self.throughput:7.1f}/s  p50 {percentile(ms, .5):7.1f}  p95 {percentile(ms, .95):7.1f}"
                f"  p99 {percentile(ms, .99):7.1f}  max {max(ms, default=float('nan')):7.1f} ms"
                f"  errors {len(self.errors)}" + self.cpu_line())

    def cpu_line(self) -> str:
        """CPU per respondent of the server and of the load generator, where it was measured."""
        if self.server_cpu is None or not self.count:
            return ""
        return (f"\n  {'':<12} CPU per respondent: server {1000 * self.server_cpu / self.count:.1f} ms,"
                f" load generator {1000 * self.client_cpu / self.count:.1f} ms")


def phase_report(name: str, timings: list[Timing | None], expected_status: int, seconds: float) -> PhaseReport:
    """Sort timings into latencies of successes and error descriptions."""
    report = PhaseReport(name, len(timings), seconds)
    for timing in timings:
        if timing is None:
            report.errors.append("no answer before the deadline")
        elif timing.error or timing.status != expected_status:
            report.errors.append(timing.error or f"status {timing.status}")
        else:
            report.latencies.append(timing.seconds)
    return report


@dataclass
class LoadResult:
    """Everything one load run against one app measured."""

    forms: PhaseReport
    submissions: PhaseReport
    acknowledged: list[str]
    burst_seconds: float


def meeting_load(port: int, path: str, respondents: int, spread: float, deadline: float, run_id: str,
                 pause: float = 0.5, thanks: bool = True, server_group: int | None = None) -> LoadResult:
    """Phase 1: everyone opens the form; phase 2: everyone sends it and opens the thank-you page.

    With `server_group` (the server's process group) the CPU time of the server and of this load
    generator is measured per phase: what the respondents cost the machine, next to how long they
    waited, and how much of the shared cores the load generator itself took.
    """
    rng = random.Random(run_id)
    people = [Respondent(port, path, f"meeting-{run_id}-{i:04d}", random.Random(rng.random()))
              for i in range(respondents)]
    server_before, client_before = group_cpu_seconds(server_group), time.process_time()
    seconds = run_in_threads(people, Respondent.get_form, spread=0, deadline=deadline)
    forms = phase_report("form (GET)", [p.form_timing for p in people], 200, seconds)
    forms.server_cpu, forms.client_cpu = _cpu_since(server_group, server_before, client_before)
    time.sleep(pause)
    ready = [p for p in people if p.form_timing and p.form_timing.status == 200 and not p.form_timing.error]

    def send(person: Respondent) -> None:
        person.submit()
        if thanks:
            person.open_thanks()

    server_before, client_before = group_cpu_seconds(server_group), time.process_time()
    run_in_threads(ready, send, spread=spread, deadline=deadline)
    server_cpu, client_cpu = _cpu_since(server_group, server_before, client_before)
    posted = [p.post_timing for p in ready if p.post_timing]
    # The burst lasts from the first submission sent to the last acknowledgement received.
    burst = (max(t.started + t.seconds for t in posted) - min(t.started for t in posted)) if posted else 0.0
    submissions = phase_report("submit (POST)", [p.post_timing for p in ready], 302, burst)
    submissions.count = respondents
    submissions.server_cpu, submissions.client_cpu = server_cpu, client_cpu
    submissions.errors += ["never got a form"] * (respondents - len(ready))
    return LoadResult(forms, submissions, [p.marker for p in ready if p.acknowledged], burst)


def _cpu_since(server_group: int | None, server_before: float | None,
               client_before: float) -> tuple[float | None, float | None]:
    """CPU seconds of the server group and of this process since the `before` readings."""
    server_now = group_cpu_seconds(server_group)
    if server_now is None or server_before is None:
        return None, None
    return server_now - server_before, time.process_time() - client_before


def stored_markers(database: Path, run_id: str, table: str = "responses") -> list[str]:
    """The markers of this run found in the database (a list: a duplicate shows twice)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(f"SELECT comment FROM {table} WHERE comment LIKE ?", (f"meeting-{run_id}-%",))
        return [row[0] for row in rows]


def check_stored(acknowledged: list[str], stored: list[str], respondents: int) -> list[str]:
    """What is wrong with the stored responses: missing acknowledged ones, duplicates, not all N."""
    problems = []
    missing = set(acknowledged) - set(stored)
    duplicates = len(stored) - len(set(stored))
    if missing:
        problems.append(f"{len(missing)} acknowledged responses are not stored")
    if duplicates:
        problems.append(f"{duplicates} responses are stored twice")
    if len(set(stored)) != respondents:
        problems.append(f"{len(set(stored))} responses stored, not {respondents}")
    return problems


def spindeln(instance: Path, *args: str) -> str:
    """Run the `spindeln` command on the instance; its output."""
    result = subprocess.run([SPINDELN, "--instance", str(instance), *args], capture_output=True, text=True, cwd=REPO)
    if result.returncode:
        raise RuntimeError(f"spindeln {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def make_instance(folder: Path, rate_limits: bool = False) -> tuple[Path, str]:
    """A fresh instance with the demo programme; the path of its open round's link.

    The rate limits are off unless asked for: every respondent here comes from 127.0.0.1, and the
    per-address limit would measure the limit, not the server.
    """
    instance = folder / "instance"
    spindeln(instance, "init")
    if not rate_limits:
        with open(instance / "config.toml", "a", encoding="utf-8") as config:
            config.write("RATELIMIT_ENABLED = false\n")
    spindeln(instance, "demo")
    path = spindeln(instance, "link", "--programme", DEMO_SLUG, "--round", str(OPEN_ROUND)).strip()
    return instance, path


def run_app(label: str, command: list[str], env: dict[str, str], port: int, path: str, args, log: Path,
            database: Path, table: str) -> tuple[LoadResult, list[str]]:
    """Serve one app, put the meeting's load on it, check what was stored; the result and problems."""
    run_id = uuid.uuid4().hex[:8]
    with Server(command, port, env, log) as server:
        # One warm-up respondent per worker, so that first-request costs are not in the measurement.
        meeting_load(port, path, max(args.workers, args.threads), 0, args.deadline, "warmup" + run_id, pause=0)
        result = meeting_load(port, path, args.respondents, args.spread, args.deadline, run_id,
                              thanks=not args.no_thanks, server_group=server.process.pid)
    stored = stored_markers(database, run_id, table)
    problems = check_stored(result.acknowledged, stored, args.respondents)
    print(f"{label}")
    print(result.forms.line())
    print(result.submissions.line())
    print(f"  stored {len(set(stored))} of {args.respondents}; all stored {result.burst_seconds:.2f} s after the first "
          f"submission; {'OK' if not problems else 'PROBLEMS: ' + '; '.join(problems)}")
    for error in sorted(set(result.forms.errors + result.submissions.errors))[:5]:
        print(f"    error: {error}")
    return result, problems


def main(argv: list[str] | None = None) -> int:
    """Run the meeting against Spindeln and the floor; exit 1 if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=500, help="people at the meeting (default 500)")
    parser.add_argument("--server", choices=["serve", "waitress"], default="serve",
                        help="`spindeln serve` (gunicorn processes; default) or Waitress threads")
    parser.add_argument("--workers", type=int, default=None, help="worker processes for serve (default: serve's)")
    parser.add_argument("--threads", type=int, default=8, help="Waitress threads (default 8)")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds over which the submissions are spread (default 0: all at once)")
    parser.add_argument("--deadline", type=float, default=120.0, help="the longest a phase may take (s)")
    parser.add_argument("--no-thanks", action="store_true",
                        help="do not open the thank-you page after submitting (a browser does)")
    parser.add_argument("--rate-limits", action="store_true",
                        help="keep Spindeln's rate limits on (all respondents share the address 127.0.0.1)")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor app")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from spindeln.ops.serving import default_workers

    args.workers = args.workers or default_workers()
    if args.server == "waitress":
        args.workers = 1
    folder = Path(tempfile.mkdtemp(prefix="spindeln-meeting-"))
    print(f"{args.respondents} respondents, submissions {'at once' if not args.spread else f'over {args.spread} s'};"
          f" server: {'spindeln serve, ' + str(args.workers) + ' sync workers' if args.server == 'serve' else f'waitress, {args.threads} threads'};"
          f" {os.cpu_count()} cores shared with the load generator; folder {folder}")
    instance, path = make_instance(folder, args.rate_limits)
    port = free_port()
    command, env = serve_command("spindeln", port, args.server, args.workers, args.threads, instance=instance)
    ours, problems = run_app("Spindeln", command, env, port, path, args, folder / "spindeln.log",
                             instance / "spindeln.sqlite", "responses")
    failed = bool(problems or ours.forms.errors or ours.submissions.errors)
    goals = [f"all stored within 3 s: {'yes' if ours.burst_seconds <= 3 and not problems else 'NO'} "
             f"({ours.burst_seconds:.2f} s)",
             f"zero errors: {'yes' if not (ours.forms.errors or ours.submissions.errors) else 'NO'}"]
    failed |= ours.burst_seconds > 3
    if not args.no_floor:
        floor_database = folder / "floor.sqlite"
        port = free_port()
        command, env = serve_command("floor", port, args.server, args.workers, args.threads,
                                     floor_database=floor_database)
        floor, floor_problems = run_app("Floor (bare Flask + SQLAlchemy, nine integers)", command, env, port,
                                        "/r/floor", args, folder / "floor.log", floor_database, "answers")
        ratio = ours.submissions.throughput / floor.submissions.throughput if floor.submissions.throughput else 0
        forms_ratio = ours.forms.throughput / floor.forms.throughput if floor.forms.throughput else 0
        print(f"Spindeln / floor throughput: submissions {ratio:.2f}, forms {forms_ratio:.2f}")
        goals.append(f"at least half the floor's submission throughput: {'yes' if ratio >= 0.5 else 'NO'} ({ratio:.2f})")
        failed |= ratio < 0.5
    print("Goals: " + "; ".join(goals))
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

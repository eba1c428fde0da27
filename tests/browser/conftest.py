"""Browser fixtures: a real `spindeln serve` on a fresh demo instance, headless Chromium, axe-core.

The browser is Debian's Chromium (`/usr/bin/chromium`) driven by Playwright; Playwright's own browser
download is not used. axe-core comes from the npm registry through the repository's package.json
(`npm ci --no-audit --no-fund`). When Chromium or axe-core is missing the fixtures install them if
they can (apt-get as root, npm); if that fails the tests skip, except in CI (`CI` set), where they
fail with a message saying what is missing.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_SLUG = "stis-ytterstaden"
DEMO_LOGIN = ("demo@example.org", "spindeln-demo")
#: The demo's open round, and its last closed one.
OPEN_ROUND = 7
CLOSED_ROUND = 6
#: The WCAG 2.1 A and AA rules of axe-core.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _unavailable(message: str):
    """Skip locally, fail in CI: there the browser tests must run."""
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run the browser tests, not skip them)", pytrace=False)
    pytest.skip(message)


def _find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="package")
def chromium_path() -> str:
    """Debian's Chromium, installed with apt-get when it is missing and we are root."""
    found = _find_chromium()
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=environment, check=False, timeout=300)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=environment, check=False, timeout=600)
        found = _find_chromium()
    if found is None:
        _unavailable("Chromium is not installed and could not be installed (apt-get install chromium, as root)")
    return found


@pytest.fixture(scope="package")
def axe_script() -> Path:
    """axe-core's axe.min.js from node_modules, installed from package-lock.json when missing."""
    if not AXE_SCRIPT.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO, check=False, timeout=300,
                       stdout=subprocess.DEVNULL)
    if not AXE_SCRIPT.is_file():
        _unavailable(f"axe-core is not installed: run `npm ci --no-audit --no-fund` in {REPO} (needs Node.js)")
    return AXE_SCRIPT


@pytest.fixture(scope="package")
def artifacts() -> Path:
    """The folder for screenshots and downloads (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _spindeln_command() -> list[str]:
    script = Path(sys.executable).parent / "spindeln"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from spindeln.cli import main; main()"]


def _stop_with_pytest() -> None:
    """In the server process (Linux): get SIGTERM when pytest dies, so a killed test run leaves no server."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: One Python process for the slow part of the setup (the app's imports take seconds): the same
#: `spindeln` commands a person would type, init, demo and link, run in turn.
SETUP_SCRIPT = """
import sys
from spindeln.cli import main
instance, slug, rounds = sys.argv[1], sys.argv[2], sys.argv[3:]
main(["--instance", instance, "init"], standalone_mode=False)
main(["--instance", instance, "demo"], standalone_mode=False)
for number in rounds:
    print("LINK", number, flush=True)
    main(["--instance", instance, "link", "--programme", slug, "--round", number], standalone_mode=False)
"""


@dataclass
class Server:
    """A running `spindeln serve` on a demo instance of its own."""

    base_url: str
    instance: Path
    environment: dict = field(repr=False)
    #: The general respondent link path of each demo round, as `spindeln link` printed it.
    links: dict[int, str] = field(default_factory=dict)

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run a `spindeln` command against this instance; its standard output."""
        result = subprocess.run(
            [*_spindeln_command(), "--instance", str(self.instance), *args],
            input=stdin, capture_output=True, text=True, env=self.environment, timeout=120,
        )
        assert result.returncode == 0, f"spindeln {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def url(self, path: str) -> str:
        """The absolute address of a path on this server."""
        return self.base_url + path

    def respondent_path(self, number: int = OPEN_ROUND) -> str:
        """The path of the general respondent link of a demo round (`spindeln link`)."""
        if number not in self.links:
            self.links[number] = self.cli("link", "--programme", DEMO_SLUG, "--round", str(number)).strip()
        return self.links[number]

    def set_up(self, rounds: list[int]) -> None:
        """`spindeln init`, `spindeln demo`, then `spindeln link` of `rounds`."""
        result = subprocess.run(
            [sys.executable, "-c", SETUP_SCRIPT, str(self.instance), DEMO_SLUG, *map(str, rounds)],
            capture_output=True, text=True, env=self.environment, timeout=300,
        )
        assert result.returncode == 0, f"spindeln init/demo/link failed: {result.stderr}"
        number = None
        for line in result.stdout.splitlines():
            if line.startswith("LINK "):
                number = int(line.split()[1])
            elif line.startswith("/r/") and number is not None:
                self.links[number] = line.strip()


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"spindeln serve stopped with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"spindeln serve did not answer on port {port} within {seconds} s")


@pytest.fixture(scope="package")
def server(tmp_path_factory, artifacts) -> Server:
    """`spindeln serve` (gunicorn, worker processes) on 127.0.0.1 and a free port, with init + demo."""
    instance = tmp_path_factory.mktemp("browser") / "instance"
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SPINDELN_INSTANCE")}
    port = _free_port()
    running = Server(f"http://127.0.0.1:{port}", instance, environment)
    running.set_up([OPEN_ROUND, CLOSED_ROUND])
    log = open(artifacts / "server.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*_spindeln_command(), "--instance", str(instance), "serve", "--port", str(port), "--workers", "3"],
        stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True,
        preexec_fn=_stop_with_pytest,
    )
    try:
        _wait_for_port(port, process)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C: gunicorn's quick shutdown, workers too
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()


@pytest.fixture(scope="package")
def browser(chromium_path):
    """Headless Chromium, shared by the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, server):
    """Make browser contexts (separate cookie jars) for this test; all closed at its end.

    CSP is bypassed only so that axe-core can be injected as a script; the app's pages run the
    same either way, since they have no inline script.
    """
    contexts = []

    def make(**options):
        options.setdefault("base_url", server.base_url)
        options.setdefault("bypass_csp", True)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="package")
def manager_state(browser, server):
    """The cookies of the logged-in demo admin, made once: `new_context(storage_state=manager_state)`."""
    context = browser.new_context(base_url=server.base_url)
    page = context.new_page()
    log_in(page)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def phone(new_context):
    """A page on a phone-sized touch screen (360 × 740 CSS px)."""
    context = new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                          has_touch=True)
    return context.new_page()


@pytest.fixture
def desktop(new_context):
    """A page on a desktop-sized screen."""
    return new_context().new_page()


def log_in(page, email: str = DEMO_LOGIN[0], password: str = DEMO_LOGIN[1]) -> None:
    """Log in through the login form, in English."""
    page.goto("/login?lang=en")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/manage/**")


def live_count(page, number: int) -> int:
    """The response count of a demo round, read from count.json with the page's logged-in session."""
    response = page.request.get(f"/manage/{DEMO_SLUG}/rounds/{number}/count.json")
    assert response.ok, response.status
    return json.loads(response.text())["count"]


def screenshot(page, artifacts: Path, name: str, full_page: bool = True) -> Path:
    """Save a screenshot (the whole page, or what the screen shows) under tests/artifacts/."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_violations(page, axe_script: Path) -> list[dict]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page; the violations, in short."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [
                {"target": node["target"], "summary": node.get("failureSummary", "")}
                for node in violation["nodes"][:5]
            ],
        }
        for violation in result["violations"]
    ]

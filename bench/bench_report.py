"""Time the PDF handout against bare WeasyPrint: `python bench/bench_report.py [--instance PATH] [--repeat N]`.

The handout of the demo's round 6 (all units) is made end to end: the summaries, the charts, the
HTML and WeasyPrint. The issue's budget is for a 10-page report; the demo's round 6 fills eight, so
the bench first gives its respondents free-text comments, as a round of a large programme has, until
the handout runs to ten pages (`--comments`). The floor is bare WeasyPrint, in the same process, rendering a minimal HTML
with the same chart SVGs to the same number of A4 pages: what any PDF with these charts costs. The
ratio says what the handout adds on top (its tables and text, and the charts it has to build).

Without --instance a demo instance is made in a temporary folder first.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weasyprint  # noqa: E402
from flask import render_template  # noqa: E402
from flask_babel import force_locale  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from spindeln import create_app  # noqa: E402
from spindeln.db import Base, db  # noqa: E402
from spindeln.demo import DEMO_SLUG, create_demo  # noqa: E402
from spindeln.programmes.queries import programme_by_slug  # noqa: E402
from spindeln.reports import handout  # noqa: E402

ROUND = 6
#: The budget the handout must stay under on this machine, end to end.
BUDGET_SECONDS = 2.0
#: The pages of the handout the budget is for.
PAGES = 10

OPENINGS = ("Vi märker att", "Det känns som att", "På vår enhet ser vi att", "Sedan i våras har",
            "Många föräldrar säger att", "I vår grupp tycker vi att", "Det är tydligt att", "Ofta blir det så att")
TOPICS = ("samverkan med BVC", "sekretessen mellan förvaltningarna", "planeringen av gemensamma grupper",
          "kontakten med öppna förskolan", "ledningens stöd", "lotsningen av familjer", "våra olika uppdrag",
          "tiden för gemensamma träffar", "kunskapen om varandras verksamheter", "brukarnas inflytande")
ENDINGS = ("fungerar bättre än förra året.", "behöver diskuteras på nästa träff.",
           "är beroende av enskilda personer.", "har blivit lättare sedan vi fick en kontaktperson.",
           "tar mycket tid som vi inte har.", "skulle behöva en gemensam rutin.")


def add_comments(programme, count: int) -> None:
    """Give `count` responses of round ROUND free-text comments of two sentences (the bench's own instance only)."""
    from sqlalchemy import select

    from spindeln.survey.models import Response, Round

    round_id = db.session.scalar(select(Round.id).where(Round.programme_id == programme.id,
                                                        Round.number == ROUND))
    responses = db.session.scalars(select(Response).where(Response.round_id == round_id)
                                   .order_by(Response.id)).all()
    sentences = [f"{opening} {topic} {ending}" for ending in ENDINGS for topic in TOPICS for opening in OPENINGS]
    # Every other respondent writes two sentences: a round of a large programme has about as much to say.
    for index, response in enumerate(responses[::2][:count]):
        response.comment = f"{sentences[(index * 11) % len(sentences)]} {sentences[(index * 11 + 5) % len(sentences)]}"
    db.session.commit()


def floor_pdf(charts: dict[str, bytes], pages: int) -> bytes:
    """Bare WeasyPrint: each chart on a page of its own, blank pages up to `pages`, nothing else."""
    blocks = [f'<div class="p"><img src="{handout.chart_url(name)}"></div>' for name in charts]
    blocks += ['<div class="p">.</div>'] * max(0, pages - len(blocks))
    html = ("<!doctype html><html><head><style>@page { size: A4; margin: 15mm } .p { break-after: page } "
            "img { width: 100% }</style></head><body>" + "".join(blocks) + "</body></html>")
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=handout.ChartFetcher(
        {handout.chart_url(name): svg for name, svg in charts.items()})).write_pdf()


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def timed(function, repeat: int):
    """The median wall-clock and CPU seconds of `repeat` calls of `function`, and its last result.

    CPU time (this process only) is shown beside wall time: on a machine busy with other work the
    wall time says more about the neighbours than about the handout.
    """
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return Timing(statistics.median(wall), statistics.median(cpu)), result


@dataclass
class Timing:
    """Seconds of wall-clock and of CPU time."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall {self.cpu:6.2f} s CPU"


def main() -> int:
    """Print the time of each stage of the handout, the floor and the ratios; 1 when over budget.

    The budget is for the handout as it is asked for in practice: once a round is closed its charts
    are in the cache (closing renders them). The cold time, with no chart rendered yet, is shown too.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", type=Path, help="An instance holding the demo programme.")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--comments", type=int, default=36,
                        help="Comments given to round 6 before timing, to fill ten pages (default 36).")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        instance = arguments.instance or Path(folder)
        # A chart cache of the bench's own, emptied before every cold run.
        config = {"CHART_CACHE_DIR": str(Path(folder) / "charts")}
        if not arguments.instance:
            config |= {"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite'}"}
        app = create_app(config, instance_path=instance)
        with app.app_context(), app.test_request_context("/"), force_locale("sv"):
            if not arguments.instance:
                Base.metadata.create_all(db.engine)
            if programme_by_slug(DEMO_SLUG) is None:
                create_demo()
                db.session.commit()
            programme = programme_by_slug(DEMO_SLUG)
            if not arguments.instance:
                add_comments(programme, arguments.comments)
            return run(programme, arguments.repeat, Path(config["CHART_CACHE_DIR"]))


def run(programme, repeat: int, cache: Path) -> int:
    """Time the handout of round 6 of `programme` (charts cold and cached) and its floor; print the result.

    Returns 1 when the handout with cached charts, or its page count, misses the goal.
    """

    def cold(function):
        def call():
            shutil.rmtree(cache, ignore_errors=True)
            return function()
        return call

    handout.make_handout(programme, ROUND)  # warm up fonts, matplotlib and WeasyPrint
    total, pdf = timed(cold(lambda: handout.make_handout(programme, ROUND)), repeat)
    cached, _ = timed(lambda: handout.make_handout(programme, ROUND), repeat)
    collect, (content, charts) = timed(cold(lambda: handout.collect(programme, ROUND)), repeat)
    html = render_template("reports/handout.html", h=content, css_string=handout.css_string)
    render, _ = timed(lambda: handout.render_pdf(html, charts), repeat)
    pages = page_count(pdf)
    floor, floor_result = timed(lambda: floor_pdf(charts, pages), repeat)
    print(f"handout of round {ROUND}: {pages} pages, {len(pdf) / 1000:.0f} kB (median of {repeat})"
          + ("" if pages >= PAGES else f"  (fewer than the {PAGES} pages the budget is for: raise --comments)"))
    print(f"  summaries + charts, cold (collect)  {collect}")
    print(f"  WeasyPrint of the handout           {render}")
    print(f"  end to end, charts cold             {total}   budget {BUDGET_SECONDS:.1f} s: "
          f"{'ok' if total.wall < BUDGET_SECONDS else 'OVER'}")
    print(f"  end to end, charts cached           {cached}   budget {BUDGET_SECONDS:.1f} s: "
          f"{'ok' if cached.wall < BUDGET_SECONDS else 'OVER'}")
    print(f"floor: bare WeasyPrint, same {len(charts)} SVGs, {page_count(floor_result)} pages  {floor}")
    for name, timing in (("WeasyPrint of the handout", render), ("end to end, charts cold", total),
                         ("end to end, charts cached", cached)):
        print(f"ratio {name + ' / floor':36} wall {timing.wall / floor.wall:5.2f}   CPU {timing.cpu / floor.cpu:5.2f}")
    return 0 if cached.wall < BUDGET_SECONDS and pages >= PAGES else 1


if __name__ == "__main__":
    sys.exit(main())

"""The PDF handout: what it says, what it never shows, and what it never fetches.

Rendering a handout takes a few seconds, so few tests render one: each of those checks many things.
"""

import io

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select
from weasyprint.urls import FatalURLFetchingError

from spindeln.analysis.loader import build_summary
from spindeln.auth.models import Role
from spindeln.auth.operations import add_user
from spindeln.charts import format_number
from spindeln.db import db
from spindeln.demo import DEMO_SLUG, create_demo
from spindeln.programmes.operations import add_round, close_round
from spindeln.programmes.queries import find_profession, find_unit, round_by_number
from spindeln.reports import handout
from spindeln.reports.cli import report
from spindeln.results import gate
from spindeln.survey.models import Response
from spindeln.web import instruments
from tests.conftest import PASSWORD, login

#: A comment from the two-person BVC/BMM group in Skärholmen: it must never be printed.
SECRET = "Bara vi två på BVC i Skärholmen vet detta."
#: A comment with markup in a group that is shown: it must be printed as text.
MARKUP = "<b>hej</b> från Hässelby"
HANDOUT = "/results/stis-ytterstaden/rounds/{number}/handout.pdf"


def text_of_pdf(body: bytes) -> tuple[str, int]:
    """The text of a PDF (lines joined by spaces) and its number of pages."""
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages), len(reader.pages)


def set_comment(programme, round_number: int, unit_name: str, profession_key: str, comment: str) -> None:
    """Give one response of the round's unit × profession group this comment."""
    measurement_round = round_by_number(programme, round_number)
    unit = find_unit(programme, unit_name)
    profession = find_profession(programme, profession_key)
    response = db.session.scalars(select(Response).where(
        Response.round_id == measurement_round.id, Response.unit_id == unit.id,
        Response.profession_id == profession.id).order_by(Response.id)).first()
    response.comment = comment


@pytest.fixture
def demo(app, admin):
    """The demo programme, with a comment in the hidden group and one with markup in a shown group."""
    programme, _user = create_demo()
    set_comment(programme, 6, "Skärholmen", "bvc_bmm", SECRET)
    set_comment(programme, 6, "Hässelby-Vällingby", "oppna_forskolan", MARKUP)
    db.session.commit()
    return programme


# --- the fetcher ---------------------------------------------------------------------------


def test_the_fetcher_serves_the_charts_and_refuses_every_other_url():
    fetcher = handout.ChartFetcher({handout.chart_url("radar"): b"<svg xmlns='http://www.w3.org/2000/svg'/>"})
    response = fetcher.fetch(handout.chart_url("radar"))
    assert response.read().startswith(b"<svg") and response.content_type == "image/svg+xml"
    for url in ("file:///etc/passwd", "http://example.org/x.svg", "https://example.org/",
                "data:image/svg+xml,<svg/>", handout.chart_url("other")):
        with pytest.raises(handout.RefusedURL):
            fetcher.fetch(url)


@pytest.mark.parametrize("html", [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>x</p>',
    '<p style="background: url(file:///etc/hostname)">x</p>',
])
def test_rendering_stops_at_a_url_that_is_not_a_chart(html):
    with pytest.raises(FatalURLFetchingError):
        handout.render_pdf(html, {})


def test_css_strings_cannot_leave_the_style_element():
    assert handout.css_string('Farsta "a" </style><script>') == (
        '"Farsta \\22 a\\22  \\3c /style\\3e \\3c script\\3e "')


# --- what is in a handout ------------------------------------------------------------------


def test_the_handout_download_for_a_unit(client, demo):
    path = HANDOUT.format(number=6) + "?unit=hasselby_vallingby"
    assert client.get(path).status_code == 302  # to the login page
    login(client)
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "spindeln-stis-ytterstaden-6-hasselby_vallingby-sv.pdf" in response.headers["Content-Disposition"]
    text, pages = text_of_pdf(response.data)

    assert pages >= 8
    assert "STIS ytterstaden" in text and "Mätning 6 (ht 2020)" in text and "Hässelby-Vällingby" in text
    for label in ("Ledningens stöd", "Brukarnas inflytande", "Kunskap om varandra", "Regelverk",
                  "Synsätt och kunskap"):
        assert label in text
    assert "Föräldrarådgivare" in text and "Öppna förskolan" in text
    # The figures are the summary's, with a decimal comma.
    unit = find_unit(demo, "Hässelby-Vällingby")
    summary = build_summary(db.session, demo, instruments(), [1, 2, 3, 4, 5, 6], unit)
    items = {item["key"]: item for item in summary["rounds"][-1]["items"]}
    for key in ("q3", "q9"):
        mean = format_number(items[key]["mean"], "sv")
        assert "," in mean and mean in text
    # The comparison is with round 5 (the previous) and round 1 (the first).
    assert "Mätning 1 (vt 2018)" in text and "Mätning 5 (vt 2020)" in text
    # The comment with markup is printed as the text it is.
    assert MARKUP in text
    assert SECRET not in text


def test_the_report_command_for_a_unit_with_a_hidden_profession(app, demo, tmp_path):
    out = tmp_path / "skarholmen.pdf"
    result = app.test_cli_runner().invoke(report, ["--programme", DEMO_SLUG, "--round", "6", "--unit", "Skärholmen",
                                                   "--language", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text, pages = text_of_pdf(out.read_bytes())
    assert pages >= 8
    assert "Skärholmen" in text and "Management support" in text and "Users' influence" in text
    # BVC/BMM in Skärholmen (two people) is hidden: no count, no comment.
    assert "fewer than 3" in text
    assert SECRET not in text


def test_a_handout_needs_a_closed_round(client, demo, tmp_path):
    add_round(demo, "Mätning 8 (utkast)")
    db.session.commit()
    login(client)
    for number, word in ((7, "still open"), (8, "a draft")):
        response = client.get(HANDOUT.format(number=number) + "?lang=en")
        assert response.status_code == 409
        assert word in response.data.decode() and b"%PDF" not in response.data
    out = tmp_path / "open.pdf"
    result = client.application.test_cli_runner().invoke(
        report, ["--programme", DEMO_SLUG, "--round", "7", "--language", "en", "--out", str(out)])
    assert result.exit_code == 1 and "still open" in result.output
    assert not out.exists()


def test_bad_choices_get_a_clear_answer(client, demo):
    login(client)
    base = HANDOUT.format(number=6)
    assert client.get(base + "?unit=atlantis&lang=en").status_code == 404
    assert client.get(base + "?profession=astronaut").status_code == 404
    assert client.get(base + "?compare=abc").status_code == 400
    assert client.get(base + "?compare=%C2%B2").status_code == 400
    later = client.get(base + "?compare=7&lang=en")
    assert later.status_code == 400 and b"not an earlier closed round" in later.data
    too_many = client.get(base + "?compare=1&compare=2&compare=3&lang=en")
    assert too_many.status_code == 400
    hidden = client.get(base + "?unit=skarholmen&profession=bvc_bmm&lang=en")
    assert hidden.status_code == 409 and b"Fewer than 3" in hidden.data
    assert client.get(HANDOUT.format(number=99)).status_code == 404
    assert client.get("/results/nowhere/rounds/6/handout.pdf").status_code == 404


def test_comments_come_only_from_shown_groups_in_text_order(app, demo):
    measurement_round = round_by_number(demo, 6)
    comments = [text for text, _times in gate.shown_comments(demo, measurement_round, None, None)]
    assert MARKUP in comments
    assert SECRET not in comments
    assert comments == sorted(comments, key=str.casefold)
    skarholmen = find_unit(demo, "Skärholmen")
    assert SECRET not in [text for text, _ in gate.shown_comments(demo, measurement_round, skarholmen, None)]


def test_the_handout_speaks_english_when_asked(app, demo):
    with app.test_request_context("/"), force_locale("en"):
        content, charts = handout.collect(demo, 2, language="en")
    assert content.selection == "All units and professions"
    # Round 2: the previous and the first round are the same one.
    assert content.compared_labels == ["Mätning 1 (vt 2018)"]
    assert content.trend is not None and set(charts) == {"radar", "overlay", "trend", "dispersion"}
    assert any("Management support" in prompt.sentence or "Laws and rules" in prompt.sentence for prompt in content.prompts)
    assert all("," not in row[1] for row in content.dimension_rows)  # decimal point in English
    with app.test_request_context("/"), force_locale("sv"):
        first, charts = handout.collect(demo, 1, language="sv")
    # The first round has nothing before it: no comparison and no change over time.
    assert first.overlay is None and first.trend is None and set(charts) == {"radar", "dispersion"}


def test_a_round_nobody_answered_has_no_handout(app, programme):
    measurement_round = add_round(programme, "Mätning 1 (vt 2018)")
    measurement_round.open()
    close_round(measurement_round, instruments())
    db.session.commit()
    with app.test_request_context("/"), force_locale("en"), pytest.raises(handout.NothingToShow) as refused:
        handout.collect(programme, 1, language="en")
    assert "Nobody" in str(refused.value) and refused.value.status == 409


def test_a_coordinator_gets_only_the_handouts_of_their_own_programmes(client, demo):
    add_user("samordnare@example.org", PASSWORD, Role.coordinator)
    db.session.commit()
    login(client, "samordnare@example.org")
    # Not given the demo programme: it answers as if it did not exist.
    assert client.get(HANDOUT.format(number=6)).status_code == 404

"""Results pages, chart downloads, the summary API and the results CLI; the minimum group size everywhere."""

import io
import json

from click.testing import CliRunner
from PIL import Image

from spindeln.results import cli as results_cli
from spindeln.results.chart_cache import ChartCache
from tests.conftest import csrf_token, login, text_of

ROUND = "/results/stis-ytterstaden/rounds/6/"


def test_results_need_a_login(client, demo):
    assert client.get(ROUND).status_code == 302
    assert client.get(ROUND + "radar.svg").status_code == 302
    api = client.get("/api/v1/programmes/stis-ytterstaden/summary")
    assert api.status_code == 401 and api.is_json


def test_the_round_page_shows_radar_table_and_prompts(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    page = client.get(ROUND)
    assert page.status_code == 200
    html = page.data.decode()
    for kind in ("radar", "compare", "professions", "dispersion", "trend"):
        assert f"/rounds/6/{kind}.svg" in html
    assert "/results/stis-ytterstaden/rounds/6/handout.pdf" in html
    text = text_of(page.data)
    assert "Ledningens stöd" in text and "Brukarnas inflytande" in text
    assert 'alt="' in html and "<details>" in html  # every chart has its text alternative
    radar = client.get(ROUND + "radar.svg")
    assert radar.mimetype == "image/svg+xml"
    assert "Lagar och regler" in radar.data.decode()  # text stays text


def test_a_group_under_the_minimum_size_shows_no_figure(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    small = client.get(ROUND + "?unit=skarholmen&profession=bvc_bmm")
    assert small.status_code == 200
    text = text_of(small.data)
    assert "För få svar" in text or "Too few answers" in text
    assert "radar.svg" not in small.data.decode()
    summary = client.get("/api/v1/programmes/stis-ytterstaden/summary?round=6&unit=skarholmen&profession=bvc_bmm").get_json()
    [entry] = summary["rounds"]
    assert entry["suppressed"] is True and entry["n_respondents"] is None
    assert all(item["mean"] is None and item["n"] is None for item in entry["items"])
    # The radar image of the same selection has no line of figures either.
    image = client.get(ROUND + "radar.svg?unit=skarholmen&profession=bvc_bmm").data.decode()
    assert "(n = 2)" not in image


def test_an_open_round_shows_only_its_count(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    page = client.get("/results/stis-ytterstaden/rounds/7/")
    assert page.status_code == 200 and "radar" not in page.data.decode()
    assert client.get("/results/stis-ytterstaden/rounds/7/radar.svg").status_code == 404
    api = client.get("/api/v1/programmes/stis-ytterstaden/summary?round=7")
    assert api.status_code == 400 and "no results" in api.get_json()["message"]


def test_the_programme_page_shows_every_closed_round(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    page = client.get("/results/stis-ytterstaden/")
    html = page.data.decode()
    for number in range(1, 7):
        assert f"/rounds/{number}/radar.svg" in html
    assert "/rounds/7/radar.svg" not in html


def test_png_downloads_are_wide_enough_for_slides(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    response = client.get(ROUND + "dispersion.png?download=1")
    assert response.mimetype == "image/png"
    assert "attachment" in response.headers["Content-Disposition"]
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.width >= 1600


def test_unknown_filters_and_kinds_are_404_not_errors(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    assert client.get(ROUND + "?unit=gotham").status_code == 404
    assert client.get(ROUND + "?compare=99").status_code == 404
    assert client.get(ROUND + "pie.svg").status_code == 404
    assert client.get(ROUND + "radar.gif").status_code == 404
    bad = client.get("/api/v1/programmes/stis-ytterstaden/summary?round=six")
    assert bad.status_code == 400 and bad.is_json
    assert client.get("/api/v1/programmes/nope/summary").status_code == 404


def test_the_api_serves_the_summary_contract(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    summary = client.get("/api/v1/programmes/stis-ytterstaden/summary?round=5&round=6&unit=Farsta").get_json()
    assert summary["schema"] == "spindeln.summary/2"
    assert summary["filters"] == {"rounds": [5, 6], "unit": "Farsta", "profession": None}
    assert [r["number"] for r in summary["rounds"]] == [5, 6]
    assert summary["instrument"]["id"] == "spindeln-stis"


def test_the_cli_prints_the_same_summary_and_writes_charts(app, demo, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(results_cli.summary, args=[ "--programme", "stis-ytterstaden", "--round", "6", "--unit", "Hässelby-Vällingby"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["filters"]["unit"] == "Hässelby-Vällingby"
    out = tmp_path / "radar.png"
    made = runner.invoke(results_cli.chart, args=[ "--programme", "stis-ytterstaden", "--round", "6", "--compare", "1",
                               "--kind", "radar", "--format", "png", "--out", str(out)])
    assert made.exit_code == 0, made.output
    with Image.open(out) as image:
        assert image.width >= 1600
    refused = runner.invoke(results_cli.chart, args=[ "--programme", "stis-ytterstaden", "--round", "7", "--out", str(out)])
    assert refused.exit_code != 0 and "no results" in refused.output


def test_the_chart_cache_renders_once_per_data(tmp_path):
    cache = ChartCache(tmp_path)
    built = []

    class FakeChart:
        summary, table_headers, table_rows = "En mening.", ["A"], [["1"]]

        def render(self, format):
            return f"<{format}>".encode()

    def build():
        built.append(1)
        return FakeChart()

    key = cache.key(kind="radar", data=[{"mean": 6.4}], language="sv")
    assert cache.text(key, build).summary == "En mening."
    assert cache.image(key, "svg", build) == b"<svg>"
    assert len(built) == 1  # the text and the SVG came from one build
    assert cache.image(key, "png", build) == b"<png>"
    assert cache.image(key, "png", build) == b"<png>"
    assert len(built) == 2
    other = cache.key(kind="radar", data=[{"mean": 6.5}], language="sv")
    assert other != key


def test_the_comparison_page_shows_overlay_change_chart_and_table(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    page = client.get("/results/stis-ytterstaden/compare?rounds=1&rounds=3&rounds=6&unit=farsta")
    assert page.status_code == 200
    html = page.data.decode()
    assert "/rounds/6/compare.svg?unit=farsta&amp;compare=1&amp;compare=3" in html
    assert "/rounds/6/dumbbell.svg" in html and "/rounds/6/trend.svg" in html
    assert "Lagar och regler" in text_of(page.data)
    overlay = client.get("/results/stis-ytterstaden/rounds/6/compare.svg?unit=farsta&compare=1&compare=3").data.decode()
    for title in ("Mätning 1 (vt 2018)", "Mätning 3 (vt 2019)", "Mätning 6 (ht 2020)"):
        assert title in overlay
    too_many = client.get("/results/stis-ytterstaden/compare?rounds=1&rounds=2&rounds=3&rounds=4")
    assert too_many.status_code == 200 and "/compare.svg" not in too_many.data.decode()
    assert client.get("/results/stis-ytterstaden/compare?rounds=7").status_code == 404


def test_a_unit_chart_shows_one_small_radar_per_unit(client, demo):
    login(client, "demo@example.org", "spindeln-demo")
    svg = client.get(ROUND + "units.svg").data.decode()
    for name in ("Enskede-Årsta-Vantör", "Hässelby-Vällingby", "Spånga-Tensta"):
        assert name in svg


def test_a_programme_with_more_units_than_a_chart_can_hold_asks_for_one_unit(client, demo):
    from spindeln.db import db
    from spindeln.programmes.operations import add_unit
    from spindeln.results.figures import MAX_UNIT_PANELS

    for number in range(MAX_UNIT_PANELS + 1 - len(demo.units)):
        add_unit(demo, f"Ny enhet {number}")
    db.session.commit()
    login(client, "demo@example.org", "spindeln-demo")
    assert client.get(ROUND + "units.svg").status_code == 404
    assert client.get(ROUND + "radar.svg?unit=farsta").status_code == 200


def test_a_programme_without_units_has_no_units_chart_and_no_error(client, app, instrument):
    from spindeln.db import db
    from spindeln.programmes.operations import add_round, close_round, create_programme
    from spindeln.web import instruments

    programme = create_programme("Utan enheter", "utan", instrument)
    measurement_round = add_round(programme, "Mätning 1")
    measurement_round.open()
    close_round(measurement_round, instruments())
    db.session.commit()
    from spindeln.auth.models import Role
    from spindeln.auth.operations import add_user
    from tests.conftest import PASSWORD

    add_user("a@example.org", PASSWORD, Role.admin)
    db.session.commit()
    login(client, "a@example.org")
    assert client.get("/results/utan/rounds/1/units.svg").status_code == 404
    assert client.get("/results/utan/rounds/1/").status_code == 200


def test_a_closed_round_whose_answers_changed_behind_the_app_shows_nothing(client, demo):
    # A closed round takes no answers; one written into the database past the app would make its
    # kept release stale, and the difference of two views could show that one answer.
    import datetime as dt

    from spindeln.db import db
    from spindeln.survey.models import Response, encode_answers

    login(client, "demo@example.org", "spindeln-demo")
    assert "(n = " in client.get(ROUND + "radar.svg").data.decode()
    round_six = demo.rounds[5]
    db.session.add(Response(round_id=round_six.id, unit_id=demo.units[0].id, profession_id=demo.professions[0].id,
                            submitted_on=dt.date(2020, 10, 20), answers=encode_answers([10] * 9, 1)))
    db.session.commit()
    chart = client.get(ROUND + "radar.svg?lang=en")
    assert chart.status_code == 409 and "have changed since its results were released" in chart.get_data(as_text=True)
    api = client.get("/api/v1/programmes/stis-ytterstaden/summary?round=6")
    assert api.status_code == 409 and "has changed since its results were released" in api.get_json()["message"]
    assert client.get(ROUND).status_code == 409
    assert client.get("/api/v1/programmes/stis-ytterstaden/summary?round=5").status_code == 200


def test_closing_a_round_renders_its_first_charts_so_the_meeting_and_handout_need_not_wait(
        client, demo, monkeypatch):
    from spindeln.charts import Chart
    from spindeln.results import figures

    login(client, "demo@example.org", "spindeln-demo")
    token = csrf_token(client, "/manage/stis-ytterstaden/rounds/7/")
    closed = client.post("/manage/stis-ytterstaden/rounds/7/close", data={"csrf_token": token})
    assert closed.status_code == 302

    def not_again(*args, **kwargs) -> Chart:
        raise AssertionError("this chart should have been rendered when the round closed")

    for builder in ("radar_chart", "dispersion_chart", "trend_chart"):
        monkeypatch.setattr(figures, builder, not_again)
    page = client.get("/results/stis-ytterstaden/rounds/7/")
    assert page.status_code == 200
    for kind in ("radar", "compare", "professions", "dispersion", "trend"):
        image = client.get(f"/results/stis-ytterstaden/rounds/7/{kind}.svg")
        assert image.status_code == 200 and image.data.startswith(b"<?xml"), kind
    meeting = client.get("/meeting/stis-ytterstaden/rounds/7/radar")
    assert meeting.status_code == 200 and "Mätning 6" in text_of(meeting.data)


def test_researchers_see_whether_the_units_differ_across_the_programme(client, demo):
    from spindeln.auth.models import Role
    from spindeln.auth.operations import add_user
    from spindeln.db import db
    from tests.conftest import PASSWORD

    from spindeln.auth.operations import assign_programmes

    add_user("forskare@example.org", PASSWORD, Role.researcher)
    assign_programmes(add_user("samordnare@example.org", PASSWORD, Role.coordinator), [demo])
    db.session.commit()
    login(client, "forskare@example.org")
    text = text_of(client.get(ROUND).data)
    assert "Skiljer sig enheterna åt?" in text and "ICC(2)" in text
    summary = client.get("/api/v1/programmes/stis-ytterstaden/summary?round=6").get_json()
    first = summary["rounds"][0]["icc"][0]
    shown = f"{first['icc2']:.2f}".replace(".", ",")
    assert shown in text  # the page shows the summary's own figure
    # Within one unit there is nothing between units to compare.
    assert "ICC(2)" not in text_of(client.get(ROUND + "?unit=farsta").data)
    client.post("/logout", data={"csrf_token": csrf_token(client, ROUND)})
    login(client, "samordnare@example.org")
    page = client.get(ROUND)
    assert page.status_code == 200 and "radar.svg" in page.data.decode()
    assert "ICC(2)" not in text_of(page.data)

"""Meeting mode: QR code and live count while a round is open, then the results one screen at a time."""

import re

from spindeln.db import db
from spindeln.demo import create_demo
from spindeln.programmes.operations import add_round, close_round
from spindeln.web import instruments
from tests.conftest import login, text_of


def test_the_join_screen_shows_qr_link_and_count_and_no_results_while_open(client, admin, programme, open_round):
    login(client)
    page = client.get("/meeting/stis/rounds/1/")
    assert page.status_code == 200
    html = page.data.decode()
    token = open_round.links[0].token
    assert f"/r/{token}" in html
    assert "/qr.svg" in html and 'id="live-count-number"' in html
    assert 'data-next=""' in html  # no results screen to go to while the round is open
    for screen in ("radar", "dispersion", "prompts"):
        assert client.get(f"/meeting/stis/rounds/1/{screen}").status_code == 404


def test_meeting_mode_needs_a_manager(client, programme, open_round):
    assert client.get("/meeting/stis/rounds/1/").status_code == 302


def test_a_closed_round_steps_through_radar_spread_and_prompts(client, app):
    programme, _user = create_demo(seed=3)
    db.session.commit()
    login(client, "demo@example.org", "spindeln-demo")
    join = client.get("/meeting/stis-ytterstaden/rounds/6/")
    assert 'data-next="/meeting/stis-ytterstaden/rounds/6/radar"' in join.data.decode()
    radar = client.get("/meeting/stis-ytterstaden/rounds/6/radar").data.decode()
    assert "compare.svg?compare=5" in radar  # this round against the previous one
    assert 'data-previous="/meeting/stis-ytterstaden/rounds/6/"' in radar
    assert 'data-next="/meeting/stis-ytterstaden/rounds/6/dispersion"' in radar
    assert "dispersion.svg" in client.get("/meeting/stis-ytterstaden/rounds/6/dispersion").data.decode()
    prompts = client.get("/meeting/stis-ytterstaden/rounds/6/prompts")
    assert "<li>" in prompts.data.decode() and 'data-next=""' in prompts.data.decode()
    headings = re.findall(r"<li><strong>([^<]+)</strong>", prompts.data.decode())
    assert 1 <= len(headings) <= 4 and len(set(headings)) == len(headings)  # one prompt of each kind


def test_too_small_a_round_shows_a_message_not_a_chart(client, admin, programme):
    small = add_round(programme, "Liten mätning")
    small.open()
    db.session.commit()
    respondent = client.application.test_client()
    from tests.conftest import hidden_fields

    path = f"/r/{small.links[0].token}"
    for _ in range(2):
        form = respondent.get(path)
        answers = {f"q{i}": "6" for i in range(1, 10)} | {"unit": "farsta", "profession": "bvc_bmm"}
        respondent.post(path, data=hidden_fields(form.data) | answers)
    close_round(small, instruments())
    db.session.commit()
    login(client)
    page = client.get("/meeting/stis/rounds/1/radar")
    assert page.status_code == 200
    assert "För få svar" in text_of(page.data) or "Too few answers" in text_of(page.data)
    assert ".svg" not in page.data.decode().split("</header>")[1]

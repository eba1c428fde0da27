"""The respondent form at the link: validation, closed rounds, unknown links, double submission."""

import datetime as dt
import re

from sqlalchemy import func, select

from spindeln.db import db
from spindeln.programmes.operations import active_link, add_round
from spindeln.survey.models import Response, decode_answers
from tests.conftest import hidden_fields, text_of


def respondent_path(measurement_round, unit=None):
    return f"/r/{active_link(measurement_round, unit).token}"


def complete_answers(**overrides):
    answers = {f"q{i}": str(i) for i in range(1, 10)}
    answers["q9"] = "x"
    answers.update(unit="farsta", profession="bvc_bmm", comment="Bra träffar på öppna förskolan.")
    answers.update(overrides)
    return {key: value for key, value in answers.items() if value is not None}


def submit(client, path, **overrides):
    page = client.get(path)
    data = hidden_fields(page.data) | complete_answers(**overrides)
    return client.post(path, data=data)


def stored_responses():
    db.session.rollback()
    return list(db.session.scalars(select(Response)))


def test_form_is_swedish_with_the_nine_items_under_their_dimensions(client, open_round):
    page = client.get(respondent_path(open_round))
    assert page.status_code == 200
    html = page.data.decode()
    assert '<html lang="sv">' in html
    for heading in ("Regelverk", "Organisation", "Synsätt och kunskap", "Sammanhang"):
        assert f">{heading}</h2>" in html
    for key in [f"q{i}" for i in range(1, 10)]:
        assert html.count(f'name="{key}"') == 11  # ten scale points and "kan inte bedöma"
    assert html.count("Kan inte bedöma") == 9
    assert "Hässelby-Vällingby" in html
    assert "Föräldrarådgivare" in html and "Öppna förskolan" in html and "BVC/BMM" in html


def test_english_can_be_chosen(client, open_round):
    html = client.get(respondent_path(open_round) + "?lang=en").data.decode()
    assert '<html lang="en">' in html
    assert "Cannot assess" in html and "Parent adviser" in html


def test_a_complete_form_is_stored_and_thanked(client, open_round):
    response = submit(client, respondent_path(open_round))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tack")
    assert "Tack" in client.get(response.headers["Location"]).data.decode()
    [stored] = stored_responses()
    assert decode_answers(stored.answers, 1) == [1, 2, 3, 4, 5, 6, 7, 8, None]
    assert stored.unit.name == "Farsta" and stored.profession.key == "bvc_bmm"
    assert stored.submitted_on == dt.date.today()
    assert stored.comment == "Bra träffar på öppna förskolan."


def test_a_missing_answer_is_named_next_to_the_item_and_everything_else_is_kept(client, open_round):
    response = submit(client, respondent_path(open_round), q4=None, comment="Mitt svar")
    assert response.status_code == 422
    html = response.data.decode()
    assert 'id="q4-error"' in html
    assert "Svara på påståendet eller välj ”Kan inte bedöma”." in text_of(response.data)
    assert 'aria-describedby="q4-error"' in html
    assert 'id="error-summary"' in html and 'href="#q4-0"' in html
    # What was entered is still chosen.
    assert re.search(r'<input[^>]*\bchecked\b[^>]*id="q3-2"|<input[^>]*id="q3-2"[^>]*\bchecked\b', html)
    assert re.search(r'<option[^>]*\bselected\b[^>]*value="farsta"|<option[^>]*value="farsta"[^>]*\bselected\b', html)
    assert "Mitt svar" in html
    assert stored_responses() == []


def test_out_of_range_values_unknown_units_and_professions_are_refused(client, open_round):
    path = respondent_path(open_round)
    for bad in ({"q1": "11"}, {"q2": "0"}, {"q3": "sju"}, {"unit": "Gotham"}, {"profession": "chef"}):
        response = submit(client, path, **bad)
        assert response.status_code == 422, bad
        field = next(iter(bad))
        assert f'id="{field}-error' in response.data.decode(), bad
    assert stored_responses() == []


def test_a_too_long_comment_is_refused_and_kept(client, open_round):
    response = submit(client, respondent_path(open_round), comment="å" * 2001)
    assert response.status_code == 422
    assert "under 2000" in text_of(response.data)
    assert stored_responses() == []


def test_a_link_bound_to_a_unit_does_not_ask_for_one(client, programme, open_round):
    skarholmen = next(u for u in programme.units if u.name == "Skärholmen")
    path = respondent_path(open_round, skarholmen)
    db.session.commit()
    html = client.get(path).data.decode()
    assert 'name="unit"' not in html
    assert submit(client, path, unit=None).status_code == 302
    [stored] = stored_responses()
    assert stored.unit.name == "Skärholmen"


def test_pressing_submit_twice_stores_one_response(client, open_round):
    path = respondent_path(open_round)
    data = hidden_fields(client.get(path).data) | complete_answers()
    first = client.post(path, data=data)
    second = client.post(path, data=data)  # the same page sent again: a double press, or back and send
    assert first.status_code == second.status_code == 302
    assert len(stored_responses()) == 1
    # A fresh page is a new respondent.
    assert submit(client, path).status_code == 302
    assert len(stored_responses()) == 2


def test_a_closed_or_draft_round_shows_a_friendly_page_and_stores_nothing(client, programme, open_round):
    draft = add_round(programme, "Mätning 2 (ht 2018)")
    db.session.commit()
    draft_path = respondent_path(draft)
    open_path = respondent_path(open_round)
    db.session.commit()
    page = client.get(draft_path)
    assert page.status_code == 200 and "inte öppnat" in text_of(page.data)
    form_data = hidden_fields(client.get(open_path).data) | complete_answers()
    open_round.close()
    db.session.commit()
    closed = client.post(open_path, data=form_data)
    assert closed.status_code == 200 and "stängd" in text_of(closed.data)
    assert stored_responses() == []


def test_a_round_past_its_closing_date_takes_no_answers(client, programme):
    late = add_round(programme, "Sen mätning", dt.date.today() - dt.timedelta(days=10), dt.date.today())
    late.open()
    late.closes_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    assert "stängd" in text_of(client.get(respondent_path(late)).data)


def test_unknown_and_revoked_links_are_404(client, open_round):
    from spindeln.programmes.operations import replace_link

    assert client.get("/r/not-a-token").status_code == 404
    old = active_link(open_round)
    old_token = old.token
    new = replace_link(old)
    db.session.commit()
    assert client.get(f"/r/{old_token}").status_code == 404
    assert client.get(f"/r/{new.token}").status_code == 200


def test_a_post_without_csrf_token_stores_nothing(client, open_round):
    path = respondent_path(open_round)
    data = hidden_fields(client.get(path).data) | complete_answers()
    del data["csrf_token"]
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert stored_responses() == []


def test_nothing_identifying_is_stored(client, open_round):
    submit(client, respondent_path(open_round), comment=None)
    columns = set(Response.__table__.columns.keys())
    assert columns == {"id", "round_id", "unit_id", "profession_id", "submitted_on", "answers", "comment"}
    count = db.session.scalar(select(func.count(Response.id)))
    assert count == 1

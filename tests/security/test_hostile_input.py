"""Hostile input at the respondent link and the management forms: every bad request is a clear 4xx and stores nothing."""

from __future__ import annotations

import re
import string

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from spindeln.db import db
from spindeln.programmes.models import Unit
from spindeln.programmes.operations import active_link, replace_link
from spindeln.survey.models import Response, SubmissionReceipt, new_token
from tests.conftest import csrf_token, hidden_fields, login


def _path(open_round) -> str:
    return f"/r/{active_link(open_round).token}"


def _complete(**overrides):
    answers = {f"q{i}": "5" for i in range(1, 10)}
    answers.update(unit="farsta", profession="bvc_bmm", comment="")
    answers.update(overrides)
    return {key: value for key, value in answers.items() if value is not None}


def _stored() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Response))


def _submit(client, path, **overrides):
    data = hidden_fields(client.get(path).data) | _complete(**overrides)
    return client.post(path, data=data)


def test_a_complete_form_is_the_baseline(client, open_round):
    assert _submit(client, _path(open_round)).status_code == 302
    assert _stored() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"q1": "fem"},  # not a number
        {"q1": "11"},  # above the scale
        {"q1": "0"},  # below the scale
        {"q1": "-1"},
        {"q1": "5.5"},
        {"q1": " 5"},
        {"q1": "9" * 400},
        {"q1": None},  # missing
        {"unit": "bromma"},  # not a unit of the programme
        {"unit": ""},
        {"profession": "lakare"},
        {"profession": None},
        {"comment": "x" * 2001},  # too long
        {"submission_key": "kort"},
        {"submission_key": "../../" * 5},
    ],
    ids=lambda overrides: ",".join(f"{k}={str(v)[:12]}" for k, v in overrides.items()),
)
def test_every_field_is_checked_on_the_server(client, open_round, overrides):
    response = _submit(client, _path(open_round), **overrides)
    assert response.status_code == 422
    assert _stored() == 0


def test_a_repeated_field_is_refused_not_read_as_its_first_value(client, open_round):
    path = _path(open_round)
    data = MultiDict(list((hidden_fields(client.get(path).data) | _complete()).items()) + [("q1", "10")])
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert _stored() == 0


def test_bytes_that_are_not_utf8_get_an_answer_not_an_error(client, open_round):
    path = _path(open_round)
    fields = hidden_fields(client.get(path).data) | _complete()
    body = "&".join(f"{key}={value}" for key, value in fields.items() if key != "q1") + "&q1=%FF%FE"
    response = client.post(path, data=body.encode(), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert _stored() == 0
    # In the comment, undecodable bytes stay as they were sent (percent escapes); the answers are stored.
    body = "&".join(f"{key}={value}" for key, value in fields.items() if key != "comment") + "&comment=Bra%FF%C3"
    response = client.post(path, data=body.encode(), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Response.comment)) == "Bra%FF%C3"


def test_a_nul_character_is_refused_everywhere(client, admin, open_round):
    path = _path(open_round)
    assert _submit(client, path, comment="hej\x00då").status_code == 400
    assert _stored() == 0
    login(client)
    token = csrf_token(client, "/manage/stis/")
    response = client.post("/manage/stis/units", data={"csrf_token": token, "name": "Bro\x00mma"})
    assert response.status_code == 400
    assert client.get("/manage/st%00is/").status_code in (400, 404)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 3


def test_a_too_large_post_gets_the_413_page_and_stores_nothing(client, open_round):
    path = _path(open_round)
    response = _submit(client, path, comment="x" * (70 * 1024))
    assert response.status_code == 413
    assert "Det du skickade är för stort." in response.data.decode() or "too large" in response.data.decode()
    assert _stored() == 0
    assert db.session.scalar(select(func.count()).select_from(SubmissionReceipt)) == 0


def test_the_form_without_its_csrf_token_or_with_an_old_one_stores_nothing(app, client, open_round):
    path = _path(open_round)
    fields = hidden_fields(client.get(path).data) | _complete()
    without = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert client.post(path, data=without).status_code == 400
    stranger = app.test_client()
    stranger.get(path)
    assert stranger.post(path, data=fields).status_code == 400  # another session's token
    assert _stored() == 0


def test_link_tokens_carry_at_least_128_bits(open_round):
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)  # 16 random bytes, URL-safe base64
    alphabet = set("".join(tokens))
    assert alphabet <= set(string.ascii_letters + string.digits + "-_") and len(alphabet) > 50


def test_a_replaced_link_stops_working(client, open_round):
    old = active_link(open_round)
    old_path = f"/r/{old.token}"
    replace_link(old)
    db.session.commit()
    assert client.get(old_path).status_code == 404
    assert _submit(client, _path(open_round)).status_code == 302


# --- rate limits at the respondent link -----------------------------------------------------------


def _submit_with_headers(client, path, headers):
    data = hidden_fields(client.get(path, headers=headers).data) | _complete()
    return client.post(path, data=data, headers=headers).status_code


def test_a_script_from_one_address_is_held_back(another_app, open_round):
    limited = another_app(RESPONSE_LIMIT_PER_ADDRESS="3 per minute")
    client = limited.test_client()
    path = _path(open_round)
    db.session.commit()
    statuses = [_submit(client, path).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    blocked = client.post(path + "?lang=en", data=hidden_fields(client.get(path).data) | _complete())
    assert blocked.status_code == 429
    assert "go back to the form" in blocked.data.decode()
    # Another address is not held back.
    other = limited.test_client()
    response = other.get(path, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 200
    data = hidden_fields(response.data) | _complete()
    assert other.post(path, data=data, environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 302
    assert _stored() == 4


def test_one_link_has_a_limit_of_its_own(another_app, open_round):
    limited = another_app(RESPONSE_LIMIT_PER_LINK="2 per minute")
    path = _path(open_round)
    db.session.commit()
    statuses = []
    for number in range(3):
        client = limited.test_client()
        address = {"REMOTE_ADDR": f"192.0.2.{number + 1}"}
        data = hidden_fields(client.get(path, environ_base=address).data) | _complete()
        statuses.append(client.post(path, data=data, environ_base=address).status_code)
    assert statuses == [302, 302, 429]


def test_the_default_limits_let_a_meeting_of_120_behind_one_address_through(app):
    from limits import parse_many

    per_address = min(item.amount for item in parse_many(app.config["RESPONSE_LIMIT_PER_ADDRESS"]))
    per_link = min(item.amount for item in parse_many(app.config["RESPONSE_LIMIT_PER_LINK"]))
    assert per_address >= 120 and per_link >= 500


def test_behind_a_proxy_the_forwarded_address_counts_only_when_configured(another_app, open_round):
    path = _path(open_round)
    db.session.commit()
    direct = another_app("direct", RESPONSE_LIMIT_PER_ADDRESS="1 per minute").test_client()
    spoofed = [_submit_with_headers(direct, path, headers={"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(2)]
    assert spoofed == [302, 429]  # a client cannot pick its own address for the counters
    proxied = another_app("proxied", TRUSTED_PROXIES=1, RESPONSE_LIMIT_PER_ADDRESS="1 per minute").test_client()
    statuses = [_submit_with_headers(proxied, path, headers={"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(2)]
    assert statuses == [302, 302]

"""Logging in and out, password change, roles and security headers."""

from spindeln.auth.models import Role
from spindeln.auth.operations import add_user
from spindeln.db import db
from tests.conftest import PASSWORD, csrf_token, login, text_of


def test_login_with_the_right_password_and_logout(client, admin):
    assert login(client, password="wrong password!").status_code == 200
    assert client.get("/manage/").status_code == 302
    response = login(client)
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 200
    token = csrf_token(client, "/manage/")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/manage/").status_code == 302


def test_a_wrong_password_says_so_without_telling_which_part(client, admin):
    response = login(client, email="nobody@example.org")
    assert "E-postadressen eller lösenordet är fel." in text_of(response.data)
    assert "nobody@example.org" in response.data.decode()  # what was typed stays


def test_login_does_not_follow_a_next_link_to_another_site(client, admin):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/steal", data={"csrf_token": token, "email": "admin@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/manage/"


def test_a_researcher_reads_but_cannot_create_programmes(client, programme):
    add_user("forskare@example.org", PASSWORD, Role.researcher)
    db.session.commit()
    login(client, email="forskare@example.org")
    assert client.get("/manage/stis/").status_code == 200
    assert client.get("/manage/new").status_code == 403
    token = csrf_token(client, "/manage/stis/")
    assert client.post("/manage/stis/units", data={"csrf_token": token, "name": "Ny"}).status_code == 403


def test_password_change(client, admin):
    login(client)
    token = csrf_token(client, "/account/password")
    short = client.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "new": "kort", "repeat": "kort"})
    assert "minst 10 tecken" in text_of(short.data)
    done = client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": "ett nytt långt lösenord", "repeat": "ett nytt långt lösenord"},
    )
    assert done.status_code == 302
    db.session.rollback()
    assert admin.check_password("ett nytt långt lösenord")


def test_every_page_sends_the_security_headers(client, open_round):
    for path in ("/login", "/r/unknown", f"/r/{open_round.links[0].token}"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"

"""Accounts: sessions, log-in throttling, the admins' user page, and the headers of a public deployment."""

from __future__ import annotations

from spindeln.auth.models import Role
from spindeln.auth.operations import add_user, user_by_email
from spindeln.db import db
from tests.conftest import PASSWORD, csrf_token, hidden_fields, login, text_of


def _session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_login_starts_a_new_session_so_a_planted_one_is_worthless(client, admin):
    planted_token = csrf_token(client, "/login")
    planted_cookie = _session_cookie(client)
    assert login(client).status_code == 302
    assert _session_cookie(client) != planted_cookie
    # The CSRF token of the session from before the login no longer validates.
    response = client.post("/account/password", data={
        "csrf_token": planted_token, "current": PASSWORD, "new": "ett helt nytt lösenord", "repeat": "ett helt nytt lösenord",
    })
    assert response.status_code == 400
    db.session.rollback()
    assert user_by_email("admin@example.org").check_password(PASSWORD)


def test_session_cookie_is_http_only_same_site_and_secure_behind_https(another_app):
    app = another_app(PUBLIC_URL="https://spindeln.example.se")
    client = app.test_client()
    response = client.get("/login")
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_hsts_when_served_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_a_password_change_ends_the_other_sessions(app, admin):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    token = csrf_token(laptop, "/account/password")
    new = "ett helt nytt lösenord"
    changed = laptop.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "new": new, "repeat": new})
    assert changed.status_code == 302
    assert laptop.get("/manage/").status_code == 200  # this session goes on
    assert phone.get("/manage/").status_code == 302  # the other one is logged out


def _failed_login(client, email="admin@example.org"):
    token = hidden_fields(client.get("/login").data).get("csrf_token", "")
    return client.post("/login?lang=en", data={"csrf_token": token, "email": email, "password": "fel lösenord!"})


def test_failed_logins_on_one_account_are_slowed_down_then_blocked(client, admin):
    for _attempt in range(3):
        assert _failed_login(client).status_code == 200
    blocked = _failed_login(client)
    assert blocked.status_code == 429
    assert "Too many failed attempts to log in. Wait 1 minute and try again." in text_of(blocked.data)
    assert int(blocked.headers["Retry-After"]) == 60
    # Even the right password is not checked while the account is paused.
    assert login(client).status_code == 429
    # Another account from the same address is not held up by this one (below the address limit).
    add_user("forskare@example.org", PASSWORD, Role.researcher)
    db.session.commit()
    assert login(client, email="forskare@example.org").status_code == 302


def test_the_block_is_in_swedish_by_default(client, admin):
    for _attempt in range(3):
        _failed_login(client, "okand@example.org")
    token = hidden_fields(client.get("/login?lang=sv").data)["csrf_token"]
    blocked = client.post("/login", data={"csrf_token": token, "email": "okand@example.org", "password": "x"})
    assert blocked.status_code == 429
    assert '<html lang="sv">' in blocked.data.decode()


def test_successful_logins_are_not_counted(client, admin):
    for _attempt in range(6):
        assert login(client).status_code == 302


def test_many_accounts_from_one_address_hit_the_address_limit(client, admin):
    statuses = [_failed_login(client, f"gissning{n}@example.org").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_each_app_has_its_own_counters(another_app):
    def fresh_app(name):
        return another_app(name, LOGIN_LIMIT_PER_ACCOUNT="1 per hour")

    first = fresh_app("first").test_client()
    _failed_login(first, "a@example.org")
    assert _failed_login(first, "a@example.org").status_code == 429
    second = fresh_app("second").test_client()
    assert _failed_login(second, "a@example.org").status_code == 200


def test_limits_can_be_switched_off_and_configured(another_app):
    app = another_app(RATELIMIT_ENABLED=False)
    client = app.test_client()
    assert all(_failed_login(client).status_code == 200 for _ in range(12))


# --- the admins' user page ------------------------------------------------------------------------


def _post(client, path, **data):
    token = csrf_token(client, "/manage/users/")
    return client.post(path, data={"csrf_token": token, **data})


def test_an_admin_adds_a_coordinator_and_gives_them_a_programme(client, admin, programme):
    login(client)
    page = client.get("/manage/users/?lang=en")
    assert page.status_code == 200 and "admin@example.org" in page.data.decode()
    added = _post(client, "/manage/users/", email="Samordnare@Example.org", role="coordinator", password="ett långt lösenord")
    assert added.status_code == 302
    db.session.rollback()
    coordinator = user_by_email("samordnare@example.org")
    assert coordinator.role is Role.coordinator and coordinator.check_password("ett långt lösenord")
    assigned = _post(client, f"/manage/users/{coordinator.id}/programmes", programmes=str(programme.id))
    assert assigned.status_code == 302
    db.session.rollback()
    assert [p.slug for p in user_by_email("samordnare@example.org").programmes] == ["stis"]
    # The coordinator now sees the programme.
    other = client.application.test_client()
    login(other, email="samordnare@example.org", password="ett långt lösenord")
    assert other.get("/manage/stis/").status_code == 200


def test_adding_an_account_checks_everything(client, admin):
    login(client)
    for data, message in (
        ({"email": "admin@example.org", "role": "admin", "password": "ett långt lösenord"}, "There is already an account"),
        ({"email": "inte-en-adress", "role": "admin", "password": "ett långt lösenord"}, "like name@example.se"),
        ({"email": "ny@example.org", "role": "kung", "password": "ett långt lösenord"}, "Not a valid choice"),
        ({"email": "ny@example.org", "role": "admin", "password": "kort"}, "at least 10 characters"),
    ):
        response = _post(client, "/manage/users/?lang=en", **data)
        assert response.status_code == 400, data
        assert message in text_of(response.data), data
    db.session.rollback()
    assert user_by_email("ny@example.org") is None


def test_the_last_active_admin_and_oneself_are_protected(client, admin):
    login(client)
    response = _post(client, f"/manage/users/{admin.id}/deactivate")
    assert response.status_code == 302
    own = _post(client, f"/manage/users/{admin.id}/role?lang=en", role="researcher")
    assert own.status_code == 400 and "You cannot change your own role." in text_of(own.data)
    db.session.rollback()
    assert admin.active and admin.role is Role.admin
    # Another admin can be deactivated and reactivated: there is still one active admin left.
    second = add_user("andra@example.org", PASSWORD, Role.admin)
    db.session.commit()
    assert _post(client, f"/manage/users/{second.id}/deactivate").status_code == 302
    db.session.rollback()
    assert not user_by_email("andra@example.org").active
    assert _post(client, f"/manage/users/{second.id}/reactivate").status_code == 302
    db.session.rollback()
    assert user_by_email("andra@example.org").active


def test_the_last_active_admin_cannot_lose_the_role(app, admin):
    from spindeln.auth.operations import AccountError, change_role, set_active

    other = add_user("andra@example.org", PASSWORD, Role.admin)
    other.active = False
    db.session.flush()
    for attempt in (lambda: change_role(admin, Role.researcher, other), lambda: set_active(admin, False, other)):
        with app.test_request_context("/?lang=en"):
            try:
                attempt()
            except AccountError as error:
                assert "last active admin" in str(error)
            else:
                raise AssertionError("the last active admin lost their access")


def test_leaving_the_coordinator_role_drops_the_programmes(client, admin, programme):
    coordinator = add_user("samordnare@example.org", PASSWORD, Role.coordinator)
    coordinator.programmes = [programme]
    db.session.commit()
    login(client)
    assert _post(client, f"/manage/users/{coordinator.id}/role", role="researcher").status_code == 302
    db.session.rollback()
    changed = user_by_email("samordnare@example.org")
    assert changed.role is Role.researcher and changed.programmes == []


def test_users_link_in_the_menu_only_for_admins(client, admin):
    add_user("forskare@example.org", PASSWORD, Role.researcher)
    db.session.commit()
    login(client)
    assert 'href="/manage/users/"' in client.get("/manage/").data.decode()
    other = client.application.test_client()
    login(other, email="forskare@example.org")
    assert 'href="/manage/users/"' not in other.get("/manage/").data.decode()

"""Every route of the app, with every role: who may GET and POST what.

The table ROUTES declares, for each endpoint, which roles may use each of its methods. The test
walks every rule of app.url_map (except `static`) and fails, naming the rule, when a route is not
in the table: a new route must say who may use it before it can be merged.

"Allowed" means the request got past the access checks (any answer but 401, 403, 404 or a redirect
to the login page); "denied" means it did not. A coordinator asking for a programme they are not
given gets exactly the answer of a programme that does not exist (a 404; a 403 only where their
role may not use the route for any programme), so that the programme's existence does not leak.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from spindeln.auth.models import Role
from spindeln.auth.operations import add_user
from spindeln.db import db
from spindeln.demo import DEMO_SLUG
from spindeln.programmes.queries import programme_by_slug, round_by_number
from spindeln.survey.models import Link
from tests.conftest import PASSWORD, csrf_token, login
from tests.security.conftest import (
    ADMIN,
    ANONYMOUS,
    COORDINATOR,
    OTHER_COORDINATOR,
    RESEARCHER,
    ROLES,
    client_as,
)

A, R, C, O, N = ADMIN, RESEARCHER, COORDINATOR, OTHER_COORDINATOR, ANONYMOUS
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({A, R, C, O})
#: Of the demo programme: admins, researchers and the coordinator given it.
READERS = frozenset({A, R, C})
MANAGERS = frozenset({A, C})
ADMINS = frozenset({A})
#: Raw responses (one row per respondent): admins and researchers, never coordinators.
RAW = frozenset({A, R})

#: endpoint → method → the roles that may use it.
ROUTES: dict[str, dict[str, frozenset]] = {
    "home": {"GET": EVERYONE},
    # Respondents: the link is the only key.
    "survey.respond": {"GET": EVERYONE, "POST": EVERYONE},
    "survey.thanks": {"GET": EVERYONE},
    # Accounts.
    "auth.login": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.logout": {"POST": EVERYONE},
    "auth.change_password": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "auth.users": {"GET": ADMINS, "POST": ADMINS},
    "auth.user": {"GET": ADMINS},
    "auth.change_role": {"POST": ADMINS},
    "auth.assign_programmes": {"POST": ADMINS},
    "auth.set_active": {"POST": ADMINS},
    # Managing programmes.
    "programmes.index": {"GET": SIGNED_IN},
    "programmes.new_programme": {"GET": ADMINS, "POST": ADMINS},
    "programmes.programme": {"GET": READERS},
    "programmes.add_unit": {"POST": MANAGERS},
    "programmes.add_profession": {"POST": MANAGERS},
    "programmes.add_round": {"POST": MANAGERS},
    "programmes.round_page": {"GET": READERS},
    "programmes.change_state": {"POST": MANAGERS},
    "programmes.add_link": {"POST": MANAGERS},
    "programmes.replace_link": {"POST": MANAGERS},
    "programmes.qr_code": {"GET": MANAGERS},
    "programmes.live_count": {"GET": READERS},
    # Results: figures that follow the anonymity rule, for everyone who may read the programme.
    "results.programme": {"GET": READERS},
    "results.round": {"GET": READERS},
    "results.chart": {"GET": READERS},
    "results.compare": {"GET": READERS},
    "api.summary": {"GET": READERS},
    "reports.handout": {"GET": READERS},
    # Meeting mode: run by those who manage the programme.
    "meeting.show": {"GET": MANAGERS},
    # Import and export.
    "transfer.programme": {"GET": READERS},
    "transfer.summary": {"GET": READERS},
    "transfer.responses": {"GET": RAW},
    "transfer.codebook": {"GET": RAW},
    # Importing into the programmes one manages; the form offers only those.
    "transfer.upload": {"GET": {A, C, O}, "POST": {A, C, O}},
}

#: Values for the URL arguments of the rules, by argument name; a callable gets the test's context.
ARGUMENTS = {
    "slug": lambda ctx: ctx.get("slug", DEMO_SLUG),
    "number": lambda ctx: ctx["closed_round"],
    "kind": lambda ctx: "radar",
    "format": lambda ctx: "svg",
    "file_format": lambda ctx: "csv",
    "screen": lambda ctx: "radar",
    "user_id": lambda ctx: ctx["target_user"],
    "token": lambda ctx: active_link(ctx["open_round"]).token,
    "link_id": lambda ctx: active_link(ctx["open_round"]).id,
}
#: Arguments that differ for one endpoint.
ENDPOINT_ARGUMENTS = {
    # Managing links happens on the open round; "open" on an open round changes nothing.
    "programmes.change_state": {"number": lambda ctx: ctx["open_round"], "action": lambda ctx: "open"},
    "programmes.add_link": {"number": lambda ctx: ctx["open_round"]},
    "programmes.replace_link": {"number": lambda ctx: ctx["open_round"]},
    "programmes.qr_code": {"number": lambda ctx: ctx["open_round"]},
    "programmes.live_count": {"number": lambda ctx: ctx["open_round"]},
    "auth.set_active": {"action": lambda ctx: "deactivate"},
}


def active_link(number: int) -> Link:
    """The demo's current general link of round `number` (links get replaced while the test runs)."""
    db.session.rollback()
    programme = programme_by_slug(DEMO_SLUG)
    measurement_round = round_by_number(programme, number)
    return db.session.scalars(
        select(Link).where(Link.round_id == measurement_round.id, Link.revoked.is_(False), Link.unit_id.is_(None))
    ).first()


def routes(app):
    """Every rule but `static`, with the methods a client can use."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


def build_path(rule, ctx) -> str:
    """A concrete path for `rule` on the demo programme."""
    values = {}
    for name in rule.arguments:
        maker = ENDPOINT_ARGUMENTS.get(rule.endpoint, {}).get(name) or ARGUMENTS.get(name)
        if maker is None:
            if name in (rule.defaults or {}):
                continue
            raise AssertionError(
                f"no value for the argument {name!r} of {rule.rule} ({rule.endpoint}): add it to ARGUMENTS in {__name__}"
            )
        values[name] = maker(ctx)
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"could not build {rule.rule} from {values}"
    return built[1]


def denied(response) -> bool:
    """Whether the access checks turned the request away."""
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (301, 302, 303):
        location = urlsplit(response.headers["Location"])
        return location.path == "/login" and "next=" in location.query
    return False


def test_every_route_is_declared_and_allows_exactly_the_declared_roles(app, demo, monkeypatch):
    # Making the PDF takes seconds and is tested in tests/reports; here only who gets that far counts.
    monkeypatch.setattr("spindeln.reports.views.make_handout", lambda *args, **kwargs: b"%PDF-1.7", raising=False)
    target = add_user("kollega@example.org", PASSWORD, Role.coordinator)
    db.session.commit()
    ctx = {"closed_round": 6, "open_round": 7, "target_user": target.id}
    clients = {role: client_as(app, role) for role in ROLES}
    undeclared, mismatches = [], []
    for rule, methods in routes(app):
        table = ROUTES.get(rule.endpoint)
        if table is None or any(method not in table for method in methods):
            undeclared.append(f"{rule.endpoint} {rule.rule} {methods}")
            continue
        for method in methods:
            for role in ROLES:
                if rule.endpoint == "auth.logout":
                    clients[role] = client_as(app, role)  # the request below ends the session
                client = clients[role]
                path = build_path(rule, ctx)
                if method == "GET":
                    response = client.get(path)
                else:
                    response = client.post(path, data={"csrf_token": csrf_token(client, "/login")})
                assert response.status_code < 500, f"{method} {path} as {role}: {response.status_code}"
                allowed = role in table[method]
                if denied(response) == allowed:
                    mismatches.append(
                        f"{method} {path} ({rule.endpoint}) as {role}: {response.status_code}, "
                        f"expected {'allowed' if allowed else 'denied'}"
                    )
                elif not allowed and role == OTHER_COORDINATOR and "slug" in rule.arguments:
                    # Not given the programme: it must look exactly as if it did not exist.
                    elsewhere = build_path(rule, ctx | {"slug": "finns-inte"})
                    if method == "GET":
                        unknown = client.get(elsewhere)
                    else:
                        unknown = client.post(elsewhere, data={"csrf_token": csrf_token(client, "/login")})
                    if response.status_code not in (403, 404) or response.status_code != unknown.status_code:
                        mismatches.append(
                            f"{method} {path} as {role}: {response.status_code}, but {unknown.status_code} "
                            "for a programme that does not exist"
                        )
                if rule.endpoint == "auth.logout":
                    clients[role] = client_as(app, role)
    assert not undeclared, "routes missing from ROUTES in tests/security/test_routes.py: " + "; ".join(undeclared)
    assert not mismatches, "\n".join(mismatches)
    stale = set(ROUTES) - {rule.endpoint for rule, _methods in routes(app)}
    assert not stale, f"ROUTES names endpoints the app no longer has: {sorted(stale)}"


def test_programme_lists_show_only_readable_programmes(app, demo):
    for role, sees_demo, sees_other in (
        (ADMIN, True, True),
        (RESEARCHER, True, True),
        (COORDINATOR, True, False),
        (OTHER_COORDINATOR, False, True),
    ):
        html = client_as(app, role).get("/manage/").data.decode()
        assert ("STIS ytterstaden" in html) is sees_demo, role
        assert ("Familjecentraler i söder" in html) is sees_other, role


def test_a_coordinator_cannot_reach_another_programme_by_any_address(app, demo):
    client = client_as(app, OTHER_COORDINATOR)
    for path in (
        f"/manage/{DEMO_SLUG}/",
        f"/results/{DEMO_SLUG}/",
        f"/results/{DEMO_SLUG}/rounds/1/",
        f"/results/{DEMO_SLUG}/rounds/1/radar.svg",
        f"/api/v1/programmes/{DEMO_SLUG}/summary",
        f"/meeting/{DEMO_SLUG}/rounds/1/",
    ):
        response = client.get(path)
        unknown = client.get(path.replace(DEMO_SLUG, "finns-inte"))
        assert response.status_code == unknown.status_code == 404, path
    # The API's answer does not tell the two apart either.
    assert client.get(f"/api/v1/programmes/{DEMO_SLUG}/summary").get_json()["error"] == "Not Found"


def test_a_coordinator_manages_their_programme_but_not_raw_data_or_accounts(app, demo):
    from spindeln.auth.permissions import can_export_raw, can_manage, can_read
    from spindeln.auth.operations import user_by_email
    from tests.security.conftest import EMAILS

    coordinator = user_by_email(EMAILS[COORDINATOR])
    researcher = user_by_email(EMAILS[RESEARCHER])
    assert can_manage(coordinator, demo.programme) and not can_manage(coordinator, demo.other)
    assert not can_export_raw(coordinator) and can_export_raw(researcher)
    assert can_read(researcher, demo.other) and not can_manage(researcher, demo.programme)
    client = client_as(app, COORDINATOR)
    token = csrf_token(client, f"/manage/{DEMO_SLUG}/")
    added = client.post(f"/manage/{DEMO_SLUG}/units", data={"csrf_token": token, "name": "Älvsjö"})
    assert added.status_code == 302
    assert client.get("/manage/users/").status_code == 403
    assert client.get("/manage/new").status_code == 403


def test_a_deactivated_user_is_logged_out_at_once(app, demo):
    from spindeln.auth.operations import user_by_email
    from tests.security.conftest import EMAILS

    client = client_as(app, RESEARCHER)
    assert client.get("/manage/").status_code == 200
    user_by_email(EMAILS[RESEARCHER]).active = False
    db.session.commit()
    assert client.get("/manage/").status_code == 302
    assert login(client, email=EMAILS[RESEARCHER]).status_code == 200  # the form again, not logged in

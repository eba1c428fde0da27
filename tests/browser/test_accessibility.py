"""WCAG 2.1 A and AA on every page of the app, checked by axe-core in Chromium; language of pages.

axe-core finds what a machine can find (contrast, names, roles, labels, structure); it does not
prove a page accessible. The end-to-end tests in this folder check what it cannot: that a person
can fill the form in by touch and by keyboard.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import CLOSED_ROUND, DEMO_SLUG, OPEN_ROUND, axe_violations

RESULTS = f"/results/{DEMO_SLUG}"
MANAGE = f"/manage/{DEMO_SLUG}"
MEETING = f"/meeting/{DEMO_SLUG}/rounds"

#: Pages a manager sees, by name: path (the demo instance; round 6 is closed, round 7 open).
MANAGER_PAGES = {
    "programmes": "/manage/",
    "new-programme": "/manage/new",
    "programme": f"{MANAGE}/",
    "round-open": f"{MANAGE}/rounds/{OPEN_ROUND}/",
    "round-closed": f"{MANAGE}/rounds/{CLOSED_ROUND}/",
    "password": "/account/password",
    "users": "/manage/users/",
    "user": "/manage/users/1/",
    "results-programme": f"{RESULTS}/",
    "results-round": f"{RESULTS}/rounds/{CLOSED_ROUND}/",
    "results-round-filtered": f"{RESULTS}/rounds/{CLOSED_ROUND}/?unit=farsta&profession=&compare=5",
    "results-round-profession": f"{RESULTS}/rounds/{CLOSED_ROUND}/?unit=&profession=oppna_forskolan",
    "results-round-suppressed": f"{RESULTS}/rounds/{CLOSED_ROUND}/?unit=skarholmen&profession=bvc_bmm",
    "results-not-closed": f"{RESULTS}/rounds/{OPEN_ROUND}/",
    "results-compare": f"{RESULTS}/compare",
    "results-compare-three": f"{RESULTS}/compare?rounds=2&rounds=4&rounds=6&unit=farsta",
    "meeting-join-open": f"{MEETING}/{OPEN_ROUND}/",
    "meeting-join-closed": f"{MEETING}/{CLOSED_ROUND}/",
    "meeting-radar": f"{MEETING}/{CLOSED_ROUND}/radar",
    "meeting-dispersion": f"{MEETING}/{CLOSED_ROUND}/dispersion",
    "meeting-prompts": f"{MEETING}/{CLOSED_ROUND}/prompts",
    "transfer": f"/transfer/{DEMO_SLUG}/",
    "transfer-import": "/transfer/import",
    "error-404": "/manage/no-such-programme/",
}


def assert_accessible(page, axe_script, name: str) -> None:
    """No WCAG 2.1 A/AA violation on the page, with every disclosure (data tables) opened."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = axe_violations(page, axe_script)
    assert not violations, f"{name} ({page.url}):\n" + json.dumps(violations, indent=1, ensure_ascii=False)


#: Every page in Swedish; these also in English (the same templates, other text).
ENGLISH_TOO = {"programme", "round-open", "results-round", "meeting-join-open", "meeting-prompts"}
CHART_PICTURES = re.compile(r"/results/.+\.(svg|png)(\?|$)")


@pytest.mark.parametrize(
    ("name", "language"),
    [(name, "sv") for name in MANAGER_PAGES] + [(name, "en") for name in MANAGER_PAGES if name in ENGLISH_TOO],
)
def test_manager_pages_have_no_wcag_violations(new_context, manager_state, axe_script, name, language):
    page = new_context(storage_state=manager_state).new_page()
    # The charts' pictures are not needed to check the page (their alt text is in the HTML), and
    # drawing them all would take most of the suite's time.
    page.route(CHART_PICTURES, lambda route: route.abort())
    path = MANAGER_PAGES[name]
    response = page.goto(path + ("&" if "?" in path else "?") + f"lang={language}")
    assert response.status == (404 if name.startswith("error-404") else 200), (name, response.status)
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, axe_script, name)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_respondent_pages_have_no_wcag_violations(phone, server, axe_script, language):
    path = server.respondent_path(OPEN_ROUND)
    phone.goto(f"{path}?lang={language}")
    assert phone.locator("html").get_attribute("lang") == language
    assert_accessible(phone, axe_script, "respondent form")

    phone.locator("form.response-form button[type=submit]").click()
    assert phone.locator("#error-summary").is_visible()
    assert_accessible(phone, axe_script, "respondent form with errors")

    phone.goto(server.respondent_path(CLOSED_ROUND))
    assert phone.locator("h1").count() == 1
    assert_accessible(phone, axe_script, "closed round")


def test_thank_you_login_and_error_pages_have_no_wcag_violations(desktop, server, axe_script):
    path = server.respondent_path(OPEN_ROUND)
    desktop.goto(f"{path}/tack")
    assert_accessible(desktop, axe_script, "thank-you")
    desktop.goto("/login")
    assert_accessible(desktop, axe_script, "login")
    desktop.locator("form button[type=submit]").click()
    assert desktop.locator("#error-summary").is_visible()
    assert_accessible(desktop, axe_script, "login with errors")
    response = desktop.goto("/r/no-such-link")
    assert response.status == 404
    assert_accessible(desktop, axe_script, "404")

"""Pages declare their language and switch with ?lang= or the link; numbers follow the language."""

from __future__ import annotations

import re

from tests.browser.conftest import CLOSED_ROUND, DEMO_SLUG

CHART_PICTURES = re.compile(r"/results/.+\.(svg|png)(\?|$)")


def test_the_language_is_declared_and_switches(desktop):
    desktop.goto("/login")
    assert desktop.locator("html").get_attribute("lang") == "sv"
    switch = desktop.get_by_role("link", name="In English")
    assert switch.get_attribute("lang") == "en"
    switch.click()
    assert desktop.locator("html").get_attribute("lang") == "en"
    assert desktop.get_by_role("heading", level=1).inner_text() == "Log in"
    # The choice is remembered for the next page, and can be switched back.
    desktop.goto("/login")
    assert desktop.locator("html").get_attribute("lang") == "en"
    desktop.get_by_role("link", name="På svenska").click()
    assert desktop.locator("html").get_attribute("lang") == "sv"


def test_numbers_on_the_results_page_follow_the_language(new_context, manager_state):
    page = new_context(storage_state=manager_state).new_page()
    page.route(CHART_PICTURES, lambda route: route.abort())
    means = {}
    for language in ("sv", "en"):
        page.goto(f"/results/{DEMO_SLUG}/rounds/{CLOSED_ROUND}/?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        # The fourth column of the item table is the mean.
        means[language] = [cell.strip() for cell in page.locator("#items-heading ~ div table tbody td:nth-of-type(3)").all_inner_texts()]
    assert len(means["sv"]) == 9
    assert all(re.fullmatch(r"\d{1,2},\d", mean) for mean in means["sv"]), means["sv"]  # decimal comma: "6,4"
    assert all(re.fullmatch(r"\d{1,2}\.\d", mean) for mean in means["en"]), means["en"]  # decimal point: "6.4"
    assert [mean.replace(",", ".") for mean in means["sv"]] == means["en"]

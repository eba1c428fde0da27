"""A coordinator runs a meeting in Chromium: new round, open it, meeting mode, live count, close, results, PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_SLUG, screenshot


def answer(page, url: str, unit: str, profession: str, value: int) -> None:
    """Fill in and send the whole form at `url` (the meeting's link), every item rated `value`."""
    page.goto(url + "?lang=en")
    page.select_option("#unit", label=unit)
    page.get_by_text(profession, exact=True).click()
    for item in range(1, 10):
        page.locator(f"#q{item}-{value - 1}").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_url(re.compile(r"/tack$"))


def test_a_coordinator_runs_a_meeting(new_context, manager_state, artifacts):
    coordinator = new_context(storage_state=manager_state, viewport={"width": 1280, "height": 800}).new_page()
    coordinator.goto(f"/manage/{DEMO_SLUG}/?lang=en")
    coordinator.get_by_label("Title").fill("Erfarenhetsutbyte hösten")
    coordinator.get_by_role("button", name="Add round").click()
    expect(coordinator).to_have_url(re.compile(rf"/manage/{DEMO_SLUG}/rounds/\d+/$"))
    number = int(re.search(r"/rounds/(\d+)/$", coordinator.url).group(1))
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Erfarenhetsutbyte hösten")
    screenshot(coordinator, artifacts, "meeting-1-draft-round")

    coordinator.get_by_role("button", name="Open the round").click()
    expect(coordinator.get_by_role("status")).to_contain_text("The round is open.")
    coordinator.get_by_role("link", name="Meeting mode").click()
    expect(coordinator).to_have_url(re.compile(rf"/meeting/{DEMO_SLUG}/rounds/{number}/$"))
    count = coordinator.locator("#live-count-number")
    expect(count).to_have_text("0")
    qr = coordinator.get_by_role("img", name=re.compile("^QR code for "))
    expect(qr).to_be_visible()
    assert coordinator.evaluate("img => img.naturalWidth", qr.element_handle()) > 0
    url = coordinator.locator(".join__url").inner_text().strip()
    screenshot(coordinator, artifacts, "meeting-2-join", full_page=False)

    # Someone in the room answers on their phone; the projected count follows within a few seconds.
    respondent = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    answer(respondent, url, "Farsta", "Parent adviser", 7)
    expect(count).to_have_text("1", timeout=10_000)
    screenshot(coordinator, artifacts, "meeting-3-one-answer", full_page=False)
    answer(respondent, url, "Skarpnäck", "Open preschool", 4)
    answer(respondent, url, "Spånga-Tensta", "Child and maternal health care (BVC/BMM)", 9)
    expect(count).to_have_text("3", timeout=10_000)

    coordinator.get_by_role("button", name="Close the round").click()
    expect(coordinator.get_by_role("status")).to_contain_text("The round is closed.")
    coordinator.get_by_role("link", name="Meeting mode").click()
    coordinator.get_by_role("link", name="Show the results").click()
    expect(coordinator).to_have_url(re.compile(r"/radar$"))
    chart = coordinator.locator(".meeting-chart img")
    expect(chart).to_have_attribute("alt", re.compile(r"\w.{20,}"))
    expect(chart).to_have_js_property("complete", True)
    assert coordinator.evaluate("img => img.naturalWidth", chart.element_handle()) > 0
    screenshot(coordinator, artifacts, "meeting-4-radar", full_page=False)

    coordinator.keyboard.press("ArrowRight")
    expect(coordinator).to_have_url(re.compile(r"/dispersion$"))
    expect(coordinator.locator(".meeting-chart img")).to_have_js_property("complete", True)
    screenshot(coordinator, artifacts, "meeting-5-dispersion", full_page=False)
    coordinator.keyboard.press("ArrowRight")
    expect(coordinator).to_have_url(re.compile(r"/prompts$"))
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("What to talk about")
    expect(coordinator.locator(".meeting-prompts li").first).to_be_visible()
    screenshot(coordinator, artifacts, "meeting-6-prompts", full_page=False)
    coordinator.keyboard.press("ArrowLeft")
    expect(coordinator).to_have_url(re.compile(r"/dispersion$"))

    # The handout for the meeting's participants.
    handout = f"/results/{DEMO_SLUG}/rounds/{number}/handout.pdf?lang=en"
    response = coordinator.request.get(handout, timeout=60_000)  # WeasyPrint takes seconds on a busy machine
    if response.status == 404 and b"%PDF" not in response.body()[:8]:
        pytest.xfail(f"no PDF handout at {handout} yet (another engineer builds it)")
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    (artifacts / "meeting-7-handout.pdf").write_bytes(body)

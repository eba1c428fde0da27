"""A respondent fills in the form in Chromium: by touch on a phone, and with the keyboard only."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import OPEN_ROUND, live_count, screenshot

ITEMS = [f"q{i}" for i in range(1, 10)]
#: The item the respondent forgets at first.
FORGOTTEN = "q5"
#: The chosen value of each item; q9 is "cannot assess".
CHOSEN = {"q1": "7", "q2": "3", "q3": "10", "q4": "5", "q5": "6", "q6": "8", "q7": "2", "q8": "9", "q9": "x"}
COMMENT = "Bra träffar på öppna förskolan i Hässelby-Vällingby."

#: What has keyboard focus: the element, whether it shows a focus indicator (on itself, or on the
#: label that stands in for a visually hidden scale button), and its group.
FOCUS_JS = """() => {
  const element = document.activeElement;
  const shown = node => {
    const style = getComputedStyle(node);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || (style.boxShadow && style.boxShadow !== 'none');
  };
  const hidden = element.classList.contains('scale__input');
  return {
    tag: element.tagName.toLowerCase(), id: element.id, name: element.name || '', type: element.type || '',
    value: element.value || '', checked: !!element.checked, text: (element.innerText || '').trim(),
    focusShown: shown(hidden ? element.nextElementSibling : element),
  };
}"""


def option_id(item: str, value: str) -> str:
    """The id of a scale option: values 1..10 are options 0..9, "cannot assess" is option 10."""
    return f"{item}-{10 if value == 'x' else int(value) - 1}"


def tap_option(page, item: str, value: str) -> None:
    """Tap a scale option where it is seen: its label (covered by its invisible radio), or "cannot assess"."""
    if value == "x":
        page.locator(f"label[for={option_id(item, value)}]").tap()
    else:
        page.locator(f"#{option_id(item, value)}").tap()


def count_now(new_context, manager_state) -> int:
    """The open round's response count, as a logged-in manager reads it (count.json)."""
    return live_count(new_context(storage_state=manager_state).new_page(), OPEN_ROUND)


def test_a_respondent_answers_on_a_phone_by_touch(phone, server, new_context, manager_state, artifacts):
    before = count_now(new_context, manager_state)
    phone.goto(server.respondent_path(OPEN_ROUND) + "?lang=en")
    screenshot(phone, artifacts, "phone-1-form")

    # Touch targets: every scale option's hit box (the invisible radio covering its label) is at
    # least 44 × 44 CSS px (WCAG 2.5.5 AAA; above 2.2's 24 × 24); so is each choice's label.
    for item in ITEMS:
        for index in range(10):
            box = phone.locator(f"#{item}-{index}").bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, (item, index, box)
        box = phone.locator(f"label[for={item}-10]").bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (item, "cannot assess", box)
    for label in phone.locator(".about-you .choice label").all():
        box = label.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    # What a finger lands on in the middle of a scale label is the radio itself.
    target = phone.locator("label[for=q1-3]")
    target.scroll_into_view_if_needed()
    assert phone.evaluate(
        "() => { const r = document.querySelector('label[for=q1-3]').getBoundingClientRect();"
        " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).id; }"
    ) == "q1-3"

    phone.select_option("#unit", label="Hässelby-Vällingby")
    phone.get_by_text("Open preschool", exact=True).tap()
    for item, value in CHOSEN.items():
        if item != FORGOTTEN:
            tap_option(phone, item, value)
    phone.get_by_label("Comment (optional)").fill(COMMENT)
    phone.get_by_role("button", name="Send my answers").tap()

    # One problem: summarised at the top, linked to the field, told next to it; the rest kept.
    summary = phone.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is 1 problem to fix")
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_attribute("href", f"#{FORGOTTEN}-0")
    forgotten = phone.locator(f"fieldset#{FORGOTTEN}")
    expect(forgotten).to_have_attribute("aria-describedby", f"{FORGOTTEN}-error")
    expect(forgotten.locator(f"#{FORGOTTEN}-error")).to_contain_text("Answer this statement")
    expect(phone.locator("#unit")).to_have_value("hasselby_vallingby")
    expect(phone.get_by_role("radio", name="Open preschool")).to_be_checked()
    for item, value in CHOSEN.items():
        if item != FORGOTTEN:
            expect(phone.locator(f"#{option_id(item, value)}")).to_be_checked()
    expect(phone.get_by_label("Comment (optional)")).to_have_value(COMMENT)
    screenshot(phone, artifacts, "phone-2-error", full_page=False)

    summary.get_by_role("link").tap()
    expect(phone).to_have_url(re.compile(f"#{FORGOTTEN}-0$"))
    # The statement and its error are on screen too, not scrolled away above the scale.
    expect(forgotten.locator("legend")).to_be_in_viewport()
    expect(forgotten.locator(f"#{FORGOTTEN}-error")).to_be_in_viewport()
    screenshot(phone, artifacts, "phone-3-at-the-forgotten-item", full_page=False)
    tap_option(phone, FORGOTTEN, CHOSEN[FORGOTTEN])
    phone.get_by_role("button", name="Send my answers").tap()

    expect(phone).to_have_url(re.compile(r"/r/[^/]+/tack$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you! Your answers are saved.")
    screenshot(phone, artifacts, "phone-4-thank-you")
    assert count_now(new_context, manager_state) == before + 1


def test_the_rating_rows_are_radio_groups_named_by_their_statement(phone, server):
    phone.goto(server.respondent_path(OPEN_ROUND) + "?lang=en")
    statement = "The management of each party gives the collaboration time, resources and a clear mandate."
    group = phone.get_by_role("group", name=statement)
    expect(group).to_have_count(1)
    expect(group.get_by_role("radio")).to_have_count(11)
    expect(group.get_by_role("radio", name="Cannot assess")).to_have_count(1)
    snapshot = group.aria_snapshot()
    assert f"group: 1 {statement}" in snapshot or statement in snapshot.splitlines()[0], snapshot
    assert '- radio "1"' in snapshot and '- radio "10"' in snapshot and '- radio "Cannot assess"' in snapshot
    expect(phone.get_by_role("group", name="Your profession").get_by_role("radio")).to_have_count(3)
    expect(phone.get_by_role("combobox", name="Your unit")).to_have_count(1)
    expect(phone.get_by_role("textbox", name="Comment (optional)")).to_have_accessible_description(
        "Do not write names or anything else that can identify a person.")


def test_a_respondent_answers_with_the_keyboard_only(new_context, manager_state, server, artifacts):
    page = new_context().new_page()
    before = count_now(new_context, manager_state)
    page.goto(server.respondent_path(OPEN_ROUND) + "?lang=en")
    stops = []

    def tab(backwards: bool = False) -> dict:
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUS_JS)
        assert focused["focusShown"], f"no visible focus on {focused}"
        return focused

    # Before the form: only the skip link and the language switch.
    assert tab()["text"] == "Skip to content"
    assert tab()["text"] == "På svenska"

    focused = tab()
    assert focused["id"] == "unit"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#unit") == "farsta"
    stops.append("unit")

    focused = tab()
    assert (focused["name"], focused["value"], focused["checked"]) == ("profession", "foraldraradgivare", False)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # arrows move within the group and choose
    assert page.evaluate(FOCUS_JS)["value"] == "oppna_forskolan"
    expect(page.get_by_role("radio", name="Open preschool")).to_be_checked()
    stops.append("profession")

    for item in ITEMS:
        focused = tab()
        assert (focused["name"], focused["value"]) == (item, "1"), focused  # one stop per group
        stops.append(item)
        if item == FORGOTTEN:
            continue  # tabbed past without answering
        value = CHOSEN[item]
        if value == "x":
            page.keyboard.press("ArrowLeft")  # from the first option back round to the last
        else:
            page.keyboard.press("Space")
            for _ in range(int(value) - 1):
                page.keyboard.press("ArrowRight")
        focused = page.evaluate(FOCUS_JS)
        assert (focused["value"], focused["checked"], focused["focusShown"]) == (value, True, True), focused
        if item == "q2":
            # Shift-Tab goes back to the previous group's chosen option, Tab forward again.
            assert tab(backwards=True)["id"] == option_id("q1", CHOSEN["q1"])
            assert tab()["id"] == option_id("q2", CHOSEN["q2"])

    focused = tab()
    assert focused["id"] == "comment"
    page.keyboard.type(COMMENT)
    stops.append("comment")
    focused = tab()
    assert (focused["tag"], focused["text"]) == ("button", "Send my answers")
    stops.append("submit")
    assert stops == ["unit", "profession", *ITEMS, "comment", "submit"]
    screenshot(page, artifacts, "keyboard-1-filled")
    page.keyboard.press("Enter")

    # The summary's link takes the keyboard to the forgotten item.
    expect(page.locator("#error-summary")).to_be_visible()
    for _ in range(4):  # skip link, language switch, the summary's link
        focused = tab()
        if focused["tag"] == "a" and "Answer this statement" in focused["text"]:
            break
    assert "Answer this statement" in focused["text"], focused
    page.keyboard.press("Enter")
    focused = page.evaluate(FOCUS_JS)
    assert focused["id"] == f"{FORGOTTEN}-0", focused
    expect(page.locator(f"fieldset#{FORGOTTEN} legend")).to_be_in_viewport()
    expect(page.locator(f"#{FORGOTTEN}-error")).to_be_in_viewport()
    screenshot(page, artifacts, "keyboard-2-at-the-forgotten-item", full_page=False)
    page.keyboard.press("Space")
    for _ in range(int(CHOSEN[FORGOTTEN]) - 1):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"#{option_id(FORGOTTEN, CHOSEN[FORGOTTEN])}")).to_be_checked()
    for _ in range(10):
        focused = tab()
        if focused["tag"] == "button":
            break
    assert focused["text"] == "Send my answers"
    page.keyboard.press("Space")

    expect(page).to_have_url(re.compile(r"/r/[^/]+/tack$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you! Your answers are saved.")
    screenshot(page, artifacts, "keyboard-3-thank-you")
    assert count_now(new_context, manager_state) == before + 1


def test_the_back_button_never_shows_the_previous_persons_answers(phone, server):
    # A shared phone: one person answers and hands it over; the next presses Back.
    phone.goto(server.respondent_path(OPEN_ROUND) + "?lang=en")
    phone.select_option("#unit", label="Farsta")
    phone.get_by_text("Open preschool", exact=True).tap()
    for item, value in CHOSEN.items():
        tap_option(phone, item, value)
    phone.get_by_label("Comment (optional)").fill(COMMENT)
    phone.get_by_role("button", name="Send my answers").tap()
    expect(phone).to_have_url(re.compile(r"/r/[^/]+/tack$"))
    phone.go_back()
    expect(phone.get_by_role("button", name="Send my answers")).to_be_visible()
    assert phone.locator("input[type=radio]:checked").count() == 0
    expect(phone.get_by_label("Comment (optional)")).to_have_value("")
    expect(phone.locator("#unit")).not_to_have_value("farsta")

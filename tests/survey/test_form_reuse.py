"""The respondent form is built once and reused: what a coordinator changes still shows on the next page."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from spindeln.db import db
from spindeln.programmes.models import Profession
from spindeln.programmes.operations import add_profession
from spindeln.survey.models import Response, SubmissionReceipt
from spindeln.survey.operations import store_response
from tests.conftest import hidden_fields
from tests.survey.test_respond import complete_answers, respondent_path, stored_responses, submit


class _Radios(HTMLParser):
    """The radio buttons of a page, and which ids have a label."""

    def __init__(self):
        super().__init__()
        self.radios: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "radio":
            self.radios.append(attributes)
        if tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])


def radios(html: bytes) -> _Radios:
    parser = _Radios()
    parser.feed(html.decode())
    return parser


def test_a_renamed_unit_shows_its_new_name_on_the_next_form(client, programme, open_round):
    path = respondent_path(open_round)
    db.session.commit()
    assert ">Farsta</option>" in client.get(path).data.decode()
    farsta = next(unit for unit in programme.units if unit.key == "farsta")
    farsta.name = "Farsta stadsdelsområde"
    db.session.commit()
    html = client.get(path).data.decode()
    assert ">Farsta stadsdelsområde</option>" in html and ">Farsta</option>" not in html
    assert submit(client, path, unit="farsta").status_code == 302
    [stored] = stored_responses()
    assert stored.unit.name == "Farsta stadsdelsområde"


def test_a_profession_added_after_the_form_was_shown_can_be_chosen(client, programme, open_round):
    path = respondent_path(open_round)
    db.session.commit()
    assert "Kurator" not in client.get(path).data.decode()
    counsellor = add_profession(programme, "Kurator", "Counsellor")
    db.session.commit()
    assert "Kurator" in client.get(path).data.decode()
    assert "Counsellor" in client.get(path + "?lang=en").data.decode()
    assert submit(client, path, profession=counsellor.key).status_code == 302
    [stored] = stored_responses()
    assert stored.profession.key == counsellor.key


def test_a_unit_bound_link_and_the_general_link_each_keep_their_own_form(client, programme, open_round):
    general = respondent_path(open_round)
    skarholmen = next(unit for unit in programme.units if unit.key == "skarholmen")
    bound = respondent_path(open_round, skarholmen)
    db.session.commit()
    assert 'name="unit"' in client.get(general).data.decode()
    assert 'name="unit"' not in client.get(bound).data.decode()
    assert 'name="unit"' in client.get(general).data.decode()


def test_the_form_follows_the_language_of_each_request(client, open_round):
    path = respondent_path(open_round)
    db.session.commit()
    for language, cannot_assess, choose in [("sv", "Kan inte bedöma", "Välj …"), ("en", "Cannot assess", "Choose…"),
                                            ("sv", "Kan inte bedöma", "Välj …")]:
        html = client.get(f"{path}?lang={language}").data.decode()
        assert html.count(cannot_assess) == 9, language
        assert f'<option value="">{choose}</option>' in html, language


def test_every_radio_button_has_its_label_its_id_and_the_kept_answer(client, open_round):
    path = respondent_path(open_round)
    db.session.commit()
    response = submit(client, path, q4=None, q5="x", profession=None)
    assert response.status_code == 422
    found = radios(response.data)
    by_name: dict[str, list[dict]] = {}
    for radio in found.radios:
        by_name.setdefault(radio["name"], []).append(radio)
    assert sorted(by_name) == sorted([f"q{i}" for i in range(1, 10)] + ["profession"])
    for name, group in by_name.items():
        # ids as WTForms gives them (the error summary links to name-0), each with its label.
        assert [radio["id"] for radio in group] == [f"{name}-{index}" for index in range(len(group))]
        assert all(radio["id"] in found.labelled for radio in group)
        assert all("required" in radio for radio in group)
    for name in [f"q{i}" for i in range(1, 10)]:
        assert [radio["value"] for radio in by_name[name]] == [str(value) for value in range(1, 11)] + ["x"]
    checked = {radio["name"]: radio["value"] for radio in found.radios if "checked" in radio}
    answers = complete_answers(q4=None, q5="x")
    assert checked == {f"q{i}": answers[f"q{i}"] for i in range(1, 10) if i != 4}
    # The missing profession is marked on each of its radio buttons, and on no other.
    assert all(radio.get("aria-invalid") == "true" for radio in by_name["profession"])
    others = [radio for name, group in by_name.items() if name != "profession" for radio in group]
    assert not any("aria-invalid" in radio for radio in others)


def test_an_insert_that_fails_for_another_reason_than_a_second_press_is_an_error(programme, open_round, instrument):
    unit = programme.units[0]
    gone = Profession(id=987654, programme_id=programme.id, key="gone", name="Borttagen")
    with pytest.raises(IntegrityError):
        store_response(open_round, instrument, unit, gone, [5] * 9, None, "k" * 32)
    db.session.rollback()
    assert list(db.session.scalars(select(Response))) == []
    assert list(db.session.scalars(select(SubmissionReceipt))) == []


def test_a_second_press_stores_nothing_and_says_so(programme, open_round, instrument):
    unit, profession = programme.units[0], programme.professions[0]
    key = "k" * 32
    assert store_response(open_round, instrument, unit, profession, [5] * 9, "first", key) is True
    db.session.commit()
    assert store_response(open_round, instrument, unit, profession, [6] * 9, "second", key) is False
    db.session.commit()
    assert [response.comment for response in db.session.scalars(select(Response))] == ["first"]


def test_a_form_sent_again_after_a_refused_one_is_stored_once(client, open_round):
    path = respondent_path(open_round)
    db.session.commit()
    data = hidden_fields(client.get(path).data) | complete_answers(q1=None)
    assert client.post(path, data=data).status_code == 422
    data |= {"q1": "7"}
    assert client.post(path, data=data).status_code == 302
    assert client.post(path, data=data).status_code == 302
    [stored] = stored_responses()
    assert stored.answers[0] == 6

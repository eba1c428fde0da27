"""Rounds with chosen tables, and the attacker's view of them through the API and the raw export."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import numpy as np
import pytest
from sqlalchemy import select

from spindeln.auth.models import Role
from spindeln.auth.operations import add_user
from spindeln.db import db
from spindeln.programmes.operations import add_profession, add_round, add_unit, close_round, create_programme
from spindeln.survey.models import Response, decode_answers, encode_answers
from spindeln.web import instruments
from tests.anonymity.attacker import Truth
from tests.conftest import PASSWORD, login

RESEARCHER = "forskare@example.org"


def make_round(programme, sizes, rng, cannot_assess=0.0, answers=None):
    """A closed round of `programme` with `sizes[u][p]` respondents in unit u, profession p.

    `answers`, when given, maps (u, p) to the answer rows of that cell; the others are random.
    """
    instrument = instruments().get(programme.instrument_id, programme.instrument_version)
    measurement_round = add_round(programme, f"Mätning {len(programme.rounds) + 1}")
    measurement_round.open()
    for u, unit in enumerate(programme.units):
        for p, profession in enumerate(programme.professions):
            rows = (answers or {}).get((u, p))
            if rows is None:
                rows = [[None if rng.random() < cannot_assess else int(rng.integers(1, 11))
                         for _ in instrument.items] for _ in range(int(sizes[u][p]))]
            for row in rows:
                db.session.add(Response(round_id=measurement_round.id, unit_id=unit.id, profession_id=profession.id,
                                        submitted_on=measurement_round.opens_on,
                                        answers=encode_answers(row, instrument.scale.min)))
    db.session.flush()
    close_round(measurement_round, instruments())
    db.session.commit()
    return measurement_round


def make_programme(slug, unit_count, profession_count):
    """A programme of `unit_count` units (U1, U2, …) and `profession_count` professions (the defaults first)."""
    instrument = instruments().get("spindeln-stis", "1")
    programme = create_programme(f"Program {slug}", slug, instrument)
    for index in range(unit_count):
        add_unit(programme, f"U{index + 1}")
    for index in range(len(programme.professions), profession_count):
        add_profession(programme, f"Yrke {index + 1}")
    programme.professions[:] = programme.professions[:profession_count]
    db.session.flush()
    return programme


@pytest.fixture
def researcher(app):
    """A logged-in researcher: reads every page, chart, export and API answer of every programme."""
    add_user(RESEARCHER, PASSWORD, Role.researcher)
    db.session.commit()
    client = app.test_client()
    assert login(client, RESEARCHER).status_code == 302
    return client


def truth_of(programme, measurement_round) -> Truth:
    """Who answered what in the round, by unit name and profession key, read from the database."""
    instrument = instruments().get(measurement_round.instrument_id, measurement_round.instrument_version)
    names = {unit.id: unit.name for unit in programme.units}
    keys = {profession.id: profession.key for profession in programme.professions}
    answers = defaultdict(list)
    for response in db.session.scalars(select(Response).where(Response.round_id == measurement_round.id)):
        answers[(names[response.unit_id], keys[response.profession_id])].append(
            decode_answers(response.answers, instrument.scale.min))
    return Truth(units=[unit.name for unit in programme.units], professions=[p.key for p in programme.professions],
                 items=list(instrument.item_keys), dimension_of={i.key: i.dimension for i in instrument.items},
                 scale=list(instrument.scale.values), answers=dict(answers),
                 min_group_size=programme.min_group_size)


def api_asker(client, programme, measurement_round):
    """The attacker's question: the API's summary of one selection of the round."""
    def ask(selection):
        unit, profession = selection
        query = f"?round={measurement_round.number}"
        query += f"&unit={unit}" if unit else ""
        query += f"&profession={profession}" if profession else ""
        response = client.get(f"/api/v1/programmes/{programme.slug}/summary{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()
    return ask


def export_groups(client, programme, measurement_round) -> list[tuple[list[tuple[str, str]], set[str]]]:
    """The raw export's groups of the round, each as (its cells, the items its rows show in full).

    An item written "dold" (withheld) in a group's rows tells nothing of that item.
    """
    response = client.get(f"/transfer/{programme.slug}/responses.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"), newline=""), delimiter=";"))
    header, rows = rows[0], rows[1:]
    keys = {profession.name: profession.key for profession in programme.professions}
    items = [column for column in header if column.startswith("q")]
    shown: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        if row[0] != str(measurement_round.number):
            continue
        group = (row[header.index("unit")], keys[row[header.index("profession")]])
        full = {item for item in items if row[header.index(item)] != "dold"}
        shown[group] = shown.get(group, full) & full
    return [([group], full) for group, full in shown.items()]


@pytest.fixture
def rng():
    """Random answers, the same in every run."""
    return np.random.default_rng(2026)

"""Writing a checked import. Operations flush; the caller commits, once, so a file imports whole or not at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from spindeln.db import db
from spindeln.instrument import InstrumentRegistry
from spindeln.programmes.models import ImportRecord, Programme
from spindeln.programmes.operations import add_profession, add_unit, create_programme
from spindeln.results.operations import freeze_round
from spindeln.survey.models import Response, Round, RoundState, encode_answers
from spindeln.text import normalise_name
from spindeln.transfer.importing import N_, ImportPlan, reject

#: Responses per INSERT batch: large enough to be fast, small enough to keep memory flat.
BATCH_SIZE = 5000


@dataclass
class ImportResult:
    """What an import did."""

    programme: Programme
    #: Responses per round number, in round order.
    counts: dict[int, int]
    created_programme: bool = False
    created_units: list[str] = field(default_factory=list)
    created_professions: list[str] = field(default_factory=list)
    created_rounds: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Responses imported."""
        return sum(self.counts.values())


def import_responses(plan: ImportPlan, filename: str, registry: InstrumentRegistry,
                     today: dt.date | None = None) -> ImportResult:
    """Write a checked plan: the programme, units, professions and rounds it lacks, the responses, the
    new rounds' releases, and the record that keeps the same file from being imported twice."""
    today = today or dt.date.today()
    programme = plan.programme
    created_programme = programme is None
    if programme is None:
        programme = create_programme(plan.slug, plan.slug, plan.instrument)
    for key, name in plan.new_units.items():
        add_unit(programme, name, key=key)
    for key, name in plan.new_professions.items():
        add_profession(programme, name, key=key)
    for number, new_round in plan.new_rounds.items():
        programme.rounds.append(Round(
            number=number,
            title=new_round.title,
            opens_on=new_round.opens_on,
            closes_on=new_round.closes_on,
            state=RoundState.closed,
            instrument_id=plan.instrument.id,
            instrument_version=plan.instrument.version,
        ))
    db.session.flush()

    counts = plan.round_counts()
    # The record goes in first: a second import of the same file running at the same moment
    # fails here, on the unique digest, before any response is written.
    db.session.add(ImportRecord(
        programme_id=programme.id,
        digest=plan.digest,
        filename=filename[-255:] or "-",
        imported_on=today,
        response_count=sum(counts.values()),
    ))
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise reject(N_("This file was already imported. Nothing was imported.")) from error

    units = {unit.key: unit.id for unit in programme.units}
    professions = {profession.key: profession.id for profession in programme.professions}
    rounds = {measurement_round.number: measurement_round.id for measurement_round in programme.rounds}
    scale_min = plan.instrument.scale.min
    for start in range(0, len(plan.rows), BATCH_SIZE):
        batch = [
            {
                "round_id": rounds[row.round],
                "unit_id": units[plan.unit_keys[normalise_name(row.unit)]],
                "profession_id": professions[plan.profession_keys[normalise_name(row.profession)]],
                "submitted_on": row.date or plan.default_dates[row.round],
                "answers": encode_answers(list(row.answers), scale_min),
                "comment": row.comment,
            }
            for row in plan.rows[start:start + BATCH_SIZE]
        ]
        db.session.execute(insert(Response), batch)
    db.session.flush()
    # Each new round is closed: its release is decided now, on all of its responses, and kept.
    for measurement_round in programme.rounds:
        if measurement_round.number in plan.new_rounds:
            freeze_round(measurement_round, registry, today)
    return ImportResult(
        programme=programme,
        counts=counts,
        created_programme=created_programme,
        created_units=list(plan.new_units.values()),
        created_professions=list(plan.new_professions.values()),
        created_rounds=list(plan.new_rounds),
    )

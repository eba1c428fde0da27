"""A realistic demo programme: STIS in Stockholm's seven outer districts, six rounds over three years."""

from __future__ import annotations

import datetime as dt

import numpy as np

from spindeln.auth.models import Role
from spindeln.auth.operations import add_user, user_by_email
from spindeln.db import db
from spindeln.instrument import DEFAULT_INSTRUMENT
from spindeln.programmes.models import Programme
from spindeln.programmes.operations import add_round, add_unit, close_round, create_programme
from spindeln.survey.models import Response, encode_answers
from spindeln.web import instruments

DEMO_SLUG = "stis-ytterstaden"
DEMO_USER = ("demo@example.org", "spindeln-demo")
DISTRICTS = (
    "Enskede-Årsta-Vantör", "Farsta", "Hässelby-Vällingby", "Rinkeby-Kista",
    "Skarpnäck", "Skärholmen", "Spånga-Tensta",
)
#: Staff per profession (föräldrarådgivare, öppna förskolan, BVC/BMM) in each district's team.
#: Skärholmen's BVC/BMM has two people: too few to show, which the demo is there to show.
TEAMS = {
    "Enskede-Årsta-Vantör": (3, 5, 6), "Farsta": (2, 4, 5), "Hässelby-Vällingby": (3, 4, 4),
    "Rinkeby-Kista": (4, 6, 5), "Skarpnäck": (2, 3, 4), "Skärholmen": (3, 4, 2), "Spånga-Tensta": (3, 5, 4),
}
ROUNDS = (
    ("Mätning 1 (vt 2018)", dt.date(2018, 3, 5), dt.date(2018, 3, 23)),
    ("Mätning 2 (ht 2018)", dt.date(2018, 10, 1), dt.date(2018, 10, 19)),
    ("Mätning 3 (vt 2019)", dt.date(2019, 3, 4), dt.date(2019, 3, 22)),
    ("Mätning 4 (ht 2019)", dt.date(2019, 10, 7), dt.date(2019, 10, 25)),
    ("Mätning 5 (vt 2020)", dt.date(2020, 3, 2), dt.date(2020, 3, 20)),
    ("Mätning 6 (ht 2020)", dt.date(2020, 10, 5), dt.date(2020, 10, 23)),
)
OPEN_ROUND_TITLE = "Mätning 7 (vt 2021)"
#: Where each item starts (round 1) and how much it moves per round: rules and management start low
#: and improve; knowing each other improves most; users' influence stays low.
START = np.array([4.6, 5.4, 4.8, 5.6, 4.9, 5.8, 6.4, 5.5, 4.3])
STEP = np.array([0.20, 0.25, 0.15, 0.35, 0.20, 0.45, 0.25, 0.30, 0.10])
#: Profession effects per item: BVC/BMM (run by the region) find the municipal rules and organisation
#: harder; öppna förskolan sees more of the families' influence.
PROFESSION_EFFECT = np.array([
    [0.3, 0.2, 0.3, 0.2, 0.3, 0.0, 0.1, 0.2, 0.0],
    [0.0, 0.3, 0.0, 0.4, 0.2, 0.2, 0.3, 0.1, 0.6],
    [-0.9, -0.5, -0.7, -0.4, -0.8, -0.3, -0.1, -0.2, -0.4],
])
CANNOT_ASSESS_CHANCE = np.array([0.06, 0.03, 0.08, 0.02, 0.05, 0.02, 0.03, 0.05, 0.14])
COMMENTS = (
    "Vi behöver fler gemensamma träffar med BVC.",
    "Sekretessen gör det svårt att lotsa familjer vidare.",
    "Bra att vi nu har en kontaktperson på öppna förskolan.",
    "Ledningen måste ge oss tid för samverkan, inte bara uppdraget.",
    "Föräldrarna borde få säga mer om vilka grupper vi erbjuder.",
    "Det har blivit mycket bättre sedan vi började planera tillsammans.",
)


def create_demo(seed: int = 2017, today: dt.date | None = None) -> tuple[Programme, tuple[str, str] | None]:
    """Create the demo programme and its responses; also a demo admin when none exists."""
    rng = np.random.default_rng(seed)
    instrument = instruments().get(*DEFAULT_INSTRUMENT)
    programme = create_programme("STIS ytterstaden", DEMO_SLUG, instrument)
    units = [add_unit(programme, name) for name in DISTRICTS]
    district_effect = rng.normal(0, 0.6, size=(len(units), len(instrument.items)))

    for index, (title, opens_on, closes_on) in enumerate(ROUNDS):
        measurement_round = add_round(programme, title, opens_on, closes_on)
        measurement_round.open(today=opens_on)
        _add_responses(programme, measurement_round, index, units, district_effect, rng, instrument)
        close_round(measurement_round, instruments(), today=closes_on)

    today = today or dt.date.today()
    open_round = add_round(programme, OPEN_ROUND_TITLE, today, today + dt.timedelta(days=21))
    open_round.open(today=today)
    db.session.flush()

    created_user = None
    if user_by_email(DEMO_USER[0]) is None:
        add_user(DEMO_USER[0], DEMO_USER[1], Role.admin)
        created_user = DEMO_USER
    return programme, created_user


def _add_responses(programme, measurement_round, round_index, units, district_effect, rng, instrument) -> None:
    scale = instrument.scale
    # The spring of 2020 (round 5) was the pandemic: everything dipped a little.
    dip = 0.6 if round_index == 4 else 0.0
    for unit_index, unit in enumerate(units):
        for profession_index, profession in enumerate(programme.professions):
            staff = TEAMS[unit.name][profession_index]
            # Most of a small team answers; in the two-person group both always do.
            answering = staff if staff <= 2 else int(rng.binomial(staff, 0.85))
            for _person in range(answering):
                mean = (
                    START + STEP * round_index - dip
                    + district_effect[unit_index] + PROFESSION_EFFECT[profession_index]
                )
                values = np.clip(np.rint(rng.normal(mean, 1.5)), scale.min, scale.max).astype(int)
                cannot = rng.random(len(values)) < CANNOT_ASSESS_CHANCE
                answers = [None if skip else int(value) for value, skip in zip(values, cannot)]
                comment = COMMENTS[int(rng.integers(len(COMMENTS)))] if rng.random() < 0.12 else None
                day = measurement_round.opens_on + dt.timedelta(days=int(rng.integers(0, 14)))
                db.session.add(
                    Response(
                        round_id=measurement_round.id,
                        unit_id=unit.id,
                        profession_id=profession.id,
                        submitted_on=day,
                        answers=encode_answers(answers, scale.min),
                        comment=comment,
                    )
                )
    db.session.flush()

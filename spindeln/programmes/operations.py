"""Writes to programmes, units, professions, rounds and links. Operations flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from spindeln.db import db
from spindeln.instrument import Instrument
from spindeln.programmes.models import DEFAULT_PROFESSIONS, Profession, Programme, Unit
from spindeln.programmes.queries import find_profession, find_unit, programme_by_slug
from spindeln.instrument import InstrumentRegistry
from spindeln.results.operations import freeze_round
from spindeln.survey.models import Link, Round
from spindeln.text import ascii_key

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: Short names that are management pages of their own under /manage/.
RESERVED_SLUGS = frozenset({"new", "users"})


class ProgrammeError(ValueError):
    """A change to a programme that cannot be made; the message says why."""


def create_programme(
    name: str,
    slug: str,
    instrument: Instrument,
    min_group_size: int = 3,
    professions=DEFAULT_PROFESSIONS,
) -> Programme:
    """Create a programme with its professions (by default the three of early parenting support)."""
    name = " ".join(name.split())
    if not name:
        raise ProgrammeError("the programme needs a name")
    if not SLUG.match(slug):
        raise ProgrammeError(f"{slug!r} is not a valid short name (a-z, 0-9 and -)")
    if slug in RESERVED_SLUGS:
        raise ProgrammeError(f"{slug!r} is taken by a page of its own; choose another short name")
    if programme_by_slug(slug) is not None:
        raise ProgrammeError(f"there is already a programme {slug!r}")
    if not 1 <= min_group_size <= 100:
        raise ProgrammeError("the minimum group size must be between 1 and 100")
    programme = Programme(
        name=name,
        slug=slug,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        min_group_size=min_group_size,
    )
    db.session.add(programme)
    for key, sv_name, en_name in professions:
        add_profession(programme, sv_name, name_en=en_name, key=key)
    db.session.flush()
    return programme


def add_unit(programme: Programme, name: str, key: str | None = None) -> Unit:
    """Add a unit (a district or family centre) to the programme."""
    name = " ".join(name.split())
    key = key or ascii_key(name)
    if not name or not key:
        raise ProgrammeError("the unit needs a name with at least one letter or digit")
    if find_unit(programme, name) is not None or any(u.key == key for u in programme.units):
        raise ProgrammeError(f"there is already a unit {name!r}")
    unit = Unit(key=key, name=name)
    programme.units.append(unit)
    db.session.flush()
    return unit


def add_profession(programme: Programme, name: str, name_en: str | None = None, key: str | None = None) -> Profession:
    """Add a profession that respondents can choose."""
    name = " ".join(name.split())
    key = key or ascii_key(name)
    if not name or not key:
        raise ProgrammeError("the profession needs a name with at least one letter or digit")
    if find_profession(programme, name) is not None or any(p.key == key for p in programme.professions):
        raise ProgrammeError(f"there is already a profession {name!r}")
    profession = Profession(key=key, name=name, name_en=name_en or None, position=len(programme.professions))
    programme.professions.append(profession)
    return profession


def add_round(
    programme: Programme, title: str, opens_on: dt.date | None = None, closes_on: dt.date | None = None
) -> Round:
    """Add the next round (a draft) with its general link, using the programme's instrument."""
    title = " ".join(title.split())
    if not title:
        raise ProgrammeError("the round needs a title")
    if opens_on and closes_on and closes_on < opens_on:
        raise ProgrammeError("the round cannot close before it opens")
    last = db.session.scalar(select(func.max(Round.number)).where(Round.programme_id == programme.id))
    measurement_round = Round(
        number=(last or 0) + 1,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        instrument_id=programme.instrument_id,
        instrument_version=programme.instrument_version,
    )
    programme.rounds.append(measurement_round)
    measurement_round.links.append(Link())
    db.session.flush()
    return measurement_round


def close_round(measurement_round: Round, instruments: InstrumentRegistry, today: dt.date | None = None) -> None:
    """Close a round: it takes no more responses, and its release is decided and kept (`freeze_round`)."""
    measurement_round.close(today)
    freeze_round(measurement_round, instruments, today)


def active_link(measurement_round: Round, unit: Unit | None = None) -> Link:
    """The round's active link for `unit` (None: the general link), created when there is none."""
    for link in measurement_round.links:
        if not link.revoked and link.unit_id == (unit.id if unit else None):
            return link
    link = Link(unit=unit)
    measurement_round.links.append(link)
    db.session.flush()
    return link


def replace_link(link: Link) -> Link:
    """Revoke a link (it stops working at once) and make a new one for the same round and unit."""
    link.revoked = True
    db.session.flush()
    return active_link(link.round, link.unit)

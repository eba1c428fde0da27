"""Reads of programmes, their units, professions and rounds."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from spindeln.db import db
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.survey.models import Round
from spindeln.text import normalise_name


def all_programmes() -> list[Programme]:
    """Every programme, by name."""
    return list(db.session.scalars(select(Programme).order_by(Programme.name)))


def programme_by_slug(slug: str) -> Programme | None:
    """The programme with this slug."""
    return db.session.scalar(select(Programme).where(Programme.slug == slug))


def programme_or_404(slug: str) -> Programme:
    """The programme with this slug, or a 404 page."""
    return programme_by_slug(slug) or abort(404)


def round_by_number(programme: Programme, number: int) -> Round | None:
    """The programme's round with this number."""
    return db.session.scalar(
        select(Round).where(Round.programme_id == programme.id, Round.number == number)
    )


def round_or_404(programme: Programme, number: int) -> Round:
    """The programme's round with this number, or a 404 page."""
    return round_by_number(programme, number) or abort(404)


def find_unit(programme: Programme, name_or_key: str) -> Unit | None:
    """The programme's unit named `name_or_key` (by name or key, ignoring case and extra spaces)."""
    wanted = normalise_name(name_or_key)
    for unit in programme.units:
        if normalise_name(unit.name) == wanted or unit.key == wanted:
            return unit
    return None


def find_profession(programme: Programme, name_or_key: str) -> Profession | None:
    """The programme's profession named `name_or_key` (key, Swedish or English name, ignoring case)."""
    wanted = normalise_name(name_or_key)
    for profession in programme.professions:
        names = {profession.key, normalise_name(profession.name), normalise_name(profession.name_en or "")}
        if wanted in names:
            return profession
    return None

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


def readable_programmes(user) -> list[Programme]:
    """The programmes `user` may read, by name: all for admins and researchers, a coordinator's own."""
    from spindeln.auth.permissions import can_read  # here: the permissions module reads programmes

    return [programme for programme in all_programmes() if can_read(user, programme)]


def programme_or_404(slug: str) -> Programme:
    """The programme with this slug if the logged-in user may read it, else a 404 page.

    A programme the user may not read answers exactly like one that does not exist.
    """
    from spindeln.auth.permissions import readable_or_404

    return readable_or_404(programme_by_slug(slug))


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

"""What the command-line tools share: a programme, unit or profession named on the command line, or a clear error."""

from __future__ import annotations

import click

from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.programmes.queries import find_profession, find_unit, programme_by_slug


def programme_named(slug: str) -> Programme:
    """The programme with this slug; a ClickException saying there is none."""
    programme = programme_by_slug(slug)
    if programme is None:
        raise click.ClickException(f"There is no programme {slug!r}.")
    return programme


def group_named(programme: Programme, unit_name: str | None,
                profession_name: str | None) -> tuple[Unit | None, Profession | None]:
    """The unit and profession named (by name or key; None when not named); a ClickException for an unknown one."""
    unit = profession = None
    if unit_name and (unit := find_unit(programme, unit_name)) is None:
        raise click.ClickException(f"Programme {programme.slug!r} has no unit {unit_name!r}.")
    if profession_name and (profession := find_profession(programme, profession_name)) is None:
        raise click.ClickException(f"Programme {programme.slug!r} has no profession {profession_name!r}.")
    return unit, profession

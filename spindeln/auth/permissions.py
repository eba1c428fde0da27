"""Who may do what: the access rules of every page, chart, API answer and download, in one place.

- admin: everything, including the user accounts and creating programmes.
- researcher: reads every programme (results, charts, summaries) and may export raw responses;
  changes nothing.
- coordinator: reads and manages (units, professions, rounds, links, meeting mode, summaries) only
  the programmes given to them; never the raw responses. A programme they are not given answers
  404, as if it did not exist, so that not even its name leaks.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from spindeln.auth.models import Role, User
from spindeln.programmes.models import Programme


def _signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


def is_admin(user) -> bool:
    """Whether `user` is an active admin: user accounts, new programmes, everything."""
    return _signed_in(user) and user.role is Role.admin


def is_assigned(user: User, programme: Programme) -> bool:
    """Whether `programme` is one of those given to `user` (a coordinator)."""
    return any(given.id == programme.id for given in user.programmes)


def can_read(user, programme: Programme) -> bool:
    """Whether `user` may see `programme`: its pages, results, charts, summaries and handouts."""
    if not _signed_in(user):
        return False
    if user.role in (Role.admin, Role.researcher):
        return True
    return user.role is Role.coordinator and is_assigned(user, programme)


def can_manage(user, programme: Programme) -> bool:
    """Whether `user` may change `programme`: units, professions, rounds, links, meeting mode."""
    if not _signed_in(user):
        return False
    if user.role is Role.admin:
        return True
    return user.role is Role.coordinator and is_assigned(user, programme)


def can_export_raw(user) -> bool:
    """Whether `user` may download the raw responses (one row per respondent): admins and researchers."""
    return _signed_in(user) and user.role in (Role.admin, Role.researcher)


def can_create_programme(user) -> bool:
    """Whether `user` may create a programme: admins only."""
    return is_admin(user)


def readable_or_404(programme: Programme | None) -> Programme:
    """`programme` if the logged-in user may read it; else a 404, so that its existence does not leak."""
    if programme is None or not can_read(current_user, programme):
        abort(404)
    return programme


def readable_programme_or_404(slug: str) -> Programme:
    """The programme with this slug if the logged-in user may read it, else a 404 page."""
    from spindeln.programmes.queries import programme_by_slug  # here: queries asks this module too

    return readable_or_404(programme_by_slug(slug))


def managed_programme_or_404(slug: str) -> Programme:
    """The programme with this slug if the logged-in user may manage it.

    A 404 when they may not even read it (a coordinator's programme they are not given), a 403 when
    they may read but not change it (a researcher).
    """
    programme = readable_programme_or_404(slug)
    if not can_manage(current_user, programme):
        abort(403)
    return programme

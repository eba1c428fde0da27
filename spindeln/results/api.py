"""The JSON API: the analysis summary of a programme, the same contract as `spindeln summary`."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from spindeln.auth.models import Role
from spindeln.auth.permissions import can_read
from spindeln.auth.views import role_required
from spindeln.programmes.queries import programme_by_slug
from spindeln.results.gate import NotReleased
from spindeln.results.queries import SelectionError, programme_summary

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException):
    return jsonify(error=error.name, message=error.description), error.code


@bp.route("/programmes/<slug>/summary")
@role_required(Role.admin, Role.coordinator, Role.researcher)
def summary(slug):
    """The summary JSON (docs/summary.md) of closed rounds: ?round=N (repeatable), ?unit=, ?profession=."""
    programme = programme_by_slug(slug)
    if programme is None or not can_read(current_user, programme):
        # A programme the user may not read answers like one that does not exist.
        abort(404, description=f"There is no programme {slug!r}.")
    try:
        rounds = [int(value) for value in request.args.getlist("round")]
    except ValueError:
        abort(400, description="round must be a whole number")
    try:
        result = programme_summary(programme, rounds or None, request.args.get("unit"), request.args.get("profession"))
    except SelectionError as error:
        abort(400, description=str(error))
    except NotReleased as error:
        abort(409, description=str(error))
    return jsonify(result)

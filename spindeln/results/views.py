"""Results pages (placeholder until the analysis engine lands)."""

from flask import Blueprint

from spindeln.auth.models import Role
from spindeln.auth.views import role_required

bp = Blueprint("results", __name__, url_prefix="/results")


@bp.route("/<slug>/")
@role_required(Role.admin, Role.coordinator, Role.researcher)
def programme(slug):
    """Results of every round."""
    return "todo"


@bp.route("/<slug>/rounds/<int:number>/")
@role_required(Role.admin, Role.coordinator, Role.researcher)
def round(slug, number):
    """Results of one round."""
    return "todo"

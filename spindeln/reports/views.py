"""The handout download: the PDF of a closed round for the experience-exchange meeting."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from spindeln.auth.models import Role
from spindeln.auth.views import role_required
from spindeln.programmes.queries import find_profession, find_unit, programme_or_404, round_or_404
from spindeln.reports.handout import HandoutError, make_handout
from spindeln.web import language

bp = Blueprint("reports", __name__, url_prefix="/results")


def _refuse(status: int, message: str):
    return render_template("error.html", code=status, message=message), status


@bp.route("/<slug>/rounds/<number:number>/handout.pdf")
@role_required(Role.admin, Role.coordinator, Role.researcher)
def handout(slug, number):
    """The PDF handout of a closed round; ?unit=KEY, ?profession=KEY, ?compare=N (repeatable), ?lang=sv|en."""
    programme = programme_or_404(slug)
    round_or_404(programme, number)
    unit_key, profession_key = request.args.get("unit"), request.args.get("profession")
    unit = find_unit(programme, unit_key) if unit_key else None
    profession = find_profession(programme, profession_key) if profession_key else None
    if unit_key and unit is None:
        return _refuse(404, _("This programme has no such unit."))
    if profession_key and profession is None:
        return _refuse(404, _("This programme has no such profession."))
    compare = []
    for value in request.args.getlist("compare"):
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            return _refuse(400, _("Rounds to compare with are given by their number."))
        compare.append(int(value))
    current = language()
    try:
        pdf = make_handout(programme, number, unit=unit, profession=profession, compare=compare, language=current)
    except HandoutError as error:
        return _refuse(error.status, str(error))
    parts = [programme.slug, str(number), unit.key if unit else None, profession.key if profession else None, current]
    filename = "spindeln-" + "-".join(part for part in parts if part) + ".pdf"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

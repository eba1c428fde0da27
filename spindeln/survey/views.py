"""The respondent's pages: the form at the link, and the thank-you page."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from spindeln.db import db
from spindeln.limits import limit_responses, single_clean_values
from spindeln.survey.forms import make_response_form, new_submission_key
from spindeln.survey.operations import store_response
from spindeln.survey.models import RoundStateError
from spindeln.survey.queries import link_by_token
from spindeln.web import instrument_of, language

bp = Blueprint("survey", __name__)


@bp.route("/r/<token>", methods=["GET", "POST"])
@limit_responses
@single_clean_values
def respond(token):
    """The form of a round; a closed or not yet open round gets a friendly page and stores nothing."""
    link = link_by_token(token) or abort(404)
    measurement_round = link.round
    programme = measurement_round.programme
    if not measurement_round.accepts_responses():
        return render_template("survey/closed.html", round=measurement_round, programme=programme), 200
    instrument = instrument_of(measurement_round)
    form = make_response_form(instrument, programme, link.unit, language())
    if request.method == "GET":
        form.submission_key.data = new_submission_key()
    status = 200
    save_failed = False
    if form.validate_on_submit():
        unit = link.unit or next(u for u in programme.units if u.key == form.unit.data)
        profession = next(p for p in programme.professions if p.key == form.profession.data)
        try:
            store_response(
                measurement_round, instrument, unit, profession,
                form.answers(), form.comment.data, form.submission_key.data,
            )
            db.session.commit()
        except RoundStateError:
            # Closed while this person was answering: say so; nothing was stored.
            db.session.rollback()
            return render_template("survey/closed.html", round=measurement_round, programme=programme), 409
        except SQLAlchemyError:
            # Disk full, read-only or locked database: say so, keep the answers, never a false thank-you.
            db.session.rollback()
            save_failed = True
            status = 503
        else:
            return redirect(url_for(".thanks", token=token))
    elif request.method == "POST":
        status = 422
        if form.submission_key.errors:
            form.submission_key.data = new_submission_key()
    return (
        render_template(
            "survey/form.html",
            form=form,
            instrument=instrument,
            round=measurement_round,
            programme=programme,
            link=link,
            save_failed=save_failed,
        ),
        status,
    )


@bp.route("/r/<token>/tack")
def thanks(token):
    """Thank the respondent; offers a fresh form for the next person on a shared device."""
    link = link_by_token(token) or abort(404)
    return render_template("survey/thanks.html", round=link.round, programme=link.round.programme, link=link)

"""Managing programmes: units, professions, rounds, links, QR codes and the live count."""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from spindeln.auth.models import Role
from spindeln.auth.permissions import managed_programme_or_404, readable_programme_or_404
from spindeln.auth.views import role_required
from spindeln.db import db
from spindeln.programmes import operations
from spindeln.programmes.forms import (
    ConfirmForm,
    LinkForm,
    ProfessionForm,
    ProgrammeForm,
    RoundForm,
    UnitForm,
)
from spindeln.programmes.queries import readable_programmes, round_or_404
from spindeln.results import figures
from spindeln.survey.models import Link, RoundStateError
from spindeln.survey.queries import response_count
from spindeln.web import instrument_of, instruments, language

bp = Blueprint("programmes", __name__, url_prefix="/manage")

MANAGERS = (Role.admin, Role.coordinator)
READERS = (Role.admin, Role.coordinator, Role.researcher)


def respondent_url(link: Link) -> str:
    """The absolute address respondents open, from PUBLIC_URL when the app runs behind a proxy."""
    path = url_for("survey.respond", token=link.token)
    public = current_app.config["PUBLIC_URL"].rstrip("/")
    return public + path if public else url_for("survey.respond", token=link.token, _external=True)


@bp.route("/")
@role_required(*READERS)
def index():
    """The programmes the user may read."""
    return render_template("programmes/index.html", programmes=readable_programmes(current_user))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.admin)
def new_programme():
    """Create a programme."""
    form = ProgrammeForm()
    form.instrument.choices = [
        SelectChoice(f"{i.id}@{i.version}", f"{i.name.get(language())} (version {i.version})") for i in instruments()
    ]
    if form.validate_on_submit():
        instrument_id, _sep, version = form.instrument.data.partition("@")
        try:
            programme = operations.create_programme(
                form.name.data, form.slug.data, instruments().get(instrument_id, version), form.min_group_size.data
            )
        except operations.ProgrammeError as error:
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for(".programme", slug=programme.slug))
    return render_template("programmes/new.html", form=form)


def _programme_page(programme, status=200, **forms):
    forms.setdefault("unit_form", UnitForm(formdata=None))
    forms.setdefault("profession_form", ProfessionForm(formdata=None))
    forms.setdefault("round_form", RoundForm(formdata=None))
    counts = {r.id: response_count(r) for r in programme.rounds}
    return (
        render_template(
            "programmes/programme.html",
            programme=programme,
            instrument=instrument_of(programme),
            counts=counts,
            **forms,
        ),
        status,
    )


@bp.route("/<slug>/")
@role_required(*READERS)
def programme(slug):
    """A programme: its units, professions and rounds."""
    return _programme_page(readable_programme_or_404(slug))


@bp.route("/<slug>/units", methods=["POST"])
@role_required(*MANAGERS)
def add_unit(slug):
    """Add a unit."""
    programme = managed_programme_or_404(slug)
    form = UnitForm()
    if form.validate_on_submit():
        try:
            operations.add_unit(programme, form.name.data)
        except operations.ProgrammeError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The unit %(name)s was added.", name=form.name.data))
            return redirect(url_for(".programme", slug=slug) + "#units")
    return _programme_page(programme, 400, unit_form=form)


@bp.route("/<slug>/professions", methods=["POST"])
@role_required(*MANAGERS)
def add_profession(slug):
    """Add a profession."""
    programme = managed_programme_or_404(slug)
    form = ProfessionForm()
    if form.validate_on_submit():
        try:
            operations.add_profession(programme, form.name.data, name_en=form.name_en.data)
            db.session.flush()
        except operations.ProgrammeError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The profession %(name)s was added.", name=form.name.data))
            return redirect(url_for(".programme", slug=slug) + "#professions")
    return _programme_page(programme, 400, profession_form=form)


@bp.route("/<slug>/rounds", methods=["POST"])
@role_required(*MANAGERS)
def add_round(slug):
    """Add the next round as a draft."""
    programme = managed_programme_or_404(slug)
    form = RoundForm()
    if form.validate_on_submit():
        try:
            new_round = operations.add_round(programme, form.title.data, form.opens_on.data, form.closes_on.data)
        except operations.ProgrammeError as error:
            form.title.errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for(".round_page", slug=slug, number=new_round.number))
    return _programme_page(programme, 400, round_form=form)


def _link_form(programme) -> LinkForm:
    form = LinkForm()
    form.unit.choices = [SelectChoice(unit.key, unit.name) for unit in programme.units]
    return form


def _round_page(programme, measurement_round, link_form=None, status=200):
    links = [link for link in measurement_round.links if not link.revoked]
    return (
        render_template(
            "programmes/round.html",
            programme=programme,
            round=measurement_round,
            links=links,
            urls={link.id: respondent_url(link) for link in links},
            count=response_count(measurement_round),
            link_form=link_form or _link_form(programme),
            confirm_form=ConfirmForm(),
        ),
        status,
    )


@bp.route("/<slug>/rounds/<number:number>/")
@role_required(*READERS)
def round_page(slug, number):
    """A round: its state, links, QR codes and the number of responses."""
    programme = readable_programme_or_404(slug)
    return _round_page(programme, round_or_404(programme, number))


@bp.route("/<slug>/rounds/<number:number>/<any(open, close):action>", methods=["POST"])
@role_required(*MANAGERS)
def change_state(slug, number, action):
    """Open or close a round."""
    programme = managed_programme_or_404(slug)
    measurement_round = round_or_404(programme, number)
    if ConfirmForm().validate_on_submit():
        try:
            if action == "open":
                measurement_round.open()
            else:
                operations.close_round(measurement_round, instruments())
        except RoundStateError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The round is open.") if action == "open" else _("The round is closed."))
            if action == "close":
                figures.prepare_round_charts(programme, measurement_round, language(), _)
    return redirect(url_for(".round_page", slug=slug, number=number))


@bp.route("/<slug>/rounds/<number:number>/links", methods=["POST"])
@role_required(*MANAGERS)
def add_link(slug, number):
    """Make a link bound to one unit."""
    programme = managed_programme_or_404(slug)
    measurement_round = round_or_404(programme, number)
    form = _link_form(programme)
    if form.validate_on_submit():
        unit = next(u for u in programme.units if u.key == form.unit.data)
        operations.active_link(measurement_round, unit)
        db.session.commit()
        return redirect(url_for(".round_page", slug=slug, number=number) + "#links")
    return _round_page(programme, measurement_round, link_form=form, status=400)


def _link_or_404(measurement_round, link_id) -> Link:
    link = next((l for l in measurement_round.links if l.id == link_id and not l.revoked), None)
    if link is None:
        abort(404)
    return link


@bp.route("/<slug>/rounds/<number:number>/links/<number:link_id>/replace", methods=["POST"])
@role_required(*MANAGERS)
def replace_link(slug, number, link_id):
    """Revoke a link and make a new one in its place."""
    programme = managed_programme_or_404(slug)
    link = _link_or_404(round_or_404(programme, number), link_id)
    if ConfirmForm().validate_on_submit():
        operations.replace_link(link)
        db.session.commit()
        flash(_("The old link no longer works. Share the new one."))
    return redirect(url_for(".round_page", slug=slug, number=number) + "#links")


@bp.route("/<slug>/rounds/<number:number>/links/<number:link_id>/qr.svg")
@role_required(*MANAGERS)
def qr_code(slug, number, link_id):
    """The link as a QR code, an SVG big enough to project."""
    programme = managed_programme_or_404(slug)
    link = _link_or_404(round_or_404(programme, number), link_id)
    buffer = io.BytesIO()
    segno.make(respondent_url(link), error="m").save(buffer, kind="svg", scale=10, border=2, xmldecl=False)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.route("/<slug>/rounds/<number:number>/count.json")
@role_required(*READERS)
def live_count(slug, number):
    """The number of responses so far: the only figure shown while a round is open."""
    programme = readable_programme_or_404(slug)
    measurement_round = round_or_404(programme, number)
    return jsonify(count=response_count(measurement_round), state=measurement_round.state.value)

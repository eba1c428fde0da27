"""Import and export pages: downloads of a programme's data and summary, and the upload of old rounds."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from spindeln.auth.models import Role
from spindeln.auth.permissions import can_export_raw, can_manage
from spindeln.auth.views import role_required
from spindeln.db import db
from spindeln.programmes.queries import all_programmes, programme_by_slug, programme_or_404
from spindeln.transfer.exporting import Download, codebook_download, responses_download, summary_download
from spindeln.transfer.forms import ImportForm
from spindeln.transfer.importing import MAX_FILE_BYTES, ImportRejected, plan_import, read_table
from spindeln.transfer.operations import import_responses
from spindeln.results import gate
from spindeln.transfer.queries import import_records
from spindeln.web import csrf, instrument_of, instruments

bp = Blueprint("transfer", __name__, url_prefix="/transfer")

READERS = (Role.admin, Role.coordinator, Role.researcher)
#: Who may import: the roles that manage programmes.
IMPORTERS = (Role.admin, Role.coordinator)
#: Who may download single responses: coordinators run the rounds and see summaries only.
RAW_READERS = (Role.admin, Role.researcher)
#: The form's other fields are tiny; this is room for the file.
UPLOAD_LIMIT = MAX_FILE_BYTES + 64 * 1024


def _send(download: Download) -> Response:
    response = Response(download.data, mimetype=download.mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=download.filename)
    return response


@bp.route("/<slug>/")
@role_required(*READERS)
def programme(slug):
    """A programme's downloads, and its imports for those who may import."""
    programme = programme_or_404(slug)
    return render_template(
        "transfer/programme.html",
        programme=programme,
        closed=gate.readable_numbers(programme),
        records=import_records(programme),
        may_read_raw=can_export_raw(current_user),
        may_import=can_manage(current_user, programme),
    )


@bp.route("/<slug>/summary.<any(csv, xlsx, json):file_format>")
@role_required(*READERS)
def summary(slug, file_format):
    """The summary of the closed rounds, with the anonymity rule applied."""
    programme = programme_or_404(slug)
    return _send(summary_download(programme, file_format))


@bp.route("/<slug>/responses.<any(csv, xlsx):file_format>")
@role_required(*RAW_READERS)
def responses(slug, file_format):
    """The single responses of the closed rounds; comments only of groups the anonymity rule shows."""
    programme = programme_or_404(slug)
    download, _table = responses_download(programme, instrument_of(programme), file_format)
    return _send(download)


@bp.route("/<slug>/codebook.csv")
@role_required(*RAW_READERS)
def codebook(slug):
    """The codebook that explains the responses file."""
    programme = programme_or_404(slug)
    return _send(codebook_download(programme, instrument_of(programme)))


def _rounds_text(counts: dict[int, int]) -> str:
    return ", ".join(_("round %(number)d (%(count)d)", number=number, count=count) for number, count in counts.items())


@bp.route("/import", methods=["GET", "POST"])
@csrf.exempt
@role_required(*IMPORTERS)
def upload():
    """Upload a file of responses collected elsewhere; it imports whole or not at all."""
    if request.method == "POST":
        # The app takes small requests only; this page takes a file. The limit must be set before
        # the body is read, so the CSRF check (which reads the form) is done here, not before the view.
        request.max_content_length = UPLOAD_LIMIT
        csrf.protect()
    form = ImportForm()
    # Only the programmes this person manages: a coordinator imports into their own.
    form.programme.choices = [SelectChoice(p.slug, p.name) for p in all_programmes() if can_manage(current_user, p)]
    if request.method == "GET" and request.args.get("programme"):
        form.programme.data = request.args["programme"]
    problems: list[tuple] = []
    if form.validate_on_submit():
        chosen = programme_by_slug(form.programme.data)
        upload_file = form.file.data
        filename = PurePosixPath((upload_file.filename or "").replace("\\", "/")).name
        today = dt.date.today()
        try:
            table = read_table(upload_file.read(MAX_FILE_BYTES + 1), instrument_of(chosen).item_keys)
            plan = plan_import(table, chosen.slug, instruments(), today=today)
            result = import_responses(plan, filename, instruments(), today=today)
        except ImportRejected as error:
            db.session.rollback()
            problems = [(problem.row, problem.column, problem.text(_)) for problem in error.problems]
        else:
            db.session.commit()
            flash(ngettext("%(num)d response was imported: %(rounds)s.", "%(num)d responses were imported: %(rounds)s.",
                           result.total, rounds=_rounds_text(result.counts)))
            if result.created_rounds:
                flash(_("New closed rounds: %(rounds)s.", rounds=", ".join(map(str, result.created_rounds))))
            return redirect(url_for(".programme", slug=chosen.slug))
    status = 422 if problems else (400 if form.errors else 200)
    return render_template("transfer/import.html", form=form, problems=problems), status

"""Results pages: a programme's rounds, one round's radar, spread and prompts, comparisons, chart downloads."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from spindeln.auth.models import Role
from spindeln.auth.permissions import readable_programme_or_404
from spindeln.auth.views import role_required
from spindeln.charts import MIMETYPES
from spindeln.programmes.queries import round_or_404
from spindeln.results import figures, gate
from spindeln.results.figures import ROUND_CHARTS, Selection, SelectionError
from spindeln.results.wording import agreement_words, round_prompts
from spindeln.survey.queries import response_count
from spindeln.web import language

bp = Blueprint("results", __name__, url_prefix="/results")
READERS = (Role.admin, Role.coordinator, Role.researcher)


@bp.app_errorhandler(gate.NotReleased)
def _not_released(error: gate.NotReleased):
    """Any page (results, meeting, handout, export) asked for a round the gate will not show."""
    if error.changed:
        message = gettext("This round's answers have changed since its results were released, so none of them "
                          "are shown. The server log says more.")
    else:
        message = gettext("The results of this round are not ready yet. An administrator prepares them with "
                          "`spindeln db upgrade`.")
    return render_template("error.html", code=409, message=message), 409


class FilterForm(FlaskForm):
    """Which unit and profession to look at; sent with GET, so no CSRF token."""

    class Meta:
        csrf = False

    unit = SelectField(_l("Unit"), default="")
    profession = SelectField(_l("Profession"), default="")
    compare = SelectMultipleField(_l("Compare with rounds"), coerce=int, default=[])


class CompareForm(FilterForm):
    """Which rounds to compare (two or three), for which unit and profession."""

    rounds = SelectMultipleField(
        _l("Rounds"), coerce=int, default=[], widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


def _filter_form(programme, rounds=(), form_class=FilterForm) -> FilterForm:
    form = form_class(request.args)
    everyone = gettext("All")
    form.unit.choices = [SelectChoice("", everyone)] + [SelectChoice(u.key, u.name) for u in programme.units]
    form.profession.choices = [SelectChoice("", everyone)] + [
        SelectChoice(p.key, p.display_name(language())) for p in programme.professions
    ]
    form.compare.choices = [SelectChoice(n, gettext("Round %(n)d", n=n)) for n in rounds]
    if isinstance(form, CompareForm):
        form.rounds.choices = [SelectChoice(r.number, r.title) for r in programme.rounds if r.number in rounds]
    return form


def _selection(programme, measurement_round, form: FilterForm) -> Selection:
    """The selection the filter form asks for; a 404 for a unit, profession or round that is not there."""
    if request.args and not form.validate():
        abort(404)
    unit = next((u for u in programme.units if u.key == form.unit.data), None) if form.unit.data else None
    profession = (
        next((p for p in programme.professions if p.key == form.profession.data), None) if form.profession.data else None
    )
    return Selection(programme, measurement_round, unit, profession, list(form.compare.data or []))


def _chart_args(selection: Selection) -> dict:
    """The query arguments that give a chart URL the same selection as the page."""
    args = {}
    if selection.unit is not None:
        args["unit"] = selection.unit.key
    if selection.profession is not None:
        args["profession"] = selection.profession.key
    if selection.compare:
        args["compare"] = selection.compare
    return args


def _closed_round(slug, number):
    programme = readable_programme_or_404(slug)
    measurement_round = round_or_404(programme, number)
    return programme, measurement_round


@bp.route("/<slug>/")
@role_required(*READERS)
def programme(slug):
    """Every closed round's radar side by side, and the dimensions over time."""
    programme = readable_programme_or_404(slug)
    closed = gate.readable_rounds(programme)
    texts = {}
    for measurement_round in closed:
        selection = Selection(programme, measurement_round)
        texts[measurement_round.number] = figures.chart_text("radar", selection, language(), gettext)
    trend = None
    if closed:
        trend = figures.chart_text("trend", Selection(programme, closed[-1]), language(), gettext)
    return render_template("results/programme.html", programme=programme, rounds=closed, texts=texts, trend=trend)


@bp.route("/<slug>/rounds/<number:number>/", endpoint="round")
@role_required(*READERS)
def round_results(slug, number):
    """One round: radar, comparison, professions, spread, the item table and the discussion prompts."""
    programme, measurement_round = _closed_round(slug, number)
    if not gate.is_readable(measurement_round):
        # While a round is open the only figure anyone sees is how many have answered.
        return render_template(
            "results/not_closed.html", programme=programme, round=measurement_round, count=response_count(measurement_round)
        )
    earlier = [r.number for r in gate.earlier_comparable(programme, measurement_round)]
    form = _filter_form(programme, earlier)
    selection = _selection(programme, measurement_round, form)
    previous = earlier[-1:]
    summary = figures.summary_of(selection, previous + [number])
    entry = summary["rounds"][-1]
    kinds = [k for k in ROUND_CHARTS if not (k == "compare" and not earlier)
             and not (k == "professions" and selection.profession is not None)]
    try:
        texts = {kind: figures.chart_text(kind, selection, language(), gettext) for kind in kinds}
    except SelectionError:
        abort(404)
    instrument = selection.instrument
    prompts = round_prompts(summary, number, instrument, programme, language())
    return render_template(
        "results/round.html",
        programme=programme,
        round=measurement_round,
        selection=selection,
        form=form,
        summary=summary,
        entry=entry,
        instrument=instrument,
        texts=texts,
        prompts=prompts,
        agreement_words=agreement_words,
        chart_args=_chart_args(selection),
    )


@bp.route("/<slug>/rounds/<number:number>/<any(radar, compare, professions, units, dispersion, trend, dumbbell):kind>.<any(svg, png):format>")
@role_required(*READERS)
def chart(slug, number, kind, format):
    """A chart of a round as SVG or PNG (at least 1600 px wide), for the page and for slides."""
    programme, measurement_round = _closed_round(slug, number)
    if not gate.is_readable(measurement_round):
        abort(404)
    form = _filter_form(programme, [r.number for r in programme.rounds])
    selection = _selection(programme, measurement_round, form)
    try:
        body = figures.chart_image(kind, selection, format, language(), gettext)
    except SelectionError:
        abort(404)
    response = Response(body, mimetype=MIMETYPES[format])
    if request.args.get("download"):
        filename = f"{programme.slug}-{number}-{kind}.{format}"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<slug>/compare")
@role_required(*READERS)
def compare(slug):
    """Compare two or three closed rounds: the overlay, the change chart and the change table."""
    programme = readable_programme_or_404(slug)
    closed = gate.readable_rounds(programme)
    form = _filter_form(programme, [r.number for r in closed], form_class=CompareForm)
    if request.args and not form.validate():
        abort(404)
    chosen = sorted(set(form.rounds.data or []))
    if not chosen and closed:
        # The latest round against the first it can be compared with.
        earlier = gate.earlier_comparable(programme, closed[-1])
        chosen = [earlier[0].number, closed[-1].number] if earlier else []
    context = {"programme": programme, "form": form, "chosen": chosen, "texts": {}, "comparison": None}
    if 2 <= len(chosen) <= 3:
        latest = next(r for r in closed if r.number == chosen[-1])
        base = _selection(programme, latest, form)
        selection = Selection(programme, latest, base.unit, base.profession, chosen[:-1])
        summary = figures.summary_of(selection, chosen)
        comparison = next(c for c in summary["comparisons"]
                          if c["from_round"] == chosen[0] and c["to_round"] == chosen[-1])
        texts = {}
        if comparison["comparable"]:
            try:
                texts = {kind: figures.chart_text(kind, selection, language(), gettext)
                         for kind in ("compare", "dumbbell", "trend")}
            except SelectionError:
                abort(404)
        context.update(selection=selection, summary=summary, comparison=comparison, texts=texts,
                       instrument=selection.instrument, latest=latest, chart_args=_chart_args(selection),
                       labels={entry["number"]: entry["label"] for entry in summary["rounds"]})
    return render_template("results/compare.html", **context)

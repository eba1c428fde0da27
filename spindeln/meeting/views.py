"""Meeting mode: the projector view of a round, from QR code and live count to results, one screen at a time."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext

from spindeln.auth.models import Role
from spindeln.auth.views import role_required
from spindeln.db import db
from spindeln.programmes.forms import ConfirmForm
from spindeln.programmes.operations import active_link
from spindeln.programmes.queries import programme_or_404, round_or_404
from spindeln.programmes.views import respondent_url
from spindeln.results import figures, gate
from spindeln.results.figures import Selection
from spindeln.results.wording import Prompt, round_prompts
from spindeln.survey.queries import response_count
from spindeln.web import language

bp = Blueprint("meeting", __name__, url_prefix="/meeting")

#: The screens of a meeting, in order; the results screens only once the round is closed.
SCREENS = ("join", "radar", "dispersion", "prompts")


@bp.route("/<slug>/rounds/<number:number>/", defaults={"screen": "join"})
@bp.route("/<slug>/rounds/<number:number>/<any(join, radar, dispersion, prompts):screen>")
@role_required(Role.admin, Role.coordinator)
def show(slug, number, screen):
    """One screen of the meeting: how to join (QR code, link, live count), then the results."""
    programme = programme_or_404(slug)
    measurement_round = round_or_404(programme, number)
    closed = gate.is_readable(measurement_round)
    if screen != "join" and not closed:
        # While the round is open the only figure shown is how many have answered.
        abort(404)
    screens = list(SCREENS) if closed else ["join"]
    position = screens.index(screen)
    context = {
        "programme": programme,
        "round": measurement_round,
        "screen": screen,
        "previous_url": url_for(".show", slug=slug, number=number, screen=screens[position - 1]) if position else None,
        "next_url": url_for(".show", slug=slug, number=number, screen=screens[position + 1])
        if position + 1 < len(screens) else None,
        "count": response_count(measurement_round),
        "confirm_form": ConfirmForm(),
    }
    if screen == "join":
        link = active_link(measurement_round)
        db.session.commit()  # a round whose links were all revoked gets a new one here, once
        context.update(link=link, url=respondent_url(link))
    else:
        previous = gate.previous_round(programme, measurement_round)
        earlier = [] if previous is None else [previous.number]
        selection = Selection(programme, measurement_round, compare=earlier)
        summary = figures.summary_of(selection, earlier + [number])
        entry = summary["rounds"][-1]
        context.update(entry=entry, min_group_size=programme.min_group_size)
        if not entry["suppressed"]:
            if screen == "radar":
                kind = "compare" if earlier else "radar"
                context.update(kind=kind, compare=earlier,
                               text=figures.chart_text(kind, selection, language(), gettext))
            elif screen == "dispersion":
                context.update(kind="dispersion", compare=[],
                               text=figures.chart_text("dispersion", selection, language(), gettext))
            else:
                instrument = selection.instrument
                # One prompt of each kind: a projected screen holds four, and a meeting talks about a few.
                first_of_each: dict[str, Prompt] = {}
                for prompt in round_prompts(summary, number, instrument, programme, language()):
                    first_of_each.setdefault(prompt.heading, prompt)
                prompts = list(first_of_each.values())
                context.update(findings=[p for p in prompts if p.kind != "no_clear_change"],
                               notes=[p for p in prompts if p.kind == "no_clear_change"])
    return render_template("meeting/meeting.html", **context)

"""One test per class of attack found in the review (issue #12), each through what an account can get.

1. a total hidden only as cover whose parts are shown, and cells given away by rows and columns together;
2. a composite (a dimension) shown where one of its items is hidden;
3. padding: adding to a round whose figures can be read;
4. the raw export naming groups of fewer than the minimum;
5. the order of submission kept in ids, in storage and in receipts;
6. the shared device: the browser keeping a previous person's form or results.
"""

from __future__ import annotations

import itertools
import re
import statistics
from pathlib import Path

import pytest
from scipy.stats import kendalltau
from sqlalchemy import func, select, text

from spindeln.db import db
from spindeln.programmes.operations import add_profession, add_round, add_unit, close_round
from spindeln.survey.models import Response, SubmissionReceipt
from spindeln.web import instruments
from tests.anonymity.attacker import attack
from tests.anonymity.conftest import api_asker, export_groups, make_programme, make_round, truth_of
from tests.conftest import hidden_fields
from tests.transfer.helpers import csv_bytes

#: The rule before the whole-table release hid U4 (two people) and, as its cover, U3, whose cells
#: all stayed readable: U3's total was their sum, and U4 followed from the round's total.
COVER_WITH_SHOWN_PARTS = [[3, 6, 4], [5, 2, 5], [6, 0, 3], [2, 0, 0]]
#: Every line of this table looked protected to the old rule; rows and columns together gave away U2's
#: one person in the second profession.
ROWS_AND_COLUMNS = [[0, 2, 0, 1], [6, 1, 1, 0], [2, 0, 2, 0], [0, 4, 0, 2]]
#: Two single people in one unit: the unit minus its shown cell gave their sum.
TWO_SINGLES = [[1, 1], [3, 0], [1, 4], [2, 3]]


@pytest.mark.parametrize("sizes", [COVER_WITH_SHOWN_PARTS, ROWS_AND_COLUMNS, TWO_SINGLES],
                         ids=["cover-with-shown-parts", "rows-and-columns", "two-singles"])
def test_1_no_combination_of_api_answers_and_the_export_gives_away_a_small_group(app, researcher, rng, sizes):
    programme = make_programme("p", len(sizes), len(sizes[0]))
    measurement_round = make_round(programme, sizes, rng, cannot_assess=0.1)
    ask = api_asker(researcher, programme, measurement_round)
    truth = truth_of(programme, measurement_round)
    # From the pages, the API and the raw export together: nothing about a small group, nor about an
    # item few people rated.
    findings = attack(truth, ask, export_groups(researcher, programme, measurement_round))
    assert not findings, (findings.leaks[:5], findings.few_raters[:5])


def _possible_hidden_ratings(q2_values: list[int], n_rated: int, mean: float, sd: float) -> set[tuple[int, ...]]:
    """Every set of q1 ratings (by n_rated of the people) that gives the shown q2 ratings and the shown
    regelverk mean and SD: the attacker's search when q1 is hidden and the dimension is not."""
    found = set()
    for raters in itertools.combinations(range(len(q2_values)), n_rated):
        for ratings in itertools.product(range(1, 11), repeat=n_rated):
            scores = [float(q2) for q2 in q2_values]
            for person, rating in zip(raters, ratings):
                scores[person] = (q2_values[person] + rating) / 2
            if abs(statistics.mean(scores) - mean) < 1e-9 and abs(statistics.stdev(scores) - sd) < 1e-9:
                found.add(tuple(sorted(ratings)))
    return found


def test_2_a_dimension_is_hidden_wherever_one_of_its_items_is(app, researcher, rng):
    # Five advisers in U1; two of them rated q1 (the others could not assess it), so q1 is hidden
    # there. Regelverk (q1, q2) shown beside q2 would let the two ratings be solved.
    programme = make_programme("p", 1, 3)
    full = lambda q1, q2: [q1, q2, 5, 5, 5, 5, 5, 5, 5]  # noqa: E731
    advisers = [full(2, 3), full(None, 5), full(None, 7), full(None, 8), full(10, 9)]
    measurement_round = make_round(programme, [[5, 6, 6]], rng, answers={(0, 0): advisers})
    ask = api_asker(researcher, programme, measurement_round)
    for selection in [(None, None), ("U1", None), *[(u, p.key) for u in (None, "U1") for p in programme.professions]]:
        entry = ask(selection)["rounds"][0]
        hidden = {item["key"] for item in entry["items"] if item["suppressed"]}
        for dimension in entry["dimensions"]:
            if hidden & set(dimension["items"]):
                assert dimension["suppressed"] and dimension["mean"] is None and dimension["sd"] is None, \
                    (selection, dimension["key"])
    cell = ask(("U1", "foraldraradgivare"))["rounds"][0]
    q1 = next(item for item in cell["items"] if item["key"] == "q1")
    regelverk = next(d for d in cell["dimensions"] if d["key"] == "regelverk")
    assert q1["suppressed"] and regelverk["suppressed"]
    # With the dimension shown, the attacker's search would give the two ratings away.
    scores = [2.5, 5.0, 7.0, 8.0, 9.5]
    assert _possible_hidden_ratings([3, 5, 7, 8, 9], 2, statistics.mean(scores), statistics.stdev(scores)) == {(2, 10)}


def test_3_a_round_whose_figures_can_be_read_stays_as_it_is_whatever_a_coordinator_does(app, researcher, rng):
    programme = make_programme("p", 3, 3)
    measurement_round = make_round(programme, [[4, 3, 2], [5, 4, 1], [3, 3, 3]], rng)
    ask = api_asker(researcher, programme, measurement_round)
    selections = [(None, None), ("U2", None), ("U2", "bvc_bmm"), (None, "bvc_bmm")]
    before = [ask(selection) for selection in selections]

    # One made-up row for the one person from BVC/BMM in U2 would lift the group to two... refused.
    from tests.transfer.helpers import run_import  # the import as the page and the CLI run it
    from spindeln.transfer.importing import ImportRejected

    with pytest.raises(ImportRejected, match="is closed and its results can be read"):
        run_import(csv_bytes([["1", "U2", "BVC/BMM", *["5"] * 9, ""]]), slug="p")
    # A link of the closed round shows no form and stores nothing.
    link = measurement_round.links[0]
    form = app.test_client().get(f"/r/{link.token}?lang=en")
    assert "This round is closed" in form.get_data(as_text=True) and "<form" not in form.get_data(as_text=True)
    sent = app.test_client().post(f"/r/{link.token}", data={f"q{i}": "5" for i in range(1, 10)} | {"unit": "u2"})
    assert sent.status_code in (200, 400)
    # Other changes to the programme around it.
    add_unit(programme, "U4")
    add_profession(programme, "Kurator")
    later = add_round(programme, "Mätning 2")
    later.open()
    db.session.commit()
    after = [ask(selection) for selection in selections]
    for earlier, now in zip(before, after):
        for then_entry, now_entry in zip(earlier["rounds"], now["rounds"]):
            for key in then_entry:
                assert now_entry[key] == then_entry[key], key
        # The new profession joins the professions side by side, empty; the others are as they were.
        for then_block, now_block in zip(earlier["professions"], now["professions"]):
            for then_item, now_item in zip(then_block["items"], now_block["items"]):
                assert {key: now_item["means"][key] for key in then_item["means"]} == then_item["means"]
                assert now_item["means"]["kurator"] is None
    assert db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.round_id == measurement_round.id)) == 4 + 3 + 2 + 5 + 4 + 1 + 3 + 3 + 3


def test_4_the_raw_export_holds_only_what_the_release_shows(app, researcher, rng):
    # Before: the rows of hidden groups were listed with their unit and profession. Listed without
    # them, they could still be matched back to the profession totals; so they are not in the file.
    programme = make_programme("p", 4, 3)
    rounds = [make_round(programme, COVER_WITH_SHOWN_PARTS, rng, cannot_assess=0.15),
              make_round(programme, [[1, 4, 4], [4, 4, 2], [5, 1, 3], [3, 3, 3]], rng, cannot_assess=0.15)]
    text = researcher.get("/transfer/p/responses.csv").get_data(as_text=True).lstrip("\ufeff")
    header, *rows = [line.split(";") for line in text.splitlines()]
    keys = {p.name: p.key for p in programme.professions}
    groups: dict[tuple[str, str, str], list[list[str]]] = {}
    for row in rows:
        groups.setdefault((row[0], row[2], keys[row[3]]), []).append(row)
    withheld = 0
    for measurement_round in rounds:
        ask = api_asker(researcher, programme, measurement_round)
        for unit in programme.units:
            for profession in programme.professions:
                shown = ask((unit.name, profession.key))["rounds"][0]
                listed = groups.get((str(measurement_round.number), unit.name, profession.key), [])
                assert len(listed) == (shown["n_respondents"] or 0), (unit.name, profession.key)
                for item in shown["items"]:
                    column = header.index(item["key"])
                    # Withheld where the item is hidden, or a dimension it belongs to (the whole instrument too).
                    expected = item["suppressed"] or any(d["suppressed"] for d in shown["dimensions"]
                                                         if item["key"] in d["items"])
                    assert {row[column] == "dold" for row in listed} <= {expected}, (unit.name, profession.key, item["key"])
                    withheld += bool(listed) and expected
    assert min(len(listed) for listed in groups.values()) >= 3 and withheld


def _submit(app, link, comment):
    client = app.test_client()
    page = client.get(f"/r/{link.token}")
    answers = {f"q{i}": "6" for i in range(1, 10)} | {"unit": "u1", "profession": "oppna_forskolan",
                                                       "comment": comment}
    assert client.post(f"/r/{link.token}", data=hidden_fields(page.data) | answers).status_code == 302


def test_5_nothing_stored_tells_the_order_the_answers_came_in(app):
    programme = make_programme("p", 1, 3)
    measurement_round = add_round(programme, "Mätning 1")
    measurement_round.open()
    db.session.commit()
    order = [f"svar {number:02d}" for number in range(30)]
    for comment in order:
        _submit(app, measurement_round.links[0], comment)
    db.session.rollback()
    by_id = list(db.session.scalars(select(Response.comment).order_by(Response.id)))
    assert sorted(by_id) == order and by_id != order  # ids are not handed out in order
    if db.engine.dialect.name == "sqlite":
        # Receipts are kept in the order of their digests, not of their arrival.
        digests = [row[0] for row in db.session.execute(text("SELECT digest FROM submission_receipts"))]
        assert digests == sorted(digests) and len(digests) == 30
        ddl = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'submission_receipts'"))
        assert "WITHOUT ROWID" in ddl
    close_round(measurement_round, instruments())
    db.session.commit()
    # A plain read (as a backup makes) lists the round in no order of arrival, and no receipt is left.
    stored = [row[0] for row in db.session.execute(text("SELECT comment FROM responses"))]
    assert sorted(stored) == order and stored != order
    assert db.session.scalar(select(func.count()).select_from(SubmissionReceipt)) == 0
    if db.engine.dialect.name == "sqlite":
        # Nor do the bytes of the file: each answer is there once, in no order of arrival.
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        data = Path(db.engine.url.database).read_bytes()
        in_file = [match.group(0).decode() for match in re.finditer(rb"svar \d\d", data)]
        assert sorted(in_file) == order
        # Not in the order of arrival, nor reversed (a page fills from its end): no correlation left.
        tau = kendalltau([order.index(comment) for comment in in_file], range(len(in_file))).statistic
        assert abs(tau) < 0.5, tau


def test_6_no_page_chart_download_or_answer_is_kept_by_the_browser(app, researcher, rng):
    programme = make_programme("p", 2, 3)
    measurement_round = make_round(programme, [[4, 4, 4], [3, 3, 5]], rng)
    db.session.commit()
    number = measurement_round.number
    open_round = add_round(programme, "Mätning 2")
    open_round.open()
    db.session.commit()
    form = researcher.get(f"/r/{open_round.links[0].token}")
    html = form.get_data(as_text=True)
    assert form.headers["Cache-Control"] == "no-store"
    assert 'autocomplete="off"' in html and "respondent.js" in html
    for path in (f"/results/p/rounds/{number}/", f"/results/p/rounds/{number}/radar.svg",
                 f"/results/p/rounds/{number}/radar.png?download=1", f"/api/v1/programmes/p/summary",
                 "/results/p/", "/results/p/compare", "/transfer/p/summary.csv", "/transfer/p/responses.csv"):
        response = researcher.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    # What carries nobody's answers may be cached: the style sheet.
    style = researcher.get("/static/spindeln.css")
    assert "no-store" not in style.headers.get("Cache-Control", "")
    style.close()


def _assignments_matching(q8_values, q9_multiset, score_sum, score_squares):
    """Every way to give the q9 answers (None: cannot assess) to the people whose q8 is known, such that
    their sammanhang scores (the mean of q8 and q9; a two-item dimension scores only who rated both)
    have the given sum and sum of squares."""
    found = set()
    for order in set(itertools.permutations(q9_multiset)):
        scores = [(q8 + q9) / 2 for q8, q9 in zip(q8_values, order) if q9 is not None]
        if abs(sum(scores) - score_sum) < 1e-6 and abs(sum(s * s for s in scores) - score_squares) < 1e-6:
            found.add(order)
    return found


def test_4b_no_withheld_answer_can_be_solved_from_the_rows_and_a_dimension_shown_around_them(app, researcher, rng):
    # Three advisers in U1, one of whom rated q9; q9 is hidden for them and, as cover, for the open
    # preschool. The context dimension (q8, q9) is shown for U1 as a whole. With the others' q8 in
    # the rows, its n, mean and SD would tell which of the six rows gave which q9 answer.
    programme = make_programme("p", 1, 3)
    row = lambda q8, q9: [5, 5, 5, 5, 5, 5, 5, q8, q9]  # noqa: E731
    advisers = [row(5, 2), row(6, None), row(4, None)]
    preschool = [row(9, 10), row(5, 2), row(1, 7)]
    health = [row(5, 5), row(6, 6), row(7, 7), row(4, 3), row(5, 8), row(6, 4)]
    measurement_round = make_round(programme, [[3, 3, 6]], rng,
                                   answers={(0, 0): advisers, (0, 1): preschool, (0, 2): health})
    ask = api_asker(researcher, programme, measurement_round)
    unit = next(d for d in ask(("U1", None))["rounds"][0]["dimensions"] if d["key"] == "sammanhang")
    cell = next(d for d in ask(("U1", "bvc_bmm"))["rounds"][0]["dimensions"] if d["key"] == "sammanhang")
    assert not unit["suppressed"] and not cell["suppressed"]

    def moments(figures):
        return figures["n"] * figures["mean"], (figures["n"] - 1) * figures["sd"] ** 2 + figures["n"] * figures["mean"] ** 2

    (unit_sum, unit_squares), (cell_sum, cell_squares) = moments(unit), moments(cell)
    hidden_multiset = (2, None, None, 10, 2, 7)
    # It is what U1's q9 counts minus BVC/BMM's give, as the API shows them.
    q9_unit = next(i for i in ask(("U1", None))["rounds"][0]["items"] if i["key"] == "q9")
    q9_cell = next(i for i in ask(("U1", "bvc_bmm"))["rounds"][0]["items"] if i["key"] == "q9")
    difference = [int(value) for value, count in q9_unit["counts"].items()
                  for _ in range(count - q9_cell["counts"][value])]
    assert sorted(difference) == sorted(v for v in hidden_multiset if v is not None)
    assert q9_unit["cannot_assess"] - q9_cell["cannot_assess"] == 2
    # With the advisers' and the preschool's q8 known, one assignment fits: the lone rater's 2 is found.
    known_q8 = [5, 6, 4, 9, 5, 1]
    solutions = _assignments_matching(known_q8, hidden_multiset, unit_sum - cell_sum, unit_squares - cell_squares)
    assert len(solutions) == 1 and next(iter(solutions))[:3] == (2, None, None)
    # So the export withholds q8 too wherever the dimension is hidden: those rows give nothing to solve with.
    text = researcher.get("/transfer/p/responses.csv").get_data(as_text=True).lstrip("\ufeff")
    header, *rows = [line.split(";") for line in text.splitlines()]
    for listed in rows:
        hidden_group = listed[3] in ("Föräldrarådgivare", "Öppna förskolan")
        assert (listed[header.index("q8")] == "dold") is hidden_group
        assert (listed[header.index("q9")] == "dold") is hidden_group

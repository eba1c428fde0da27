"""Export → import gives the same summary, exactly where nothing is pooled; and what the exports hold."""

import csv
import io
import json
from collections import Counter

import numpy as np
import openpyxl
import pytest
from sqlalchemy import func, select

from spindeln.analysis.loader import build_summary
from spindeln.db import db
from spindeln.demo import create_demo
from spindeln.programmes.models import Profession, Programme, Unit
from spindeln.programmes.operations import add_round, close_round
from spindeln.results import gate
from spindeln.survey.models import Response, encode_answers
from spindeln.transfer.exporting import (
    codebook_download,
    response_table,
    responses_download,
    summary_download,
)
from spindeln.web import instrument_of, instruments
from spindeln.transfer.importing import WITHHELD, ImportRejected
from tests.transfer.helpers import run_import


@pytest.fixture
def demo(app):
    """The demo programme: six closed rounds of seven districts, one open round."""
    programme, _user = create_demo(seed=2017)
    db.session.commit()
    return programme


def comparable(summary: dict) -> str:
    return json.dumps({key: value for key, value in summary.items() if key != "programme"}, sort_keys=True)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_raw_export_holds_the_rows_of_shown_groups_and_withholds_hidden_answers(demo, file_format):
    download, table = responses_download(demo, instrument_of(demo), file_format)
    assert table.rounds == [1, 2, 3, 4, 5, 6] and table.left_out_rows > 0 and table.withheld_answers > 0
    groups = Counter((row[0], row[2], row[3]) for row in table.rows)
    assert min(groups.values()) >= demo.min_group_size
    # Skärholmen's two from BVC/BMM are not in the file, nor any group the release hides.
    assert not any(unit == "Skärholmen" and profession == "BVC/BMM" for _round, unit, profession in groups)
    left_out = 0
    for measurement_round in gate.readable_rounds(demo):
        round_groups = gate.groups(demo, measurement_round)
        for unit in demo.units:
            for profession in demo.professions:
                listed = groups.get((measurement_round.number, unit.name, profession.name), 0)
                shown = round_groups.shown(unit.id, profession.id)
                assert listed == (round_groups.count(unit.id, profession.id) if shown else 0)
                left_out += 0 if shown else int(round_groups.counts[round_groups.unit_ids.index(unit.id),
                                                                    round_groups.profession_ids.index(profession.id)])
    assert left_out == table.left_out_rows
    # An answer is withheld exactly where the summary hides the item for the group, or a dimension of it.
    for number, unit_name, profession_name in list(groups)[:24]:
        unit = next(u for u in demo.units if u.name == unit_name)
        profession = next(p for p in demo.professions if p.name == profession_name)
        entry = build_summary(db.session, demo, instruments(), [number], unit, profession)["rounds"][0]
        rows = [row for row in table.rows if (row[0], row[2], row[3]) == (number, unit_name, profession_name)]
        for position, item in enumerate(entry["items"]):
            hidden = item["suppressed"] or any(d["suppressed"] for d in entry["dimensions"] if item["key"] in d["items"])
            assert {row[4 + position] == WITHHELD for row in rows} == {hidden}, (number, unit_name, item["key"])


def test_an_export_with_withheld_answers_is_not_imported_as_responses(demo):
    download, table = responses_download(demo, instrument_of(demo), "csv")
    assert table.withheld_answers
    with pytest.raises(ImportRejected) as rejected:
        run_import(download.data, slug="kopia", create=True, filename=download.filename)
    assert "withheld for anonymity" in str(rejected.value)
    assert db.session.scalar(select(func.count()).select_from(Programme).where(Programme.slug == "kopia")) == 0


def test_export_then_import_gives_the_same_summary_when_nothing_is_hidden(programme, instrument):
    rng = np.random.default_rng(5)
    for number in (1, 2):
        measurement_round = add_round(programme, f"Mätning {number}")
        measurement_round.open()
        for unit in programme.units:
            for profession in programme.professions:
                for person in range(int(rng.integers(6, 9))):
                    # Everyone rates everything, but the first of each group cannot assess the last item.
                    answers = [int(v) for v in rng.integers(1, 11, size=9)]
                    answers[8] = None if person == 0 else answers[8]
                    db.session.add(Response(round_id=measurement_round.id, unit_id=unit.id, profession_id=profession.id,
                                            submitted_on=measurement_round.opens_on,
                                            answers=encode_answers(answers, 1)))
        db.session.flush()
        close_round(measurement_round, instruments())
    db.session.commit()
    original = build_summary(db.session, programme, instruments())
    download, table = responses_download(programme, instrument, "csv")
    if table.withheld_answers or table.left_out_rows:
        pytest.fail("the data of this test should hide nothing")
    result = run_import(download.data, slug="kopia", create=True, filename=download.filename)
    assert comparable(build_summary(db.session, result.programme, instruments())) == comparable(original)


def test_responses_csv_is_for_swedish_excel_and_sorted_without_revealing_the_order_of_arrival(demo):
    download, table = responses_download(demo, instrument_of(demo), "csv")
    assert download.data.startswith(b"\xef\xbb\xbf")
    text = download.data.decode("utf-8-sig")
    assert text.count("\r\n") == len(table.rows) + 1
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert header == ["round", "round_title", "unit", "profession", *[f"q{i}" for i in range(1, 10)], "comment"]
    positions = {p.name: p.position for p in demo.professions}
    order = {"": 99, WITHHELD: 100}
    keys = [(int(r[0]), r[2].casefold(), positions[r[3]], [order[v] if v in order else int(v) for v in r[4:13]])
            for r in rows]
    assert keys == sorted(keys)
    assert "" in {cell for row in rows for cell in row[4:13]}  # "cannot assess" is an empty cell
    assert "Hässelby-Vällingby" in text and "Spånga-Tensta" in text


def test_comments_of_hidden_groups_are_left_out(demo):
    # Skärholmen's two from BVC/BMM are hidden in every round: none of their comments may leave.
    skarholmen = db.session.scalar(select(Unit).where(Unit.name == "Skärholmen", Unit.programme_id == demo.id))
    bvc = db.session.scalar(select(Profession).where(Profession.key == "bvc_bmm", Profession.programme_id == demo.id))
    first_round = demo.rounds[0]
    assert not gate.groups(demo, first_round).shown(skarholmen.id, bvc.id)
    response = db.session.scalars(select(Response).where(
        Response.round_id == first_round.id, Response.unit_id == skarholmen.id, Response.profession_id == bvc.id)).first()
    response.comment = "Hemlig kommentar från BVC i Skärholmen"
    db.session.flush()
    table = response_table(demo, instrument_of(demo))
    comments = {row[-1] for row in table.rows}
    assert "Hemlig kommentar från BVC i Skärholmen" not in comments
    assert len(comments - {None}) > 0
    # The hidden group's rows are not in the file at all: only the shown groups' are.
    round_groups = gate.groups(demo, first_round)
    shown = sum(round_groups.count(u.id, p.id) or 0 for u in demo.units for p in demo.professions)
    assert sum(1 for row in table.rows if row[0] == 1) == shown < round_groups.count()


def test_the_xlsx_holds_the_responses_and_the_codebook(demo):
    download, table = responses_download(demo, instrument_of(demo), "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True)
    assert workbook.sheetnames == ["responses", "codebook"]
    rows = list(workbook["responses"].iter_rows(values_only=True))
    assert len(rows) == len(table.rows) + 1
    assert all(isinstance(value, int) or value in (None, WITHHELD) for row in rows[1:] for value in row[4:13])
    codebook = list(workbook["codebook"].iter_rows(values_only=True))
    workbook.close()
    kinds = {row[0] for row in codebook[1:]}
    assert {"instrument", "scale", "cannot_assess", "dimension", "item", "column"} <= kinds
    item_rows = [row for row in codebook if row[0] == "item"]
    assert [row[1] for row in item_rows] == [f"q{i}" for i in range(1, 10)]
    assert all(row[2] in {"regelverk", "organisation", "synsatt", "sammanhang"} for row in item_rows)
    assert all(row[5] and row[6] for row in item_rows)  # both texts
    instrument_row = next(row for row in codebook if row[0] == "instrument")
    assert instrument_row[1] == "spindeln-stis" and instrument_row[7] == "1"


def test_the_codebook_csv_documents_cannot_assess_and_the_comments(demo):
    text = codebook_download(demo, instrument_of(demo)).data.decode("utf-8-sig")
    assert "cannot_assess;" in text and "An empty cell" in text
    assert "anonymity rule" in text


def test_summary_exports_follow_the_contract_with_hidden_figures_empty(demo):
    summary = json.loads(summary_download(demo, "json").data)
    assert summary["schema"] == "spindeln.summary/2"
    assert summary["filters"]["rounds"] == [1, 2, 3, 4, 5, 6]

    text = summary_download(demo, "csv").data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    dimensions = len(summary["rounds"][0]["dimensions"])
    assert dimensions == 5  # three core dimensions, the context group and the whole instrument
    assert len(rows) == 6 * (9 + dimensions)
    for field in ("round", "label", "level", "item", "dimension", "suppressed", "n", "mean", "sd", "rwg",
                  "agreement", "p_agreement", "awg", "rwg_j_star", "icc1", "icc2", "count_1", "count_10"):
        assert field in header
    by_level = {level: [row for row in rows if row[header.index("level")] == level] for level in ("item", "dimension")}
    assert len(by_level["item"]) == 6 * 9 and len(by_level["dimension"]) == 6 * dimensions
    # The programme's ICC across its units, per item and dimension, as the JSON has it.
    first = summary["rounds"][0]
    icc = {figures["key"]: figures for figures in first["icc"]}
    row = by_level["dimension"][0]
    key = row[header.index("dimension")]
    expected = icc[key]["icc1"]
    assert (row[header.index("icc1")] == "") == (expected is None)
    if expected is not None:
        assert float(row[header.index("icc1")].replace(",", ".")) == pytest.approx(expected)
    mean = rows[0][header.index("mean")]
    assert "," in mean and "." not in mean  # decimal comma for Swedish Excel

    workbook = openpyxl.load_workbook(io.BytesIO(summary_download(demo, "xlsx").data), read_only=True)
    sheet_rows = list(workbook["summary"].iter_rows(values_only=True))
    workbook.close()
    assert len(sheet_rows) == 6 * (9 + dimensions) + 1
    assert isinstance(sheet_rows[1][header.index("mean")], float)


def test_a_suppressed_row_is_marked_and_has_no_figures(programme, instrument):
    measurement_round = add_round(programme, "Mätning 1")
    measurement_round.open()
    farsta = programme.units[0]
    bvc = programme.professions[2]
    for _ in range(2):
        db.session.add(Response(round_id=measurement_round.id, unit_id=farsta.id, profession_id=bvc.id,
                                submitted_on=measurement_round.opens_on, answers=encode_answers([5] * 9, 1)))
    db.session.flush()
    close_round(measurement_round, instruments())
    db.session.commit()
    text = summary_download(programme, "csv").data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows) == 9 + 5  # nine items, four dimensions and the whole instrument
    for row in rows:
        assert row[header.index("suppressed")] == "1"
        assert row[header.index("mean")] == "" and row[header.index("n")] == "" and row[header.index("count_5")] == ""
        assert row[header.index("p_agreement")] == "" and row[header.index("icc1")] == ""

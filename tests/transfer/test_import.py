"""Importing responses collected elsewhere: every encoding and separator, every kind of error, all or nothing."""

import codecs
import datetime as dt

import pytest
from sqlalchemy import func, select

from spindeln.db import db
from spindeln.web import instruments
from spindeln.programmes.operations import add_round, add_unit, close_round
from spindeln.survey.models import Response, Round, RoundState, decode_answers
from spindeln.transfer.importing import (
    ImportRejected,
    choose_separator,
    decode_text,
    parse_rows,
    read_table,
)
from tests.transfer.helpers import HEADER, ITEMS, csv_bytes, database_counts, run_import, xlsx_bytes

ROWS = [
    ["1", "Hässelby-Vällingby", "BVC/BMM", "7", "8", "", "NA", "kan inte bedöma", "Kan inte bedöma",
     "cannot assess", "10", "1", "Sekretessen gör det svårt."],
    ["1", "  Spånga-Tensta ", "Föräldrarådgivare", "1", "2", "3", "4", "5", "6", "7", "8", "9", ""],
    ["2", "farsta", "oppna_forskolan", "7.0", "5", "5", "5", "5", "5", "5", "5", "CANNOT ASSESS", ""],
]


@pytest.fixture
def spanga(programme):
    """Spånga-Tensta as a fourth unit, for names Windows-1252 must carry."""
    unit = add_unit(programme, "Spånga-Tensta")
    db.session.commit()
    return unit


def stored():
    db.session.rollback()
    responses = db.session.scalars(select(Response)).all()
    return sorted(
        (r.round.number, r.unit.name, r.profession.key, tuple(decode_answers(r.answers, 1)), r.comment)
        for r in responses
    )


EXPECTED = sorted([
    (1, "Hässelby-Vällingby", "bvc_bmm", (7, 8, None, None, None, None, None, 10, 1), "Sekretessen gör det svårt."),
    (1, "Spånga-Tensta", "foraldraradgivare", (1, 2, 3, 4, 5, 6, 7, 8, 9), None),
    (2, "Farsta", "oppna_forskolan", (7, 5, 5, 5, 5, 5, 5, 5, None), None),
])


@pytest.mark.parametrize("separator, encoding", [
    (";", "utf-8-sig"),  # Swedish Excel, "CSV UTF-8"
    (";", "cp1252"),  # Swedish Excel, plain "CSV (semikolonavgränsad)"
    (",", "utf-8"),  # comma-separated, no byte-order mark
    ("\t", "utf-16"),  # Excel's "Unicode text"
])
def test_csv_in_every_accepted_encoding_and_separator_is_imported(programme, spanga, separator, encoding):
    data = csv_bytes(ROWS, separator=separator, encoding=encoding)
    if encoding == "cp1252":
        assert "Hässelby-Vällingby".encode("cp1252") in data and "Spånga-Tensta".encode("cp1252") in data
    result = run_import(data)
    assert result.counts == {1: 2, 2: 1}
    assert stored() == EXPECTED


def test_xlsx_made_with_openpyxl_is_imported(programme, spanga):
    rows = [
        [1, "Hässelby-Vällingby", "BVC/BMM", 7, 8.0, None, "NA", "kan inte bedöma", "Kan inte bedöma",
         "cannot assess", 10, 1, "Sekretessen gör det svårt."],
        [1, "Spånga-Tensta", "Föräldrarådgivare", *range(1, 10), None],
        [2, "Farsta", "Öppna förskolan", 7.0, 5, 5, 5, 5, 5, 5, 5, None, None],
    ]
    result = run_import(xlsx_bytes(rows), filename="mätningar.xlsx")
    assert result.total == 3
    assert stored() == EXPECTED


def test_the_same_data_as_csv_or_xlsx_or_in_another_encoding_is_imported_once(programme, spanga):
    run_import(csv_bytes(ROWS, encoding="cp1252"))
    before = database_counts()
    for data in (csv_bytes(ROWS), csv_bytes(ROWS[::-1], separator=","), xlsx_bytes(ROWS)):
        with pytest.raises(ImportRejected) as rejected:
            run_import(data)
        [problem] = rejected.value.problems
        assert f"already imported on {dt.date.today().isoformat()}" in str(problem)
        assert database_counts() == before


def test_new_rounds_are_created_closed_and_dates_default_to_the_closing_date(programme):
    header = [*HEADER, "date", "round_title"]
    rows = [
        ["3", "Farsta", "BVC/BMM", *["5"] * 9, "", "2017-03-01", "Mätning 3 (vt 2017)"],
        ["3", "Farsta", "BVC/BMM", *["6"] * 9, "", "2017-03-20", ""],
        ["3", "Farsta", "BVC/BMM", *["6"] * 9, "", "", ""],
        ["4", "Farsta", "BVC/BMM", *["6"] * 9, "", "", ""],
    ]
    result = run_import(csv_bytes(rows, header=header), today=dt.date(2017, 12, 1))
    assert result.created_rounds == [3, 4]
    rounds = {r.number: r for r in db.session.scalars(select(Round))}
    assert rounds[3].state is RoundState.closed and rounds[4].state is RoundState.closed
    assert rounds[3].title == "Mätning 3 (vt 2017)" and rounds[4].title == "Mätning 4"
    assert (rounds[3].opens_on, rounds[3].closes_on) == (dt.date(2017, 3, 1), dt.date(2017, 3, 20))
    assert (rounds[3].instrument_id, rounds[3].instrument_version) == ("spindeln-stis", "1")
    days = sorted((r.round.number, r.submitted_on) for r in db.session.scalars(select(Response)))
    assert days == [(3, dt.date(2017, 3, 1)), (3, dt.date(2017, 3, 20)), (3, dt.date(2017, 3, 20)),
                    (4, dt.date(2017, 12, 1))]


def test_a_closed_round_takes_no_imported_responses(programme, instrument):
    # Padding: one made-up row would lift a hidden group over the minimum, and subtracting it would
    # give the real answers. Once a round's results can be read it is frozen.
    measurement_round = add_round(programme, "Mätning 1 (vt 2018)", closes_on=dt.date(2018, 3, 23))
    measurement_round.open(today=dt.date(2018, 3, 1))
    close_round(measurement_round, instruments(), today=dt.date(2018, 3, 23))
    db.session.commit()
    [(row, column, message)] = problems_of(csv_bytes([["1", "Farsta", "BVC/BMM", *["5"] * 9, ""]]))
    assert (row, column) == (2, "round")
    assert "Round 1 (Mätning 1 (vt 2018)) is closed" in message and "as a new round" in message
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_excel_leftovers_are_ignored_and_formula_guards_are_taken_off(programme):
    # Excel often adds empty columns and rows; a cell that starts with ' + = is an export's guard.
    text = ("round;unit;profession;" + ";".join(ITEMS) + ";comment;;\r\n"
            "1;Farsta;BVC/BMM;" + ";".join(["4"] * 9) + ";'=1+2;;\r\n"
            ";;;;;;;;;;;;;;\r\n"
            "\r\n")
    run_import(text.encode("utf-8-sig"))
    [response] = db.session.scalars(select(Response))
    assert response.comment == "=1+2"


def problems_of(data, **kwargs):
    before = database_counts()
    with pytest.raises(ImportRejected) as rejected:
        run_import(data, **kwargs)
    assert database_counts() == before, "a rejected file must write nothing"
    return [(problem.row, problem.column, problem.text()) for problem in rejected.value.problems]


def test_every_problem_is_reported_with_its_row_and_column_and_nothing_is_written(programme):
    rows = [
        ["1", "Farsta", "BVC/BMM", *["5"] * 9, ""],  # fine: still not imported
        ["1", "Gotham", "BVC/BMM", *["5"] * 9, ""],
        ["1", "Farsta", "Läkare", *["5"] * 9, ""],
        ["1", "Farsta", "BVC/BMM", "11", *["5"] * 8, ""],
        ["1", "Farsta", "BVC/BMM", "5", "7,5", *["5"] * 7, ""],
        ["1", "Farsta", "BVC/BMM", "5", "5", "sju", *["5"] * 6, ""],
        ["x", "", "BVC/BMM", *["5"] * 8, "0", ""],
    ]
    problems = problems_of(csv_bytes(rows))
    places = [(row, column) for row, column, _message in problems]
    assert places == [(3, "unit"), (4, "profession"), (5, "q1"), (6, "q2"), (7, "q3"), (8, "round"), (8, "unit"),
                      (8, "q9")]
    messages = dict(((row, column), message) for row, column, message in problems)
    assert "Unknown unit Gotham" in messages[3, "unit"] and "Farsta" in messages[3, "unit"]
    assert "Unknown profession Läkare" in messages[4, "profession"]
    assert "11 is not on the scale from 1 to 10" in messages[5, "q1"]
    assert "7,5 is not a whole number" in messages[6, "q2"]
    assert "sju is not a rating" in messages[7, "q3"]
    assert "0 is not on the scale" in messages[8, "q9"]


def test_a_missing_column_is_reported_in_row_1(programme):
    header = [column for column in HEADER if column != "q5"]
    rows = [["1", "Farsta", "BVC/BMM", *["5"] * 8, ""]]
    assert problems_of(csv_bytes(rows, header=header)) == [(1, "q5", "The column is missing.")]
    assert problems_of(xlsx_bytes(rows, header=header)) == [(1, "q5", "The column is missing.")]


def test_unknown_and_doubled_columns_are_reported(programme):
    header = [*HEADER, "q10", "Q1"]
    problems = problems_of(csv_bytes([["1", "Farsta", "BVC/BMM", *["5"] * 9, "", "5", "5"]], header=header))
    assert [(row, column) for row, column, _message in problems] == [(1, "q10"), (1, "q1")]


def test_a_value_under_no_column_name_is_reported(programme):
    problems = problems_of(csv_bytes([["1", "Farsta", "BVC/BMM", *["5"] * 9, "", "kvar"]]))
    assert problems == [(2, "N", "There is a value in a column without a name.")]


def test_importing_into_an_open_round_is_refused(programme, open_round):
    rows = [["1", "Farsta", "BVC/BMM", *["5"] * 9, ""], ["1", "Farsta", "BVC/BMM", *["6"] * 9, ""],
            ["2", "Farsta", "BVC/BMM", *["6"] * 9, ""]]
    [(row, column, message)] = problems_of(csv_bytes(rows))
    assert (row, column) == (2, "round") and "Round 1 (Mätning 1 (vt 2018)) is open" in message


def test_a_draft_round_is_refused_too(programme):
    add_round(programme, "Mätning 1")
    db.session.commit()
    [(row, column, message)] = problems_of(csv_bytes([["1", "Farsta", "BVC/BMM", *["5"] * 9, ""]]))
    assert (row, column) == (2, "round") and "draft" in message


def test_dates_and_titles_are_checked(programme):
    header = [*HEADER, "date", "round_title"]
    rows = [
        ["1", "Farsta", "BVC/BMM", *["5"] * 9, "", "5/3/2018", "Mätning 1"],
        ["1", "Farsta", "BVC/BMM", *["5"] * 9, "", "2999-01-01", "Mätning ett"],
    ]
    problems = problems_of(csv_bytes(rows, header=header))
    assert [(row, column) for row, column, _message in problems] == [(2, "date"), (3, "date"), (3, "round_title")]


def test_an_unknown_programme_is_refused_without_create(app):
    [(row, column, message)] = problems_of(csv_bytes(ROWS), slug="finns-inte")
    assert (row, column) == (None, None) and "There is no programme finns-inte" in message


def test_create_makes_the_programme_units_and_professions_mapping_the_default_ones(app):
    rows = [
        ["1", "Hässelby-Vällingby", "bvc/bmm", *["5"] * 9, ""],
        ["1", "hässelby-vällingby", "Parent adviser", *["5"] * 9, ""],
        ["1", "Rinkeby-Kista", "Kurator", *["5"] * 9, ""],
    ]
    result = run_import(csv_bytes(rows), slug="ny-satsning", create=True)
    programme = result.programme
    assert result.created_programme and programme.name == "ny-satsning"
    assert [u.name for u in programme.units] == ["Hässelby-Vällingby", "Rinkeby-Kista"]
    assert [p.key for p in programme.professions] == ["foraldraradgivare", "oppna_forskolan", "bvc_bmm", "kurator"]
    assert all(r.state is RoundState.closed for r in programme.rounds)


def test_create_refuses_two_spellings_of_one_name(app):
    rows = [["1", "Hässelby-Vällingby", "BVC/BMM", *["5"] * 9, ""],
            ["1", "Hasselby Vallingby", "BVC/BMM", *["5"] * 9, ""]]
    [(row, column, message)] = problems_of(csv_bytes(rows), slug="ny", create=True)
    assert (row, column) == (3, "unit") and "too like Hässelby-Vällingby" in message


def test_files_that_are_not_tables_are_refused(programme):
    assert problems_of(b"") == [(None, None, "The file is empty.")]
    assert problems_of(b"PK\x03\x04 not really a workbook") == [
        (None, None, "The file cannot be read as an Excel workbook (.xlsx).")]
    assert problems_of(b"\xd0\xcf\x11\xe0 old excel")[0][2].startswith("This is an old Excel file")
    assert problems_of(codecs.BOM_UTF8 + b"round;unit\xff") == [
        (None, None, "The file is not text in UTF-8 or Windows-1252 (byte 11).")]
    only_header = problems_of(csv_bytes([]))
    assert only_header == [(None, None, "The file has no responses, only a header.")]


def test_decoding_and_separator_rules():
    assert decode_text("Spånga".encode("utf-8")) == "Spånga"
    assert decode_text(codecs.BOM_UTF8 + "Spånga".encode("utf-8")) == "Spånga"
    assert decode_text("Spånga".encode("cp1252")) == "Spånga"
    items = tuple(ITEMS)
    assert choose_separator("round;unit;profession;" + ";".join(ITEMS), items) == ";"
    assert choose_separator("round,unit,profession," + ",".join(ITEMS), items) == ","
    assert choose_separator("round\tunit\tprofession", items) == "\t"
    # A comment column with commas in its name does not fool the rule.
    assert choose_separator('round;unit;profession;"a,b,c"', items) == ";"


def test_whole_numbers_from_excel_are_accepted(instrument):
    table = read_table(csv_bytes([["1.0", "Farsta", "BVC/BMM", "7.0", "07", "+7", *["7"] * 6, ""]]), instrument.item_keys)
    rows, problems = parse_rows(table, instrument, dt.date.today())
    assert not len(problems)
    assert rows[0].round == 1 and rows[0].answers[:3] == (7, 7, 7)

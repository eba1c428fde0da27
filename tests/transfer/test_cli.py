"""`spindeln import` and `spindeln export` against a real instance folder: exit codes and messages."""

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from spindeln.programmes.models import Programme
from spindeln.survey.models import Response
from tests.conftest import run_cli
from tests.transfer.helpers import csv_bytes

SHIPPED = Path(__file__).parents[2] / "spindeln" / "instruments" / "spindeln-stis-1.toml"



def response_count(instance: Path) -> int:
    with Session(create_engine(f"sqlite:///{instance / 'spindeln.sqlite'}")) as session:
        return session.scalar(select(func.count()).select_from(Response))



def without_programme(summary_file: Path) -> dict:
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    del summary["programme"]
    return summary


def test_export_on_the_command_line_and_the_import_of_what_it_withheld(demo_instance, tmp_path):
    out = tmp_path / "svar.csv"
    exported = run_cli(demo_instance, "export", "--programme", "stis-ytterstaden", "--format", "csv", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert "closed rounds: 1, 2, 3, 4, 5, 6" in exported.output
    assert "of groups the anonymity rule hides" in exported.output and "Withheld" in exported.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "svar.csv.codebook.csv").exists()

    # The export withholds answers ("dold"): such a file is no source of responses, and says so.
    before = response_count(demo_instance)
    imported = run_cli(demo_instance, "import", str(out), "--programme", "kopia", "--create")
    assert imported.exit_code == 1
    assert "withheld for anonymity" in imported.stderr and "Nothing was imported" in imported.stderr
    assert response_count(demo_instance) == before

    # A file of rounds held elsewhere imports once, as new rounds; the second time it is refused.
    data = tmp_path / "tidigare.csv"
    rows = [[str(number), unit, "BVC/BMM", *[str(value)] * 9, ""]
            for number in (8, 9) for unit in ("Farsta", "Skärholmen") for value in (4, 5, 6)]
    data.write_bytes(csv_bytes(rows))
    first = run_cli(demo_instance, "import", str(data), "--programme", "stis-ytterstaden")
    assert first.exit_code == 0, first.output
    again = run_cli(demo_instance, "import", str(data), "--programme", "stis-ytterstaden")
    assert again.exit_code == 1
    assert "This file was already imported on" in again.stderr
    assert response_count(demo_instance) == before + len(rows)


def test_xlsx_export_and_summary_tables(demo_instance, tmp_path):
    for kind, file_format in (("responses", "xlsx"), ("summary", "csv"), ("summary", "xlsx")):
        out = tmp_path / f"{kind}.{file_format}"
        result = run_cli(demo_instance, "export", "--programme", "stis-ytterstaden", "--kind", kind,
                     "--format", file_format, "--out", str(out))
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert not (tmp_path / "responses.xlsx.codebook.csv").exists()  # the workbook holds the codebook


def test_a_bad_file_is_refused_with_every_problem_and_exit_code_1(demo_instance, tmp_path):
    bad = tmp_path / "fel.csv"
    bad.write_bytes(csv_bytes([["1", "Gotham", "BVC/BMM", "11", *["5"] * 8, ""],
                               ["7", "Farsta", "BVC/BMM", *["5"] * 9, ""]]))
    before = response_count(demo_instance)
    result = run_cli(demo_instance, "import", str(bad), "--programme", "stis-ytterstaden")
    assert result.exit_code == 1
    assert "row 2, column unit: Unknown unit Gotham" in result.stderr
    assert "row 2, column q1: 11 is not on the scale from 1 to 10." in result.stderr
    assert "row 2, column round: Round 1 (Mätning 1 (vt 2018)) is closed" in result.stderr
    assert "row 3, column round: Round 7 (Mätning 7 (vt 2021)) is open" in result.stderr
    assert "Nothing was imported from fel.csv: 4 problem(s)." in result.stderr
    assert response_count(demo_instance) == before


def test_usage_errors(demo_instance, tmp_path):
    data = tmp_path / "svar.csv"
    data.write_bytes(csv_bytes([["1", "Farsta", "BVC/BMM", *["5"] * 9, ""]]))
    unknown = run_cli(demo_instance, "import", str(data), "--programme", "finns-inte")
    assert unknown.exit_code == 1 and "There is no programme finns-inte." in unknown.stderr
    needs_create = run_cli(demo_instance, "import", str(data), "--programme", "ny", "--instrument", str(SHIPPED))
    assert needs_create.exit_code == 2 and "--create" in needs_create.stderr
    missing = run_cli(demo_instance, "import", str(tmp_path / "saknas.csv"), "--programme", "ny")
    assert missing.exit_code == 2
    json_responses = run_cli(demo_instance, "export", "--programme", "stis-ytterstaden", "--format", "json",
                         "--out", str(tmp_path / "x.json"))
    assert json_responses.exit_code == 2 and "--kind summary" in json_responses.stderr
    no_programme = run_cli(demo_instance, "export", "--programme", "finns-inte", "--format", "csv",
                       "--out", str(tmp_path / "x.csv"))
    assert no_programme.exit_code == 1 and "There is no programme 'finns-inte'" in no_programme.stderr


def test_create_with_an_instrument_file_keeps_the_instrument_in_the_instance(tmp_path):
    instance = tmp_path / "fc"
    run_cli(instance, "init")
    instrument = tmp_path / "familjecentral.toml"
    text = SHIPPED.read_text(encoding="utf-8")
    instrument.write_text(text.replace('id = "spindeln-stis"', 'id = "familjecentral"').replace("max = 10", "max = 5"),
                          encoding="utf-8")
    data = tmp_path / "svar.csv"
    data.write_bytes(csv_bytes([["1", "Farsta", "BVC/BMM", *["5"] * 9, ""], ["1", "Farsta", "BVC/BMM", "6",
                                                                             *["5"] * 8, ""]]))
    too_high = run_cli(instance, "import", str(data), "--programme", "fc", "--create", "--instrument", str(instrument))
    assert too_high.exit_code == 1 and "6 is not on the scale from 1 to 5" in too_high.stderr

    data.write_bytes(csv_bytes([["1", "Farsta", "BVC/BMM", *["5"] * 9, ""]]))
    result = run_cli(instance, "import", str(data), "--programme", "fc", "--create", "--instrument", str(instrument))
    assert result.exit_code == 0, result.output
    assert (instance / "instruments" / "familjecentral-1.toml").exists()
    with Session(create_engine(f"sqlite:///{instance / 'spindeln.sqlite'}")) as session:
        assert session.scalar(select(Programme.instrument_id).where(Programme.slug == "fc")) == "familjecentral"
    # A new process finds the instrument in the instance folder.
    summary = run_cli(instance, "export", "--programme", "fc", "--kind", "summary", "--format", "json",
                  "--out", str(tmp_path / "fc.json"))
    assert summary.exit_code == 0, summary.output
    assert json.loads((tmp_path / "fc.json").read_text())["instrument"]["scale"]["max"] == 5

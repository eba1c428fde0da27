"""The import and export pages: who may download what, the upload with its problems, CSV injection."""

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from spindeln.auth.models import Role
from spindeln.auth.operations import add_user
from spindeln.db import db
from spindeln.programmes.operations import add_round, close_round
from spindeln.web import instruments
from spindeln.survey.models import Response, encode_answers
from tests.conftest import PASSWORD, csrf_token, login, text_of
from tests.transfer.helpers import csv_bytes, database_counts


def user(role: Role, *programmes) -> str:
    email = f"{role.value}@example.org"
    account = add_user(email, PASSWORD, role)
    account.programmes.extend(programmes)
    db.session.commit()
    return email


@pytest.fixture
def closed_round(programme):
    """A closed round with three responses from Farsta's BVC/BMM, comments that look like formulas."""
    measurement_round = add_round(programme, "=Mätning 1")
    measurement_round.open()
    farsta = programme.units[0]
    bvc = programme.professions[2]
    for comment in ("=HYPERLINK(\"http://evil.example\",\"klicka\")", "+1+2", "@SUM(A1)"):
        db.session.add(Response(round_id=measurement_round.id, unit_id=farsta.id, profession_id=bvc.id,
                                submitted_on=measurement_round.opens_on, answers=encode_answers([7] * 9, 1),
                                comment=comment))
    db.session.flush()
    close_round(measurement_round, instruments())
    db.session.commit()
    return measurement_round


RAW = ("/transfer/stis/responses.csv", "/transfer/stis/responses.xlsx", "/transfer/stis/codebook.csv")
SUMMARIES = ("/transfer/stis/summary.csv", "/transfer/stis/summary.xlsx", "/transfer/stis/summary.json")


def test_a_coordinator_gets_the_summary_but_not_the_raw_responses(client, programme, closed_round):
    login(client, user(Role.coordinator, programme))
    for path in RAW:
        assert client.get(path).status_code == 403, path
    for path in SUMMARIES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "attachment" in response.headers["Content-Disposition"]
    page = client.get("/transfer/stis/?lang=en")
    assert page.status_code == 200
    assert "responses.csv" not in page.data.decode() and "summary.xlsx" in page.data.decode()
    assert client.get("/transfer/import").status_code == 200


def test_a_researcher_gets_the_raw_responses_but_cannot_import(client, closed_round):
    login(client, user(Role.researcher))
    for path in RAW + SUMMARIES:
        assert client.get(path).status_code == 200, path
    response = client.get("/transfer/stis/responses.csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/csv"
    assert client.get("/transfer/import").status_code == 403


def test_the_pages_need_a_login(client, programme):
    for path in ("/transfer/stis/", "/transfer/import", *RAW, *SUMMARIES):
        assert client.get(path).status_code == 302, path


def test_the_programme_page_links_to_import_and_export(client, admin, programme):
    login(client)
    html = client.get("/manage/stis/").data.decode()
    assert 'href="/transfer/stis/"' in html
    for path in ("/transfer/stis/", "/transfer/import?programme=stis"):  # in Swedish, the default
        page = client.get(path)
        assert page.status_code == 200 and '<html lang="sv">' in page.data.decode()
    assert 'href="/transfer/import?programme=stis"' in client.get("/transfer/stis/").data.decode()


def test_text_cells_cannot_become_formulas_and_numbers_stay_numbers(client, admin, closed_round):
    login(client)
    text = client.get("/transfer/stis/responses.csv").data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    comments = sorted(row[-1] for row in rows)
    assert comments == ["'+1+2", "'=HYPERLINK(\"http://evil.example\",\"klicka\")", "'@SUM(A1)"]
    assert {row[1] for row in rows} == {"'=Mätning 1"}
    assert all(row[4:13] == ["7"] * 9 for row in rows)

    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/transfer/stis/responses.xlsx").data))
    sheet = workbook["responses"]
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)
        assert row[4].value == 7 and row[4].data_type == "n"
        assert row[-1].value.startswith("'")
    workbook.close()


def upload(client, data: bytes, filename: str, programme: str = "stis"):
    token = csrf_token(client, "/transfer/import?lang=en")
    return client.post("/transfer/import", data={"csrf_token": token, "programme": programme,
                                                 "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def rows_of(count: int) -> list[list[str]]:
    return [["1", "Farsta" if n % 2 else "Hässelby-Vällingby", "BVC/BMM", *[str(1 + n % 10)] * 9,
             "En kommentar som gör filen större än appens vanliga gräns på 64 kB. " * 2]
            for n in range(count)]


def test_an_upload_larger_than_the_app_wide_limit_is_imported_and_counted(client, admin, programme):
    login(client)
    data = csv_bytes(rows_of(600))
    assert len(data) > 64 * 1024
    response = upload(client, data, "Hässelby och Farsta 2017.csv")
    assert response.status_code == 302, text_of(response.data)
    assert response.headers["Location"].endswith("/transfer/stis/")
    page = text_of(client.get("/transfer/stis/").data)
    assert "600 responses were imported: round 1 (600)." in page
    assert "Hässelby och Farsta 2017.csv" in page
    assert db.session.scalar(select(Response.id).limit(1)) is not None


def test_a_bad_upload_lists_every_problem_keeps_the_programme_and_writes_nothing(client, admin, programme):
    from spindeln.programmes.operations import create_programme
    from spindeln.web import instruments

    create_programme("Annan", "annan", next(iter(instruments())))
    db.session.commit()
    login(client)
    before = database_counts()
    rows = [["1", "Gotham", "BVC/BMM", "11", "7,5", *["5"] * 7, ""]]
    response = upload(client, csv_bytes(rows), "fel.csv")
    assert response.status_code == 422
    assert database_counts() == before
    html = response.data.decode()
    assert 'role="alert"' in html
    page = text_of(response.data)
    assert "2 unit Unknown unit Gotham" in page
    assert "2 q1 11 is not on the scale from 1 to 10." in page
    assert "2 q2 7,5 is not a whole number" in page
    assert 'value="stis" selected' in html or 'selected value="stis"' in html


def test_an_upload_without_a_file_or_token_is_refused(client, admin, programme):
    login(client)
    token = csrf_token(client, "/transfer/import?lang=en")
    response = client.post("/transfer/import", data={"csrf_token": token, "programme": "stis"},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a file." in text_of(response.data)
    forged = client.post("/transfer/import", data={"programme": "stis", "file": (io.BytesIO(b"x"), "x.csv")},
                         content_type="multipart/form-data")
    assert forged.status_code == 400


def test_a_coordinator_sees_and_imports_into_their_own_programmes_only(client, programme, closed_round):
    login(client, user(Role.coordinator))
    assert client.get("/transfer/stis/").status_code == 404
    assert client.get("/transfer/stis/summary.json").status_code == 404
    response = upload(client, csv_bytes([["2", "Farsta", "BVC/BMM", *["5"] * 9, ""]]), "x.csv")
    assert response.status_code == 400
    assert db.session.scalar(select(Response.id).where(Response.round_id != closed_round.id)) is None


def test_an_upload_over_the_upload_limit_is_refused_before_it_is_read(client, admin, programme, monkeypatch):
    monkeypatch.setattr("spindeln.transfer.views.UPLOAD_LIMIT", 100 * 1024)
    login(client)
    before = database_counts()
    response = upload(client, csv_bytes(rows_of(1200)), "stor.csv")
    assert response.status_code == 413
    assert database_counts() == before

"""Building import files in every shape the import accepts, and counting what is in the database."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import func, select

from spindeln.db import db
from spindeln.programmes.models import ImportRecord, Profession, Programme, Unit
from spindeln.survey.models import Response, Round
from spindeln.transfer.importing import plan_import, read_table
from spindeln.transfer.operations import import_responses
from spindeln.web import instruments

ITEMS = [f"q{i}" for i in range(1, 10)]
HEADER = ["round", "unit", "profession", *ITEMS, "comment"]


def csv_bytes(rows, header=HEADER, separator=";", encoding="utf-8-sig", newline="\r\n") -> bytes:
    """A CSV file of `rows` (lists of cells), quoted only where a cell needs it."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER, title="Blad1") -> bytes:
    """An Excel workbook with the rows in its first sheet, cells as the values given (numbers stay numbers)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(data: bytes, slug: str = "stis", create: bool = False, filename: str = "mätningar.csv",
               today: dt.date | None = None):
    """Import like the upload page and the CLI do, committing on success; `ImportRejected` otherwise."""
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    registry = instruments()
    if programme is not None:
        item_keys = registry.get(programme.instrument_id, programme.instrument_version).item_keys
    else:
        item_keys = tuple(ITEMS)
    table = read_table(data, item_keys)
    plan = plan_import(table, slug, registry, create=create, today=today)
    result = import_responses(plan, filename, registry, today=today)
    db.session.commit()
    return result


def database_counts() -> dict[str, int]:
    """How many rows each table an import writes holds."""
    db.session.rollback()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Programme, Unit, Profession, Round, Response, ImportRecord)
    }

"""Exports: the raw responses (in the import's own format, with a codebook) and the summary tables.

Only closed rounds leave the app: while a round is open its count is the only figure shown. The
summary is `build_summary`'s, with the anonymity rule applied. In the raw responses, a comment is
kept only when its group (round × unit × profession) is not hidden by the rule, since a comment
can say who wrote it far better than a rating can. Rows are sorted by round, unit, profession and
answers, never by when they came in.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import numpy as np

from spindeln.analysis.loader import build_summary
from spindeln.analysis.suppression import suppress
from spindeln.db import db
from spindeln.instrument import Instrument, InstrumentRegistry
from spindeln.programmes.models import Programme
from spindeln.survey.models import Round, decode_answers
from spindeln.text import normalise_name
from spindeln.transfer.importing import (
    COMMENT,
    FORMULA_STARTS,
    PROFESSION,
    ROUND,
    ROUND_TITLE,
    UNIT,
)
from spindeln.transfer.queries import closed_rounds, group_counts, responses_of

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_MIMETYPE = "application/json"
RESPONSES_SHEET, CODEBOOK_SHEET, SUMMARY_SHEET = "responses", "codebook", "summary"
CODEBOOK_COLUMNS = ["kind", "key", "dimension", "label_sv", "label_en", "text_sv", "text_en", "value"]
SUMMARY_FIELDS = ["suppressed", "n", "cannot_assess", "mean", "sd", "median", "q1", "q3", "min", "max",
                  "ad_m", "rwg", "agreement"]


@dataclass(frozen=True)
class Download:
    """A file to hand over: its suggested name, type and bytes."""

    filename: str
    mimetype: str
    data: bytes


@dataclass(frozen=True)
class ResponseTable:
    """The raw responses as a table, and what was left out of it."""

    header: list[str]
    rows: list[list]
    #: The rounds in the table.
    rounds: list[int]
    #: Closed rounds left out because they used another instrument than the programme's.
    other_instrument: list[int]
    #: Comments left out because their group is hidden by the anonymity rule.
    withheld_comments: int


def guard_formula(text: str) -> str:
    """A text cell no spreadsheet will run: a leading =, +, -, @, tab or CR gets a ' in front (OWASP)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def response_columns(instrument: Instrument) -> list[str]:
    """The columns of a responses file, in order: the import's format with the round's title."""
    return [ROUND, ROUND_TITLE, UNIT, PROFESSION, *instrument.item_keys, COMMENT]


def hidden_groups(programme: Programme, rounds: list[Round]) -> set[tuple[int, int, int]]:
    """The (round id, unit id, profession id) groups the anonymity rule hides, decided per whole round."""
    counts = group_counts(rounds)
    unit_ids = [unit.id for unit in programme.units]
    profession_ids = [profession.id for profession in programme.professions]
    hidden = set()
    for measurement_round in rounds:
        table = np.array([[counts.get((measurement_round.id, unit_id, profession_id), 0)
                           for profession_id in profession_ids] for unit_id in unit_ids], dtype=np.int64)
        table = table.reshape(len(unit_ids), len(profession_ids))
        rule = suppress(table, programme.min_group_size)
        for unit_index, profession_index in zip(*np.nonzero(rule.cells)):
            hidden.add((measurement_round.id, unit_ids[unit_index], profession_ids[profession_index]))
    return hidden


def response_table(programme: Programme, instrument: Instrument) -> ResponseTable:
    """The responses of the programme's closed rounds that used its instrument, one row per response."""
    ident = (instrument.id, instrument.version)
    rounds, other = [], []
    for measurement_round in closed_rounds(programme):
        same = (measurement_round.instrument_id, measurement_round.instrument_version) == ident
        (rounds if same else other).append(measurement_round)
    hidden = hidden_groups(programme, rounds)
    round_of = {r.id: r for r in rounds}
    unit_of = {unit.id: unit for unit in programme.units}
    profession_of = {profession.id: profession for profession in programme.professions}
    withheld = 0
    records = []
    for round_id, unit_id, profession_id, answers, comment in responses_of(rounds):
        if comment and (round_id, unit_id, profession_id) in hidden:
            comment = None
            withheld += 1
        unit, profession = unit_of[unit_id], profession_of[profession_id]
        records.append((round_of[round_id].number, normalise_name(unit.name), unit.name, profession.position,
                        profession.name, answers, comment or "", round_id))
    # By round, unit, profession, then the answers themselves: never in the order they came in.
    records.sort(key=lambda record: record[:2] + record[3:4] + record[5:7])
    rows = [
        [number, round_of[round_id].title, unit_name, profession_name,
         *decode_answers(answers, instrument.scale.min), comment or None]
        for number, _key, unit_name, _position, profession_name, answers, comment, round_id in records
    ]
    return ResponseTable(response_columns(instrument), rows, [r.number for r in rounds], [r.number for r in other],
                         withheld)


def codebook_table(programme: Programme, instrument: Instrument) -> list[list]:
    """The codebook of a responses file: instrument, scale, "cannot assess", dimensions, items, columns."""
    scale = instrument.scale
    rows: list[list] = [
        ["instrument", instrument.id, "", instrument.name.sv, instrument.name.en, "", "", instrument.version],
        ["programme", programme.slug, "", programme.name, "",
         "Minsta gruppstorlek: kommentarer från grupper som är mindre, eller som döljs för att de "
         "annars kan räknas fram, är utelämnade.",
         "Minimum group size: comments of smaller groups, or of groups hidden because they could "
         "otherwise be worked out, are left out.",
         programme.min_group_size],
        ["scale", "min", "", scale.min_label.sv, scale.min_label.en, "", "", scale.min],
        ["scale", "max", "", scale.max_label.sv, scale.max_label.en, "", "", scale.max],
        ["cannot_assess", "", "", instrument.cannot_assess.sv, instrument.cannot_assess.en,
         "En tom cell i svarsfilen. Vid import går också NA och ”kan inte bedöma” bra.",
         "An empty cell in the responses file. The import also takes NA and “cannot assess”.", ""],
    ]
    for dimension in instrument.dimensions:
        rows.append(["dimension", dimension.key, "", dimension.name.sv, dimension.name.en,
                     dimension.description.sv, dimension.description.en, "context" if dimension.context else ""])
    for item in instrument.items:
        rows.append(["item", item.key, item.dimension, item.label.sv, item.label.en, item.text.sv, item.text.en,
                     f"{scale.min}–{scale.max}"])
    columns = (
        (ROUND, "Mätning", "Round", "Mätningens nummer.", "The round's number."),
        (ROUND_TITLE, "Mätningens titel", "Round title", "Mätningens titel.", "The round's title."),
        (UNIT, "Enhet", "Unit", "Enhetens namn (t.ex. stadsdelsförvaltning).", "The unit's name (e.g. district)."),
        (PROFESSION, "Yrke", "Profession", "Yrkets namn.", "The profession's name."),
        (COMMENT, "Kommentar", "Comment",
         "Fritext. Bara kommentarer från grupper (mätning × enhet × yrke) som anonymitetsregeln inte döljer; "
         "övriga är tomma.",
         "Free text. Only comments of groups (round × unit × profession) that the anonymity rule does not "
         "hide; the others are empty."),
    )
    for key, label_sv, label_en, text_sv, text_en in columns:
        rows.append(["column", key, "", label_sv, label_en, text_sv, text_en, ""])
    rows.append(["note", "rows", "", "Rader", "Rows",
                 "En rad per svar från avslutade mätningar, sorterade efter mätning, enhet, yrke och svar – inte "
                 "i den ordning svaren kom in. Text som börjar med = + - @ har en ' framför.",
                 "One row per response of closed rounds, sorted by round, unit, profession and answers, not in "
                 "the order they came in. Text starting with = + - @ has a ' in front.", ""])
    return rows


def summary_of(programme: Programme, registry: InstrumentRegistry) -> dict:
    """The summary (docs/summary.md) of the programme's closed rounds."""
    return build_summary(db.session, programme, registry,
                         round_numbers=[r.number for r in closed_rounds(programme)])


def summary_table(summary: dict) -> tuple[list[str], list[list]]:
    """The summary as one row per round × item with the contract's fields; hidden figures are empty."""
    scale = summary["instrument"]["scale"]
    values = [str(value) for value in range(scale["min"], scale["max"] + 1)]
    header = [ROUND, "label", "instrument_id", "instrument_version", "n_respondents", "item", "dimension",
              *SUMMARY_FIELDS, *(f"count_{value}" for value in values)]
    rows = []
    for entry in summary["rounds"]:
        for item in entry["items"]:
            counts = item["counts"] or {}
            rows.append([
                entry["number"], entry["label"], entry["instrument"]["id"], entry["instrument"]["version"],
                entry["n_respondents"], item["key"], item["dimension"],
                *(item[name] for name in SUMMARY_FIELDS),
                *(counts.get(value) for value in values),
            ])
    return header, rows


# --- file formats -------------------------------------------------------------------------------


def _csv_cell(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, int):
        return str(value)
    return guard_formula(str(value))


def csv_bytes(header: list[str], rows: list[list], decimal_comma: bool = False) -> bytes:
    """A CSV file as Swedish Excel reads it: semicolons, CRLF, UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value, decimal_comma) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        # Control characters are not allowed in the file format; openpyxl would refuse them.
        return guard_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """An Excel workbook with one sheet per (title, header, rows)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- downloads ----------------------------------------------------------------------------------

RESPONSE_FORMATS = ("csv", "xlsx")
SUMMARY_FORMATS = ("csv", "xlsx", "json")


def responses_download(programme: Programme, instrument: Instrument, file_format: str) -> tuple[Download, ResponseTable]:
    """The raw responses as CSV (codebook apart: `codebook_download`) or XLSX (codebook as a second sheet)."""
    table = response_table(programme, instrument)
    name = f"{programme.slug}-responses.{file_format}"
    if file_format == "csv":
        return Download(name, CSV_MIMETYPE, csv_bytes(table.header, table.rows)), table
    if file_format == "xlsx":
        data = xlsx_bytes([(RESPONSES_SHEET, table.header, table.rows),
                           (CODEBOOK_SHEET, CODEBOOK_COLUMNS, codebook_table(programme, instrument))])
        return Download(name, XLSX_MIMETYPE, data), table
    raise ValueError(f"responses come as {' or '.join(RESPONSE_FORMATS)}, not {file_format}")


def codebook_download(programme: Programme, instrument: Instrument) -> Download:
    """The codebook of the responses file, as CSV."""
    data = csv_bytes(CODEBOOK_COLUMNS, codebook_table(programme, instrument))
    return Download(f"{programme.slug}-responses.codebook.csv", CSV_MIMETYPE, data)


def summary_download(programme: Programme, registry: InstrumentRegistry, file_format: str) -> Download:
    """The summary of the closed rounds: the JSON contract, or its items as a CSV or XLSX table."""
    summary = summary_of(programme, registry)
    name = f"{programme.slug}-summary.{file_format}"
    if file_format == "json":
        data = json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        return Download(name, JSON_MIMETYPE, data)
    header, rows = summary_table(summary)
    if file_format == "csv":
        # Swedish Excel reads "4.5" as a date or text; with semicolons it expects a decimal comma.
        return Download(name, CSV_MIMETYPE, csv_bytes(header, rows, decimal_comma=True))
    if file_format == "xlsx":
        return Download(name, XLSX_MIMETYPE, xlsx_bytes([(SUMMARY_SHEET, header, rows)]))
    raise ValueError(f"the summary comes as {', '.join(SUMMARY_FORMATS)}, not {file_format}")

"""Exports: the raw responses (in the import's own format, with a codebook) and the summary tables.

Only readable (closed) rounds leave the app, through the gate: while a round is open its count is
the only figure shown. The summary is the gate's, from the rounds' releases.

The raw responses hold only what the rounds' releases show, row by row: the rows of the groups
(round × unit × profession) that are shown, so every group in the file has at least the minimum
number of rows; and in them, an item the release hides for that group (few rated it, or it covers
another group) is written as "dold" (withheld). The rows of hidden groups are left out: listed
without their group, they could be told apart again by matching them with the profession and unit
totals the summary shows. A comment is kept only in a shown group. Rows are sorted by round, unit,
profession and answers, never by when they came.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import numpy as np

from spindeln.analysis.groups import RespondentGroups
from spindeln.analysis.schema import Summary
from spindeln.instrument import Instrument
from spindeln.programmes.models import Programme
from spindeln.results import gate
from spindeln.survey.models import Round, decode_answers
from spindeln.text import normalise_name
from spindeln.transfer.importing import (
    COMMENT,
    FORMULA_STARTS,
    PROFESSION,
    ROUND,
    ROUND_TITLE,
    UNIT,
    WITHHELD,
)
from spindeln.transfer.queries import responses_of

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_MIMETYPE = "application/json"
RESPONSES_SHEET, CODEBOOK_SHEET, SUMMARY_SHEET = "responses", "codebook", "summary"
CODEBOOK_COLUMNS = ["kind", "key", "dimension", "label_sv", "label_en", "text_sv", "text_en", "value"]
SUMMARY_FIELDS = ["suppressed", "n", "cannot_assess", "mean", "sd", "median", "q1", "q3", "min", "max",
                  "ad_m", "rwg", "agreement", "no_band", "rwg_star", "rwg_skewed", "awg", "p_agreement",
                  "p_agreement_skewed", "p_spread", "p_ad_m", "rwg_j_star"]
#: The units' share of the spread (docs/summary.md), per item and dimension, when no unit is selected.
ICC_FIELDS = ["icc1", "icc2", "icc_units"]


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
    #: Rows left out because their group is hidden by the anonymity rule.
    left_out_rows: int = 0
    #: Answers written as "dold": the release hides the item for the row's group.
    withheld_answers: int = 0


def guard_formula(text: str) -> str:
    """A text cell no spreadsheet will run: a leading =, +, -, @, tab or CR gets a ' in front (OWASP)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def response_columns(instrument: Instrument) -> list[str]:
    """The columns of a responses file, in order: the import's format with the round's title."""
    return [ROUND, ROUND_TITLE, UNIT, PROFESSION, *instrument.item_keys, COMMENT]


def response_table(programme: Programme, instrument: Instrument) -> ResponseTable:
    """The responses of the programme's readable rounds that used its instrument, one row per response,
    as far as the rounds' releases show them (see the module's docstring)."""
    ident = (instrument.id, instrument.version)
    rounds, other = [], []
    for measurement_round in gate.readable_rounds(programme):
        same = (measurement_round.instrument_id, measurement_round.instrument_version) == ident
        (rounds if same else other).append(measurement_round)
    shown = {measurement_round.id: gate.shown_answers(programme, measurement_round) for measurement_round in rounds}
    round_of = {r.id: r for r in rounds}
    unit_of = {unit.id: unit for unit in programme.units}
    profession_of = {profession.id: profession for profession in programme.professions}
    left_out = withheld = 0
    records = []
    for round_id, unit_id, profession_id, answers, comment in responses_of(rounds):
        items = shown[round_id].get((unit_id, profession_id))
        if items is None:
            left_out += 1
            continue
        values = [value if keep else WITHHELD
                  for value, keep in zip(decode_answers(answers, instrument.scale.min), items)]
        withheld += len(items) - sum(items)
        unit, profession = unit_of[unit_id], profession_of[profession_id]
        sort_values = [99 if value is None else 100 if value == WITHHELD else value for value in values]
        records.append((round_of[round_id].number, normalise_name(unit.name), unit.name, profession.position,
                        profession.name, sort_values, comment or "", values, round_id))
    # By round, unit, profession, then the answers themselves: never in the order they came in.
    records.sort(key=lambda record: record[:2] + record[3:4] + record[5:7])
    rows = [
        [number, round_of[round_id].title, unit_name, profession_name, *values, comment or None]
        for number, _key, unit_name, _position, profession_name, _sort, comment, values, round_id in records
    ]
    return ResponseTable(response_columns(instrument), rows, [r.number for r in rounds], [r.number for r in other],
                         left_out, withheld)


def codebook_table(programme: Programme, instrument: Instrument) -> list[list]:
    """The codebook of a responses file: instrument, scale, "cannot assess", dimensions, items, columns."""
    scale = instrument.scale
    rows: list[list] = [
        ["instrument", instrument.id, "", instrument.name.sv, instrument.name.en, "", "", instrument.version],
        ["programme", programme.slug, "", programme.name, "",
         "Minsta gruppstorlek. Filen har bara svar från grupper (mätning × enhet × yrke) som "
         "anonymitetsregeln visar, och varje grupp har minst så många rader. Ett påstående som regeln "
         f"döljer för gruppen (för få svarade, eller det skyddar en annan grupp) står som ”{WITHHELD}”. "
         "Kommentarer finns bara från grupper som visas.",
         "Minimum group size. The file holds only answers of groups (round × unit × profession) that the "
         "anonymity rule shows, and every group has at least this many rows. A statement the rule hides for "
         f"the group (too few rated it, or it protects another group) is written “{WITHHELD}” (withheld). "
         "Comments come only from groups that are shown.",
         programme.min_group_size],
        ["scale", "min", "", scale.min_label.sv, scale.min_label.en, "", "", scale.min],
        ["scale", "max", "", scale.max_label.sv, scale.max_label.en, "", "", scale.max],
        ["cannot_assess", "", "", instrument.cannot_assess.sv, instrument.cannot_assess.en,
         "En tom cell i svarsfilen. Vid import går också NA och ”kan inte bedöma” bra.",
         "An empty cell in the responses file. The import also takes NA and “cannot assess”.", ""],
        ["withheld", WITHHELD, "", "Dold", "Withheld",
         "Svaret finns men visas inte: anonymitetsregeln döljer påståendet för gruppen. En fil med "
         f"”{WITHHELD}” kan inte importeras.",
         "The answer exists but is not shown: the anonymity rule hides the statement for the group. A file "
         f"with “{WITHHELD}” cannot be imported.", WITHHELD],
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
        (COMMENT, "Kommentar", "Comment", "Fritext.", "Free text."),
    )
    for key, label_sv, label_en, text_sv, text_en in columns:
        rows.append(["column", key, "", label_sv, label_en, text_sv, text_en, ""])
    rows.append(["note", "rows", "", "Rader", "Rows",
                 "En rad per svar från avslutade mätningar, från de grupper som visas, sorterade efter mätning, "
                 "enhet, yrke och svar – inte i den ordning svaren kom in. Svar från grupper som anonymitetsregeln "
                 "döljer är utelämnade. Text som börjar med = + - @ har en ' framför.",
                 "One row per response of closed rounds, of the groups that are shown, sorted by round, unit, "
                 "profession and answers, not in the order they came in. Answers of groups the anonymity rule "
                 "hides are left out. Text starting with = + - @ has a ' in front.", ""])
    return rows


def summary_of(programme: Programme) -> Summary:
    """The summary (docs/summary.md) of the programme's readable rounds, through the gate."""
    return gate.summary(programme)


def summary_table(summary: Summary) -> tuple[list[str], list[list]]:
    """The summary as one row per round × item, then per round × dimension (and the whole instrument,
    "all"), with the contract's fields; hidden figures, and fields a level does not have, are empty."""
    scale = summary["instrument"]["scale"]
    values = [str(value) for value in range(scale["min"], scale["max"] + 1)]
    header = [ROUND, "label", "instrument_id", "instrument_version", "n_respondents", "level", "item", "dimension",
              *SUMMARY_FIELDS, *ICC_FIELDS, *(f"count_{value}" for value in values)]
    rows = []
    for entry in summary["rounds"]:
        icc = {figures["key"]: figures for figures in entry.get("icc", [])}
        start = [entry["number"], entry["label"], entry["instrument"]["id"], entry["instrument"]["version"],
                 entry["n_respondents"]]
        levels = [("item", item["key"], item["dimension"], item) for item in entry["items"]]
        levels += [("dimension", None, dimension["key"], dimension) for dimension in entry["dimensions"]]
        for level, item_key, dimension_key, figures in levels:
            units = icc.get(item_key or dimension_key)
            counts = figures.get("counts") or {}
            rows.append([
                *start, level, item_key, dimension_key,
                *(figures.get(name) for name in SUMMARY_FIELDS),
                *((None,) * 3 if units is None else (units["icc1"], units["icc2"], units["units"])),
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


def summary_download(programme: Programme, file_format: str) -> Download:
    """The summary of the closed rounds: the JSON contract, or its items as a CSV or XLSX table."""
    summary = summary_of(programme)
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

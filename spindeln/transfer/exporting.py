"""Exports: the raw responses (in the import's own format, with a codebook) and the summary tables.

Only readable (closed) rounds leave the app, through the gate: while a round is open its count is
the only figure shown. The summary is the gate's, from the rounds' releases.

The raw responses are k-anonymous on (round, unit, profession), k the minimum group size: a row
keeps its unit and profession only when its group is shown in its round's release. The rows of
hidden groups are pooled, each into a coarser group that the shown figures already determine, so
the file adds no count that the summary tables keep hidden (see `recoding`): the hidden groups of
a shown unit become that unit's "Övriga yrkesgrupper"; those of hidden units become "Övriga enheter"
with their profession (when that profession's hidden groups all lie in hidden units) or with
"Övriga yrkesgrupper". A comment is kept only in a shown group: it can say who wrote it far better
than a rating can. Rows are sorted by round, unit, profession and answers, never by when they came.
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
)
from spindeln.transfer.queries import responses_of

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_MIMETYPE = "application/json"
RESPONSES_SHEET, CODEBOOK_SHEET, SUMMARY_SHEET = "responses", "codebook", "summary"
CODEBOOK_COLUMNS = ["kind", "key", "dimension", "label_sv", "label_en", "text_sv", "text_en", "value"]
#: The pooled groups of the raw export, in Swedish as the names of units and professions are.
OTHER_UNITS = "Övriga enheter"
OTHER_PROFESSIONS = "Övriga yrkesgrupper"
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
    #: Rows given a pooled unit or profession, because their own group is hidden.
    pooled_rows: int = 0
    #: Rows left out: a round of fewer than min respondents, whose rows no pooling can hide.
    left_out_rows: int = 0


def guard_formula(text: str) -> str:
    """A text cell no spreadsheet will run: a leading =, +, -, @, tab or CR gets a ' in front (OWASP)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def response_columns(instrument: Instrument) -> list[str]:
    """The columns of a responses file, in order: the import's format with the round's title."""
    return [ROUND, ROUND_TITLE, UNIT, PROFESSION, *instrument.item_keys, COMMENT]


def recoding(groups: RespondentGroups, min_group_size: int) -> dict[tuple[int, int], tuple[int | None, int | None]]:
    """How a round's rows are labelled in the raw export: (unit id, profession id) → (unit, profession).

    A shown group keeps its own ids. A hidden one gets None for the unit ("Övriga enheter"), the
    profession ("Övriga yrkesgrupper") or both. Each pooled group is one the shown figures already
    determine, so it holds no one or at least min people (the release's guarantee), and the file
    tells no count the summary tables hide:

    - the hidden groups of a shown unit: its total minus its shown groups;
    - the hidden groups of a profession that are all in hidden units: its total minus its shown groups;
    - the rest: the round's total minus everything above.

    A group missing from the mapping (a round of fewer than min respondents) is left out.
    """
    counts, decision = groups.counts, groups.suppression
    hidden = decision.cells & (counts > 0)
    labels: dict[tuple[int, int], tuple[int | None, int | None]] = {}
    pools: dict[tuple[int | None, int | None], int] = {}

    def put(unit: int, profession: int, label: tuple[int | None, int | None]) -> None:
        labels[(groups.unit_ids[unit], groups.profession_ids[profession])] = label
        pools[label] = pools.get(label, 0) + int(counts[unit, profession])

    for unit, profession in zip(*np.nonzero((counts > 0) & ~hidden)):
        labels[(groups.unit_ids[unit], groups.profession_ids[profession])] = (
            groups.unit_ids[unit], groups.profession_ids[profession])
    in_shown_units = hidden & ~decision.units[:, None]
    for unit, profession in zip(*np.nonzero(in_shown_units)):
        put(unit, profession, (groups.unit_ids[unit], None))
    rest = hidden & ~in_shown_units
    whole_professions = ~decision.professions & ~in_shown_units.any(axis=0)
    for unit, profession in zip(*np.nonzero(rest)):
        put(unit, profession, (None, groups.profession_ids[profession] if whole_professions[profession] else None))
    if any(size < min_group_size for size in pools.values()):
        # Never with a release that protects the table; if it did happen, pool every hidden group.
        pooled = int(counts[hidden].sum())
        for unit, profession in zip(*np.nonzero(hidden)):
            key = (groups.unit_ids[unit], groups.profession_ids[profession])
            if pooled >= min_group_size:
                labels[key] = (None, None)
            else:
                labels.pop(key, None)
    return labels


def response_table(programme: Programme, instrument: Instrument) -> ResponseTable:
    """The responses of the programme's readable rounds that used its instrument, one row per response."""
    ident = (instrument.id, instrument.version)
    rounds, other = [], []
    for measurement_round in gate.readable_rounds(programme):
        same = (measurement_round.instrument_id, measurement_round.instrument_version) == ident
        (rounds if same else other).append(measurement_round)
    labels = {measurement_round.id: recoding(gate.groups(programme, measurement_round), programme.min_group_size)
              for measurement_round in rounds}
    round_of = {r.id: r for r in rounds}
    unit_names = {unit.id: unit.name for unit in programme.units} | {None: OTHER_UNITS}
    profession_names = {p.id: p.name for p in programme.professions} | {None: OTHER_PROFESSIONS}
    positions = {p.id: p.position for p in programme.professions} | {None: len(programme.professions)}
    withheld = pooled = left_out = 0
    records = []
    for round_id, unit_id, profession_id, answers, comment in responses_of(rounds):
        label = labels[round_id].get((unit_id, profession_id))
        if label is None:
            left_out += 1
            continue
        own = label == (unit_id, profession_id)
        pooled += not own
        if comment and not own:
            comment = None
            withheld += 1
        unit_name, profession_name = unit_names[label[0]], profession_names[label[1]]
        # Pooled units after the named ones, pooled professions after the named ones.
        unit_order = (label[0] is None, normalise_name(unit_name))
        records.append((round_of[round_id].number, unit_order, unit_name, positions[label[1]], profession_name,
                        answers, comment or "", round_id))
    # By round, unit, profession, then the answers themselves: never in the order they came in.
    records.sort(key=lambda record: record[:2] + record[3:4] + record[5:7])
    rows = [
        [number, round_of[round_id].title, unit_name, profession_name,
         *decode_answers(answers, instrument.scale.min), comment or None]
        for number, _order, unit_name, _position, profession_name, answers, comment, round_id in records
    ]
    return ResponseTable(response_columns(instrument), rows, [r.number for r in rounds], [r.number for r in other],
                         withheld, pooled, left_out)


def codebook_table(programme: Programme, instrument: Instrument) -> list[list]:
    """The codebook of a responses file: instrument, scale, "cannot assess", dimensions, items, columns."""
    scale = instrument.scale
    rows: list[list] = [
        ["instrument", instrument.id, "", instrument.name.sv, instrument.name.en, "", "", instrument.version],
        ["programme", programme.slug, "", programme.name, "",
         "Minsta gruppstorlek. Varje kombination av mätning, enhet och yrke i filen har minst så många "
         "rader. Svar från grupper som anonymitetsregeln döljer står under en sammanslagen grupp: "
         f"enhetens ”{OTHER_PROFESSIONS}”, eller ”{OTHER_UNITS}” med yrket eller med "
         f"”{OTHER_PROFESSIONS}”. De sammanslagna grupperna kan inte delas upp med hjälp av "
         "sammanställningens tabeller. Kommentarer finns bara från grupper som visas. En mätning med "
         "färre svar än minsta gruppstorlek är utelämnad.",
         "Minimum group size. Every combination of round, unit and profession in the file has at least "
         "this many rows. Answers of groups the anonymity rule hides are listed under a pooled group: the "
         f"unit's “{OTHER_PROFESSIONS}” (other professions), or “{OTHER_UNITS}” (other units) with "
         f"the profession or with “{OTHER_PROFESSIONS}”. The pooled groups cannot be split with the "
         "summary tables. Comments come only from groups that are shown. A round with fewer answers "
         "than the minimum group size is left out.",
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
        (UNIT, "Enhet", "Unit", f"Enhetens namn (t.ex. stadsdelsförvaltning), eller ”{OTHER_UNITS}”.",
         f"The unit's name (e.g. district), or “{OTHER_UNITS}” (other units, pooled)."),
        (PROFESSION, "Yrke", "Profession", f"Yrkets namn, eller ”{OTHER_PROFESSIONS}”.",
         f"The profession's name, or “{OTHER_PROFESSIONS}” (other professions, pooled)."),
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


def summary_of(programme: Programme) -> Summary:
    """The summary (docs/summary.md) of the programme's readable rounds, through the gate."""
    return gate.summary(programme)


def summary_table(summary: Summary) -> tuple[list[str], list[list]]:
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

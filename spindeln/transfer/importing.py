"""Reading and checking a file of responses collected elsewhere, before anything is written.

Three steps, each reporting every problem it finds with its place (the row as a spreadsheet shows
it, the header being row 1, and the column name):

1. `read_table` turns the bytes of a CSV or XLSX file into a header and rows of text cells. No
   sniffing: a file starting with a byte-order mark is read in its encoding, otherwise as UTF-8,
   and if that fails as Windows-1252 (what Swedish Excel writes for "CSV (semikolonavgränsad)").
   The separator is the one of ";", "," and tab that splits the header into the most known column
   names (ties go in that order).
2. `parse_rows` checks every cell against the instrument: round numbers, ratings on the scale,
   dates, lengths. It needs no database.
3. `plan_import` looks the file's units, professions and rounds up in the programme (reads only),
   decides what the import would create, computes the file's digest and refuses a file that was
   already imported. `operations.import_responses` then writes the plan.

Messages are English message ids with `%(name)s` placeholders, translated where they are shown.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import warnings
from dataclasses import dataclass, field

from spindeln.instrument import DEFAULT_INSTRUMENT, Instrument, InstrumentRegistry, Scale
from spindeln.programmes.models import DEFAULT_PROFESSIONS, Programme
from spindeln.programmes.operations import SLUG
from spindeln.programmes.queries import find_profession, find_unit, programme_by_slug
from spindeln.survey.forms import MAX_COMMENT_LENGTH
from spindeln.survey.models import RoundState
from spindeln.text import ascii_key, normalise_name
from spindeln.transfer.queries import import_record

#: Largest file taken, on the upload page and on the command line.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Most data rows in one file: far more than any programme has, few enough to check in memory.
MAX_ROWS = 250_000
#: Problems listed one by one; past this many they are only counted.
MAX_PROBLEMS = 500
MAX_NAME_LENGTH = 200
MAX_ROUND_NUMBER = 2**31 - 1

ROUND, ROUND_TITLE, UNIT, PROFESSION, COMMENT, DATE = "round", "round_title", "unit", "profession", "comment", "date"
REQUIRED_COLUMNS = (ROUND, UNIT, PROFESSION)
OPTIONAL_COLUMNS = (ROUND_TITLE, COMMENT, DATE)
#: Tried in this order; the first of equally good ones wins.
SEPARATORS = (";", ",", "\t")
#: Cell texts (compared without case and extra spaces) meaning "cannot assess".
CANNOT_ASSESS_TEXTS = frozenset({"", "na", "kan inte bedöma", "cannot assess"})
#: What the raw export writes for an answer it withholds for anonymity; never imported.
WITHHELD = "dold"
#: A text cell starting with one of these is written with a leading ' so that no spreadsheet
#: takes it for a formula (OWASP, CSV injection); the import takes the quote off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Title of a round the import creates when the file gives none.
NEW_ROUND_TITLE = "Mätning {number}"

_WHOLE = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_DECIMAL = re.compile(r"^[+-]?\d*[.,]\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XLSX_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"


def N_(message: str) -> str:
    """Mark a message id for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is (spreadsheet row, header = 1; column name) and what."""

    row: int | None
    column: str | None
    #: English message id with %(name)s placeholders.
    message: str
    params: dict = field(default_factory=dict)

    def text(self, translate=None) -> str:
        """The message, translated by `translate(message, **params)` when given, else in English."""
        if translate is not None:
            return translate(self.message, **self.params)
        return self.message % self.params if self.params else self.message

    def __str__(self) -> str:
        place = ", ".join(
            part for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column else "",
            ) if part
        )
        return f"{place}: {self.text()}" if place else self.text()


class ImportRejected(Exception):
    """A file that cannot be imported; `problems` lists every reason with its place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class Problems:
    """The problems found so far; past `MAX_PROBLEMS` they are only counted."""

    def __init__(self) -> None:
        self.listed: list[Problem] = []
        self.unlisted = 0

    def add(self, row: int | None, column: str | None, message: str, /, **params) -> None:
        """Note a problem at a row and column; `params` fill the message's placeholders."""
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(Problem(row, column, message, params))
        else:
            self.unlisted += 1

    def __len__(self) -> int:
        return len(self.listed) + self.unlisted

    def as_list(self) -> list[Problem]:
        """Every listed problem, and one line counting the rest."""
        if not self.unlisted:
            return list(self.listed)
        more = Problem(None, None, N_("… and %(count)d more problems (the first %(listed)d are listed)."),
                       {"count": self.unlisted, "listed": len(self.listed)})
        return [*self.listed, more]

    def sort(self, header: list[str]) -> None:
        """Order the listed problems as the file reads: by row, then by the column's place in `header`."""
        places = {normalise_header(name): index for index, name in enumerate(header)}
        self.listed.sort(key=lambda problem: (problem.row or 0, places.get(problem.column or "", len(places))))

    def raise_if_any(self) -> None:
        """Raise `ImportRejected` when there is anything to report."""
        if len(self):
            raise ImportRejected(self.as_list())


def reject(message: str, **params) -> ImportRejected:
    """An `ImportRejected` for a problem with the file as a whole."""
    return ImportRejected([Problem(None, None, message, params)])


# --- 1. bytes to a table of text cells ----------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A file read into text cells: the header, and each data row with its spreadsheet row number."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes, item_keys: tuple[str, ...]) -> Table:
    """Read a CSV or XLSX file into a `Table`; `item_keys` help find the CSV separator."""
    if len(data) > MAX_FILE_BYTES:
        raise reject(N_("The file is larger than %(size)d MB."), size=MAX_FILE_BYTES // (1024 * 1024))
    if not data.strip():
        raise reject(N_("The file is empty."))
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(_OLD_EXCEL_MAGIC):
        raise reject(N_("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV."))
    return _read_csv(decode_text(data), item_keys)


def decode_text(data: bytes) -> str:
    """The text of a CSV file: by its byte-order mark (UTF-8 or UTF-16), else UTF-8, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # Windows-1252 decodes almost any byte, so it can only be the last guess.
            encoding = "cp1252"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise reject(N_("The file is not text in UTF-8 or Windows-1252 (byte %(position)d)."),
                     position=error.start + 1) from error


def normalise_header(cell: str) -> str:
    """A header cell as compared with column names: no byte-order mark, single spaces, no case."""
    return " ".join(cell.replace("\ufeff", "").split()).casefold()


def choose_separator(header_line: str, item_keys: tuple[str, ...]) -> str:
    """The separator of ";", "," and tab that splits the header into the most known column names."""
    known = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *item_keys}

    def recognised(separator: str) -> int:
        cells = next(csv.reader([header_line], delimiter=separator), [])
        return len({normalise_header(cell) for cell in cells} & known)

    # max() keeps the first of equal scores, so the order of SEPARATORS breaks ties.
    return max(SEPARATORS, key=recognised)


def _read_csv(text: str, item_keys: tuple[str, ...]) -> Table:
    lines = text.splitlines()
    separator = choose_separator(lines[0] if lines else "", item_keys)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append([cell.strip() for cell in record])
            if len(records) > MAX_ROWS + 1:
                raise reject(N_("The file has more than %(count)d rows."), count=MAX_ROWS)
    except csv.Error as error:
        raise ImportRejected([Problem(len(records) + 1, None, N_("The row cannot be read as CSV: %(error)s"),
                                      {"error": str(error)})]) from error
    return _table(records)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    records: list[list[str]] = []
    try:
        # openpyxl warns about styles and extensions it does not read; only the values matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook["responses"] if "responses" in workbook.sheetnames else workbook.worksheets[0]
                for values in sheet.iter_rows(values_only=True):
                    records.append([_cell_text(value) for value in values])
                    if len(records) > MAX_ROWS + 1:
                        raise reject(N_("The file has more than %(count)d rows."), count=MAX_ROWS)
            finally:
                workbook.close()
    except ImportRejected:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged workbook fails in many ways inside openpyxl
        raise reject(N_("The file cannot be read as an Excel workbook (.xlsx).")) from error
    return _table(records)


def _table(records: list[list[str]]) -> Table:
    if not records:
        raise reject(N_("The file is empty."))
    return Table(header=records[0], rows=list(enumerate(records[1:], start=2)))


def _cell_text(value) -> str:
    """An XLSX cell's value as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# --- 2. cells to checked rows -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One response as read, names still as written in the file.

    A row with problems is kept too (its bad cells empty, `round` None if unreadable), so that
    its unit, profession and round are still checked against the programme: every problem of a
    file is reported at once. A file with any problem imports nothing.
    """

    #: The row in the spreadsheet (header = 1).
    row: int
    round: int | None
    unit: str
    profession: str
    #: Scale values in instrument order; None for "cannot assess".
    answers: tuple[int | None, ...]
    comment: str | None
    date: dt.date | None
    round_title: str | None


def unescape_text(text: str) -> str:
    """A text cell with the quote that guards against formulas taken off again."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def column_letter(index: int) -> str:
    """The spreadsheet letter of a column (0 → A, 26 → AA), for cells under no column name."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _BadCell(ValueError):
    """A cell that does not hold what its column needs: a message id and its parameters."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


def _round_number(text: str) -> int | None:
    if not text:
        raise _BadCell(N_("The round number is missing."))
    if not _WHOLE.match(text) or not 1 <= int(text.split(".")[0]) <= MAX_ROUND_NUMBER:
        raise _BadCell(N_("%(value)s is not a round number (a whole number from 1)."), value=_shorten(text))
    return int(text.split(".")[0])


def _name(text: str, missing: str) -> str:
    name = " ".join(unescape_text(text).split())
    if not name:
        raise _BadCell(missing)
    if len(name) > MAX_NAME_LENGTH:
        raise _BadCell(N_("The name is longer than %(max)d characters."), max=MAX_NAME_LENGTH)
    return name


def _rating(text: str, scale: Scale) -> int | None:
    """A scale value, or None for "cannot assess"."""
    if normalise_name(text) in CANNOT_ASSESS_TEXTS:
        return None
    if normalise_name(text) == WITHHELD:
        raise _BadCell(N_("“dold” is an answer an export withheld for anonymity: it is not in the file, so the "
                          "row cannot be imported."))
    bounds = {"value": _shorten(text), "min": scale.min, "max": scale.max}
    if _WHOLE.match(text):
        value = int(text.split(".")[0])
        if scale.min <= value <= scale.max:
            return value
        raise _BadCell(N_("%(value)s is not on the scale from %(min)d to %(max)d."), **bounds)
    if _DECIMAL.match(text):
        raise _BadCell(N_("%(value)s is not a whole number: ratings are whole numbers from %(min)d to %(max)d."),
                       **bounds)
    raise _BadCell(N_("%(value)s is not a rating: give a whole number from %(min)d to %(max)d, or leave the "
                      "cell empty for “cannot assess”."), **bounds)


def _comment(text: str) -> str | None:
    comment = unescape_text(text).strip() or None
    if comment and len(comment) > MAX_COMMENT_LENGTH:
        raise _BadCell(N_("The comment is longer than %(max)d characters."), max=MAX_COMMENT_LENGTH)
    return comment


def _date(text: str, today: dt.date) -> dt.date | None:
    if not text:
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise _BadCell(N_("%(value)s is not a date written as yyyy-mm-dd."), value=_shorten(text)) from None
    if date > today:
        raise _BadCell(N_("%(value)s is in the future."), value=text)
    return date


def _title(text: str) -> str | None:
    title = " ".join(unescape_text(text).split()) or None
    if title and len(title) > MAX_NAME_LENGTH:
        raise _BadCell(N_("The title is longer than %(max)d characters."), max=MAX_NAME_LENGTH)
    return title


def parse_rows(table: Table, instrument: Instrument, today: dt.date) -> tuple[list[ImportRow], Problems]:
    """Check every cell against the instrument; the rows read and the problems found.

    Problems in the header stop the check: the rows cannot be read without their columns.
    """
    problems = Problems()
    positions = _column_positions(table.header, instrument, problems)
    if len(problems):
        return [], problems
    named = set(positions.values())
    #: The first title given to each round, and its row.
    titles: dict[int, tuple[str, int]] = {}
    rows: list[ImportRow] = []
    for number, cells in table.rows:
        if not any(cells):
            continue
        for index, value in enumerate(cells):
            if value and index not in named:
                problems.add(number, column_letter(index), N_("There is a value in a column without a name."))

        def check(column: str, parse, *args):
            """The parsed cell of `column`; None, with the problem noted, when it is bad."""
            index = positions.get(column)
            text = cells[index] if index is not None and index < len(cells) else ""
            try:
                return parse(text, *args)
            except _BadCell as bad:
                problems.add(number, column, bad.message, **bad.params)
                return None

        round_number = check(ROUND, _round_number)
        unit = check(UNIT, _name, N_("The unit is missing.")) or ""
        profession = check(PROFESSION, _name, N_("The profession is missing.")) or ""
        answers = tuple(check(key, _rating, instrument.scale) for key in instrument.item_keys)
        comment = check(COMMENT, _comment)
        date = check(DATE, _date, today)
        title = check(ROUND_TITLE, _title)
        if title is not None and round_number is not None:
            first_title, first_row = titles.setdefault(round_number, (title, number))
            if title != first_title:
                problems.add(number, ROUND_TITLE, N_("Round %(number)d is called %(title)s in row %(row)d."),
                             number=round_number, title=first_title, row=first_row)
        rows.append(ImportRow(number, round_number, unit, profession, answers, comment, date, title))
    if not rows and not len(problems):
        problems.add(None, None, N_("The file has no responses, only a header."))
    return rows, problems


def _column_positions(header: list[str], instrument: Instrument, problems: Problems) -> dict[str, int]:
    """Where each known column is; unknown, doubled and missing columns are problems in row 1."""
    expected = (*REQUIRED_COLUMNS, *instrument.item_keys)
    known = {*expected, *OPTIONAL_COLUMNS}
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = normalise_header(raw)
        if not name:
            continue
        if name not in known:
            problems.add(1, _shorten(raw.strip()), N_("Unknown column. The columns are %(columns)s, and optionally "
                                                      "%(optional)s."),
                         columns=", ".join(expected), optional=", ".join(OPTIONAL_COLUMNS))
        elif name in positions:
            problems.add(1, name, N_("The column is there twice."))
        else:
            positions[name] = index
    for name in expected:
        if name not in positions:
            problems.add(1, name, N_("The column is missing."))
    return positions


# --- 3. rows against the programme --------------------------------------------------------------


@dataclass(frozen=True)
class NewRound:
    """A round the import creates, closed, with the programme's instrument."""

    title: str
    opens_on: dt.date | None
    closes_on: dt.date | None


@dataclass
class ImportPlan:
    """Everything an import will write, checked: the operation only carries it out."""

    slug: str
    #: None: the programme is created (--create).
    programme: Programme | None
    instrument: Instrument
    rows: list[ImportRow]
    #: Each unit name of the file (normalised) → the key of its unit, existing or new.
    unit_keys: dict[str, str]
    #: Units to create: key → name.
    new_units: dict[str, str]
    profession_keys: dict[str, str]
    new_professions: dict[str, str]
    new_rounds: dict[int, NewRound]
    #: The day a response without a date gets, per round: the round's closing date or today.
    default_dates: dict[int, dt.date]
    #: SHA-256 of the rows in a canonical form (see `file_digest`).
    digest: bytes

    def round_counts(self) -> dict[int, int]:
        """Responses per round number, in round order."""
        counts: dict[int, int] = {}
        for row in self.rows:
            counts[row.round] = counts.get(row.round, 0) + 1
        return dict(sorted(counts.items()))


def plan_import(
    table: Table,
    slug: str,
    registry: InstrumentRegistry,
    *,
    create: bool = False,
    instrument: Instrument | None = None,
    today: dt.date | None = None,
) -> ImportPlan:
    """Check a read file against programme `slug`; raise `ImportRejected` listing every problem.

    With `create`, a programme that does not exist is planned (with `instrument`, else the default
    one), and so are the units and professions of the file that the programme lacks.
    """
    today = today or dt.date.today()
    programme = programme_by_slug(slug)
    if programme is None:
        if not create:
            raise reject(N_("There is no programme %(slug)s."), slug=slug)
        if not SLUG.match(slug):
            raise reject(N_("%(slug)s is not a valid short name for a programme (a-z, 0-9 and -)."), slug=slug)
        instrument = instrument or registry.get(*DEFAULT_INSTRUMENT)
    else:
        own = registry.get(programme.instrument_id, programme.instrument_version)
        if instrument is not None and instrument != own:
            raise reject(N_("The programme %(slug)s uses instrument %(id)s version %(version)s; another "
                            "instrument can only be given for a new programme."),
                         slug=slug, id=own.id, version=own.version)
        instrument = own

    rows, problems = parse_rows(table, instrument, today)
    unit_keys, new_units = _resolve_units(rows, programme, create, problems)
    profession_keys, new_professions = _resolve_professions(rows, programme, create, problems)
    if not len(problems) and programme is not None:
        # A file imported before names its (now closed) rounds: say that, rather than that they are closed.
        earlier = import_record(programme, file_digest(rows, unit_keys, profession_keys, instrument))
        if earlier is not None:
            raise reject(N_("This file was already imported on %(date)s (as %(filename)s). Nothing was imported."),
                         date=earlier.imported_on.isoformat(), filename=earlier.filename)
    new_rounds, default_dates = _resolve_rounds(rows, programme, instrument, today, problems)
    problems.sort(table.header)
    problems.raise_if_any()

    digest = file_digest(rows, unit_keys, profession_keys, instrument)
    return ImportPlan(slug, programme, instrument, rows, unit_keys, new_units, profession_keys, new_professions,
                      new_rounds, default_dates, digest)


def _resolve_units(rows, programme, create, problems) -> tuple[dict[str, str], dict[str, str]]:
    """Each unit name of the file → a unit key; the units to create."""
    keys: dict[str, str] = {}
    new: dict[str, str] = {}
    failed: dict[str, tuple[str, dict]] = {}
    existing_keys = {unit.key: unit.name for unit in programme.units} if programme else {}
    for row in rows:
        wanted = normalise_name(row.unit)
        if not wanted or wanted in keys:
            continue
        if wanted not in failed:
            found = find_unit(programme, row.unit) if programme else None
            if found is not None:
                keys[wanted] = found.key
                continue
            failed_with = _new_name(row.unit, create, existing_keys, new, unit=True)
            if failed_with is None:
                keys[wanted] = ascii_key(row.unit)
                continue
            if not create:
                failed_with = (failed_with[0], failed_with[1] | {"known": ", ".join(existing_keys.values()) or "–"})
            failed[wanted] = failed_with
        message, params = failed[wanted]
        problems.add(row.row, UNIT, message, **params)
    return keys, new


def _resolve_professions(rows, programme, create, problems) -> tuple[dict[str, str], dict[str, str]]:
    """Each profession name of the file → a profession key; the professions to create."""
    keys: dict[str, str] = {}
    new: dict[str, str] = {}
    failed: dict[str, tuple[str, dict]] = {}
    if programme is not None:
        existing_keys = {profession.key: profession.name for profession in programme.professions}
    else:
        existing_keys = {key: name for key, name, _name_en in DEFAULT_PROFESSIONS}
    for row in rows:
        wanted = normalise_name(row.profession)
        if not wanted or wanted in keys:
            continue
        if wanted not in failed:
            if programme is not None:
                found = find_profession(programme, row.profession)
                found_key = found.key if found is not None else None
            else:
                found_key = _default_profession(wanted)
            if found_key is not None:
                keys[wanted] = found_key
                continue
            failed_with = _new_name(row.profession, create, existing_keys, new, unit=False)
            if failed_with is None:
                keys[wanted] = ascii_key(row.profession)
                continue
            if not create:
                failed_with = (failed_with[0], failed_with[1] | {"known": ", ".join(existing_keys.values())})
            failed[wanted] = failed_with
        message, params = failed[wanted]
        problems.add(row.row, PROFESSION, message, **params)
    return keys, new


def _default_profession(wanted: str) -> str | None:
    """The key of the default profession named `wanted` (key, Swedish or English name)."""
    for key, name, name_en in DEFAULT_PROFESSIONS:
        if wanted in {key, normalise_name(name), normalise_name(name_en)}:
            return key
    return None


def _new_name(name: str, create: bool, existing: dict[str, str], new: dict[str, str],
              unit: bool) -> tuple[str, dict] | None:
    """Plan a new unit or profession called `name` (into `new`); else the problem (message, params)."""
    if not create:
        if unit:
            return N_("Unknown unit %(name)s. The programme's units are: %(known)s."), {"name": name}
        return N_("Unknown profession %(name)s. The programme's professions are: %(known)s."), {"name": name}
    key = ascii_key(name)
    if not key:
        return N_("The name %(name)s needs at least one letter or digit."), {"name": name}
    other = existing.get(key) or new.get(key)
    if other is not None:
        # Two spellings that make the same key ("Hasselby" and "Hässelby") would be two names
        # for one unit; the person importing should choose one.
        return N_("%(name)s is too like %(other)s: write the name the same way in every row."), {
            "name": name, "other": other}
    new[key] = name
    return None


def _resolve_rounds(rows, programme, instrument, today, problems) -> tuple[dict[int, NewRound], dict[int, dt.date]]:
    """The rounds to create, and the day a response without a date gets in each round."""
    existing = {measurement_round.number: measurement_round for measurement_round in programme.rounds} \
        if programme else {}
    first_rows: dict[int, ImportRow] = {}
    dates: dict[int, list[dt.date]] = {}
    titles: dict[int, str] = {}
    for row in rows:
        if row.round is None:
            continue
        first_rows.setdefault(row.round, row)
        if row.date is not None:
            dates.setdefault(row.round, []).append(row.date)
        if row.round_title and row.round not in titles:
            titles[row.round] = row.round_title
    new_rounds: dict[int, NewRound] = {}
    default_dates: dict[int, dt.date] = {}
    for number, row in sorted(first_rows.items()):
        measurement_round = existing.get(number)
        if measurement_round is None:
            days = dates.get(number)
            new_rounds[number] = NewRound(
                title=titles.get(number) or NEW_ROUND_TITLE.format(number=number),
                opens_on=min(days) if days else None,
                closes_on=max(days) if days else None,
            )
            default_dates[number] = new_rounds[number].closes_on or today
            continue
        # One problem per round, at its first row: it holds for every row of the round. Responses go
        # into new rounds only: added to a closed round, whose figures can be read, made-up rows could
        # lift a hidden group over the minimum and be subtracted again (docs/anonymity.md).
        if measurement_round.state is RoundState.closed:
            problems.add(row.row, ROUND, N_("Round %(number)d (%(title)s) is closed and its results can be read: "
                                            "no responses can be added to it. Import earlier data as a new round, "
                                            "with a number the programme does not have yet."),
                         number=number, title=measurement_round.title)
        elif measurement_round.state is RoundState.open:
            problems.add(row.row, ROUND, N_("Round %(number)d (%(title)s) is open: responses can only be imported "
                                            "as a new round."), number=number, title=measurement_round.title)
        else:
            problems.add(row.row, ROUND, N_("Round %(number)d (%(title)s) is a draft: responses can only be "
                                            "imported as a new round."), number=number, title=measurement_round.title)
    return new_rounds, default_dates


def file_digest(rows: list[ImportRow], unit_keys: dict[str, str], profession_keys: dict[str, str],
                instrument: Instrument) -> bytes:
    """SHA-256 of the rows in a canonical form: the same data gives the same digest as CSV or XLSX,
    in any encoding, separator, column order or row order, with names written by name or key."""
    lines = sorted(
        json.dumps(
            [row.round, unit_keys[normalise_name(row.unit)], profession_keys[normalise_name(row.profession)],
             list(row.answers), row.comment or "", row.date.isoformat() if row.date else "", row.round_title or ""],
            ensure_ascii=False, separators=(",", ":"),
        )
        for row in rows
    )
    digest = hashlib.sha256(f"{instrument.id}\n{instrument.version}\n".encode())
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.digest()

"""Swedish and English complete: every message id in the code and templates is in both catalogues.

The ids are extracted the way `pybabel extract -F babel.cfg -k _l` does (README, "Development"),
with Babel's own extraction API, so a string added without a translation fails here rather than
showing up in English on a Swedish page.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
TRANSLATIONS = REPO / "spindeln" / "translations"
LANGUAGES = ("sv", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _hashable(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


@pytest.fixture(scope="module")
def message_ids() -> dict[str, str]:
    """Every message id in spindeln/**.py and templates/**.html, with the first place it is used."""
    with open(REPO / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    assert len(found) > 100, "the extraction found almost nothing: is babel.cfg right?"
    return found


def test_every_message_has_a_swedish_translation(message_ids):
    catalogue = _catalogue("sv")
    problems = []
    for msgid, place in sorted(message_ids.items(), key=lambda pair: pair[1]):
        entry = catalogue.get(msgid)
        if entry is None:
            problems.append(f"missing    {place}: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy      {place}: {msgid!r}")
        elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
            problems.append(f"untranslated {place}: {msgid!r}")
    assert not problems, f"{len(problems)} message ids lack a Swedish translation:\n" + "\n".join(problems)


def test_every_message_is_in_the_english_catalogue(message_ids):
    catalogue = _catalogue("en")
    missing = [f"{place}: {msgid!r}" for msgid, place in sorted(message_ids.items(), key=lambda pair: pair[1])
               if catalogue.get(msgid) is None]
    assert not missing, f"{len(missing)} message ids are missing in the English catalogue:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(language):
    """messages.mo is what `pybabel compile` makes of messages.po now: nobody forgot to compile."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(language), use_fuzzy=False)
    compiled.seek(0)
    expected = {_hashable(message.id): _hashable(message.string) for message in read_mo(compiled) if message.id}
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        actual = {_hashable(message.id): _hashable(message.string) for message in read_mo(mo) if message.id}
    stale = sorted(str(key) for key in expected.keys() ^ actual.keys())
    changed = sorted(str(key) for key in expected.keys() & actual.keys() if expected[key] != actual[key])
    assert not stale and not changed, (
        f"spindeln/translations/{language}/LC_MESSAGES/messages.mo is out of date; run "
        f"`.venv/bin/pybabel compile -d spindeln/translations`.\n"
        f"only in one of .po/.mo: {stale[:20]}\ndifferent: {changed[:20]}"
    )

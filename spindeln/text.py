"""Small text helpers shared by forms, imports and the CLI."""

from __future__ import annotations

import re
import unicodedata


def ascii_key(name: str, separator: str = "_") -> str:
    """A lower-case ASCII key for a name: "Hässelby-Vällingby" → "hasselby_vallingby"."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", separator, ascii_only).strip(separator)


def normalise_name(name: str) -> str:
    """A name as compared for matching: NFC, single spaces, no case."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()

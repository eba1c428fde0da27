"""Fixtures for chart tests: the shipped instrument and a fake Swedish gettext. No app needed."""

from __future__ import annotations

import pytest

from tests.charts.factories import INSTRUMENT

#: The few chart words a Swedish catalogue would translate, enough to see that gettext is used.
SWEDISH = {
    "Hidden: too few answers": "Dolt: för få svar",
    "hidden: too few answers": "dold: för få svar",
    "(hidden)": "(dold)",
    "(partly hidden)": "(delvis dold)",
    "Highest rated: {high} ({high_value}); lowest: {low} ({low_value}).":
        "Högst skattade: {high} ({high_value}); lägst: {low} ({low_value}).",
    "All results are hidden: too few answers.": "Alla resultat är dolda: för få svar.",
    "Item": "Fråga",
    "Mean": "Medelvärde",
    "moderate": "måttlig",
    "high": "hög",
    "low": "låg",
}


@pytest.fixture
def instrument():
    """The shipped STIS instrument."""
    return INSTRUMENT


@pytest.fixture
def swedish():
    """A gettext that knows a few Swedish words and leaves the rest in English."""
    return lambda text: SWEDISH.get(text, text)

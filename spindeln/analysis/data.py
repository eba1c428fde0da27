"""The plain data the analysis works on: the responses of whole rounds as arrays, and round facts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class ResponseData:
    """The responses of one or more *whole* rounds, one row per respondent.

    `answers` holds the scale value of each item in instrument order, NaN for "cannot assess".
    Suppression is decided on every unit and profession of a round, so the rows must cover
    whole rounds, never a filtered part of one.
    """

    #: float64 (n, k): scale values, NaN meaning "cannot assess".
    answers: np.ndarray
    #: int64 (n,): the round number of each response.
    round_number: np.ndarray
    #: int64 (n,): the unit of each response.
    unit_id: np.ndarray
    #: int64 (n,): the profession of each response.
    profession_id: np.ndarray

    def __post_init__(self) -> None:
        answers = np.asarray(self.answers, dtype=np.float64)
        if answers.ndim != 2:
            raise ValueError(f"answers must be a 2-d array (respondents × items), got shape {answers.shape}")
        object.__setattr__(self, "answers", answers)
        for name in ("round_number", "unit_id", "profession_id"):
            column = np.asarray(getattr(self, name), dtype=np.int64)
            if column.shape != (answers.shape[0],):
                raise ValueError(f"{name} must have shape ({answers.shape[0]},), got {column.shape}")
            object.__setattr__(self, name, column)

    def __len__(self) -> int:
        return self.answers.shape[0]

    @classmethod
    def empty(cls, item_count: int) -> ResponseData:
        """No responses, for an instrument of `item_count` items."""
        return cls(
            answers=np.empty((0, item_count)),
            round_number=np.empty(0, dtype=np.int64),
            unit_id=np.empty(0, dtype=np.int64),
            profession_id=np.empty(0, dtype=np.int64),
        )


@dataclass(frozen=True)
class RoundInfo:
    """What the summary needs to know about a round besides its responses."""

    number: int
    label: str
    instrument_id: str
    instrument_version: str

    @property
    def instrument_ident(self) -> tuple[str, str]:
        """The instrument id and version, the pair that decides whether two rounds are comparable."""
        return (self.instrument_id, self.instrument_version)

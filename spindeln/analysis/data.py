"""The plain data the analysis works on: the responses of whole rounds as arrays, and round facts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class ResponseData:
    """The responses of one or more *whole* rounds, one row per respondent.

    `answers` holds the scale value of each item in instrument order, NaN for "cannot assess".
    Suppression is decided on every unit and profession of a round, so the rows must cover
    whole rounds, never a filtered part of one. Built from scale values, or with `from_codes`
    from the answers as stored, which the analysis reads without turning them into floats.
    """

    def __init__(self, answers: np.ndarray, round_number: np.ndarray, unit_id: np.ndarray,
                 profession_id: np.ndarray) -> None:
        answers = np.asarray(answers, dtype=np.float64)
        if answers.ndim != 2:
            raise ValueError(f"answers must be a 2-d array (respondents × items), got shape {answers.shape}")
        self._init(answers.shape, round_number, unit_id, profession_id)
        self._answers: np.ndarray | None = answers
        self._codes: np.ndarray | None = None
        self._code_scale: tuple[int, int] | None = None
        self._cannot_assess_code = 0

    @classmethod
    def from_codes(cls, codes: np.ndarray, *, scale_min: int, scale_max: int, cannot_assess: int,
                   round_number: np.ndarray, unit_id: np.ndarray, profession_id: np.ndarray) -> ResponseData:
        """Responses as stored: uint8 codes, the scale value minus `scale_min`, or `cannot_assess` (above
        the scale); ValueError for a code that is neither."""
        codes = np.asarray(codes)
        if codes.dtype != np.uint8 or codes.ndim != 2:
            raise ValueError(f"codes must be a 2-d uint8 array (respondents × items), got {codes.dtype} {codes.shape}")
        points = scale_max - scale_min + 1
        if not points <= cannot_assess <= 255:
            raise ValueError(f"the code for cannot assess, {cannot_assess}, must lie above the scale's codes")
        unanswered = codes == cannot_assess
        # Every code at or above `points` must be the one for "cannot assess".
        if np.count_nonzero(codes >= points) != np.count_nonzero(unanswered):
            bad = int(codes[(codes >= points) & ~unanswered][0]) + scale_min
            raise ValueError(f"answer {bad} is not a value of the scale {scale_min}–{scale_max}")
        data = cls.__new__(cls)
        data._init(codes.shape, round_number, unit_id, profession_id)
        data._answers = None
        data._codes = codes
        data._code_scale = (scale_min, scale_max)
        data._cannot_assess_code = cannot_assess
        return data

    def _init(self, shape: tuple[int, ...], round_number, unit_id, profession_id) -> None:
        self._shape = shape
        #: int64 (n,): the round number of each response.
        self.round_number = self._column("round_number", round_number)
        #: int64 (n,): the unit of each response.
        self.unit_id = self._column("unit_id", unit_id)
        #: int64 (n,): the profession of each response.
        self.profession_id = self._column("profession_id", profession_id)

    def _column(self, name: str, values) -> np.ndarray:
        column = np.asarray(values, dtype=np.int64)
        if column.shape != (self._shape[0],):
            raise ValueError(f"{name} must have shape ({self._shape[0]},), got {column.shape}")
        return column

    def __len__(self) -> int:
        return self._shape[0]

    @property
    def item_count(self) -> int:
        """The number of items answered."""
        return self._shape[1]

    @property
    def answers(self) -> np.ndarray:
        """float64 (n, k): scale values, NaN meaning "cannot assess"."""
        if self._answers is None:
            cannot_assess = self._codes == self._cannot_assess_code
            answers = self._codes.astype(np.float64) + self._code_scale[0]
            answers[cannot_assess] = np.nan
            self._answers = answers
        return self._answers

    def positions(self, scale_min: int, scale_max: int) -> np.ndarray:
        """uint8 (n, k): each answer's place on the scale (0 for `scale_min`), the number of scale
        points for "cannot assess"; ValueError for an answer that is not a value of the scale."""
        points = scale_max - scale_min + 1
        if self._codes is not None and self._code_scale == (scale_min, scale_max):
            # Checked when made: every code is a place on this scale or "cannot assess", which lies above.
            return np.minimum(self._codes, np.uint8(points))
        answers = self.answers
        cannot_assess = np.isnan(answers)
        positions = answers - scale_min
        valid = cannot_assess | ((positions >= 0) & (positions <= points - 1) & (positions == np.floor(positions)))
        if not valid.all():
            bad = answers[~valid][0]
            raise ValueError(f"answer {bad} is not a value of the scale {scale_min}–{scale_max}")
        return np.where(cannot_assess, points, positions).astype(np.uint8)

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

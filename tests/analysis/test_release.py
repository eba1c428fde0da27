"""The release's audit against brute force, its cover, and how a release is kept.

The brute force here shares nothing with `spindeln.analysis.release`: it lists every set of hidden
cells of fewer than min people and asks, with exact rational arithmetic, whether the shown entries
span its indicator.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spindeln.analysis import release
from spindeln.analysis.release import RoundRelease, audit, decide_round, pack, primary, protect, unpack
from spindeln.analysis.suppression import Suppression


def _rank(rows: list[list[int]]) -> int:
    """Exact rank by Gauss–Jordan elimination over the rationals."""
    matrix = [[Fraction(value) for value in row] for row in rows]
    rank = 0
    for column in range(len(matrix[0]) if matrix else 0):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column]:
                factor = matrix[r][column] / matrix[rank][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank])]
        rank += 1
    return rank


def determined_small_sets(weights, present, hidden: Suppression, smallest: int) -> list[tuple]:
    """Every set of hidden cells of 1 to smallest − 1 people whose sum the shown entries determine."""
    units, professions = weights.shape
    known = []
    for u in range(units):
        for p in range(professions):
            if not (present[u, p] and hidden.cells[u, p]):
                known.append([1 if (i, j) == (u, p) else 0 for i in range(units) for j in range(professions)])
    known += [[1 if i == u else 0 for i in range(units) for _ in range(professions)]
              for u in range(units) if not hidden.units[u]]
    known += [[1 if j == p else 0 for _ in range(units) for j in range(professions)]
              for p in range(professions) if not hidden.professions[p]]
    if not hidden.total:
        known.append([1] * (units * professions))
    base = _rank(known)
    cells = [(u, p) for u in range(units) for p in range(professions) if present[u, p] and hidden.cells[u, p]]
    found = []
    for size in range(1, len(cells) + 1):
        for subset in itertools.combinations(cells, size):
            if not 1 <= sum(int(weights[cell]) for cell in subset) < smallest:
                continue
            vector = [1 if (i, j) in subset else 0 for i in range(units) for j in range(professions)]
            if _rank(known + [vector]) == base:
                found.append(subset)
    return found


@st.composite
def tables(draw, hidden_masks=True):
    units, professions = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    heads = np.array(draw(st.lists(st.sampled_from([0, 0, 1, 1, 2, 3, 4, 6]), min_size=units * professions,
                                   max_size=units * professions))).reshape(units, professions)
    weights = heads if draw(st.booleans()) else np.minimum(heads, draw(st.integers(0, 4)))
    smallest = draw(st.integers(2, 4))
    if not hidden_masks:
        return heads, weights, smallest, None
    flags = st.lists(st.booleans(), min_size=units * professions + units + professions + 1,
                     max_size=units * professions + units + professions + 1)
    bits = np.array(draw(flags))
    hidden = Suppression(cells=bits[:units * professions].reshape(units, professions) & (heads > 0),
                         units=bits[units * professions:units * professions + units],
                         professions=bits[units * professions + units:-1], total=bool(bits[-1]))
    return heads, weights, smallest, hidden


@settings(max_examples=300, deadline=None)
@given(tables())
def test_the_audit_finds_a_disclosure_exactly_when_brute_force_does(case):
    heads, weights, smallest, hidden = case
    found = audit(weights, heads > 0, hidden, smallest)
    assert bool(found) == bool(determined_small_sets(weights, heads > 0, hidden, smallest))
    for disclosure in found:
        assert 1 <= disclosure.weight < smallest and disclosure.weight == int(weights[disclosure.cells].sum())


@settings(max_examples=150, deadline=None)
@given(tables())
def test_the_audit_by_max_flow_agrees_with_the_enumeration(case):
    heads, weights, smallest, hidden = case
    enumerated = bool(audit(weights, heads > 0, hidden, smallest))
    saved, release.ENUMERATION_LIMIT = release.ENUMERATION_LIMIT, 0
    try:
        assert bool(audit(weights, heads > 0, hidden, smallest)) == enumerated
    finally:
        release.ENUMERATION_LIMIT = saved


@settings(max_examples=150, deadline=None)
@given(tables(hidden_masks=False), st.booleans(), st.booleans())
def test_a_cover_hides_every_small_entry_and_leaves_no_small_set_determined(case, total_public, exact):
    heads, weights, smallest, _ = case
    decision = protect(weights, smallest, present=heads > 0, total_public=total_public, exact=exact)
    first = primary(weights, smallest)
    assert (decision.cells >= (first.cells & (heads > 0))).all() and (decision.units >= first.units).all()
    if total_public:
        assert not decision.total
        if 0 < weights.sum() < smallest:
            # A round of fewer than min: only its head count, which is public; not even which groups are empty.
            assert decision.cells.all() and decision.units.all() and decision.professions.all()
            return
    assert not (decision.cells & (heads == 0)).any()  # an empty cell is known to be empty: no use as cover
    assert determined_small_sets(weights, heads > 0, decision, smallest) == []


def test_the_exact_cover_is_never_larger_than_the_heuristic_one():
    rng = np.random.default_rng(8)
    for _ in range(60):
        heads = rng.choice([0, 1, 1, 2, 3, 4, 5, 7], size=(int(rng.integers(2, 9)), int(rng.integers(2, 5))))

        def respondents(decision):
            units, professions, total = release.margins(heads)
            return int(heads[decision.cells].sum() + units[decision.units].sum()
                       + professions[decision.professions].sum() + total * decision.total)

        exact = protect(heads, 3, total_public=True, exact=True)
        heuristic = protect(heads, 3, total_public=True, exact=False)
        assert respondents(exact) <= respondents(heuristic)


def test_dimensions_hide_what_their_items_hide_and_items_what_the_head_counts_hide():
    heads = np.array([[5, 6, 6], [4, 3, 5], [2, 4, 4]])
    answered = np.stack([heads, heads, heads], axis=-1)
    answered[0, 0, 0] = 2  # two of the five rated the first item
    decided = decide_round(heads, answered, {"d": heads, "all": heads}, {"d": [0, 1], "all": [0, 1, 2]}, 3)
    assert decided.respondents.cells[2, 0] and not decided.respondents.cells[0, 0]  # the two in the third unit
    assert decided.items[0].cells[0, 0]
    for key in ("d", "all"):
        assert (decided.dimensions[key].cells >= decided.items[0].cells).all()
    for item in decided.items:
        assert (item.cells >= decided.respondents.cells).all() and (item.units >= decided.respondents.units).all()


def test_items_that_share_a_dimension_are_hidden_together_and_with_it():
    heads = np.array([[5, 6, 6], [4, 3, 5], [2, 4, 4]])
    answered = np.stack([heads, heads, heads, heads], axis=-1)
    answered[0, 0, 0] = 2  # two of the five rated the first item
    decided = decide_round(heads, answered, {"d": heads, "all": heads, "e": heads},
                           {"d": [0, 1], "all": [0, 1, 2], "e": [3]}, 3)
    linked = [decided.items[0], decided.items[1], decided.items[2], decided.dimensions["d"], decided.dimensions["all"]]
    first = linked[0]
    assert all((entry.cells == first.cells).all() and (entry.units == first.units).all()
               and (entry.professions == first.professions).all() and entry.total == first.total
               for entry in linked)
    assert linked[0].cells[0, 0]
    # The fourth item is in no dimension with the others: the head counts' decision is enough for it.
    assert not decided.items[3].cells[0, 0] and not decided.dimensions["e"].cells[0, 0]


def test_a_round_of_fewer_than_min_shows_its_head_count_and_nothing_else():
    heads = np.array([[1, 0], [1, 0]])
    decided = decide_round(heads, heads[..., None], {}, {}, 3)
    assert decided.respondents.total and decided.respondents.cells[heads > 0].all()


def test_a_kept_release_reads_back_the_same_on_other_axes():
    heads = np.array([[2, 5, 0], [4, 4, 3], [1, 6, 6]])
    decided = decide_round(heads, np.stack([heads, heads], -1), {"d": heads, "all": heads},
                           {"d": [0], "all": [0, 1]}, 3)
    back, unit_ids, profession_ids, rule = unpack(pack(decided, [10, 11, 12], [7, 8, 9]))
    assert (unit_ids, profession_ids, rule) == ([10, 11, 12], [7, 8, 9], release.RULE)
    for before, after in zip(decided.decisions(), back.decisions()):
        assert (before.cells == after.cells).all() and before.total == after.total
    # A unit added later (99) had nobody in the round: shown, empty. The order follows the new axes.
    moved = back.on_axes(unit_ids, profession_ids, [12, 10, 99, 11], [9, 8, 7])
    assert (moved.respondents.cells[0] == decided.respondents.cells[2, ::-1]).all()
    assert not moved.respondents.cells[2].any() and not moved.respondents.units[2]
    with pytest.raises(ValueError, match="cannot be read"):
        unpack(b"not a release")
    assert isinstance(moved, RoundRelease)

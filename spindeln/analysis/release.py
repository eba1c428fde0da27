"""The release of a round: which of its groups may show figures, decided on the whole table at once.

A round's respondents form a table: units × professions, with the unit totals, the profession totals
and the round's total as its margins. Every figure Spindeln shows is a figure of one *entry* of that
table (a cell, a margin or the total), and every figure that matters for anonymity adds up over the
cells: a head count, the number who gave each answer to an item, the sum of their ratings. So an
attacker who reads every shown entry of a round knows exactly the linear combinations of the cells
that the shown entries span, and nothing else (apart from what inequalities such as "a count is
never negative" add; docs/anonymity.md says where that matters).

**Protection.** A set S of cells is *determined* when its indicator lies in the span of the shown
entries (with the cells known to be empty: no respondent). The release protects a table when no
determined set of cells holds between 1 and min − 1 people. A hidden small cell alone, two small
cells whose sum is determined, or a hidden small unit worked out from a profession total and the
other units are all such sets; statistics offices call the check an *audit* of the suppression
pattern (Hundepool et al. 2012, *Statistical Disclosure Control*, ch. 4; Langsrud 2024,
GaussSuppression).

**The audit, exactly and quickly.** Write the table as a bipartite graph: a node per unit and per
profession, one node A for "all units" and one node B for "all professions"; cell (u, p) is an edge
u–p, unit u's total an edge u–B, profession p's total an edge A–p, the round's total A–B. Every node
is an equation (a unit's cells add up to its total, …). Combining the node equations with weights
φ shows that the determined combinations of the hidden entries are exactly x(u, p) = φ(u) − φ(p) on
the hidden cells with x = 0 on every hidden margin. Contract the hidden margins (their ends share
φ); a determined 0/1 set is then the set of hidden cells leaving a node set X that no hidden cell
enters, and the smallest such sets are single cuts. Only the few nodes that hold a profession, A or
B can be on both ends of many cells, so the audit tries every subset of those (2^(P+2) for P
professions) and decides the units, which never meet each other, in closed form: exact, and about a
millisecond for a round of thousands of units.

**Choosing the cover.** Primary suppression hides every entry with 1 to min − 1 people. The cover
(secondary suppression) is then chosen to hide as few respondents as possible: for tables of up to
`EXACT_LIMIT` hideable entries by a mixed-integer programme (scipy's `milp`, HiGHS) grown cut by
cut, each disclosure the audit finds adding the inequality that some entry breaking it is hidden or
its cells hold min people, until the audit finds nothing; for larger tables by the line-by-line
rule of `suppression.suppress` followed by the exact audit, which repairs what it finds by hiding
the cheapest entry that breaks each disclosure (also when the solver runs out of time). Both end
with the same audit; `protect` returns no table that fails it, but for one made so on purpose: a
round of fewer than min people, whose public head count is its only figure.

Pure: numpy and scipy in, plain data out.
"""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix

from spindeln.analysis.suppression import Suppression, suppress

#: Version of the rule; a release records the rule it was decided by.
RULE = "whole-table/1"
#: Tables with at most this many hideable entries get an exactly minimal cover.
EXACT_LIMIT = 1000
#: Seconds the exact solver may take for one table before the heuristic is used instead (a city's
#: table takes a few milliseconds; the limit bounds how long closing a round can take).
EXACT_SECONDS = 3.0
#: Past this many contracted profession-side nodes the audit checks cut by cut with max-flow.
ENUMERATION_LIMIT = 14


@dataclass(frozen=True, eq=False)
class Disclosure:
    """A set of hidden cells whose figures the shown entries determine, and who it holds."""

    #: (units, professions) bool: the cells of the set.
    cells: np.ndarray
    #: The people in the set (respondents, or numeric answers to an item).
    weight: int
    #: (units + professions + 2,) bool: the node set X whose boundary the set is (units, then
    #: professions, then the "all units" and "all professions" nodes).
    side: np.ndarray


@dataclass(frozen=True, eq=False)
class RoundRelease:
    """What one round releases: the hidden entries of its head counts, of each item and each dimension."""

    #: The respondents' table (who answered): the whole round's total is always shown.
    respondents: Suppression
    #: One decision per item in instrument order, on the numeric answers to it.
    items: tuple[Suppression, ...]
    #: One decision per dimension key (and the whole instrument), on the respondents with a score.
    dimensions: Mapping[str, Suppression]

    def decisions(self) -> list[Suppression]:
        """Every decision: the respondents', the items' in order, the dimensions' in key order."""
        return [self.respondents, *self.items, *(self.dimensions[key] for key in self.dimensions)]

    def on_axes(self, decided_units: Sequence[int], decided_professions: Sequence[int],
                units: Sequence[int], professions: Sequence[int]) -> RoundRelease:
        """This release, decided on the axes of unit and profession ids `decided_*`, on other axes.

        A unit or profession that was not on the decided axes had nobody in the round: its entries are
        empty and shown (as empty). One that is on the decided axes but not on the new ones must have
        had nobody either; ValueError otherwise, since its people would vanish from the table.
        """
        unit_position = _positions(decided_units, units)
        profession_position = _positions(decided_professions, professions)

        def move(decision: Suppression) -> Suppression:
            lost = np.ones(len(decided_units), dtype=bool)
            lost[unit_position[unit_position >= 0]] = False
            lost_professions = np.ones(len(decided_professions), dtype=bool)
            lost_professions[profession_position[profession_position >= 0]] = False
            if decision.units[lost].any() or decision.professions[lost_professions].any():
                raise ValueError("a unit or profession with hidden entries is missing from the new axes")
            cells = np.zeros((len(units), len(professions)), dtype=bool)
            known_u, known_p = unit_position >= 0, profession_position >= 0
            cells[np.ix_(known_u, known_p)] = decision.cells[np.ix_(unit_position[known_u],
                                                                    profession_position[known_p])]
            unit_flags = np.zeros(len(units), dtype=bool)
            unit_flags[known_u] = decision.units[unit_position[known_u]]
            profession_flags = np.zeros(len(professions), dtype=bool)
            profession_flags[known_p] = decision.professions[profession_position[known_p]]
            return Suppression(cells=cells, units=unit_flags, professions=profession_flags, total=decision.total)

        return RoundRelease(respondents=move(self.respondents), items=tuple(move(d) for d in self.items),
                            dimensions={key: move(d) for key, d in self.dimensions.items()})


def _positions(decided: Sequence[int], wanted: Sequence[int]) -> np.ndarray:
    """For each wanted id, its position among the decided ids, or -1."""
    index = {int(identifier): position for position, identifier in enumerate(decided)}
    return np.array([index.get(int(identifier), -1) for identifier in wanted], dtype=np.int64)


#: Format of a packed release (`pack` / `unpack`).
PACKED_FORMAT = 1


def pack(release: RoundRelease, unit_ids: Sequence[int], profession_ids: Sequence[int]) -> bytes:
    """A release as bytes to store: its axes, its dimension keys and every decision's flags."""
    decisions = release.decisions()
    flags = np.stack([np.concatenate([d.cells.ravel(), d.units, d.professions, [d.total]]) for d in decisions])
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array(PACKED_FORMAT), rule=np.array(RULE),
             unit_ids=np.asarray(unit_ids, dtype=np.int64), profession_ids=np.asarray(profession_ids, dtype=np.int64),
             item_count=np.array(len(release.items)), dimensions=np.array(list(release.dimensions), dtype=str),
             flags=np.packbits(flags, axis=1), width=np.array(flags.shape[1]))
    return buffer.getvalue()


def unpack(stored: bytes) -> tuple[RoundRelease, list[int], list[int], str]:
    """(release, unit ids, profession ids, rule) of a packed release; ValueError if it cannot be read."""
    try:
        with np.load(io.BytesIO(stored)) as arrays:
            if int(arrays["format"]) != PACKED_FORMAT:
                raise ValueError(f"packed release of format {int(arrays['format'])}, not {PACKED_FORMAT}")
            unit_ids, profession_ids = arrays["unit_ids"].tolist(), arrays["profession_ids"].tolist()
            width = int(arrays["width"])
            flags = np.unpackbits(arrays["flags"], axis=1, count=width).astype(bool)
            item_count, keys, rule = int(arrays["item_count"]), arrays["dimensions"].tolist(), str(arrays["rule"])
    except (KeyError, OSError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"a packed release that cannot be read: {error}") from error
    units, professions = len(unit_ids), len(profession_ids)

    def decision(row: np.ndarray) -> Suppression:
        cells = row[:units * professions].reshape(units, professions)
        return Suppression(cells=cells, units=row[units * professions:units * professions + units],
                           professions=row[units * professions + units:-1], total=bool(row[-1]))

    if flags.shape[0] != 1 + item_count + len(keys):
        raise ValueError("a packed release with the wrong number of decisions")
    release = RoundRelease(respondents=decision(flags[0]),
                           items=tuple(decision(row) for row in flags[1:1 + item_count]),
                           dimensions={key: decision(row) for key, row in zip(keys, flags[1 + item_count:])})
    return release, unit_ids, profession_ids, rule


# --- the audit ----------------------------------------------------------------------------------


def margins(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The unit totals, profession totals and the total of a table of cells."""
    weights = np.asarray(weights, dtype=np.int64)
    return weights.sum(axis=1), weights.sum(axis=0), int(weights.sum())


def primary(weights: np.ndarray, min_group_size: int) -> Suppression:
    """The entries that hold 1 to min − 1 people: hidden before any cover is chosen."""
    weights = np.asarray(weights, dtype=np.int64)
    units, professions, total = margins(weights)

    def small(n):
        return (n > 0) & (n < min_group_size)

    return Suppression(cells=small(weights), units=small(units), professions=small(professions),
                       total=bool(small(np.int64(total))))


def union(*decisions: Suppression) -> Suppression:
    """Every entry hidden by any of the decisions."""
    first, *rest = decisions
    cells, units, professions, total = (np.array(first.cells), np.array(first.units),
                                         np.array(first.professions), first.total)
    for decision in rest:
        cells |= decision.cells
        units |= decision.units
        professions |= decision.professions
        total = total or decision.total
    return Suppression(cells=cells, units=units, professions=professions, total=bool(total))


class _Graph:
    """The hidden part of a table as a contracted graph: the data the audit and the repair share."""

    def __init__(self, weights: np.ndarray, present: np.ndarray, hidden: Suppression):
        self.weights = np.asarray(weights, dtype=np.int64)
        units, professions = self.weights.shape
        self.shape = (units, professions)
        all_units, all_professions = units + professions, units + professions + 1
        parent = np.arange(units + professions + 2)

        def find(node: int) -> int:
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return int(node)

        def join(a: int, b: int) -> None:
            a, b = find(a), find(b)
            if a != b:
                parent[max(a, b)] = min(a, b)

        # A hidden margin gives no equation: its two ends share one potential.
        for unit in np.flatnonzero(hidden.units):
            join(int(unit), all_professions)
        for profession in np.flatnonzero(hidden.professions):
            join(units + int(profession), all_units)
        if hidden.total:
            join(all_units, all_professions)
        self.node_class = np.array([find(node) for node in range(units + professions + 2)])
        # The profession-side classes: those holding a profession node, A or B. A unit whose total is
        # shown stays a class of its own, touching only these.
        self.big = np.unique(self.node_class[units:])
        self.small_units = np.flatnonzero(self.node_class[:units] == np.arange(units))
        cell_units, cell_professions = np.nonzero(hidden.cells & np.asarray(present, dtype=bool))
        tails = self.node_class[cell_units]
        heads = self.node_class[units + cell_professions]
        keep = tails != heads  # a cell inside one class is never part of a determined set
        self.arc_unit, self.arc_profession = cell_units[keep], cell_professions[keep]
        self.arc_tail, self.arc_head = tails[keep], heads[keep]
        self.arc_weight = self.weights[self.arc_unit, self.arc_profession]

    def side_of(self, big_members: np.ndarray, small_members: np.ndarray) -> np.ndarray:
        """The node set X (over the original nodes) of some big classes and some small units."""
        chosen = set(self.big[big_members].tolist())
        side = np.isin(self.node_class, list(chosen))
        side[small_members] = True
        return side

    def boundary(self, side: np.ndarray) -> tuple[np.ndarray, int]:
        """The hidden cells leaving X, and the people in them."""
        tail_in, head_in = side[self.arc_tail], side[self.arc_head]
        leaving = tail_in & ~head_in
        cells = np.zeros(self.shape, dtype=bool)
        cells[self.arc_unit[leaving], self.arc_profession[leaving]] = True
        return cells, int(self.arc_weight[leaving].sum())


def audit(weights: np.ndarray, present: np.ndarray, hidden: Suppression, min_group_size: int) -> list[Disclosure]:
    """Every kind of set of fewer than `min_group_size` people that the shown entries determine.

    `weights` counts the people of each cell for this table (respondents, or numeric answers to one
    item); `present` marks the cells with at least one respondent (the others are known to be
    empty and can hide nothing). An empty list means the release protects the table. Where several
    cuts give the same set of cells, one of them is returned.
    """
    graph = _Graph(weights, present, hidden)
    if graph.arc_tail.size == 0:
        return []
    if graph.big.size > ENUMERATION_LIMIT:
        return _audit_by_flows(graph, min_group_size)
    return _audit_by_enumeration(graph, min_group_size)


def _audit_by_enumeration(graph: _Graph, min_group_size: int) -> list[Disclosure]:
    """The audit over every subset of the profession-side classes, the units decided in closed form."""
    k = graph.big.size
    subsets = ((np.arange(1 << k)[:, None] >> np.arange(k)) & 1).astype(bool)
    node_count = graph.node_class.size
    big_lookup = np.full(node_count, -1, dtype=np.int64)
    big_lookup[graph.big] = np.arange(k)
    small_lookup = np.full(node_count, -1, dtype=np.int64)
    small_lookup[graph.small_units] = np.arange(graph.small_units.size)
    tail_big, head_big = big_lookup[graph.arc_tail], big_lookup[graph.arc_head]
    from_small = tail_big < 0
    # Units whose total is shown: their arcs per profession-side class.
    rows, columns = small_lookup[graph.arc_tail[from_small]], head_big[from_small]
    small_weight = np.zeros((graph.small_units.size, k), dtype=np.int64)
    small_arcs = np.zeros((graph.small_units.size, k), dtype=np.int64)
    np.add.at(small_weight, (rows, columns), graph.arc_weight[from_small])
    np.add.at(small_arcs, (rows, columns), 1)
    # Arcs between profession-side classes (cells of units whose total is hidden).
    big_tail, big_head, big_weight = tail_big[~from_small], head_big[~from_small], graph.arc_weight[~from_small]

    found: dict[bytes, Disclosure] = {}
    # X = one unit whose total is shown: its hidden cells add up to its total minus its shown cells.
    unit_total = small_weight.sum(axis=1)
    no_big = np.zeros(k, dtype=bool)
    for unit in graph.small_units[(unit_total >= 1) & (unit_total < min_group_size)]:
        _note(found, graph, graph.side_of(no_big, np.array([unit])))
    # X = some profession-side classes with the units they force in (adding a unit that is not
    # forced only adds its hidden cells, so the smallest sets are these and the single units).
    for start in range(0, subsets.shape[0], 512):
        chunk = subsets[start:start + 512]
        tail_in, head_in = chunk[:, big_tail], chunk[:, big_head]
        # No hidden cell may enter X: X must be closed under "head in X ⇒ tail in X".
        feasible = ~(head_in & ~tail_in).any(axis=1)
        big_out = (tail_in & ~head_in).astype(np.int64) @ big_weight
        forced = (small_arcs @ chunk.T) > 0  # units with a cell into X must be in X
        out_cost = small_weight @ (~chunk).T
        base = big_out + (forced * out_cost).sum(axis=0)
        for offset in np.flatnonzero(feasible & (base >= 1) & (base < min_group_size)):
            side = graph.side_of(chunk[offset], graph.small_units[forced[:, offset]])
            _note(found, graph, side)
    return list(found.values())


def _note(found: dict[bytes, Disclosure], graph: _Graph, side: np.ndarray) -> None:
    cells, weight = graph.boundary(side)
    key = np.packbits(cells).tobytes()
    if key not in found:
        found[key] = Disclosure(cells=cells, weight=weight, side=side)


def _audit_by_flows(graph: _Graph, min_group_size: int) -> list[Disclosure]:
    """The audit cell by cell: a minimum cut around each small hidden cell (tables with many professions)."""
    from scipy.sparse.csgraph import maximum_flow

    nodes = np.unique(graph.node_class)
    position = {int(node): index for index, node in enumerate(nodes)}
    tails = np.array([position[int(node)] for node in graph.arc_tail])
    heads = np.array([position[int(node)] for node in graph.arc_head])
    infinite = int(min_group_size)
    # Forward along a cell: its people; backward: "never", since no hidden cell may enter X.
    capacity = coo_matrix(
        (np.concatenate([graph.arc_weight, np.full(tails.size, infinite)]),
         (np.concatenate([tails, heads]), np.concatenate([heads, tails]))),
        shape=(nodes.size, nodes.size)).tocsr()
    capacity.sum_duplicates()
    capacity = csr_matrix(capacity, dtype=np.int32)
    found: dict[bytes, Disclosure] = {}
    for arc in np.flatnonzero((graph.arc_weight >= 1) & (graph.arc_weight < min_group_size)):
        source, sink = int(tails[arc]), int(heads[arc])
        result = maximum_flow(capacity, source, sink)
        if result.flow_value >= min_group_size:
            continue
        # X: the nodes still reachable from the source in the residual network.
        residual = capacity - result.flow
        reachable = np.zeros(nodes.size, dtype=bool)
        reachable[source] = True
        frontier = [source]
        while frontier:
            node = frontier.pop()
            row = residual.getrow(node)
            for neighbour, spare in zip(row.indices, row.data):
                if spare > 0 and not reachable[neighbour]:
                    reachable[neighbour] = True
                    frontier.append(int(neighbour))
        side = np.isin(graph.node_class, nodes[reachable])
        _note(found, graph, side)
    return list(found.values())


# --- choosing the cover --------------------------------------------------------------------------


def protect(weights: np.ndarray, min_group_size: int, *, present: np.ndarray | None = None,
            costs: np.ndarray | None = None, start: Suppression | None = None,
            total_public: bool = False, exact: bool | None = None) -> Suppression:
    """The hidden entries of one table: the small ones, and a cover that lets none be worked out.

    `weights` counts the people of each cell for this table; `present` marks the cells with any
    respondent (default: weight > 0); `costs` is what hiding a cell loses (default: its weight;
    margins cost their sums); `start` is an earlier decision that stays hidden (the respondents'
    decision, when the table is an item's); `total_public` keeps the round's total shown (its head
    count is the live count everyone saw). `exact` forces (True) or forbids (False) the exact solver;
    by default it is used for tables of up to `EXACT_LIMIT` hideable entries.

    The result passes `audit`, with one exception by design: a table whose public total is below min
    hides every other entry, empty ones too (so that the empty groups do not point at the people),
    and its total is the one figure it shows.
    """
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, got {min_group_size}")
    weights = np.asarray(weights, dtype=np.int64)
    if weights.ndim != 2:
        raise ValueError(f"weights must be units × professions, got shape {weights.shape}")
    present = weights > 0 if present is None else np.asarray(present, dtype=bool)
    costs = weights if costs is None else np.asarray(costs, dtype=np.int64)
    hideable = _hideable(present, total_public)
    hidden = primary(weights, min_group_size)
    if start is not None:
        hidden = union(hidden, start)
    hidden = _only(hidden, hideable)
    if total_public and 0 < weights.sum() < min_group_size:
        # A round of fewer than min people shows its head count and nothing else: not even which
        # groups are empty, which would tell where its few people are.
        units, professions = weights.shape
        return Suppression(cells=np.ones((units, professions), dtype=bool), units=np.ones(units, dtype=bool),
                           professions=np.ones(professions, dtype=bool), total=False)
    if audit(weights, present, hidden, min_group_size):
        use_exact = _count(hideable) <= EXACT_LIMIT if exact is None else exact
        solved = _solve_exact(weights, present, costs, hidden, hideable, min_group_size) if use_exact else None
        if solved is not None:
            hidden = solved
        else:
            hidden = _only(union(hidden, suppress(weights, min_group_size, start=hidden)), hideable)
        hidden = _repair(weights, present, costs, hidden, hideable, min_group_size)
    # What `start` hides stays hidden, empty entries too: an item never shows what its round hides.
    return hidden if start is None else union(hidden, start)


def _hideable(present: np.ndarray, total_public: bool) -> Suppression:
    """The entries that can be hidden: those with any respondent (an empty one is known to be empty)."""
    return Suppression(cells=present.copy(), units=present.any(axis=1), professions=present.any(axis=0),
                       total=bool(present.any()) and not total_public)


def _only(decision: Suppression, allowed: Suppression) -> Suppression:
    return Suppression(cells=decision.cells & allowed.cells, units=decision.units & allowed.units,
                       professions=decision.professions & allowed.professions,
                       total=bool(decision.total and allowed.total))


def _count(decision: Suppression) -> int:
    return int(decision.cells.sum() + decision.units.sum() + decision.professions.sum() + decision.total)


def _repair(weights, present, costs, hidden: Suppression, hideable: Suppression, min_group_size: int) -> Suppression:
    """Hide the cheapest entry that breaks each disclosure the audit finds, until it finds none."""
    entries = _Entries(hideable)
    flags = entries.vector(hidden)
    cost = entries.costs(costs)
    is_margin = np.arange(entries.size) >= len(entries.cells)
    while True:
        current = entries.decision(flags)
        disclosures = audit(weights, present, current, min_group_size)
        if not disclosures:
            return current
        for disclosure in disclosures:
            breaking, leaving = entries.crossing(disclosure.side, weights)
            # Already broken by an earlier repair of this pass?
            if (breaking & flags).any() or not 1 <= int(leaving @ flags) < min_group_size:
                continue
            # Hide an entry that breaks X, or a cell leaving X big enough to lift its people to min.
            options = np.flatnonzero(~flags & (breaking | (leaving >= max(1, min_group_size - disclosure.weight))))
            if not options.size:
                raise AssertionError("a disclosure that no entry can break: the table's total would have to be hidden")
            flags[options[np.lexsort((options, is_margin[options], cost[options]))[0]]] = True


@contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Keep the solver's own prints off standard output, where `spindeln summary` writes its JSON.

    HiGHS (as shipped with scipy) prints a line now and then from C++, whatever `disp` says. Standard
    output belongs to the whole process, so one thread at a time redirects it.
    """
    with _STDOUT_LOCK:
        try:
            saved = os.dup(1)
        except OSError:
            yield
            return
        try:
            with open(os.devnull, "wb") as sink:
                os.dup2(sink.fileno(), 1)
                try:
                    yield
                finally:
                    os.dup2(saved, 1)
        finally:
            os.close(saved)


_STDOUT_LOCK = threading.Lock()


# --- a whole round -------------------------------------------------------------------------------


def decide_round(respondents: np.ndarray, answered: np.ndarray, scored: Mapping[str, np.ndarray],
                 dimension_items: Mapping[str, Sequence[int]], min_group_size: int) -> RoundRelease:
    """The release of one round from its tables (units × professions).

    `respondents` counts who answered; `answered[..., i]` the numeric answers to item i; `scored`
    the respondents with a score in each dimension, whose items `dimension_items` lists. The
    respondents' decision comes first and every other builds on it; a dimension (a composite of
    items) is hidden wherever one of its items is, so that no item can be solved from it.
    """
    respondents = np.asarray(respondents, dtype=np.int64)
    answered = np.asarray(answered, dtype=np.int64)
    present = respondents > 0
    head = protect(respondents, min_group_size, present=present, total_public=True)
    if 0 < respondents.sum() < min_group_size:
        # The round's head count is shown whatever its size (it is the live count), but a round of
        # fewer than min people shows no other figure: its total is hidden like any small group.
        head = Suppression(cells=head.cells, units=head.units, professions=head.professions, total=True)
    items = [protect(answered[..., item], min_group_size, present=present, costs=respondents, start=head)
             for item in range(answered.shape[-1])]
    dimensions = {}
    for key, members in dimension_items.items():
        start = union(head, *(items[item] for item in members)) if members else head
        dimensions[key] = protect(np.asarray(scored[key], dtype=np.int64), min_group_size, present=present,
                                  costs=respondents, start=start)
    # Items that share a dimension are hidden together, and with it: where a dimension is hidden but
    # one of its items shown, the item's answers and the dimension's n, mean and SD give the other
    # items' answers in integers (joint counts), which no linear rule sees. Hiding more keeps every
    # table protected.
    for group_items, group_dimensions in _linked(answered.shape[-1], dimension_items):
        together = union(*(items[item] for item in group_items), *(dimensions[key] for key in group_dimensions))
        for item in group_items:
            items[item] = together
        for key in group_dimensions:
            dimensions[key] = together
    return RoundRelease(respondents=head, items=tuple(items), dimensions=dimensions)


def _linked(item_count: int, dimension_items: Mapping[str, Sequence[int]]) -> list[tuple[list[int], list[str]]]:
    """The items joined through shared dimensions, each group with its dimensions (items alone left out)."""
    group = list(range(item_count))

    def root(item: int) -> int:
        while group[item] != item:
            group[item] = group[group[item]]
            item = group[item]
        return item

    for members in dimension_items.values():
        for item in members[1:]:
            group[root(item)] = root(members[0])
    linked: dict[int, tuple[list[int], list[str]]] = {}
    for key, members in dimension_items.items():
        if members:
            linked.setdefault(root(members[0]), ([], []))[1].append(key)
    for item in range(item_count):
        if root(item) in linked:
            linked[root(item)][0].append(item)
    return list(linked.values())


def hidden_share(weights: np.ndarray, decision: Suppression, min_group_size: int) -> tuple[int, int]:
    """(entries of at least min people hidden as cover, entries of at least min people): the information lost."""
    weights = np.asarray(weights, dtype=np.int64)
    units, professions, total = margins(weights)
    large = (weights >= min_group_size, units >= min_group_size, professions >= min_group_size,
             np.array(total >= min_group_size))
    hidden = (decision.cells, decision.units, decision.professions, np.array(decision.total))
    covered = sum(int((mask & flag).sum()) for mask, flag in zip(large, hidden))
    return covered, sum(int(mask.sum()) for mask in large)


class _Entries:
    """The hideable entries of a table as one vector: cells, then unit totals, profession totals, the total."""

    def __init__(self, hideable: Suppression):
        self.cells = np.argwhere(hideable.cells)
        self.units = np.flatnonzero(hideable.units)
        self.professions = np.flatnonzero(hideable.professions)
        self.total = bool(hideable.total)
        self.size = len(self.cells) + len(self.units) + len(self.professions) + int(self.total)
        self.shape = hideable.cells.shape

    def vector(self, decision: Suppression) -> np.ndarray:
        """The entries' flags of a decision."""
        parts = [decision.cells[self.cells[:, 0], self.cells[:, 1]] if len(self.cells) else np.zeros(0, bool),
                 decision.units[self.units], decision.professions[self.professions]]
        if self.total:
            parts.append(np.array([decision.total]))
        return np.concatenate(parts).astype(bool)

    def decision(self, flags: np.ndarray) -> Suppression:
        """The decision of the entries' flags."""
        cells = np.zeros(self.shape, dtype=bool)
        units = np.zeros(self.shape[0], dtype=bool)
        professions = np.zeros(self.shape[1], dtype=bool)
        cut = [len(self.cells), len(self.cells) + len(self.units),
               len(self.cells) + len(self.units) + len(self.professions)]
        if len(self.cells):
            cells[self.cells[:, 0], self.cells[:, 1]] = flags[:cut[0]]
        units[self.units] = flags[cut[0]:cut[1]]
        professions[self.professions] = flags[cut[1]:cut[2]]
        return Suppression(cells=cells, units=units, professions=professions,
                           total=bool(self.total and flags[cut[2]]))

    def costs(self, costs: np.ndarray) -> np.ndarray:
        """What hiding each entry costs: its respondents."""
        unit_costs, profession_costs, total_cost = margins(costs)
        parts = [costs[self.cells[:, 0], self.cells[:, 1]] if len(self.cells) else np.zeros(0),
                 unit_costs[self.units], profession_costs[self.professions]]
        if self.total:
            parts.append(np.array([total_cost]))
        return np.concatenate(parts).astype(np.float64)

    def crossing(self, side: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For a node set X (a disclosure's `side`): which entries break it when hidden (a cell entering X,
        a total across its edge), and the people of each cell leaving X (0 for every other entry)."""
        units, professions = self.shape
        all_units, all_professions = units + professions, units + professions + 1
        unit_in, profession_in = side[self.cells[:, 0]], side[units + self.cells[:, 1]]
        breaking = np.concatenate([
            profession_in & ~unit_in,
            side[self.units] != side[all_professions],
            side[all_units] != side[units + self.professions],
            [side[all_units] != side[all_professions]] if self.total else [],
        ]).astype(bool)
        people = weights[self.cells[:, 0], self.cells[:, 1]] if len(self.cells) else np.zeros(0, dtype=np.int64)
        leaving = np.concatenate([np.where(unit_in & ~profession_in, people, 0),
                                  np.zeros(self.size - len(self.cells), dtype=np.int64)])
        return breaking, leaving.astype(np.int64)

    def cut(self, side: np.ndarray, weights: np.ndarray, min_group_size: int) -> np.ndarray:
        """The coefficients of the cut a disclosure X gives: min for each entry that breaks it when
        hidden, people for each cell leaving X."""
        breaking, leaving = self.crossing(side, weights)
        return np.where(breaking, min_group_size, leaving).astype(np.float64)


def _solve_exact(weights, present, costs, hidden: Suppression, hideable: Suppression,
                   min_group_size: int) -> Suppression | None:
    """The cover that hides the fewest respondents, by a mixed-integer programme grown cut by cut.

    One binary per hideable entry. Each disclosure X the audit finds gives the inequality "some entry
    that breaks X is hidden, or the cells leaving X hold at least min people":
    Σ min·y(breaking) + Σ people·y(leaving) ≥ min. Every protected release meets every such
    inequality (a small set always holds one of the small cells, which are hidden from the start),
    so the programme is a relaxation of the real problem; solve it, audit the answer, add the cuts of
    what the audit finds, and stop when it finds nothing: the answer is then protected and minimal.
    None if the solver gives up (time limit).
    """
    entries = _Entries(hideable)
    fixed = entries.vector(hidden)
    cost = entries.costs(costs)
    # Respondents hidden first; among equal covers, the one with fewer entries.
    objective = np.where(fixed, 0.0, cost * (entries.size + 1) + 1)
    bounds = Bounds(fixed.astype(np.float64), np.ones(entries.size))
    cuts: list[np.ndarray] = []
    seen: set[bytes] = set()
    current = hidden
    deadline = time.monotonic() + EXACT_SECONDS
    while True:
        disclosures = audit(weights, present, current, min_group_size)
        if not disclosures:
            return current
        for disclosure in disclosures:
            row = entries.cut(disclosure.side, weights, min_group_size)
            key = row.tobytes()
            if key not in seen:
                seen.add(key)
                cuts.append(row)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        with _stdout_silenced():
            result = milp(objective, integrality=np.ones(entries.size), bounds=bounds,
                          constraints=LinearConstraint(np.vstack(cuts), min_group_size, np.inf),
                          options={"time_limit": remaining})
        if result.x is None:
            return None
        current = union(hidden, entries.decision(result.x > 0.5))

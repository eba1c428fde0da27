"""Discussion prompts: the few findings of a round worth talking about at a meeting.

A prompt is a finding, not a number: each kind is given only where its test holds after a correction
across the items tested together (Benjamini–Hochberg's, `change.benjamini_hochberg`, for low ratings
and changes; Holm's, `change.holm`, for the professions' gaps), so that a meeting is not sent after
noise. The prompts are data (a kind, the round, the item and the figures behind it); the pages and
the PDF word them. At most two of each kind, in this order:

- "lowest": items rated clearly on the low side: more answers below the middle of the scale than
  above it, by a one-sided sign test (exact binomial; answers at the middle of an odd scale left
  out), corrected across the items by Benjamini–Hochberg; the lowest mean first. (A t test of the mean against the
  middle says "low" too often on ten-point answers of ten people: its far tail, where Holm's
  correction looks, is not exact for them);
- "disagreement": items whose ratings are split (more spread than random answers, significantly)
  or spread widely (low agreement, rwg < .50); split first, then by rwg, ties by the larger SD;
- "change": items whose change since the previous selected round holds (Brunner–Munzel,
  corrected with the dimensions by Benjamini–Hochberg); the largest |Cliff's delta| first. Where the units that
  answered differ between the rounds, the change of the units that answered both is used when the
  release shows it, and the prompt says so;
- "no_clear_change": where rounds were compared and no item's change holds: said plainly;
- "gap": items on which the professions differ clearly (Kruskal–Wallis, Holm-corrected, and a gap
  of at least a point on a 1–10 scale); the largest gap first.
"""

from __future__ import annotations

from scipy.stats import binom

from spindeln.analysis.change import ALPHA, benjamini_hochberg
from spindeln.analysis.schema import Comparison, ItemEntry, ProfessionsEntry, PromptEntry, RoundEntry

#: How many prompts of one kind at most.
PER_KIND = 2


def discussion_prompts(round_entry: RoundEntry, comparison: Comparison | None,
                       professions_entry: ProfessionsEntry | None, scale: tuple[int, int]) -> list[PromptEntry]:
    """The prompts of one round of a summary, from its round entry, its comparison with the previous
    round (or None), its profession comparison (or None) and the scale's (min, max)."""
    number = round_entry["number"]
    prompts: list[PromptEntry] = []

    low = _clearly_low(round_entry["items"], (scale[0] + scale[1]) / 2)
    for item, (below, above), p_adjusted in sorted(low, key=lambda found: found[0]["mean"])[:PER_KIND]:
        prompts.append(_prompt("lowest", number, item["key"], mean=item["mean"], n=item["n"], sd=item["sd"],
                               below=below, above=above, p_adjusted=p_adjusted))

    disputed = [item for item in round_entry["items"] if item["agreement"] in ("split", "low")]
    disputed.sort(key=lambda item: (item["agreement"] != "split", item["rwg"], -(item["sd"] or 0)))
    for item in disputed[:PER_KIND]:
        prompts.append(_prompt("disagreement", number, item["key"], rwg=item["rwg"], ad_m=item["ad_m"],
                               sd=item["sd"], agreement=item["agreement"], n=item["n"]))

    if comparison is not None and comparison["comparable"]:
        prompts.extend(_change_prompts(number, comparison))

    if professions_entry is not None:
        gaps = [item for item in professions_entry["items"] if item.get("clear")]
        for item in sorted(gaps, key=lambda item: -item["largest_gap"])[:PER_KIND]:
            prompts.append(_prompt("gap", number, item["key"], largest_gap=item["largest_gap"],
                                   between=list(item["between"]), means=dict(item["means"]),
                                   p_adjusted=item["p_adjusted"]))
    return prompts


def _clearly_low(items: list[ItemEntry], middle: float) -> list[tuple[ItemEntry, tuple[int, int], float]]:
    """The items with more answers below the scale's middle than above it, by a one-sided sign test,
    corrected across the items (Benjamini–Hochberg): each with (answers below, answers above) and its
    adjusted p-value."""
    p_values: list[float | None] = []
    sides: list[tuple[int, int]] = []
    for item in items:
        counts = item["counts"] or {}
        below = sum(count for value, count in counts.items() if float(value) < middle)
        above = sum(count for value, count in counts.items() if float(value) > middle)
        sides.append((below, above))
        # P(at least `below` of the answers off the middle fall below it | each side equally likely).
        p_values.append(float(binom.sf(below - 1, below + above, 0.5)) if below + above and item["mean"] is not None
                        else None)
    return [(item, side, adjusted) for item, side, adjusted in zip(items, sides, benjamini_hochberg(p_values))
            if adjusted is not None and adjusted < ALPHA]


def _change_prompts(number: int, comparison: Comparison) -> list[PromptEntry]:
    """The changes that hold, or one prompt saying that none does."""
    composition = comparison.get("composition") or {}
    entries, common = comparison["items"], None
    if composition.get("differs") and composition.get("within_common"):
        entries, common = composition["within_common"], composition["common_units"]
    tested = [entry for entry in entries if entry["p_value"] is not None]
    changed = sorted((entry for entry in tested if entry["changed"]), key=lambda entry: -abs(entry["cliffs_delta"]))
    if tested and not changed:
        return [_prompt("no_clear_change", number, None, from_round=comparison["from_round"],
                        composition_differs=bool(composition.get("differs")), common_units=common)]
    return [
        _prompt("change", number, entry["key"], from_round=comparison["from_round"], from_mean=entry["from_mean"],
                to_mean=entry["to_mean"], change=entry["change"], ci_low=entry["ci_low"], ci_high=entry["ci_high"],
                cliffs_delta=entry["cliffs_delta"], delta_low=entry["delta_low"], delta_high=entry["delta_high"],
                p_adjusted=entry["p_adjusted"], small_sample=entry["small_sample"],
                composition_differs=bool(composition.get("differs")), common_units=common)
        for entry in changed[:PER_KIND]
    ]


def _prompt(kind: str, round_number: int, item_key: str | None, **figures) -> PromptEntry:
    return {"kind": kind, "round": round_number, "item": item_key, "figures": figures}

"""Discussion prompts: the few figures of a round most worth talking about at a meeting.

The prompts are data, not prose: a kind, the round, the item and the figures behind it; the pages
and the PDF word them. At most two prompts of each kind, in this order of kinds:

- "lowest": the lowest-rated items;
- "disagreement": the items with the least agreement (lowest rwg, not in the "high" band);
- "change": the largest changes in mean since the previous selected round, leaving out changes
  whose Cliff's delta is negligible (|d| < .147; Romano et al. 2006);
- "gap": the largest gaps between the professions' means.
"""

from __future__ import annotations

from spindeln.analysis.schema import Comparison, ProfessionsEntry, PromptEntry, RoundEntry

#: How many prompts of one kind at most.
PER_KIND = 2
#: |Cliff's delta| below this is a negligible change (Romano, Kromrey, Coraggio & Skowronek 2006).
NEGLIGIBLE_DELTA = 0.147


def discussion_prompts(round_entry: RoundEntry, comparison: Comparison | None,
                       professions_entry: ProfessionsEntry | None) -> list[PromptEntry]:
    """The ranked prompts of one round of a summary, from its round entry, its comparison with the
    previous round (or None) and its profession comparison (or None)."""
    number = round_entry["number"]
    prompts: list[PromptEntry] = []

    rated = [item for item in round_entry["items"] if item["mean"] is not None]
    for item in sorted(rated, key=lambda item: item["mean"])[:PER_KIND]:
        prompts.append(_prompt("lowest", number, item["key"], mean=item["mean"], n=item["n"], sd=item["sd"]))

    disputed = [item for item in round_entry["items"]
                if item["rwg"] is not None and item["agreement"] != "high"]
    for item in sorted(disputed, key=lambda item: item["rwg"])[:PER_KIND]:
        prompts.append(_prompt("disagreement", number, item["key"], rwg=item["rwg"], ad_m=item["ad_m"],
                               sd=item["sd"], agreement=item["agreement"], n=item["n"]))

    if comparison is not None and comparison["comparable"]:
        changed = [item for item in comparison["items"]
                   if item["change"] is not None and item["cliffs_delta"] is not None
                   and abs(item["cliffs_delta"]) >= NEGLIGIBLE_DELTA]
        for item in sorted(changed, key=lambda item: -abs(item["change"]))[:PER_KIND]:
            prompts.append(_prompt(
                "change", number, item["key"], from_round=comparison["from_round"],
                from_mean=item["from_mean"], to_mean=item["to_mean"], change=item["change"],
                ci_low=item["ci_low"], ci_high=item["ci_high"], cliffs_delta=item["cliffs_delta"],
                small_sample=item["small_sample"],
            ))

    if professions_entry is not None:
        gaps = [item for item in professions_entry["items"] if item["largest_gap"] is not None]
        for item in sorted(gaps, key=lambda item: -item["largest_gap"])[:PER_KIND]:
            prompts.append(_prompt("gap", number, item["key"], largest_gap=item["largest_gap"],
                                   between=list(item["between"]), means=dict(item["means"])))
    return prompts


def _prompt(kind: str, round_number: int, item_key: str, **figures) -> PromptEntry:
    return {"kind": kind, "round": round_number, "item": item_key, "figures": figures}

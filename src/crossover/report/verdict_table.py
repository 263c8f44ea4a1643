"""The verdict table: one row per behaviour axis of a ``GroupVerdict``, as HTML.

The report page shows it under each annotator's verdict, and a notebook shows it inline for a study opened with
``crossover.open`` (``crossover.results``); it needs neither the figures nor the page around it.
"""

from __future__ import annotations

import math

from crossover.report.labels import amount, fmt
from crossover.report.markup import Markup, tag
from crossover.report.verdict import AxisVerdict, GroupVerdict


def _effect(change_effect: str, words: str) -> Markup:
    return tag("span", words, class_=f"effect-{change_effect}" if change_effect in ("helps", "hurts") else None)


def verdict_table(group: GroupVerdict) -> Markup:
    p = group.point or {}
    heads = ["behaviour (↑/↓: better direction; ● primary)", f"at SFT({p.get('n0')})", f"+{p.get('m')} pairs",
             f"+{p.get('n')} SFT examples", "pairs vs more SFT, head to head",
             "prices (SFT examples per pair)", f"at the study's prices (pair = {amount(group.price_ratio)} SFT)",
             "crossover budget", "flags raised"]
    return tag("div", tag("table", tag("thead", tag("tr", [tag("th", h) for h in heads])),
                          tag("tbody", [verdict_row(a) for a in group.axes]), class_="verdict"), class_="table-wrap")


def verdict_row(a: AxisVerdict) -> Markup:
    arrow = {True: " ↑", False: " ↓"}.get(a.better, "")
    flags = [tag("div", tag("span", "⚑ ", class_="flag"), f.short()) for f in a.flags] or "none"
    versus = (a.versus.words() + (f"; {a.equivalence}" if a.equivalence else "")
              + (f"; detectable at 80% power: ±{fmt(a.mdc)}" if math.isfinite(a.mdc) else ""))
    return tag("tr", tag("td", tag("b", ("● " if a.primary else "") + a.name + arrow),
                         tag("span", a.description, class_="what")),
               tag("td", fmt(a.parent), class_="num"),
               tag("td", _effect(a.pairs.effect, a.pairs.words())),
               tag("td", _effect(a.more_sft.effect, a.more_sft.words())),
               tag("td", versus), tag("td", a.ratio), tag("td", a.decision_words()), tag("td", a.budget),
               tag("td", flags),
               class_=f"tone-{a.tone}", data_axis=a.name)

"""The breakeven price ratio r* at a starting point SFT(n0), with a confidence set that may be unbounded.

For a behaviour metric (DESIGN.md, "The crossover, defined")::

    d_pref = score(SFT(n0) > PO(m)) - score(SFT(n0))        gain from m preference pairs
    d_sft  = score(SFT(n0 + n))     - score(SFT(n0))        gain from n more SFT examples
    r*     = (d_pref / m) / (d_sft / n)                     one pair is worth r* SFT examples

A ratio of two noisy differences needs care: when d_sft cannot be told from zero, r* can be any size. Its
confidence set is found by test inversion, the bootstrap analogue of Fieller's theorem (Fieller 1954): rho is in
the set iff the interval of ``d_pref/m - rho * d_sft/n`` covers zero, i.e. iff "a pair is worth exactly rho
examples" is not rejected. The set is bounded exactly when d_sft's interval excludes zero; otherwise it is a
ray ("at least ...") or the whole line (undefined), and the output says so rather than print a huge number.

At the configured prices the decision needs no ratio at all: pairs pay iff the gain per unit of money from pairs
exceeds that from SFT, ``sign * (d_pref / cost_pairs - d_sft / cost_sft) > 0``, with its own interval.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from crossover.analysis.bootstrap import Estimate, combine
from crossover.analysis.context import Context, columns
from crossover.pricing import CrossoverPoint

RatioStatus = Literal["bounded", "no upper bound", "no lower bound", "unbounded", "empty", "not measured"]
GRID = 241
BISECTIONS = 40


@dataclass(frozen=True)
class RatioSet:
    lo: float
    hi: float
    status: RatioStatus


def _covers_zero(g: np.ndarray, confidence: float) -> np.ndarray:
    """Whether the percentile interval of each row of draws ``g`` (rows, draws) covers zero."""
    alpha = 1.0 - confidence
    lo, hi = np.quantile(g, [alpha / 2, 1 - alpha / 2], axis=-1)
    return (lo <= 0) & (hi >= 0)


def ratio_confidence_set(a: np.ndarray, c: np.ndarray, point: float | None, confidence: float) -> RatioSet:
    """Confidence set of rho = a / c from joint draws of a and c, by inverting ``0 in CI(a - rho c)``.

    rho is parametrised by an angle, rho = tan(phi), phi in [-pi/2, pi/2], and ``a cos(phi) - c sin(phi)`` (same
    sign as ``a - rho c``) is tested on a grid, whose sign changes are refined by bisection. Both ends of the
    grid are rho = infinity, included iff the interval of c covers zero. The reported interval is the piece of
    the set holding the point estimate.
    """
    phi = np.linspace(-math.pi / 2, math.pi / 2, GRID)
    inside = _covers_zero(a[None, :] * np.cos(phi)[:, None] - c[None, :] * np.sin(phi)[:, None], confidence)
    if inside.all():
        return RatioSet(-math.inf, math.inf, "unbounded")
    if not inside.any():
        return RatioSet(math.nan, math.nan, "empty")

    def test(angle: float) -> bool:
        return bool(_covers_zero(a * math.cos(angle) - c * math.sin(angle), confidence))

    def edge(lo: float, hi: float, inside_at_lo: bool) -> float:
        for _ in range(BISECTIONS):
            mid = (lo + hi) / 2
            if test(mid) == inside_at_lo:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    pieces = []  # (start angle, end angle) of included runs, refined
    j = 0
    while j < GRID:
        if not inside[j]:
            j += 1
            continue
        k = j
        while k + 1 < GRID and inside[k + 1]:
            k += 1
        start = phi[0] if j == 0 else edge(phi[j - 1], phi[j], False)
        end = phi[-1] if k == GRID - 1 else edge(phi[k], phi[k + 1], True)
        pieces.append((start, end))
        j = k + 1
    target = math.atan(point) if point is not None and math.isfinite(point) else None
    chosen = next((p for p in pieces if target is not None and p[0] <= target <= p[1]), None)
    if chosen is None:
        chosen = (pieces[0][0], pieces[-1][1])
    lo = -math.inf if chosen[0] <= -math.pi / 2 else math.tan(chosen[0])
    hi = math.inf if chosen[1] >= math.pi / 2 else math.tan(chosen[1])
    if math.isinf(lo) and math.isinf(hi):
        return RatioSet(lo, hi, "unbounded")
    status: RatioStatus = "no upper bound" if math.isinf(hi) else "no lower bound" if math.isinf(lo) else "bounded"
    return RatioSet(lo, hi, status)


@dataclass(frozen=True)
class BreakevenFigure:
    annotator: str
    method: str
    n0: int
    n: int
    m: int
    probe: str
    metric: str
    higher_is_better: bool | None
    parent: float
    more_sft: float
    with_pairs: float
    d_sft: float
    d_sft_lo: float
    d_sft_hi: float
    d_sft_verdict: str
    d_pref: float
    d_pref_lo: float
    d_pref_hi: float
    d_pref_verdict: str
    breakeven_ratio: float | None
    """Point estimate of r*: SFT examples one pair is worth at this margin (None where d_sft = 0)."""
    ratio_lo: float
    ratio_hi: float
    ratio_status: RatioStatus
    price_ratio: float
    """Price of one pair in SFT examples under the cost model."""
    pays: float
    """Gain per unit of money from pairs minus that from SFT, oriented so that positive favours pairs."""
    pays_lo: float
    pays_hi: float
    decision: str
    n_seeds: int
    n_items: int
    resampled: str
    base: str = "default"
    """The base model (the prior-strength axis); studies on one base have one."""

    def as_dict(self) -> dict:
        return {"base": self.base} | {k: v for k, v in asdict(self).items() if k != "base"}

    def words(self) -> str:
        """The figure in plain words, intervals included."""
        return describe(self)


def _fmt(x: float, digits: int = 3) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.{digits}g}" if abs(x) >= 100 else f"{x:.{digits}f}"


def _interval(point: float, lo: float, hi: float) -> str:
    return f"{_fmt(point)} [{_fmt(lo)}, {_fmt(hi)}]"


def describe(f: BreakevenFigure) -> str:
    pref = f"{f.m} pairs {_interval(f.d_pref, f.d_pref_lo, f.d_pref_hi)}"
    sft = f"{f.n} more SFT {_interval(f.d_sft, f.d_sft_lo, f.d_sft_hi)}"
    if "cannot tell" in (f.d_pref_verdict, f.d_sft_verdict):
        return f"{pref}; {sft}: a single run without item records, no interval: cannot tell"
    if f.higher_is_better is None:
        return f"change with {pref}; with {sft} (no better direction)"
    better = "increase" if f.higher_is_better else "decrease"
    worse = "decrease" if f.higher_is_better else "increase"

    def effect(verdict: str) -> str:
        return {better: "helps", worse: "hurts"}.get(verdict, "no detectable difference")

    head = f"pairs: {effect(f.d_pref_verdict)} ({pref}); more SFT: {effect(f.d_sft_verdict)} ({sft})"
    if f.ratio_status == "bounded" and f.d_sft_verdict == better:
        ratio = f"one pair is worth {_fmt(f.breakeven_ratio or math.nan, 3)} SFT examples " \
                f"[{_fmt(f.ratio_lo, 3)}, {_fmt(f.ratio_hi, 3)}]"
    elif f.ratio_status == "no upper bound" and f.d_pref_verdict == better:
        ratio = f"one pair is worth at least {_fmt(f.ratio_lo, 3)} SFT examples (no upper bound)"
    elif f.d_sft_verdict == worse:
        ratio = "r* is not a price here (more SFT makes it worse)"
    else:
        ratio = "r* is undefined (more SFT shows no detectable gain)"
    return f"{head}; {ratio}; at a price ratio of {_fmt(f.price_ratio, 3)}: {f.decision}"


def breakeven_figures(ctx: Context, point: CrossoverPoint) -> list[BreakevenFigure]:
    parent_arm, more_arm, pref_arm = point.arms()
    figures = []
    for annotator in ctx.data.annotators:
        parent, more, child = (ctx.data.cell(annotator, a) for a in (parent_arm, more_arm, pref_arm))
        if parent is None or more is None or child is None or child.annotator != annotator:
            continue
        cost_sft = ctx.cost_of(more) - ctx.cost_of(parent)
        cost_pref = ctx.cost_of(child) - ctx.cost_of(parent)
        price_ratio = (cost_pref / point.m) / (cost_sft / point.n) if cost_sft > 0 else math.nan
        for probe, metric in ctx.metrics():
            tables = [ctx.table(c, probe, metric) for c in (parent, more, child)]
            if any(t is None for t in tables):
                continue
            figures.append(_figure(ctx, point, annotator, probe, metric, *tables, cost_sft, cost_pref, price_ratio))
    return figures


def _figure(ctx: Context, point: CrossoverPoint, annotator: str, probe: str, metric: str, parent, more, child,
            cost_sft: float, cost_pref: float, price_ratio: float) -> BreakevenFigure:
    better = ctx.higher_is_better(probe, metric)
    d_sft = ctx.contrast(more, parent)
    d_pref = ctx.contrast(child, parent)
    assert d_sft is not None and d_pref is not None
    a, c = d_pref.draws / point.m, d_sft.draws / point.n
    ratio = (d_pref.point / point.m) / (d_sft.point / point.n) if d_sft.point != 0 else None
    if d_sft.has_interval and d_pref.has_interval:
        rset = ratio_confidence_set(a, c, ratio, ctx.settings.confidence)
    else:
        rset = RatioSet(math.nan, math.nan, "not measured")
    pays = _pays(ctx, better, parent, more, child, cost_sft, cost_pref)
    decision = ("not applicable (no better direction)" if better is None
                else {"increase": "pairs pay", "decrease": "more SFT pays"}.get(pays.verdict, pays.verdict)
                if pays is not None else "not applicable (free data)")
    pays_cols = columns("pays", pays, verdict=False)
    return BreakevenFigure(
        annotator=annotator, method=point.method, n0=point.n0, n=point.n, m=point.m, probe=probe, metric=metric,
        higher_is_better=better, parent=parent.estimate, more_sft=more.estimate, with_pairs=child.estimate,
        **{k: v for k, v in columns("d_sft", d_sft).items()}, **{k: v for k, v in columns("d_pref", d_pref).items()},
        breakeven_ratio=ratio, ratio_lo=rset.lo, ratio_hi=rset.hi, ratio_status=rset.status,
        price_ratio=price_ratio, pays=pays_cols["pays"], pays_lo=pays_cols["pays_lo"], pays_hi=pays_cols["pays_hi"],
        decision=decision, n_seeds=d_pref.n_seeds, n_items=d_pref.n_items, resampled=d_pref.resampled)


def _pays(ctx: Context, better: bool | None, parent, more, child, cost_sft: float,
          cost_pref: float) -> Estimate | None:
    """sign * (d_pref / cost_pref - d_sft / cost_sft): positive when money spent on pairs buys more gain."""
    if better is None or cost_sft <= 0 or cost_pref <= 0:
        return None
    sign = 1.0 if better else -1.0
    try:
        table = combine([(sign / cost_pref, child), (-sign / cost_pref, parent),
                         (-sign / cost_sft, more), (sign / cost_sft, parent)])
    except ValueError:
        return None
    return ctx.estimate(table)

"""Multiplicity: which findings survive once the number of tests is counted, and how many chance findings to expect.

A study asks many questions at once (the quick study: 4 arm pairs x 14 flags, about 300 tests in its tables).
At 95% each, about 1.4 false flags per study would be expected under no effect at all. Three families are kept:

- **Primary endpoints** (gold satisfaction and one headline metric per behaviour axis, declared before the data:
  ``[analysis] primary`` in the study file, ``DEFAULT_PRIMARY`` otherwise) are read at the nominal level, each with
  its own interval; the page states how many chance findings their number implies (``alpha x tests``).
- **Failure flags** are controlled family-wise per arm pair by Holm's step-down procedure (Holm 1979): the chance
  that a clean arm pair raises any flag is at most ``alpha``, whatever the dependence between flags.
- **Secondary tables** (the non-primary rows of the breakeven table, the equal-cost allocations, the gain curves)
  are controlled for the false-discovery rate by Benjamini & Hochberg (1995): among the findings that survive, at
  most a share ``alpha`` are expected to be false (``scipy.stats.false_discovery_control``). BH assumes
  independent or positively dependent tests (Benjamini & Yekutieli 2001), which paired contrasts of one study
  plausibly are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

DEFAULT_PRIMARY: tuple[tuple[str, str], ...] = (
    ("satisfaction", "gold"),
    ("knowledge", "accuracy"),
    ("style", "specific_rate"),
    ("sycophancy", "flip_rate"),
    ("refusal", "over_refusal"),
    ("refusal", "harmful_compliance"),
    ("hallucination", "hallucination_rate"),
    ("ood", "utility"),
    ("intervention", "sensitivity"),
    ("emotion", "reflect_first_rate"),
    ("roleplay", "fidelity"),
    ("selfreport", "accuracy"),
)
"""Gold satisfaction and one headline metric per behaviour axis of DESIGN.md (knowledge and logic retention, style,
sycophancy, over-refusal, harmful compliance, hallucination, out-of-distribution robustness, partner
interventions, emotional disclosure, expressive range, self-report); length and proxy-vs-gold divergence are
read through their flags."""


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm (1979) adjusted p-values: ``max_{j <= k} min(1, (m - j + 1) p_(j))`` in sorted order; NaN stays NaN
    and does not count towards m."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, math.nan)
    finite = np.flatnonzero(~np.isnan(p))
    if not finite.size:
        return out
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adjusted
    return out


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg (1995) adjusted p-values (q-values); NaN stays NaN and does not count."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, math.nan)
    finite = ~np.isnan(p)
    if finite.any():
        out[finite] = stats.false_discovery_control(p[finite], method="bh")
    return out


def _names(rows: list[dict]) -> list[str]:
    return sorted({f"{r['probe']}.{r['metric']}" for r in rows})


def multiplicity_summary(primary: Sequence[tuple[str, str]], breakeven: list[dict], flags: list[dict],
                         allocations: list[dict], arms: list[dict], alpha: float) -> dict:
    """The three families: how many tests, how many chance findings to expect, what survives; ``words`` says it."""
    prim = [r for r in breakeven if r.get("primary")]
    prim_tests = sum(1 for r in prim for k in ("d_pref_p", "decision_p") if math.isfinite(r.get(k, math.nan)))
    prim_found = [f"[{r['annotator']}] {r['probe']}.{r['metric']}: pairs {r['d_pref_verdict']}"
                  for r in prim if r.get("d_pref_survives")]
    prim_found += [f"[{r['annotator']}] {r['probe']}.{r['metric']}: {r['decision']}" for r in prim
                   if r.get("decision_survives")]
    pairs = sorted({(r.get("base", ""), r["annotator"], r["arm"]) for r in flags})
    checks = sum(1 for r in flags if math.isfinite(r.get("p_value", math.nan)))
    raised = [r for r in flags if r["status"] == "flagged"]
    dropped = [r for r in flags if r["status"] == "not after Holm"]
    sec = [r for r in breakeven if not r.get("primary")]
    sec_tests = sum(1 for r in sec for k in ("d_pref_p", "d_sft_p", "decision_p")
                    if math.isfinite(r.get(k, math.nan)))
    sec_raw = sum(1 for r in sec for k in ("d_pref_p", "d_sft_p", "decision_p") if r.get(k, math.nan) <= alpha)
    sec_kept = sum(1 for r in sec for k in ("d_pref_survives", "d_sft_survives", "decision_survives") if r.get(k))
    out = {
        "alpha": alpha,
        "primary": {"endpoints": [f"{p}.{m}" for p, m in primary if f"{p}.{m}" in _names(prim)],
                    "declared": [f"{p}.{m}" for p, m in primary], "rows": len(prim), "tests": prim_tests,
                    "expected_chance_findings": alpha * prim_tests, "findings": prim_found},
        "flags": {"arm_pairs": len(pairs), "checks": checks, "familywise_alpha": alpha,
                  "expected_pairs_with_a_false_flag_at_most": alpha * len(pairs), "raised": len(raised),
                  "not_after_holm": [f"[{r['annotator']}] {r['arm']}: {r['flag']}" for r in dropped]},
        "secondary": {"breakeven_tests": sec_tests, "fdr": alpha, "significant_alone": sec_raw, "surviving": sec_kept,
                      "expected_false_among_surviving_at_most": alpha * sec_kept,
                      "allocations_surviving": sum(1 for r in allocations if r.get("advantage_survives")),
                      "allocations_tests": sum(1 for r in allocations if math.isfinite(r.get("advantage_p", math.nan))),
                      "gains_surviving": sum(1 for r in arms if r.get("gain_survives")),
                      "gains_tests": sum(1 for r in arms if math.isfinite(r.get("gain_p", math.nan)))},
    }
    out["words"] = multiplicity_words(out)
    return out


def multiplicity_words(m: dict) -> list[str]:
    """The chance findings to expect and what survives, in sentences (the page, Markdown and terminal say these)."""
    level = f"{1 - m['alpha']:.0%}"
    p, f, s = m["primary"], m["flags"], m["secondary"]
    found = "; ".join(p["findings"]) if p["findings"] else "none"
    out = [f"Primary endpoints ({', '.join(p['endpoints'])}), each at {level}: {p['tests']} tests (pairs' change "
           f"and the decision at the study's price), so about {p['expected_chance_findings']:.1f} chance findings "
           f"are expected under no effect at all. Found: {found}."] if p["tests"] else []
    if f["arm_pairs"]:
        dropped = f" Not after the correction: {'; '.join(f['not_after_holm'])}." if f["not_after_holm"] else ""
        out.append(f"Failure flags: {f['checks']} checks over {f['arm_pairs']} arm pairs, Holm-corrected per arm "
                   f"pair, so a clean arm pair raises any flag with probability at most {m['alpha']:.0%} (at most "
                   f"{f['expected_pairs_with_a_false_flag_at_most']:.2f} arm pairs with a false flag expected). "
                   f"Raised: {f['raised']}.{dropped}")
    if s["breakeven_tests"]:
        out.append(f"Secondary metrics at the crossover point: {s['breakeven_tests']} tests, false-discovery rate "
                   f"{m['alpha']:.0%} (Benjamini-Hochberg): {s['significant_alone']} significant alone, "
                   f"{s['surviving']} survive (at most {s['expected_false_among_surviving_at_most']:.1f} of them "
                   f"expected false). Equal-cost allocations: {s['allocations_surviving']} of "
                   f"{s['allocations_tests']} survive; gains over the base: {s['gains_surviving']} of "
                   f"{s['gains_tests']}.")
    return out

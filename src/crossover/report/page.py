"""The HTML report: one self-contained page per study, assembled from the study directory alone.

``write_html_report(DIR)`` reads ``DIR`` (after ``crossover analyze``) and writes ``DIR/report.html``: the
verdict per behaviour axis at the top, the figures, side-by-side transcripts and provenance. Scripts, styles,
plotly.js and the figures' data are inline, and a content security policy tells the browser to fetch nothing,
so the file opens by path on a machine without network and no request leaves it. All text from the study
(model replies, prompts, names) goes through ``markup.tag``, which escapes it.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from crossover.report import assets
from crossover.report import provenance as prov
from crossover.report.figures.dynamics import dynamics_panel
from crossover.report.figures.gains import gain_panel
from crossover.report.figures.heatmap import heatmap_panel
from crossover.report.figures.lengths import length_panel
from crossover.report.figures.overoptimisation import overoptimisation_panel
from crossover.report.figures.selfreport import selfreport_panel
from crossover.report.labels import amount, fmt, interval
from crossover.report.markup import Child, Markup, json_for_script, tag
from crossover.report.panel import Panel
from crossover.report.sources import ReportInputs, length_frame, read_inputs, run_frame, training_curves
from crossover.report.transcripts import Reply, Transcript, transcripts
from crossover.report.verdict import GroupVerdict, group_verdicts, missing_point_note, summary_sentences
from crossover.report.verdict_table import verdict_table

REPORT_NAME = "report.html"


def write_html_report(root: Path) -> Path:
    """Build ``root/report.html`` from the study directory (written whole, then renamed into place)."""
    root = Path(root)
    page = build_page(read_inputs(root))
    path = root / REPORT_NAME
    tmp = path.with_name(f".{REPORT_NAME}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path


def panels(inputs: ReportInputs) -> list[Panel]:
    """Every figure of the report, in page order."""
    t = inputs.tables
    over = inputs.summary.get("overoptimisation") or {}
    return [
        gain_panel(t["arms"], t["crossover_budget"], (inputs.summary.get("cost") or {}).get("currency", "units")),
        heatmap_panel(t["arms"], t["flags"]),
        length_panel(length_frame(inputs.data)),
        overoptimisation_panel(t["arms"], t["overoptimisation_points"], t["overoptimisation_fits"],
                               str(over.get("note", ""))),
        dynamics_panel(training_curves(inputs.data)),
        selfreport_panel(t["arms"]),
    ]


def build_page(inputs: ReportInputs) -> str:
    figures = panels(inputs)
    sections = [("verdict", "Verdict"), *((p.key, p.short) for p in figures),
                ("transcripts", "Transcripts"), ("provenance", "Provenance")]
    name = str(inputs.study.get("name", inputs.root.name))
    head = tag("head", tag("meta", charset="utf-8"),
               tag("meta", http_equiv="Content-Security-Policy", content=assets.CONTENT_SECURITY_POLICY),
               tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
               tag("title", f"crossover: {name}"), tag("style", assets.CSS))
    body = tag("body", header(inputs, name), tag("nav", [tag("a", label, href=f"#{key}") for key, label in sections]),
               tag("main", verdict_section(inputs), [panel_section(p) for p in figures],
                   transcript_section(inputs), provenance_section(inputs)),
               tag("footer", "Built from the study directory alone; rebuild with ", tag("code", "crossover report DIR"),
                   f". Figures drawn with plotly {assets.plotly_version()}; every number is in ",
                   tag("code", "summary.json"), " and ", tag("code", "analysis/"), "."),
               tag("script", assets.plotly_js()), tag("script", assets.SCRIPT))
    page = tag("html", head, body, lang="en")
    return f"<!DOCTYPE html>\n{page}\n"  # formatted, not added: str + Markup would escape the str


# --- header and verdict -------------------------------------------------------------------------------------------

def header(inputs: ReportInputs, name: str) -> Markup:
    study, cost = inputs.study, inputs.summary.get("cost") or {}
    facts = {
        "bases": ", ".join(b.get("name", "?") for b in study.get("bases") or []) or "not recorded",
        "seeds": ", ".join(str(s) for s in study.get("seeds") or []) or "not recorded",
        "arms": len(study.get("arms") or []),
        "annotators": ", ".join(a.get("name", "?") for a in study.get("annotators") or []) or "none",
        "finished runs": len(inputs.data.runs),
        "prices": (f"{amount(cost.get('price_sft'))} per SFT example, {amount(cost.get('price_pair'))} per pair "
                   f"({cost.get('currency', 'units')})") if cost else "not recorded",
    }
    return tag("header", tag("h1", f"crossover study: {name}"),
               tag("p", study.get("description")) if study.get("description") else None,
               tag("p", "When does preference optimisation improve this model, when does it harm it, and is a "
                        "preference pair worth more than another SFT example?"),
               tag("ul", [tag("li", tag("b", f"{k}: "), str(v)) for k, v in facts.items()], class_="facts"),
               class_="top")


def verdict_section(inputs: ReportInputs) -> Markup:
    t = inputs.tables
    point = inputs.summary.get("crossover", {}).get("point") or inputs.study.get("crossover")
    currency = str((inputs.summary.get("cost") or {}).get("currency", ""))
    descriptions = {key: note.description for key, note in inputs.data.notes.items()}
    groups = group_verdicts(t["breakeven"], t["crossover_budget"], t["flags"], point, currency, descriptions)
    level = round(100 * float((inputs.summary.get("bootstrap") or {}).get("confidence", 0.95)))
    intro = tag("p", f"For each behaviour: the change from preference pairs and from more SFT examples at the "
                     f"study's starting point, with {level}% t intervals over seeds and probe items (paired; seed "
                     "variance pooled across the study's arms); the prices at which pairs pay, at which more SFT "
                     "pays and where the data cannot decide (one test, so r* and the decision agree); which pays at "
                     "the study's prices; pairs against more SFT head to head; the crossover budget; and the "
                     "failure flags raised against the parent run. \"No detectable difference\" means the interval "
                     "covers zero.", class_="caption")
    chance = (inputs.summary.get("multiplicity") or {}).get("words") or []
    legend = tag("p", tag("span", "pairs pay here", class_="tone-pairs"), tag("span", "more SFT pays here",
                 class_="tone-sft"), tag("span", "pairs made it worse or raised a flag", class_="tone-harm"),
                 tag("span", "no detectable difference"), class_="legend-tones")
    body: list[Child] = [intro, legend] if any(g.axes for g in groups) else [intro]
    if chance:
        body.append(tag("div", tag("h3", "Chance findings and what survives the corrections"),
                        tag("ul", [tag("li", w) for w in chance]), class_="multiplicity"))
    if not any(g.axes for g in groups):
        body.append(note(missing_point_note(point, t["arms"])))
    show_base = len(inputs.bases) > 1
    for group in groups:
        body.append(group_block(group, t, show_base, currency))
    if not groups:
        body.append(note("No arm was trained on preference data, so there is nothing to weigh against SFT."))
    return tag("section", tag("h2", "Verdict"), body, id="verdict", class_="block")


def group_block(group: GroupVerdict, tables: dict[str, pd.DataFrame], show_base: bool, currency: str) -> Markup:
    title = f"Pairs labelled by the '{group.annotator}' annotator" + (f", base {group.base}" if show_base else "")
    parts: list[Child] = [tag("h3", title),
                          tag("ul", [tag("li", s) for s in summary_sentences(group, currency)], class_="answer")]
    if group.axes:
        parts.append(verdict_table(group))
    flags = _group_rows(tables["flags"], group)
    raised = flags[flags["status"] == "flagged"] if not flags.empty else flags
    if not raised.empty:
        parts += [tag("h4", f"Failure flags raised ({len(raised)})"), flag_table(raised)]
    breakeven = _group_rows(tables["breakeven"], group)
    if not breakeven.empty:
        parts.append(tag("details", tag("summary", f"Every metric at the crossover point ({len(breakeven)} rows)"),
                         every_metric_table(breakeven)))
    if not flags.empty:
        parts.append(tag("details", tag("summary", f"Every failure-flag check ({len(flags)} rows)"), flag_table(flags)))
    bias = _group_rows(tables.get("bias_flags", pd.DataFrame()), group)
    if not bias.empty:
        raised = bias[bias["status"] == "flagged"]
        summary = (f"What these labels did against the clean annotator's child of the same arm: "
                   f"{len(raised)} flag(s) raised in {len(bias)} checks")
        parts.append(tag("details", tag("summary", summary),
                         tag("p", "Same flags and thresholds, each arm against the arm trained on the same pairs "
                                  "labelled by the clean annotator, so the preference method's own effects cancel "
                                  "and what remains is this annotator's bias.", class_="caption"),
                         flag_table(bias, reference="clean child")))
    return tag("div", parts, class_="group")


def _group_rows(table: pd.DataFrame, group: GroupVerdict) -> pd.DataFrame:
    if table.empty:
        return table
    return table[(table["base"] == group.base) & (table["annotator"] == group.annotator)]


def every_metric_table(rows: pd.DataFrame) -> Markup:
    heads = ["metric", "SFT(n0)", "+pairs", "+SFT", "pairs vs more SFT", "prices (SFT examples per pair)",
             "decision", "p (pairs)", "q (pairs, FDR)", "seeds", "items"]
    body = [tag("tr", tag("td", ("● " if r.primary is True or r.primary == "True" else "") + f"{r.probe}.{r.metric}"),
                tag("td", fmt(r.parent), class_="num"),
                tag("td", interval(r.d_pref, r.d_pref_lo, r.d_pref_hi), class_="num"),
                tag("td", interval(r.d_sft, r.d_sft_lo, r.d_sft_hi), class_="num"),
                tag("td", interval(r.head_to_head, r.head_to_head_lo, r.head_to_head_hi), class_="num"),
                tag("td", r.price_words), tag("td", r.decision), tag("td", fmt(r.d_pref_p), class_="num"),
                tag("td", fmt(r.d_pref_q), class_="num"), tag("td", r.n_seeds), tag("td", r.n_items))
            for r in rows.itertuples(index=False)]
    return tag("table", tag("thead", tag("tr", [tag("th", h) for h in heads])), tag("tbody", body))


def flag_table(rows: pd.DataFrame, reference: str = "") -> Markup:
    """Flag rows; ``reference`` names what each arm was measured against where it is not the parent run."""
    heads = ["arm", reference or "parent", "flag", "change in the bad direction", "threshold", "p (Holm)", "status",
             "what it means"]
    body = [tag("tr", tag("td", r.arm), tag("td", reference or r.parent), tag("td", r.flag),
                tag("td", interval(r.bad_change, r.bad_change_lo, r.bad_change_hi), class_="num"),
                tag("td", fmt(r.threshold), class_="num"), tag("td", fmt(getattr(r, "p_holm", math.nan)), class_="num"),
                tag("td", tag("span", r.status, class_="flag" if r.status == "flagged" else None)),
                tag("td", r.description)) for r in rows.itertuples(index=False)]
    return tag("table", tag("thead", tag("tr", [tag("th", h) for h in heads])), tag("tbody", body))


def note(text: str) -> Markup:
    return tag("p", text, class_="note")


# --- figures ------------------------------------------------------------------------------------------------------

def panel_section(panel: Panel) -> Markup:
    plot = None
    if panel.figure is not None:
        data_id = f"figure-data-{panel.key}"
        # The container holds the figure's height: plotly's responsive resizing (window, print, screenshots)
        # fits the figure to its container, which would otherwise collapse to the CSS minimum.
        height = int(panel.figure.layout.height or 450)
        plot = [tag("div", class_="plot", data_figure=data_id, role="img", aria_label=panel.title,
                    style=f"height: {height}px"),
                tag("script", json_for_script(panel.figure_json()), type="application/json", id=data_id)]
    return tag("section", tag("h2", panel.title), tag("p", panel.caption, class_="caption"),
               [note(n) for n in panel.notes], plot, id=panel.key, class_="block panel",
               data_panel="figure" if panel.figure is not None else "note")


# --- transcripts --------------------------------------------------------------------------------------------------

def transcript_section(inputs: ReportInputs) -> Markup:
    items = transcripts(inputs.data, inputs.tables["flags"])
    title = tag("h2", "Transcripts: the same prompt, parent and child side by side")
    caption = tag("p", "Held-out (and out-of-distribution) probe prompts answered by a trained arm and by the run it "
                       "started from, on the same seed, with each reply's grade and gold utility. Pick an arm pair, a "
                       "probe or a flag; a flag keeps the items that can show it (its probe; for length exploitation, "
                       "a longer reply; for proxy-gold divergence, a reply the judge prefers more than the parent's "
                       "though the same judge on gold utility does not). Up to a dozen items per arm pair and probe: "
                       "differing replies first, the largest changes in gold utility first among them; every record "
                       "is in runs/<run id>/probes/.",
                    class_="caption")
    if not items:
        return tag("section", title, caption, note("No trained arm has a parent run with probe records to compare."),
                   id="transcripts", class_="block")
    pairs = list(dict.fromkeys(t.pair for t in items))
    # Open on the first arm pair whose replies differ somewhere (preference arms come first).
    first = next((t.pair for t in items if t.differs), pairs[0])
    probes = sorted({t.probe for t in items})
    flags = sorted({f for t in items for f in t.flags})
    filters = tag("div",
                  tag("label", "Arm pair ", _select("filter-pair", [("", "all arm pairs")] + [(p, p) for p in pairs],
                                                     first)),
                  tag("label", "Probe ", _select("filter-probe", [("", "all probes")] + [(p, p) for p in probes], "")),
                  tag("label", "Flag ", _select("filter-flag", [("", "any"), ("*raised", "on a raised flag")]
                                                + [(f, f) for f in flags], "")),
                  tag("label", tag("input", type="checkbox", id="filter-differ", checked=True),
                      " only replies that differ"),
                  tag("span", "", id="transcript-count"), class_="filters")
    empty = tag("p", "No transcript matches these filters: the two runs may answer these items identically "
                     "(untick “only replies that differ” to see them).", id="transcript-empty", class_="note",
                hidden=True)
    return tag("section", title, caption, filters, empty, tag("div", [transcript_card(t) for t in items],
                                                                id="transcript-list"), id="transcripts", class_="block")


def _select(element_id: str, options: list[tuple[str, str]], selected: str) -> Markup:
    return tag("select", [tag("option", label, value=value, selected=value == selected) for value, label in options],
               id=element_id)


def transcript_card(t: Transcript) -> Markup:
    tags = [tag("span", f, class_="tag raised" if f in t.raised else "tag") for f in t.flags]
    change = t.gold_change
    direction = None if not change else "effect-helps" if change > 0 else "effect-hurts"
    gold = tag("span", f"gold utility, child − parent: {fmt(change, signed=True)}", class_=direction) \
        if change is not None else None
    where = " · ".join(x for x in (t.item_id, t.kind, f"{t.split} split" if t.split else "") if x)
    head = tag("header", tag("b", t.probe), f" · {where} · ", gold, tags)
    return tag("article", head, tag("div", [message(m) for m in t.prompt], class_="prompt"),
               tag("div", reply_box("parent", t.parent), reply_box("child", t.child), class_="replies"),
               class_="transcript", data_pair=t.pair, data_probe=t.probe, data_flags=" ".join(t.flags),
               data_raised=" ".join(t.raised), data_differs="1" if t.differs else "0")


def message(m: object) -> Markup:
    role, content = (m.get("role", ""), m.get("content", "")) if isinstance(m, dict) else ("user", m)
    return tag("div", tag("span", role, class_="role"), tag("div", content, class_="text"), class_="msg")


def reply_box(which: str, r: Reply) -> Markup:
    grade = [f"grade: {r.label or 'n/a'}", f"gold utility {fmt(r.utility)}",
             f"{r.n_words} words" if r.n_words is not None else "",
             *(f"judge {j}: {fmt(w, 2)}" for j, w in sorted(r.wins.items()))]
    return tag("div", tag("h4", f"{which}: {r.arm}"), tag("div", r.response, class_="text"),
               tag("p", " · ".join(g for g in grade if g), class_="grade"), class_=f"reply {which}")


# --- provenance ---------------------------------------------------------------------------------------------------

def provenance_section(inputs: ReportInputs) -> Markup:
    study, summary = inputs.study, inputs.summary
    runs = run_frame(inputs.data)
    configs = {r: inputs.config(r) for r in runs["run_id"]}
    commits = {r: prov.commit_words(c.get("provenance") or {}) for r, c in configs.items()}
    world = next((c.get("spec", {}).get("world") for c in configs.values() if c.get("spec", {}).get("world")), None)
    tables = [prov.study_table(study, summary, len(runs)),
              prov.code_table(study, summary, {"plotly": assets.plotly_version()}),
              prov.packages_table(study, summary), *prov.world_tables(study, world), *prov.annotator_tables(study),
              prov.runs_table(runs, commits)]
    return tag("section", tag("h2", "Provenance"),
               tag("p", "What ran, on what, with which settings; the full study file follows.", class_="caption"),
               tag("div", [info_table(t) for t in tables], class_="info-grid"),
               tag("details", tag("summary", "study.json (the resolved study settings)"),
                   tag("pre", json.dumps(study, indent=2), class_="json")),
               id="provenance", class_="block")


def info_table(t: prov.InfoTable) -> Markup:
    table = tag("table", tag("thead", tag("tr", [tag("th", c) for c in t.columns])),
                tag("tbody", [tag("tr", [tag("td", v) for v in row]) for row in t.rows])) if t.rows else None
    wide = len(t.columns) > 3  # a table of many columns takes the grid's whole row
    return tag("div", tag("h3", t.title), table, tag("p", t.note, class_="caption") if t.note else None,
               class_="wide" if wide else None)


__all__ = ["REPORT_NAME", "build_page", "write_html_report"]

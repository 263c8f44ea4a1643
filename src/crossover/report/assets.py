"""The page's own stylesheet and script (constants, never data), and the inlined plotly.js bundle."""

from __future__ import annotations

from functools import cache

import plotly
from plotly.offline import get_plotlyjs

from crossover.report.markup import Markup, script_text, trusted

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                           "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; "
                           "base-uri 'none'")
"""Everything the page needs is inline; the browser is told to fetch nothing else, so no request leaves it."""

CSS = trusted("""
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #dadce0; --better: #2c7bb6; --worse: #d7191c;
        --sft: #1a9641; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0; background: #fff; }
header.top { background: #20262e; color: #fff; padding: 18px 28px 10px; }
header.top h1 { margin: 0 0 4px; font-size: 24px; }
header.top p { margin: 2px 0; color: #d0d7de; }
header.top ul.facts { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 22px;
                      font-size: 13px; color: #d0d7de; }
header.top ul.facts b { color: #fff; font-weight: 600; }
nav { position: sticky; top: 0; z-index: 10; background: #fff; border-bottom: 1px solid var(--line);
      padding: 6px 28px; font-size: 14px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
nav a { color: var(--better); text-decoration: none; }
nav a:hover { text-decoration: underline; }
main { padding: 10px 28px 40px; max-width: 1400px; }
section.block { margin: 26px 0 34px; }
h2 { font-size: 20px; margin: 0 0 6px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p.caption { color: var(--muted); margin: 4px 0 8px; max-width: 110ch; }
.note { background: #fff8e1; border-left: 4px solid #f2b600; padding: 6px 10px; margin: 6px 0; font-size: 14px;
        max-width: 110ch; }
.note::before { content: "Note: "; font-weight: 600; }
ul.answer { margin: 6px 0 10px; padding-left: 20px; max-width: 120ch; }
ul.answer li { margin: 3px 0; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 10px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
.table-wrap { overflow-x: auto; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.verdict td:first-child { border-left: 5px solid #c8ccd0; }
table.verdict tr.tone-pairs td:first-child { border-left-color: var(--better); }
table.verdict tr.tone-sft td:first-child { border-left-color: var(--sft); }
table.verdict tr.tone-harm td:first-child { border-left-color: var(--worse); }
table.verdict .what { display: block; color: var(--muted); font-size: 12px; max-width: 34ch; }
.effect-helps { color: var(--better); font-weight: 600; }
.effect-hurts { color: var(--worse); font-weight: 600; }
.legend-tones { font-size: 12px; color: var(--muted); }
.legend-tones span { display: inline-block; margin-right: 14px; padding-left: 6px; border-left: 5px solid #c8ccd0; }
.legend-tones .tone-pairs { border-left-color: var(--better); }
.legend-tones .tone-sft { border-left-color: var(--sft); }
.legend-tones .tone-harm { border-left-color: var(--worse); }
.flag { color: var(--worse); font-weight: 600; }
details { margin: 6px 0; }
details > summary { cursor: pointer; color: var(--better); }
.plot { width: 100%; min-height: 200px; border: 1px solid var(--line); border-radius: 4px; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; background: var(--soft);
           padding: 8px 10px; border: 1px solid var(--line); border-radius: 4px; font-size: 14px; }
.filters select { max-width: 26em; }
#transcript-count { color: var(--muted); }
article.transcript { border: 1px solid var(--line); border-radius: 4px; margin: 10px 0; padding: 8px 12px; }
article.transcript > header { font-size: 13px; color: var(--muted); margin-bottom: 6px; }
article.transcript > header b { color: var(--ink); }
.tag { display: inline-block; font-size: 11px; border: 1px solid var(--line); border-radius: 8px; padding: 0 6px;
       margin-left: 4px; color: var(--muted); }
.tag.raised { border-color: var(--worse); color: var(--worse); }
.msg { margin: 2px 0; }
.role { display: inline-block; min-width: 6.5em; color: var(--muted); font-size: 12px; text-transform: uppercase; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas,
        monospace; font-size: 13px; }
.msg .text { display: inline; }
.replies { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin-top: 8px; }
.reply { background: var(--soft); border-radius: 4px; padding: 6px 8px; }
.reply h4 { margin: 0 0 4px; font-size: 13px; }
.grade { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
.info-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 0 28px;
             align-items: start; }
.info-grid table { width: 100%; }
.info-grid .wide { grid-column: 1 / -1; }
.info-grid .wide table { width: auto; }
.info-grid td { overflow-wrap: anywhere; }
pre.json { background: var(--soft); padding: 10px; overflow: auto; max-height: 480px; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; padding: 10px 28px 30px; border-top: 1px solid var(--line); }
@media print {
  @page { margin: 14mm; }
  body { font-size: 11pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav, .filters, .modebar-container, .updatemenu-container { display: none !important; }
  header.top { background: #fff; color: #000; border-bottom: 2px solid #000; padding: 0 0 8px; }
  header.top p, header.top ul.facts, header.top ul.facts b { color: #000; }
  main { padding: 0; max-width: none; }
  section.panel, article.transcript, table.verdict tr { break-inside: avoid; }
  table { font-size: 8pt; }
  th, td { padding: 3px 4px; }
  table.verdict .what { max-width: 20ch; font-size: 7pt; }
  .table-wrap { overflow: visible; }
  .plot { border: none; }
  details > summary { color: #000; }
}
""")

SCRIPT = trusted(r"""
(function () {
  "use strict";
  var config = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"]};
  var plots = [];
  document.querySelectorAll("[data-figure]").forEach(function (div) {
    var spec = JSON.parse(document.getElementById(div.getAttribute("data-figure")).textContent);
    Plotly.newPlot(div, spec.data, spec.layout, config);
    plots.push(div);
  });

  // Printing: every collapsed section opened and plots drawn at the printed page's width.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
    plots.forEach(function (div) { Plotly.relayout(div, {width: 680}); });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    plots.forEach(function (div) { Plotly.relayout(div, {width: null, autosize: true}); });
  });

  // Transcripts: filter by arm pair, probe and flag.
  var list = document.getElementById("transcript-list");
  if (!list) { return; }
  var cards = Array.prototype.slice.call(list.querySelectorAll("article.transcript"));
  var pair = document.getElementById("filter-pair"), probe = document.getElementById("filter-probe");
  var flag = document.getElementById("filter-flag"), differ = document.getElementById("filter-differ");
  var count = document.getElementById("transcript-count");
  function has(list, word) { return (" " + list + " ").indexOf(" " + word + " ") >= 0; }
  function apply() {
    var shown = 0;
    cards.forEach(function (card) {
      var f = flag.value;
      var ok = (!pair.value || card.getAttribute("data-pair") === pair.value)
        && (!probe.value || card.getAttribute("data-probe") === probe.value)
        && (!f || (f === "*raised" ? card.getAttribute("data-raised") !== "" : has(card.getAttribute("data-flags"), f)))
        && (!differ.checked || card.getAttribute("data-differs") === "1");
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + cards.length + " shown";
    document.getElementById("transcript-empty").hidden = shown > 0;
  }
  [pair, probe, flag, differ].forEach(function (el) { el.addEventListener("change", apply); });
  apply();
})();
""")


@cache
def plotly_js() -> Markup:
    """plotly.js as shipped with the plotly package, for inlining once per page."""
    return script_text(get_plotlyjs())


def plotly_version() -> str:
    return plotly.__version__

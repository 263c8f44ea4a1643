"""Reports built from the study directory alone.

``page.write_html_report(DIR)`` writes ``DIR/report.html`` (the page: ``page.py`` assembles it from ``verdict``,
``figures/`` (one module per plot family, each a pure function of analysis tables), ``transcripts`` and
``provenance``; ``sources`` reads the directory into tables; ``markup`` escapes every piece of text).
``markdown.write_markdown_report`` writes the short ``DIR/report.md``.
"""

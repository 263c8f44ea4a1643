"""HTML that is safe by construction: every piece of text is escaped unless it is already markup.

The report shows model output, prompts and user-chosen names (arms, annotators, bases). Rather than remember to
escape each of them, pages are built with ``tag``, which escapes every child and attribute value that is not a
``Markup``; only ``tag`` itself and the few trusted constants (the page's own CSS and scripts) make ``Markup``.
``Markup`` and ``escape`` are MarkupSafe's (Jinja's): a ``str`` that is already HTML, and text made safe for it
(``& < > " '`` escaped, markup passed through).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Union

from markupsafe import Markup, escape

VOID_ELEMENTS = frozenset({"br", "hr", "img", "input", "link", "meta"})

Child = Union[Markup, str, int, float, None, Iterable["Child"]]
AttrValue = Union[str, int, float, bool, None]


def join(children: Child) -> Markup:
    """Children (text, markup, or nested iterables of them) as one piece of markup; None is skipped."""
    if children is None:
        return Markup("")
    if isinstance(children, (str, int, float)):
        return escape(children)
    return Markup("").join(join(c) for c in children)


def _attribute(name: str, value: AttrValue) -> str:
    # Python keywords and hyphens: class_ -> class, data_probe -> data-probe. A value is always escaped, markup
    # too: inside quotes it is text, and a quote in it would end the attribute.
    key = name.rstrip("_").replace("_", "-")
    if value is True:
        return f" {key}"
    return f' {key}="{escape(str(value))}"'


def tag(element: str, /, *children: Child, **attrs: AttrValue) -> Markup:
    """``<element attrs>children</element>`` with every child and attribute value escaped unless it is ``Markup``.

    Attributes whose value is None or False are left out; True writes a bare attribute.
    """
    opening = element + "".join(_attribute(k, v) for k, v in attrs.items() if v is not None and v is not False)
    if element in VOID_ELEMENTS:
        return Markup(f"<{opening}>")
    return Markup(f"<{opening}>{join(children)}</{element}>")


def trusted(text: str) -> Markup:
    """The page's own constant CSS or script text (never data): marks it as markup after checking that it
    cannot close the element it is written into."""
    if "</" in text.replace("<\\/", ""):
        raise ValueError("trusted text must not contain '</' (it would close its <style> or <script>)")
    return Markup(text)


def script_text(code: str) -> Markup:
    """A bundled library's source for an inline ``<script>``: ``</`` written as ``<\\/`` (same meaning in
    JavaScript strings and regular expressions), so no ``</script>`` inside it can end the element."""
    return trusted(code.replace("</", "<\\/"))


def json_for_script(payload: object) -> Markup:
    """JSON for a ``<script type="application/json">`` element: ``<``, ``>`` and ``&`` written as unicode
    escapes, so no text inside (prompts, names) can end the element or be read as markup."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))

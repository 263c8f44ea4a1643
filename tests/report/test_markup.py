"""HTML built with ``tag`` escapes every piece of text; only markup passes through."""

import json

import pytest

from crossover.report.markup import Markup, escape, json_for_script, script_text, tag, trusted

ATTACK = '<script>alert(1)</script><b>x</b>'


def test_text_children_and_attributes_are_escaped():
    html = tag("div", ATTACK, title='"><script>alert(2)</script>', data_probe="a&b")
    assert html == ('<div title="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" data-probe="a&amp;b">'
                    "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;</div>")
    assert tag("p", "it's", title=Markup('"x"')) == '<p title="&#34;x&#34;">it&#39;s</p>'  # markup in a value too


def test_markup_nests_without_double_escaping():
    inner = tag("b", "1 < 2")
    assert tag("p", "a", inner, ["c", None, 3]) == "<p>a<b>1 &lt; 2</b>c3</p>"
    assert escape(inner) == inner and isinstance(escape(inner), Markup)  # not escaped twice
    assert isinstance(tag("br"), Markup) and tag("br") == "<br>"


def test_boolean_and_missing_attributes():
    assert tag("input", type="checkbox", checked=True, disabled=False, value=None) == '<input type="checkbox" checked>'
    assert tag("td", class_="num") == '<td class="num"></td>'


def test_json_in_a_script_element_cannot_close_it():
    payload = {"text": ATTACK + "</script><!--"}
    safe = json_for_script(json.dumps(payload))
    assert "<" not in safe and ">" not in safe and "&" not in safe
    assert json.loads(safe) == payload  # the unicode escapes are still the same JSON


def test_trusted_text_and_bundled_scripts_cannot_close_their_element():
    with pytest.raises(ValueError):
        trusted("body { } </style><script>alert(1)</script>")
    code = script_text('var s = "</script>"; var r = /<\\/b>/;')
    assert "</" not in code and '"<\\/script>"' in code

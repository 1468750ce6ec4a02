"""The renderer's Jinja shortcuts print exactly what plain Jinja prints, and stay switched on."""

from __future__ import annotations

import jinja2
import pytest
from markupsafe import Markup, escape

from roundup import render
from roundup.render import _Environment, _escape_output

MACROS = """\
{% macro box(a, b=2) %}[{{ a }}|{{ b }}|{{ caller() if caller is defined else '' }}]{% endmacro %}
"""

# A text template calling an HTML one's macros: the macros must follow the caller's escaping.
TEXT = """\
{% import "macros.html" as m %}
{{ m.box('<') | replace('[', '<') }} {{ m.box('<') + '<' }}
{{ m.box(with_eval_context('&')) }} {{ plain('<') }}
"""

PAGE = """\
{% import "macros.html" as m %}
{{ with_context('1') }} {{ with_environment('x') }} {{ with_eval_context('y') }}
{{ stops() is undefined }} {{ callable_object('z') }} {{ plain('a&b') }} {{ "x".upper() }}
{{ m.box(1) }} {% call m.box('<', b=3) %}c{% endcall %} {{ m.box(1) | replace('1', '<i>') }}
{% autoescape false %}{{ m.box('<') | replace('[', '<') }} {{ plain('<') }}{% endautoescape %}
{% for i in [1, 2] %}{{ with_context(i | string) }}{{ plain(loop.index | string) }}{% endfor %}
{{ keywords(self='s', obj='o') }}
{{ 3 }} {{ none }} {{ 1.5 }} {{ true }} {{ "'\\"&<>" }} {{ m.box }} {{ [1, "<"] }} {{ safe }}
"""


def _environment(kind: type[jinja2.Environment]) -> jinja2.Environment:
    templates = {"macros.html": MACROS, "page.html": PAGE, "page.txt": TEXT}
    env = kind(loader=jinja2.DictLoader(templates), autoescape=jinja2.select_autoescape(["html"]))

    @jinja2.pass_context
    def with_context(context, x):
        return context["v"] + x

    @jinja2.pass_environment
    def with_environment(environment, x):
        return f"{environment.block_start_string}{x}"

    @jinja2.pass_eval_context
    def with_eval_context(eval_context, x):
        return f"{eval_context.autoescape}{x}"

    def stops():
        raise StopIteration

    class CallableObject:
        @jinja2.pass_context
        def __call__(self, context, x):
            return "co" + context["v"] + x

    env.globals.update(
        with_context=with_context,
        with_environment=with_environment,
        with_eval_context=with_eval_context,
        stops=stops,
        callable_object=CallableObject(),
        plain=lambda x="": "<" + x,
        keywords=lambda **kw: sorted(kw.items()),
    )
    return env


@pytest.mark.parametrize("name", ["page.html", "page.txt"])
def test_pages_print_what_plain_jinja_prints(name: str) -> None:
    values = {"v": "V", "safe": Markup("<b>ok</b>")}
    expected = _environment(jinja2.Environment).get_template(name).render(values)
    assert _environment(_Environment).get_template(name).render(values) == expected


@pytest.mark.parametrize(
    "value", ["", "plain", "<a href='x'>&\"</a>", Markup("<b>"), 0, 42, -1, True, None, 1.5]
)
def test_printed_values_are_escaped_as_markupsafe_escapes_them(value: object) -> None:
    assert _escape_output(value) == str(escape(value))


def test_the_shortcuts_are_on() -> None:
    # A Jinja upgrade that renamed what these override would quietly make pages slower.
    env = _environment(_Environment)
    assert render._escape_inner is not None
    assert "environment.escape_output(" in env.compile("{{ x }}", "x.html", raw=True)
    assert env.get_template("page.html").globals is env.globals
    assert isinstance(env.get_template("page.html").new_context(), render._Context)

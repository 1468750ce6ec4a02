"""The renderer's Jinja shortcuts print exactly what plain Jinja prints, and stay switched on."""

from __future__ import annotations

import jinja2
import pytest
from markupsafe import Markup, escape

from roundup.render import templating as render
from roundup.render.templating import _Environment, _escape_output

MACROS = """\
{% macro box(a, b=2) %}[{{ a }}|{{ b }}|{{ caller() if caller is defined else '' }}]{% endmacro %}
{% macro three(a, b, c="C") %}({{ a }},{{ b is defined }},{{ c }}){% endmacro %}
{% macro rest(a) %}({{ a }},{{ varargs }},{{ kwargs }}){% endmacro %}
{% macro named(caller=none) %}({{ caller }}){% endmacro %}
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
{{ m.three(1) }} {{ m.three(1, 2) }} {{ m.three(1, c=3) }} {{ m.three(b=2, a='<') }}
{{ m.three(1, 2, 3) }}
{{ m.rest(1, 2, x=3) }} {{ m.named(4) }} {{ m.named(caller=5) }}
{% for i in [1] %}{{ m.three(i, c=loop.index) }}{% endfor %}
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
    "call", ["m.three(1, 2, 3, 4)", "m.three(1, d=4)", "m.three(1, a=2)", "m.box(1, caller=2, x=3)"]
)
def test_bad_macro_calls_fail_as_in_plain_jinja(call: str) -> None:
    source = '{% import "macros.html" as m %}{{ ' + call + " }}"
    errors = []
    for kind in (jinja2.Environment, _Environment):
        with pytest.raises(TypeError) as error:
            _environment(kind).from_string(source).render()
        errors.append(str(error.value))
    assert errors[0] == errors[1]


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
    macro = env.get_template("macros.html").module.three  # the attributes _call_macro reads
    assert (macro._argument_count, macro.arguments, macro._func) == (
        3,
        ("a", "b", "c"),
        macro._func,
    )

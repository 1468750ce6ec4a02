"""What the renderer adds to plain Jinja: `cached(macro, …)`, the `url` filters and the
`macros` global, each printing exactly what the plain way prints."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

import jinja2
import pytest

from roundup.core.errors import TemplateError
from roundup.read import stored
from roundup.render import templating
from roundup.render.templating import macro_cache, theme_dir

from conftest import build_folder, parse_html, write_article

MACROS = """\
{% macro box(a, b=2) %}[{{ a }}|{{ b }}|{{ caller() if caller is defined else '' }}]{% endmacro %}
{% macro three(a, b, c="C") %}({{ a }},{{ b is defined }},{{ c }}){% endmacro %}
{% macro rest(a) %}({{ a }},{{ varargs }},{{ kwargs }}){% endmacro %}
{% macro items(values) %}{% for v in values %}<{{ v }}>{% endfor %}{% endmacro %}
"""

# A macro and the arguments of a call: printed straight, then through cached() twice (made,
# then remembered), it prints the same three times.
CALLS = [
    ("m.box", "1"),
    ("m.box", "'<', b=3"),
    ("m.three", "1"),
    ("m.three", "1, 2"),
    ("m.three", "1, c='&'"),
    ("m.three", "b=2, a='<'"),
    ("m.rest", "1, 2, x=3"),
    ("m.items", "('a', '<b>')"),
    ("m.items", "[1, 2]"),
]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"macros.html": MACROS}),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    env.globals["cached"] = env.filters["cached"] = macro_cache()  # as the renderer does
    return env


@pytest.mark.parametrize(("macro", "arguments"), CALLS)
def test_cached_macros_print_what_the_macro_prints(macro: str, arguments: str) -> None:
    source = (
        '{% import "macros.html" as m %}'
        f"{{{{ {macro}({arguments}) }}}}\n"
        f"{{{{ cached({macro}, {arguments}) }}}}\n{{{{ {macro} | cached({arguments}) }}}}"
    )
    template = environment().from_string(source, globals={})
    plain, first, again = template.render().split("\n")
    assert first == plain and again == plain  # the filter takes what the function made
    assert template.render() == f"{plain}\n{plain}\n{plain}"


def test_cached_calls_the_macro_once_for_the_same_arguments() -> None:
    cached = macro_cache()
    made: list[tuple] = []

    def macro(*args: object, **kwargs: object) -> str:
        made.append((args, kwargs))
        return f"{len(made)}"

    item, other = object(), object()
    topics = (item, other)
    assert cached(macro, item, "h3") == cached(macro, item, "h" + str(3)) == "1"  # text by value
    assert cached(macro, item, "h4") == "2"
    assert cached(macro, other, "h3") == "3"  # other objects by identity
    assert cached(macro, tuple(topics)) == cached(macro, (item, other)) == "4"  # tuples by members
    assert cached(macro, (other, item)) == "5"
    assert cached(macro, item, when="h3") == "6"  # a keyword is not a position
    assert cached(macro, item, "h3", when="x") == "7"
    assert cached(lambda *args: "other macro", item, "h3") == "other macro"
    assert len(made) == 7


def test_a_compact_build_remembers_only_the_latest_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past 50,000 articles `cached` keeps the newest results only, oldest out first: pages
    are made newest day first, so the pieces they share are the recent ones."""
    monkeypatch.setattr(templating, "COMPACT_CACHED", 3)
    made: list[int] = []

    def macro(number: int) -> str:
        made.append(number)
        return f"made {number}"

    for compact, expected in ((False, [1, 2, 3, 4]), (True, [1, 2, 3, 4, 1])):
        made.clear()
        stored.compact(compact)
        try:
            cached = templating.macro_cache()
            numbers = [1, 2, 3, 4, 4, 2, 1]  # small ints: one object each, so one key each
            assert [cached(macro, n) for n in numbers] == [f"made {n}" for n in numbers]
        finally:
            stored.compact(False)
        assert made == expected  # compact: 1 was the oldest of four, and gone


def test_cached_keeps_its_arguments_alive() -> None:
    """An argument compared by identity stays alive while its result is remembered, so no
    new object can take its identity and be given another object's output."""
    cached = macro_cache()

    class Item:
        pass

    item = Item()
    alive = weakref.ref(item)
    assert cached(lambda i: f"made for {id(i)}", item) == f"made for {id(item)}"
    del item
    gc.collect()
    assert alive() is not None


def test_links_follow_the_base_path_when_compiled_templates_are_reused(
    fixture_site: Path, tmp_path: Path
) -> None:
    """`'feed.xml' | url` is never worked out once at compile time: compiled templates are kept
    in the cache folder from one build to the next, and the base path may change between."""
    cache = tmp_path / "cache"
    for base in ("https://example.org/one/", "https://example.org/two/"):
        out, _ = build_folder(
            fixture_site, tmp_path / base[-4:-1], base_url=base, cache_dir=str(cache)
        )
        home = parse_html(out / "index.html")
        path = base.removeprefix("https://example.org")
        feeds = home.cssselect('head link[rel="alternate"][type="application/atom+xml"]')
        assert feeds[0].get("href") == path + "feed.xml"
        assert home.cssselect(".site-title")[0].get("href") == path
        assert home.cssselect(".entry .provider")[0].get("href").startswith(path + "sources/")
    assert (cache / "templates.bin").is_file()  # the second build took the first's code


def _override(site: Path, name: str, old: str = "", new: str = "") -> str:
    """A site's own copy of a theme template, with `old` replaced by `new`; returns it."""
    templates = site / "templates"
    templates.mkdir(exist_ok=True)
    text = (theme_dir() / name).read_text(encoding="utf-8")
    if old:
        assert old in text, (name, old)  # or the override would prove nothing
        text = text.replace(old, new)
    (templates / name).write_text(text, encoding="utf-8")
    return text


def test_a_site_overriding_the_page_parts_changes_every_page(
    fixture_site: Path, tmp_path: Path
) -> None:
    """The footer and navigation come from `_page_parts.html`, printed once per build: a site's
    copy is used on every page (and a site's `_macros.html` without them still builds)."""
    _override(fixture_site, "_page_parts.html", "Built with roundup.", "Made by hand.")
    macros = _override(fixture_site, "_macros.html")
    assert "macro footer" not in macros  # what a site's older copy of it lacks too
    out, _ = build_folder(fixture_site, tmp_path / "out")
    for path in ("index.html", "topics/feeds/index.html", "items/a-first/index.html"):
        footer = parse_html(out / path).cssselect(".site-footer .small")[0].text_content()
        assert footer.endswith("Made by hand."), path


def test_a_site_overriding_the_macros_changes_every_listing(
    fixture_site: Path, tmp_path: Path
) -> None:
    """Theme pages reach `_macros.html` through the `macros` global, which takes the site's file
    when it has one; a site's own page template may still import it as before."""
    _override(
        fixture_site, "_macros.html", '<p class="meta">', '<p class="meta byline-of-the-site">'
    )
    topic = _override(fixture_site, "topic.html", "{{ macros.", "{{ m.")
    templates = fixture_site / "templates"
    (templates / "topic.html").write_text('{% import "_macros.html" as m %}' + topic, "utf-8")
    out, _ = build_folder(fixture_site, tmp_path / "out")
    for path in ("index.html", "2024/03/01/index.html", "topics/feeds/index.html"):
        page = parse_html(out / path)
        entries = page.cssselect(".entry")
        assert entries and all(e.cssselect(".byline-of-the-site") for e in entries), path
    item = parse_html(out / "items/a-first/index.html")
    assert item.cssselect(".item .byline-of-the-site")
    shutil.rmtree(templates)
    out, _ = build_folder(fixture_site, tmp_path / "theme")
    assert not parse_html(out / "index.html").cssselect(".byline-of-the-site")


def test_a_link_dated_by_its_day_alone_shows_no_time(tmp_path: Path) -> None:
    # `publishedDateTime: 2026-01-05` (README's third form) showed "00:00" on every page, a
    # time the curator never gave; a link with a time of day shows it as before.
    for name, when in (("dated", "2026-01-05"), ("timed", "2026-01-05T09:30:00Z")):
        write_article(tmp_path / "content", f"{name}.md",
                      f"title: {name}\npublishedDateTime: {when}\n"
                      f"originalUrl: https://example.com/{name}")  # fmt: skip
    output = tmp_path / "output"
    build_folder(tmp_path, output)

    def shown(page: str, name: str) -> tuple[str, str]:
        """The byline time of the link `name` on `page`: its only one, or its entry's."""
        html = parse_html(output / page)
        entries = [e for e in html.cssselect("article") if e.cssselect(f'a[href*="{name}"]')]
        time = (entries[0] if entries else html).cssselect("p.meta time")[0]
        return time.get("datetime"), time.text_content()

    assert shown("items/dated/index.html", "dated") == ("2026-01-05", "Monday 5 January 2026")
    assert shown("items/timed/index.html", "timed") == (
        "2026-01-05T09:30:00+00:00",
        "Monday 5 January 2026, 09:30 UTC",
    )
    assert shown("index.html", "items/dated/") == ("2026-01-05", "5 Jan")
    assert shown("index.html", "items/timed/") == ("2026-01-05T09:30:00+00:00", "09:30")


def test_a_template_saved_with_a_byte_order_mark_and_a_path_with_a_slash(
    fixture_site: Path, tmp_path: Path
) -> None:
    # Notepad's byte-order mark went into every page's <head> (invalid HTML on each), and
    # '/about/' | url gave "//about/", a link to a host named "about".
    about = "Built with roundup. <a href=\"{{ '/about/' | url }}\">About</a>"
    parts = _override(fixture_site, "_page_parts.html", "Built with roundup.", about)
    (fixture_site / "templates" / "_page_parts.html").write_bytes(
        b"\xef\xbb\xbf" + parts.encode("utf-8")
    )
    out, _ = build_folder(fixture_site, tmp_path / "out", base_url="https://example.org/links/")
    page = (out / "index.html").read_bytes()
    assert "\ufeff".encode() not in page
    link = parse_html(out / "index.html").cssselect(".site-footer a")[-1]
    assert (link.text_content(), link.get("href")) == ("About", "/links/about/")


def test_a_filter_given_a_style_it_does_not_have_is_a_template_mistake(
    fixture_site: Path, tmp_path: Path
) -> None:
    # date("bogus") printed the long form without a word.
    _override(fixture_site, "item.html", "{% block content %}",
              '{% block content %}{{ item.local_time | date("bogus") }}')  # fmt: skip
    with pytest.raises(
        TemplateError, match=r"item\.html:\d+: while rendering .*: 'bogus' is not a date style"
    ):
        build_folder(fixture_site, tmp_path / "out")
    assert not (tmp_path / "out").exists()

"""Includes compiled as the partial's own nodes (render/inline.py): the same text as Jinja's include, or no inlining.

Each case renders a template through Renderer's environment with inlining everywhere, and through a plain
jinja2.Environment with the same settings, globals and filters, whose include is Jinja's own; the two must be
the same text, and the case says how many includes were inlined.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from conftest import ROOT, write_tree
from generator.config import load_config
from generator.errors import BuildError
from generator.model.site import Page
from generator.render import environment as environment_module, renderer as renderer_module
from generator.render.renderer import Renderer
from generator.render.theme import Theme

A = "partials/a.html"
CASES = {  # name: (page template, partials, variables, includes inlined)
    "for and with locals, globals, filters": (
        "{% for p in ps %}{% with q = p ~ '!' %}[{% include 'partials/a.html' %}]{% endwith %}{% endfor %}",
        {"a.html": "<{{ p }}|{{ q }}|{{ title }}|{{ url('x/') }}|{{ url(p) }}|{{ p | upper }}>\n"},
        {"ps": ["<i>", "b"], "title": "T&"}, 1),
    "its own loop and loop.last": (
        "{% include 'partials/a.html' %}|{% for x in 'ab' %}{{ loop.index }}{% endfor %}",
        {"a.html": "{% for href, text in crumbs %}{{ text }}{% if not loop.last %}/{% endif %}{% endfor %}"},
        {"crumbs": [("a", "A"), ("b", "B")]}, 1),
    "nested includes": (  # 3: b.html compiled on its own inlines a.html; the page, b.html and a.html in it
        "{% with p = 'x' %}{% include 'partials/b.html' %}{% endwith %}",
        {"b.html": "b({% include 'partials/a.html' %})", "a.html": "a:{{ p }}"}, {}, 3),
    "inside a block of a child template": (
        "{% extends 'partials/base.html' %}{% block b %}{% include 'partials/a.html' %}{% endblock %}",
        {"base.html": "<{% block b %}{% endblock %}>", "a.html": "{{ title }}"}, {"title": "t"}, 1),
    "a set would leak": (
        "{% include 'partials/a.html' %}{{ title }}", {"a.html": "{% set title = 'inner' %}{{ title }}/"},
        {"title": "outer"}, 0),
    "a macro would leak": (
        "{% macro m() %}outer{% endmacro %}{% include 'partials/a.html' %}{{ m() }}",
        {"a.html": "{% macro m() %}inner{% endmacro %}{{ m() }}/"}, {}, 0),
    "the includer's loop": (
        "{% for x in 'ab' %}{% include 'partials/a.html' %}{% endfor %}", {"a.html": "{{ loop is defined }}{{ x }}"},
        {}, 0),
    "a pass_context global sees the include's locals": (
        "{% with shown = 'w' %}{% include 'partials/a.html' %}{% endwith %}", {"a.html": "{{ look('shown') }}"},
        {"shown": "page"}, 0),
    "a pass_context filter": (
        "{% with shown = 'w' %}{% include 'partials/a.html' %}{% endwith %}", {"a.html": "{{ 'shown' | peek }}"},
        {"shown": "page"}, 0),
    "a method call": ("{% include 'partials/a.html' %}", {"a.html": "{{ title.upper() }}"}, {"title": "t"}, 0),
    "ignore missing, without context, a variable name": (
        "{% include 'partials/a.html' ignore missing %}{% include 'partials/a.html' without context %}"
        "{% include name %}", {"a.html": "[{{ title | default('none') }}]"},
        {"title": "t", "name": "partials/a.html"}, 0),
    "a partial that includes itself": (
        "{% with n = 2 %}{% include 'partials/a.html' %}{% endwith %}",
        {"a.html": "x{% if n %}{% with n = n - 1 %}{% include 'partials/a.html' %}{% endwith %}{% endif %}"},
        {}, 1),
    "a partial that does not autoescape": (
        "{% include 'partials/a.txt' %}", {"a.txt": "{{ html }}"}, {"html": "<b>"}, 0),
    "inside an autoescape block": (
        "{% autoescape false %}{% include 'partials/a.html' %}{% endautoescape %}", {"a.html": "{{ html }}"},
        {"html": "<b>"}, 0),
    "outside the blocks of a child template": (
        "{% extends 'partials/base.html' %}{% include 'partials/a.html' %}",
        {"base.html": "<base>", "a.html": "{{ title }}"}, {"title": "t"}, 0),
}


def _renderer(tmp_path: Path, page: str, partials: dict[str, str]) -> Renderer:
    write_tree(tmp_path, {"papers.yml": "title: T\n", "content/x.md": "", "overrides/templates/page.html": page,
                          **{f"overrides/templates/partials/{k}": v for k, v in partials.items()}})
    config = load_config(None, tmp_path / "content")
    look = jinja2.pass_context(lambda context, name: context.resolve_or_missing(name))
    renderer = Renderer(config, Theme(config), {}, extra_globals={"look": look})
    renderer.env.filters["peek"] = jinja2.pass_context(lambda context, name: context.resolve_or_missing(name))
    renderer.env.inline_into = None  # everywhere
    return renderer


def _jinjas(renderer: Renderer) -> jinja2.Environment:
    ours = renderer.env
    env = jinja2.Environment(loader=ours.loader, autoescape=ours.autoescape, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(ours.globals)
    env.filters.update(ours.filters)
    return env


@pytest.mark.parametrize("case", CASES)
def test_an_inlined_include_renders_as_jinjas_include(tmp_path: Path, case: str):
    page, partials, variables, inlined = CASES[case]
    renderer = _renderer(tmp_path, page, partials)
    ours = renderer.render(Page("x/index.html", "page.html", variables, "test")).decode()
    assert ours == _jinjas(renderer).get_template("page.html").render(**variables)
    assert renderer.env.inlined == inlined


def test_an_error_in_an_inlined_partial_names_the_partial_and_its_line(tmp_path: Path):
    renderer = _renderer(tmp_path, "one\n{% for p in ps %}{% include 'partials/a.html' %}{% endfor %}\n",
                         {"a.html": "{{ p.title }}\n{{ p.missing.attr }}\n"})
    with pytest.raises(BuildError) as exc:
        renderer.render(Page("x/index.html", "page.html", {"ps": [{"title": "t"}]}, "test"))
    assert renderer.env.inlined == 1
    assert str(exc.value.path).endswith("overrides/templates/partials/a.html") and exc.value.line == 2
    assert "missing" in exc.value.message


def test_a_partial_that_does_not_compile_stays_an_include_and_fails_at_its_line(tmp_path: Path):
    renderer = _renderer(tmp_path, "{% include 'partials/a.html' %}", {"a.html": "ok\n{% if x %}\n"})
    with pytest.raises(BuildError) as exc:
        renderer.render(Page("x/index.html", "page.html", {}, "test"))
    assert renderer.env.inlined == 0
    assert str(exc.value.path).endswith("partials/a.html") and exc.value.line == 2


def test_only_templates_that_many_pages_use_inline_their_includes(tmp_path: Path, monkeypatch):
    """Renderer.plan: a template below INLINE_AT pages keeps its includes (inlining costs compile time)."""
    renderer = _renderer(tmp_path, "{% include 'partials/a.html' %}", {"a.html": "{{ title }}"})
    few = [Page(f"{i}/index.html", "page.html", {"title": "t"}, "test") for i in range(3)]
    renderer.plan(few)
    assert renderer.render(few[0]) == b"t" and renderer.env.inlined == 0
    monkeypatch.setattr(renderer_module, "INLINE_AT", 3)
    renderer = _renderer(tmp_path, "{% include 'partials/a.html' %}", {"a.html": "{{ title }}"})
    renderer.plan(few)
    assert renderer.render(few[0]) == b"t" and renderer.env.inlined == 1


def test_the_golden_site_with_every_include_inlined_is_jinjas_own(tmp_path: Path, monkeypatch):
    """Every kind of page of the golden site, with inlining in every template that qualifies, byte for byte
    what Jinja's own code generator makes."""
    from conftest import tree
    from generator.build.pipeline import build

    inlined: list[str] = []
    real = environment_module.inline_includes

    def counted(ast, env, name, compiling):
        done = real(ast, env, name, compiling)
        inlined.extend([name] * done)
        return done

    monkeypatch.setattr(environment_module, "inline_includes", counted)
    monkeypatch.setattr(renderer_module, "INLINE_AT", 0)
    monkeypatch.setenv("PAPERS_JOBS", "1")
    shutil.copytree(ROOT / "tests" / "golden" / "site-src", tmp_path / "src")
    build(tmp_path / "src" / "content", tmp_path / "ours")
    assert {"paper.html", "partials/paper_row.html", "day.html"} <= set(inlined)
    monkeypatch.setattr(environment_module.Environment, "code_generator_class", jinja2.compiler.CodeGenerator)
    build(tmp_path / "src" / "content", tmp_path / "jinja")
    ours, jinjas = tree(tmp_path / "ours"), tree(tmp_path / "jinja")
    assert len(ours) > 50 and ours == jinjas

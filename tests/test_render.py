"""Rendering: golden output for every page kind, the theme lookup order, fingerprinted assets, template errors.

Golden files live in tests/golden/expected/ and are built from tests/golden/site-src/ (content + papers.yml).
After an intended change to templates or the model, regenerate them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render.py -k golden
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_papers, write_tree
from generator.config import load_config
from generator.errors import BuildError, ConfigError
from generator.render.renderer import Renderer
from generator.render.theme import PACKAGED_THEMES, Theme, fingerprint
from generator.model.site import Page

GOLDEN = ROOT / "tests" / "golden"
EXPECTED = GOLDEN / "expected"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
# Asset names carry a content hash; golden files compare HTML, not CSS/JS bytes, so the hash is masked.
HASHED = re.compile(r"(static/[\w./-]+?)\.[0-9a-f]{10}\.(\w+)")

# One entry per page kind (search/ belongs to the search feature and is checked there).
KINDS = {
    "home": ["index.html"],
    "paper": ["papers/sparse-mixtures-of-experts/index.html", "papers/protein-folding-with-diffusion/index.html",
              "papers/agents-that-read-manuals/index.html", "papers/quantum-error-correction-notes/index.html"],
    "paper-fetched": ["papers/diffusion-transformers-at-scale/index.html", "papers/hostile-paper/index.html"],
    "bibtex": ["papers/diffusion-transformers-at-scale/diffusion-transformers-at-scale.bib",
               "papers/hostile-paper/hostile-paper.bib", "papers/agents-that-read-manuals/agents-that-read-manuals.bib"],
    "topic": ["topic/diffusion-models/index.html", "topic/transformers/index.html"],
    "topics": ["topic/index.html"],
    "author": ["author/ada-lovelace/index.html"],
    "authors": ["author/index.html"],
    "day": ["date/2024-12-30/index.html", "date/2025-03-01/index.html"],
    "week": ["week/2025-W01/index.html", "week/2025-W03/index.html"],
    "month": ["month/2025-01/index.html"],
    "archive": ["archive/index.html"],
    "org": ["org/acme-ai-lab/index.html"],
    "orgs": ["org/index.html"],
    "undated": ["undated/index.html"],
    "404": ["404.html"],
    "atom": ["feed.xml"],
    "jsonfeed": ["feed.json"],
    "sitemap": ["sitemap.xml"],
    "robots": ["robots.txt"],
}


def normalise(data: bytes) -> str:
    return HASHED.sub(r"\1.HASH.\2", data.decode("utf-8"))


def golden_files(site: Path) -> list[str]:
    """Every output file the golden tree covers: all but static assets and the search feature's files."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                  if p.is_file() and not p.relative_to(site).as_posix().startswith(("static/", "search/")))


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("golden")
    shutil.copytree(GOLDEN / "site-src", work / "src")
    out = work / "site"
    run_papers("build", "--content", str(work / "src" / "content"), "--out", str(out), "-q", check=True)
    if UPDATE:
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel in golden_files(out):
            dst = EXPECTED / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(normalise((out / rel).read_bytes()), encoding="utf-8")
    return out


@pytest.mark.parametrize("kind", list(KINDS))
def test_golden_page_kind(golden_site: Path, kind: str):
    for rel in KINDS[kind]:
        expected = EXPECTED / rel
        assert expected.is_file(), f"no golden file {rel}; run with UPDATE_GOLDEN=1 to create it"
        actual = normalise((golden_site / rel).read_bytes())
        assert actual == expected.read_text(encoding="utf-8"), (
            f"{rel} differs from tests/golden/expected/{rel}; if the change is intended, "
            "regenerate with UPDATE_GOLDEN=1 and review the diff")


def test_golden_tree_has_exactly_the_expected_files(golden_site: Path):
    expected = sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*") if p.is_file())
    assert golden_files(golden_site) == expected
    covered = {rel for rels in KINDS.values() for rel in rels}
    assert covered <= set(expected)


# --- theme lookup: overrides/ → configured theme → packaged default -------------------------------------------

def _site(tmp_path: Path, files: dict[str, str], config: str = "") -> Path:
    write_tree(tmp_path, {
        "papers.yml": config or "title: T\n",
        "content/2025/01/02/a-paper.md":
            "---\ntitle: A Paper\nslug: a-paper\ndate: 2025-01-02\nupvotes: 3\n---\n\nText.\n",
        **files,
    })
    return tmp_path


def test_override_one_template_and_one_static_file_without_copying_the_theme(tmp_path: Path):
    site = _site(tmp_path, {
        "overrides/templates/partials/byline.html": "<span class=\"custom-byline\">by someone</span>\n",
        "overrides/static/css/site.css": "body { color: rebeccapurple; }\n",
        "overrides/static/img/logo.txt": "extra file\n",
    })
    out = tmp_path / "site"
    run_papers("build", "--content", str(site / "content"), "--out", str(out), "-q", check=True)
    page = (out / "papers/a-paper/index.html").read_text()
    assert '<span class="custom-byline">by someone</span>' in page  # the override wins
    assert '<main id="main"' in page  # everything else still comes from the packaged theme
    css = [p for p in (out / "static/css").iterdir()]
    assert len(css) == 1 and css[0].read_text() == "body { color: rebeccapurple; }\n"
    assert f'href="/static/css/{css[0].name}"' in page
    assert len(list((out / "static/img").glob("logo.*.txt"))) == 1  # new static files are added
    assert any((out / "static/js").glob("site.*.js"))  # the theme's other static files are kept


def test_named_theme_beside_the_config_falls_back_to_the_default(tmp_path: Path):
    site = _site(tmp_path, {"themes/plain/templates/404.html": "plain 404 for {{ site.title }}\n"},
                 config="title: T\ntheme: plain\n")
    out = tmp_path / "site"
    run_papers("build", "--content", str(site / "content"), "--out", str(out), "-q", check=True)
    assert (out / "404.html").read_text() == "plain 404 for T\n"
    assert "A Paper" in (out / "papers/a-paper/index.html").read_text()


def test_lookup_order_is_overrides_then_theme_then_default(tmp_path: Path):
    _site(tmp_path, {"overrides/templates/x.html": "o", "themes/mine/templates/x.html": "t"},
          config="title: T\ntheme: mine\n")
    config = load_config(None, tmp_path / "content")
    layers = Theme(config).layers
    assert layers == [tmp_path / "overrides", tmp_path / "themes" / "mine", PACKAGED_THEMES / "default"]
    assert (PACKAGED_THEMES / "default" / "templates" / "base.html").is_file()
    assert (PACKAGED_THEMES / "default").resolve() == (ROOT / "themes" / "default").resolve()


def test_unknown_theme_is_a_config_error_naming_the_key(tmp_path: Path):
    _site(tmp_path, {}, config="theme: nope\n")
    with pytest.raises(ConfigError, match="'theme'.*nope"):
        Theme(load_config(None, tmp_path / "content"))


def test_assets_are_fingerprinted_by_content_hash():
    data = b"body{}"
    digest = hashlib.sha256(data).hexdigest()[:10]
    assert fingerprint("css/site.css", data) == f"static/css/site.{digest}.css"
    assert fingerprint("css/site.css", b"body{ }") != fingerprint("css/site.css", data)
    assert fingerprint("vendor/LICENSE-lunr.txt", data) == f"static/vendor/LICENSE-lunr.{digest}.txt"
    assert fingerprint("CNAME", data) == f"static/CNAME.{digest}"


# --- template errors name the template and the line ----------------------------------------------------------

def _renderer(tmp_path: Path, template: str) -> Renderer:
    _site(tmp_path, {"overrides/templates/broken.html": template})
    config = load_config(None, tmp_path / "content")
    return Renderer(config, Theme(config), {"css/site.css": "static/css/site.x.css"})


def test_template_syntax_error_names_file_and_line(tmp_path: Path):
    renderer = _renderer(tmp_path, "line one\n{% if x %}\nno endif\n")
    with pytest.raises(BuildError) as exc:
        renderer.render(Page("x/index.html", "broken.html", {"x": 1}, "test"))
    assert str(exc.value.path).endswith("overrides/templates/broken.html")
    assert exc.value.line == 3
    assert "syntax" in exc.value.message


def test_template_runtime_error_names_file_and_line(tmp_path: Path):
    renderer = _renderer(tmp_path, "ok\nok\n{{ missing.attr }}\n")
    with pytest.raises(BuildError) as exc:
        renderer.render(Page("x/index.html", "broken.html", {}, "test"))
    assert str(exc.value.path).endswith("broken.html") and exc.value.line == 3
    assert "missing" in exc.value.message and "x/index.html" in exc.value.message


def _papers(n: int) -> dict[str, str]:
    return {f"content/2025/01/{1 + i % 20:02d}/p{i}.md":
            f"---\ntitle: Paper {i}\nslug: p{i}\ndate: 2025-01-{1 + i % 20:02d}\nupvotes: {i % 7}\n---\n\nText {i}.\n"
            for i in range(n)}


def test_the_render_compiles_the_theme_once_before_it_forks(tmp_path: Path, monkeypatch):
    """Over two render processes, every template is compiled in the parent before the fork, none in the worker,
    and the site is byte for byte the one-process build's."""
    import jinja2
    from conftest import tree
    from generator.build.pipeline import build
    from generator.render import renderer as renderer_module
    write_tree(tmp_path, _papers(60))
    log = tmp_path / "log"
    real_compile, real_render = jinja2.Environment.compile, renderer_module.Renderer.render

    def compile_logged(self, source, name=None, *args, **kwargs):
        with log.open("a") as f:
            f.write(f"compile {os.getpid()} {name}\n")
        return real_compile(self, source, name, *args, **kwargs)

    def render_logged(self, page):
        with log.open("a") as f:
            f.write(f"render {os.getpid()} {page.path}\n")
        return real_render(self, page)

    monkeypatch.setattr(jinja2.Environment, "compile", compile_logged)
    monkeypatch.setattr(renderer_module.Renderer, "render", render_logged)
    monkeypatch.setenv("PAPERS_JOBS", "2")
    build(tmp_path / "content", tmp_path / "two")
    lines = [line.split(" ", 2) for line in log.read_text().splitlines()]
    here = str(os.getpid())
    assert len({pid for what, pid, _ in lines if what == "render"}) == 2  # the render did fork
    compiled = [name for what, pid, name in lines if what == "compile" and name != "None"]
    assert all(pid == here for what, pid, _ in lines if what == "compile"), "a worker compiled a template"
    assert {"paper.html", "base.html", "day.html", "partials/paper_row.html"} <= set(compiled)
    monkeypatch.setenv("PAPERS_JOBS", "1")
    build(tmp_path / "content", tmp_path / "one")
    assert tree(tmp_path / "two") == tree(tmp_path / "one")


def test_a_broken_template_no_page_uses_does_not_stop_a_forked_render(tmp_path: Path, monkeypatch):
    """compile_all() compiles the whole theme before the fork; a template no page uses may not compile, or not
    be a template at all, as in a one-process build. One a page uses still fails the build at its line."""
    monkeypatch.setenv("PAPERS_JOBS", "2")
    write_tree(tmp_path, {"papers.yml": "title: T\n", **_papers(30),
                          "overrides/templates/unused.html": "line one\n{% if x %}\nno endif\n"})
    (tmp_path / "overrides/templates/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    ok = run_papers("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"), "-q")
    assert ok.returncode == 0 and ok.stderr == "", ok.stderr
    write_tree(tmp_path, {"overrides/templates/day.html":
                          "{% extends 'base.html' %}\n{% block content %}\n{{ date }\n"})
    bad = run_papers("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"), "-q")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert re.search(r"overrides/templates/day\.html:3: .*syntax error", bad.stderr), bad.stderr


def test_an_override_reads_dicts_as_jinja_does_keys_methods_and_missing_names(tmp_path: Path):
    """Renderer's environment takes a dict's item first (quicker); a dict method is still the method, a
    missing key is still StrictUndefined's error, and globals reach includes."""
    renderer = _renderer(tmp_path, "{{ d.title }}|{{ d.items() | list | length }}|{{ d.get('x', 'none') }}|"
                                   "{{ d['title'] }}|{% include 'partials/g.html' %}\n")
    write_tree(tmp_path / "overrides/templates/partials", {"g.html": "{{ site.title }}:{{ url('p/') }}"})
    page = Page("x/index.html", "broken.html", {"d": {"title": "<T>", "keys": "a key"}}, "test")
    assert renderer.render(page) == b"&lt;T&gt;|2|none|&lt;T&gt;|T:/p/"  # trim_blocks eats the newline
    keys = _renderer(tmp_path / "k", "{{ d.keys is callable }}")
    assert keys.render(Page("x/index.html", "broken.html", {"d": {"keys": "x"}}, "test")) == b"True"
    missing = _renderer(tmp_path / "m", "ok\n{{ d.nope }}\n")
    with pytest.raises(BuildError, match="nope") as exc:
        missing.render(Page("x/index.html", "broken.html", {"d": {}}, "test"))
    assert exc.value.line == 2


_ESCAPING = """{{ t }}|{{ n }}|{{ none }}|{{ m }}|{{ h }}|{{ t ~ m }}|{{ t | e }}|{{ t | safe }}|{{ m | e }}
{% macro row(x) %}<b>{{ x }}</b>{% endmacro %}{{ row(t) }}|{{ row(m) }}|{{ row(t) | upper }}
{% set block %}<i>{{ t }}</i>{% endset %}{{ block }}|{{ block | length }}|{% filter upper %}{{ t }}{% endfilter %}
{% macro wrap() %}<u>{{ caller() }}</u>{% endmacro %}
{% call wrap() %}{{ t }}{% endcall %}
|{% for c in cs %}{{ c }}{% endfor %}|{% autoescape false %}{{ t }}{% endautoescape %}
{% include 'partials/inc.html' %}|{{ '<lit>' }}|{{ cs | join(',') }}|{{ [t, m] | join }}|{{ d.t }}|{{ 'x/' ~ t ~ n }}
"""


class _Html:
    def __html__(self) -> str:
        return "<em>as html</em>"


def test_output_escapes_as_markupsafe_does_in_every_kind_of_tag(tmp_path: Path):
    """The theme's output tags escape with escape_text (a plain str, not a Markup) and `~` joins with join_text,
    which must give the page Jinja's own escaping gives: in macros, `{% set %}` and filter blocks, calls,
    loops, includes, `~` with and without Markup, the `e` and `safe` filters, numbers, None, __html__."""
    import jinja2
    from markupsafe import Markup, escape

    from generator.render.environment import escape_text, join_text

    hostile = "<script>alert('x')</script> & \"q\" javascript:void(0) \u00e9\u2026\U0001f600 &amp;"
    for value in [hostile, "", "plain", 7, 2.5, None, True, Markup("<b>&amp;</b>"), _Html()]:
        assert escape_text(value) == str(escape(value)) and type(escape_text(value)) in (str, Markup)
    context = {"t": hostile, "n": 42, "none": None, "m": Markup("<b>bold &amp;</b>"), "h": _Html(),
               "cs": ["<a>", "&", '"'], "d": {"t": "<d>"}}
    renderer = _renderer(tmp_path, _ESCAPING)
    write_tree(tmp_path / "overrides/templates/partials", {"inc.html": "[{{ t }}]{{ m }}"})
    ours = renderer.render(Page("x/index.html", "broken.html", context, "test")).decode()
    plain = jinja2.Environment(loader=jinja2.DictLoader({"t.html": _ESCAPING, "partials/inc.html": "[{{ t }}]{{ m }}"}),
                               autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    assert ours == plain.get_template("t.html").render(**context)
    assert ours.split("|")[0] == ("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34; javascript:void(0)"
                                  " \u00e9\u2026\U0001f600 &amp;amp;")  # `| safe` and autoescape false: raw
    template = renderer.env.get_template("broken.html")
    namespace = template.root_render_func.__globals__
    assert namespace["escape"] is escape_text and namespace["markup_join"] is join_text  # the quicker paths are taken
    assert join_text(("a", "<b>")) == "a<b>" and join_text(("<", Markup("<b>"))) == Markup("&lt;<b>")


def test_templates_are_found_again_by_name_as_jinja_loaded_them(tmp_path: Path):
    """Every extends and include asks for its template by name: the environment's dict gives Jinja's own
    loaded template (the same object as Jinja's cache holds), and a missing one is still an error each time."""
    import jinja2
    renderer = _renderer(tmp_path, "{% extends 'partials/p.html' %}{% block b %}{% include 'partials/x.html' %}"
                                   "{% endblock %}")
    write_tree(tmp_path / "overrides/templates/partials", {"x.html": "<p>{{ kind }}</p>", "p.html": "[{% block b %}"
                                                           "{% endblock %}]"})
    page = Page("x/index.html", "broken.html", {}, "test")
    assert renderer.render(page) == b"[<p>test</p>]" == renderer.render(page)
    env = renderer.env
    cached = {key[1]: t for key, t in env.cache.items()}
    assert set(env._loaded) == {"broken.html", "partials/p.html", "partials/x.html"}
    assert all(cached[name] is t for name, t in env._loaded.items())
    assert env.get_template("partials/x.html", "broken.html") is env._loaded["partials/x.html"]
    for _ in range(2):
        with pytest.raises(jinja2.TemplateNotFound):
            env.get_template("partials/nope.html")


def test_unknown_asset_is_an_error_naming_the_template(tmp_path: Path):
    renderer = _renderer(tmp_path, "{{ asset('css/nope.css') }}\n")
    with pytest.raises(BuildError, match="nope.css") as exc:
        renderer.render(Page("x/index.html", "broken.html", {}, "test"))
    assert exc.value.line == 1


def test_abstract_links_are_linkified_and_collected():
    from generator.model.markdown import link_kind, render_abstract

    html, links = render_abstract("Code at https://github.com/a/b. Demo: www.demo.org, data on huggingface.co/d/x; "
                                  "we ship train.py and README.md. [Page](https://p.example.io/) and "
                                  "https://github.com/a/b again.")
    assert links == ["https://github.com/a/b", "http://www.demo.org", "http://huggingface.co/d/x",
                     "https://p.example.io/"]
    assert "train.py and README.md" in html  # file names are not links, though .py and .md are real TLDs
    assert html.count('rel="nofollow noopener"') == 5
    assert [link_kind(u) for u in links] == ["Code", "Link", "Hugging Face", "Link"]
    assert link_kind("https://someone.github.io/project") == "Project page"


def test_runs_of_output_are_one_piece_and_the_site_is_jinjas_own(tmp_path: Path, monkeypatch):
    """The code generator yields a run of text and output tags as one joined str (a paper page: ~230 pieces
    before, ~65 after); the golden site, every kind of page, is byte for byte what Jinja's own makes."""
    import jinja2
    from conftest import tree
    from generator.build.pipeline import build
    from generator.render.environment import Environment

    renderer = _renderer(tmp_path / "r", "<h1>{{ t }}</h1><p>{{ n }} {{ t | e }}</p>\n{% for x in cs %}<li>{{ x }}"
                                         "</li>{% endfor %}{% set s %}<b>{{ t }}</b>{% endset %}{{ s }}")
    code = renderer.env.compile(renderer.env.loader.get_source(renderer.env, "broken.html")[0], raw=True)
    assert code.count("yield ") == 4  # the run before the loop, its body, the set's output; the `if 0: yield`
    page = renderer.render(Page("x/index.html", "broken.html", {"t": "<&>", "n": 7, "cs": ["<a>"]}, "test"))
    assert page == b"<h1>&lt;&amp;&gt;</h1><p>7 &lt;&amp;&gt;</p>\n<li>&lt;a&gt;</li><b>&lt;&amp;&gt;</b>"
    shutil.copytree(GOLDEN / "site-src", tmp_path / "src")
    build(tmp_path / "src" / "content", tmp_path / "ours")
    monkeypatch.setattr(Environment, "code_generator_class", jinja2.compiler.CodeGenerator)
    build(tmp_path / "src" / "content", tmp_path / "jinja")
    ours, jinjas = tree(tmp_path / "ours"), tree(tmp_path / "jinja")
    assert len(ours) > 50 and ours == jinjas


def test_calls_of_url_and_asset_with_constant_arguments_are_made_once_when_compiled(tmp_path: Path):
    """`url('x/')`, `asset('css/site.css')` and `abs_url()` become their text when the template is compiled; a
    call with a variable argument, or of an asset the theme lacks (still an error at its line), stays a call;
    no page of the golden site has a context that would hide those globals."""
    import jinja2
    from generator.content.files import load_papers
    from generator.model.site import build_model, pages

    template = ("{{ url('archive/') }}|{{ asset('css/site.css') }}|{{ abs_url() }}|{{ url(x) }}\n"
                "{% if bad %}{{ asset('css/nope.css') }}{% endif %}\n")
    renderer = _renderer(tmp_path, template)
    code = renderer.env.compile(template, "broken.html", raw=True)
    assert code.count("context.call(") == 2 and "/archive/|/static/css/site.x.css|" in code
    page = Page("x/index.html", "broken.html", {"x": "<y>", "bad": False}, "test")
    assert renderer.render(page).decode() == f"/archive/|/static/css/site.x.css|{renderer.config.base_url}|/&lt;y&gt;\n"
    with pytest.raises(BuildError, match="nope.css") as exc:
        renderer.render(Page("x/index.html", "broken.html", {"x": "", "bad": True}, "test"))
    assert exc.value.line == 2
    plain = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    plain.globals.update(renderer.env.globals)
    assert renderer.render(page).decode() == plain.from_string(template).render(x="<y>", bad=False)
    src = GOLDEN / "site-src" / "content"
    config = load_config(None, src)
    contexts = [p.context for p in pages(build_model(load_papers(src)[0]), config)]
    assert len(contexts) > 30 and not any({"url", "abs_url", "asset"} & c.keys() for c in contexts)


@pytest.mark.parametrize("binding", ["{% set url = fake %}", "{% for url in [fake] %}{% endfor %}",
                                     "{% macro url(p) %}m{% endmacro %}", "{% with url = fake %}{% endwith %}",
                                     "{% from 'partials/m.html' import url %}"])
def test_a_theme_that_binds_url_anywhere_has_no_url_call_folded(tmp_path: Path, binding: str):
    """An include or a parent template sees a name another template binds, so one binding anywhere in the
    theme keeps every `url(…)` a call, rendered as Jinja renders it."""
    renderer = _renderer(tmp_path, "{% include 'partials/inc.html' %}")
    write_tree(tmp_path / "overrides/templates/partials", {
        "inc.html": "[{{ url('a/') }}]", "m.html": "{% macro url(p) %}m{% endmacro %}",
        "binds.html": binding + "{{ url('a/') }}"})
    renderer = Renderer(renderer.config, Theme(renderer.config), {})
    assert renderer.env.folded == {"abs_url", "asset"}
    code = renderer.env.compile(renderer.env.loader.get_source(renderer.env, "partials/inc.html")[0], raw=True)
    assert "context.call(" in code
    assert renderer.render(Page("x/index.html", "broken.html", {}, "test")) == b"[/a/]"
    write_tree(tmp_path / "overrides/templates", {"broken.html": "{% macro url(p) %}m{% endmacro %}"
                                                                 "{% include 'partials/inc.html' %}"})
    renderer = Renderer(renderer.config, Theme(renderer.config), {})
    assert renderer.render(Page("x/index.html", "broken.html", {}, "test")) == b"[m]"  # the include sees the macro

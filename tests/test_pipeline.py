"""One pipeline for `papers build` and `papers serve --watch`, and a package layout without cycles.

- Any sequence of content, template, static and config changes run through serve's path (one kept-alive
  Pipeline, in-place writes, the search index after the pages) leaves the site byte-identical to a fresh
  `papers build` of the final state.
- serve starts from the saved state: with an up-to-date output and cache it answers before any run and its
  first run renders nothing.
- No module of generator/ imports itself through others (a TYPE_CHECKING import does not count), and none is
  over 400 lines.
"""
from __future__ import annotations

import ast
import re
import socket
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_papers, write_tree
from generator.build.changes import Changes
from generator.build.pipeline import Pipeline, build
from generator.build.writers import InPlace
from generator.errors import BuildError
from test_serve import DevProcess, make_project, paper, wait_for

BASE = "http://127.0.0.1:8123/"
PACKAGE = ROOT / "generator"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------- serve's path == papers build

TITLES = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs"), max_codepoint=0x24F),
                 min_size=3, max_size=30).map(str.strip).filter(lambda s: len(s) >= 3 and s[0].isalpha())
DATES = st.sampled_from(["2025-03-04", "2025-03-05", "2025-03-11", "2025-04-01", "2024-12-30"])

OPS = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 20), TITLES, st.integers(0, 500)),
    st.tuples(st.just("add"), st.integers(0, 10_000), TITLES, DATES),
    st.tuples(st.just("remove"), st.integers(0, 20)),
    st.tuples(st.just("body"), st.integers(0, 20), st.sampled_from(["Diffusion models.", "A **bold** claim.",
                                                                    "See https://example.org/code here."])),
    st.tuples(st.just("template"), st.sampled_from(["# one\n", "# two\n"])),
    st.tuples(st.just("static"), st.sampled_from(["a { color: red }\n", "a { color: blue }\n"])),
    st.tuples(st.just("config"), st.sampled_from(["Archive One", "Archive Two"])),
)


def apply(root: Path, op: tuple) -> Changes:
    """Make the change on disk; returns the batch the watcher would report."""
    changes = Changes()
    papers = sorted((root / "content").rglob("*.md"))
    kind = op[0]
    if kind in ("edit", "remove", "body") and not papers:
        return changes
    if kind == "edit":
        path = papers[op[1] % len(papers)]
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^title: .*$", f"title: '{op[2]}'", text, count=1, flags=re.M)
        text = re.sub(r"^upvotes: .*$", f"upvotes: {op[3]}", text, count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")
        changes.add("content", path, False)
    elif kind == "add":
        slug, date = f"added-{op[1]}", op[3]
        y, m, d = date.split("-")
        path = root / f"content/{y}/{m}/{d}/{slug}.md"
        write_tree(root, {path.relative_to(root).as_posix(): paper(slug, f"'{op[2]}'", date, op[1] % 50)})
        changes.add("content", path.parent, True)  # a new folder, maybe
        changes.add("content", path, False)
    elif kind == "remove":
        path = papers[op[1] % len(papers)]
        path.unlink()
        changes.add("content", path, False)
    elif kind == "body":
        path = papers[op[1] % len(papers)]
        head, _, _ = path.read_text(encoding="utf-8").rpartition("---\n")
        path.write_text(f"{head}---\n\n{op[2]}\n", encoding="utf-8")
        changes.add("content", path, False)
    elif kind == "template":
        template = (ROOT / "themes/default/templates/robots.txt").read_text(encoding="utf-8")
        write_tree(root, {"overrides/templates/robots.txt": template + op[1]})
        changes.add("config", root / "overrides", True)
        changes.add("template", root / "overrides/templates/robots.txt", False)
    elif kind == "static":
        write_tree(root, {"overrides/static/css/extra.css": op[1]})
        changes.add("config", root / "overrides", True)
        changes.add("static", root / "overrides/static/css/extra.css", False)
    elif kind == "config":
        write_tree(root, {"papers.yml": f"title: {op[1]}\n"})
        changes.add("config", root / "papers.yml", False)
    return changes


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=6), searches=st.lists(st.booleans(), min_size=6, max_size=6))
def test_serve_path_ends_where_a_fresh_build_does(tmp_path_factory, ops, searches):
    root = tmp_path_factory.mktemp("prop")
    make_project(root)
    served = Pipeline(root / "content", root / "site", base_url=BASE, keep=True)
    served.run(writer=InPlace)
    failed = False  # whether serve's last run failed (two papers whose titles normalise alike, say)
    for op, search in zip(ops, searches):
        try:
            served.run(apply(root, op), writer=InPlace, search=search)
            failed = False
        except BuildError:
            failed = True  # the change stays pending: the next run builds it with its own
    fresh = root / "fresh"
    try:
        build(root / "content", fresh, base_url=BASE)
    except BuildError:
        assert failed, "serve's last run built content that papers build refuses"
        return
    assert not failed, "serve's last run failed on content that papers build builds"
    served.update_search()
    assert tree(root / "site") == tree(fresh)


def test_a_failed_serve_run_is_retried_by_the_next_one(tmp_path: Path):
    root = make_project(tmp_path)
    served = Pipeline(root / "content", root / "site", base_url=BASE, keep=True)
    served.run(writer=InPlace)
    broken = next((root / "content").rglob("*.md"))
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("upvotes: ", "upvotes: lots"), encoding="utf-8")
    try:
        served.run(Changes({"content"}, {broken}), writer=InPlace)
    except Exception:  # noqa: BLE001 - the failure is the point
        pass
    else:
        raise AssertionError("a broken file must fail the run")
    broken.write_text(good.replace("Paper", "Paper Fixed"), encoding="utf-8")
    served.run(Changes({"template"}, set()), writer=InPlace)  # the content change is still pending
    build(root / "content", root / "fresh", base_url=BASE)
    assert tree(root / "site") == tree(root / "fresh")


# ------------------------------------------------------------------------------ serve starts from the state


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_at_once_from_an_up_to_date_build_and_renders_nothing(tmp_path: Path):
    make_project(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    run_papers("build", "-q", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"),
               "--base-url", url, check=True)
    before = tree(tmp_path / "site")
    proc = DevProcess(tmp_path, "--port", str(port), "--base-url", url)
    try:
        assert proc.get("/papers/alpha-paper/")[0] == 200
        line = wait_for(lambda: proc.lines("built in"), 10, "the first run")[0]
        assert "0 of" in line and "nothing changed on disk" in line, line
        assert "is up to date" in proc.log()
    finally:
        proc.stop()
    assert tree(tmp_path / "site") == before


def test_serve_saves_its_state_so_the_next_start_is_up_to_date(tmp_path: Path):
    make_project(tmp_path)
    port = free_port()
    first = DevProcess(tmp_path, "--port", str(port))
    wait_for(lambda: first.lines("built in"), 10, "the first run")
    first.stop()
    second = DevProcess(tmp_path, "--port", str(port))
    try:
        assert "is up to date" in second.log()
        assert "0 of" in wait_for(lambda: second.lines("built in"), 10, "the first run")[0]
    finally:
        second.stop()


# ------------------------------------------------------------------------------------------- the layout


def _imports(path: Path) -> set[str]:
    """The generator modules `path` imports, leaving out `if TYPE_CHECKING:` blocks."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if path.name == "__init__.py":
        module = package
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.ImportFrom):
                base = package.split(".")
                if child.level:
                    base = base[:len(base) - child.level + 1]
                target = ".".join(base + ([child.module] if child.module else [])) if child.level else child.module
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if _module_file(sub) else target)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m and m.startswith("generator") and m != module and _module_file(m)}


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "themes" not in p.parts)


def test_no_import_cycles_inside_the_package():
    graph = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): _imports(p)
             for p in _modules()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                walk(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_the_cycle_check_sees_a_cycle(tmp_path: Path, monkeypatch):
    pkg = tmp_path / "generator"
    write_tree(tmp_path, {"generator/__init__.py": "", "generator/a.py": "from .b import x\n",
                          "generator/b.py": "from .a import y\n", "generator/c.py":
                          "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import z\n"})
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert _imports(pkg / "a.py") == {"generator.b"} and _imports(pkg / "b.py") == {"generator.a"}
    assert _imports(pkg / "c.py") == set()


def test_no_module_is_over_400_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long


def test_measuring_code_is_not_in_the_package():
    assert not list(PACKAGE.rglob("search_payload.py")) and (ROOT / "bench/search_payload.py").is_file()
    assert not any("subprocess" in p.read_text(encoding="utf-8") and "node" in p.read_text(encoding="utf-8")
                   for p in (PACKAGE / "search").glob("*.py"))


# --------------------------------------------------------------------------- nothing can fail after the swap


def test_a_cache_that_cannot_be_written_fails_the_build_before_the_swap(tmp_path: Path):
    make_project(tmp_path)
    site = tmp_path / "site"
    run_papers("build", "-q", "--content", str(tmp_path / "content"), "--out", str(site), check=True)
    before = tree(site)
    (tmp_path / "content/2025/03/04/alpha-paper.md").write_text(
        paper("alpha-paper", "Alpha Changed", upvotes=31), encoding="utf-8")
    cache = tmp_path / ".site-cache"
    for child in cache.iterdir():
        child.unlink()
    cache.rmdir()
    cache.write_text("not a folder", encoding="utf-8")  # every cache write fails
    proc = run_papers("build", "--content", str(tmp_path / "content"), "--out", str(site))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("error:")], proc.stderr
    assert tree(site) == before  # the published site is the previous one, whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("site")) == ["site"]


def test_the_search_index_is_begun_before_the_files_are_read_and_dropped_when_they_fail(tmp_path: Path,
                                                                                        monkeypatch):
    """The job is forked before the files are read (its process then holds its entries and index, not a copy
    of everything the build read: 734 → 513 MB at 100k papers), fed before they are judged, and cancelled
    when they fail."""
    import pytest
    from generator.content.sources import Sources
    from generator.search.job import SearchJob
    make_project(tmp_path)
    site = tmp_path / "site"
    build(tmp_path / "content", site)
    before = tree(site)
    order: list[str] = []
    for cls, name, what in ((SearchJob, "__init__", "search"), (Sources, "read_all", "read"),
                            (SearchJob, "feed", "fed"), (Sources, "papers", "judged")):
        real = getattr(cls, name)
        monkeypatch.setattr(cls, name, lambda self, *a, real=real, what=what: (order.append(what), real(self, *a))[1])
    (tmp_path / "content/2025/03/04/copy.md").write_text(paper("copy", "Alpha Paper"), encoding="utf-8")
    with pytest.raises(BuildError, match="same paper"):  # two files that are one paper: an error
        build(tmp_path / "content", site)
    assert order == ["search", "read", "fed", "judged"]  # it ran beside the validator, and went when it failed
    assert tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("site")) == ["site"]
    (tmp_path / "content/2025/03/04/copy.md").unlink()
    assert build(tmp_path / "content", site).fresh and tree(site) == before  # fixed: the site is up to date


def test_a_one_shot_build_lets_go_of_what_it_read_before_it_writes(tmp_path: Path):
    """`papers build` drops its papers, memo and the titles' identities once its pages are made (the write of
    the state then reuses that memory: the main process's peak at 100k papers, 600 → 583 MB); serve keeps them."""
    from generator.content.slugs import identity
    make_project(tmp_path)
    one_shot = Pipeline(tmp_path / "content", tmp_path / "site")
    assert one_shot.run().pages and not one_shot.sources.files and not one_shot._memo._cards
    assert identity.cache_info().currsize == 0  # the validator's memo of the titles' identities, cleared
    kept = Pipeline(tmp_path / "content", tmp_path / "served", keep=True)
    kept.run()
    assert kept.sources.files and kept._memo._cards and identity.cache_info().currsize > 0


def test_a_one_shot_pipeline_judges_each_run_anew(tmp_path: Path):
    """A one-shot run drops each paper's `seen` once judged; a second run must not judge those papers again."""
    make_project(tmp_path, {"content/undated/x/lost-paper.md": "---\nschema: 1\ntitle: Lost Paper\nslug: lost-paper\n"
                            "seen:\n- listing: a.txt\n  line: 3\n---\n\nText.\n"})
    pipeline = Pipeline(tmp_path / "content", tmp_path / "site")
    first = pipeline.run()
    assert any("no date and no flag" in w for w in first.warnings), first.warnings
    (tmp_path / "content/2025/03/04/alpha-paper.md").write_text(paper("alpha-paper", "Alpha Paper", upvotes=31),
                                                                 encoding="utf-8")  # not up to date: judged again
    second = pipeline.run()
    assert not second.fresh and second.warnings == first.warnings

"""Listing rows are rendered once per build, unless the row template reads more than the row's own data."""
from __future__ import annotations

from pathlib import Path

from conftest import run_papers, write_tree
from generator.config import load_config
from generator.render.renderer import Renderer, RowCache
from generator.render.theme import Theme

PAPER = "---\ntitle: {t}\nslug: {t}\ndate: 2025-01-0{d}\norganization: Acme Lab\nupvotes: 1\n---\n\nText.\n"


def project(root: Path, extra: dict[str, str] | None = None) -> Path:
    write_tree(root, {f"content/2025/01/0{d}/{t}.md": PAPER.format(t=t, d=d) for t, d in (("aa", 1), ("bb", 2))})
    write_tree(root, extra or {})
    return root / "content"


def test_the_default_row_is_cached_and_an_override_reading_the_page_is_not(tmp_path: Path):
    content = project(tmp_path)
    config = load_config(None, content, None)
    assert Renderer(config, Theme(config), {}).env.globals["paper_row"]._is_pure()
    write_tree(tmp_path, {"overrides/templates/partials/byline.html": "{{ p.organization }} on a {{ kind }} page"})
    row = Renderer(config, Theme(config), {}).env.globals["paper_row"]
    assert isinstance(row, RowCache) and not row._is_pure()  # byline is included by the row: it counts too


def test_an_override_that_reads_the_page_kind_sees_each_page(tmp_path: Path):
    content = project(tmp_path, {"overrides/templates/partials/paper_row.html":
                                 "<li>{{ p.title }} listed on a {{ kind }} page</li>\n"})
    out = tmp_path / "site"
    run_papers("build", "--content", str(content), "--out", str(out), "-q", check=True)
    assert "aa listed on a day page" in (out / "date/2025-01-01/index.html").read_text()
    assert "aa listed on a week page" in (out / "week/2025-W01/index.html").read_text()
    assert "aa listed on a org page" in (out / "org/acme-lab/index.html").read_text()

"""The parallel loader reads content/ exactly as content.load_papers does: papers, warnings and errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import write_tree
from generator.content import load_papers
from generator.loader import load_papers_parallel


def test_parallel_loading_equals_load_papers(tmp_path: Path, seed_content: Path, monkeypatch: pytest.MonkeyPatch):
    content = tmp_path / "content"
    shutil.copytree(seed_content, content)
    write_tree(content, {
        "2025/01/01/broken.md": "---\ntitle: [unclosed\nslug: broken\n---\n\nText\n",
        "2025/01/01/no-front.md": "just text\n",
        "2025/01/01/odd.md": "---\ntitle: Odd\nslug: odd\ncolour: red\n---\n\nAn unknown field is a warning.\n",
        ".hidden/skip.md": "---\ntitle: Hidden\nslug: hidden\n---\n",
    })
    monkeypatch.setenv("PAPERS_JOBS", "3")
    expected = load_papers(content)
    got = load_papers_parallel(content)
    assert got[0] == expected[0] and got[1] == expected[1]
    assert [(e.message, str(e.path), e.line) for e in got[2]] == [(e.message, str(e.path), e.line)
                                                                  for e in expected[2]]
    assert len(got[2]) == 2 and any("colour" in str(p) for p in got[1])

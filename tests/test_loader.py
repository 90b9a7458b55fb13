"""The parallel loader reads content/ exactly as content.load_papers does: papers, warnings and errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import write_tree
from generator.content.files import load_papers
from generator.content.loader import load_papers_parallel


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


def test_read_ahead_keeps_order_and_raises_at_the_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import generator.content.loader as loader

    monkeypatch.setattr(loader, "BATCH", 3)  # many small tasks, more than the window holds
    monkeypatch.setattr(loader, "WINDOW", 2)
    paths = []
    for i in range(50):
        path = tmp_path / f"{i:02d}.md"
        path.write_bytes(f"file {i}".encode())
        paths.append(str(path))
    assert [(p, d) for p, d in loader.read_ahead(paths)] == [(p, f"file {i}".encode()) for i, p in enumerate(paths)]
    (tmp_path / "20.md").unlink()
    got = []
    with pytest.raises(FileNotFoundError):
        for path, _ in loader.read_ahead(paths):
            got.append(path)
    assert got == paths[:20]


def test_uneven_shares_cover_every_file_once():
    from generator.content.loader import _shares

    files = [str(i) for i in range(2001)]
    for n in (1, 2, 3, 8):
        shares = _shares(files, n)
        assert sum(shares, []) == files and all(shares) and len(shares) == n
    assert len(_shares(files, 2)[0]) > len(_shares(files, 2)[1])  # this process does not pickle its share
    assert _shares([], 2) == [] and _shares(["a"], 3) == [["a"]]

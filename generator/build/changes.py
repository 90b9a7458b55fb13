"""What a change can touch, defined once: the kinds, and one debounced batch of changed paths.

    content    a paper file under content/, or a folder there (then content/ is walked again)
    template   a file under a theme layer's templates/
    static     a file under a theme layer's static/
    config     the config file, netlify.toml, or a theme layer appearing or going

serve/watch.py turns file-system events into `Changes`; build/pipeline.py turns `Changes` into work, from
least (one content file: its pages) to most (config: everything).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["KINDS", "Changes"]

KINDS = ("content", "template", "static", "config")  # from least to most work


@dataclass
class Changes:
    """One batch: the kinds of change, the paths, and whether a folder changed under content/."""

    kinds: set[str] = field(default_factory=set)
    paths: set[Path] = field(default_factory=set)
    rescan: bool = False

    @classmethod
    def everything(cls) -> Changes:
        """A first build: every kind, content/ walked."""
        return cls(kinds=set(KINDS), rescan=True)

    def merged(self, other: Changes) -> Changes:
        """This batch and `other` as one (a failed run's changes stay due with the next batch)."""
        return Changes(self.kinds | other.kinds, self.paths | other.paths, self.rescan or other.rescan)

    def add(self, kind: str, path: Path, is_dir: bool) -> None:
        self.kinds.add(kind)
        self.paths.add(path)
        self.rescan = self.rescan or (kind == "content" and is_dir)

    def describe(self, root: Path) -> str:
        """`content 2025/01/02/x.md`, or `content, template (3 paths)`: what changed, for the log."""
        kinds = ", ".join(k for k in KINDS if k in self.kinds)
        if len(self.paths) == 1:
            return f"{kinds} {_short(next(iter(self.paths)), root)}"
        return f"{kinds} ({len(self.paths)} paths)"


def _short(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)

"""What the last build was made from, kept in the cache folder: a build whose inputs did not change does nothing.

    inputs    one hash of everything but content/ that the output depends on: the generator's code and the
              libraries' versions, the config, every file of the theme layers, SOURCE_DATE_EPOCH
    content   every content file's stat stamp (mtime, ctime, size, inode). As in git's index, a file changed
              less than RACY_NS before the scan could change again within the same clock tick and keep its
              stamp: for those few files the bytes' hash is kept too, and compared
    output    every file the build wrote, with its stamp: one changed or gone, and the next build runs in
              full and makes that file again (files added to the output by hand are left alone until then)
    warnings  what reading the content reported, said again (and failing again with --strict)

Checking takes a walk of content/ and a stat per output file: ~0.1 s at 10k papers, where a build
that reuses every page still reads, models, hashes and links them (seconds).
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..content.files import walk_content
from ..content.sources import Stamp, stamp_of
from ..util.codehash import code_hash
from .cache import STATE, Cache

if TYPE_CHECKING:
    from .writers import Writer
    from ..config import SiteConfig
    from ..render.theme import Theme

__all__ = ["BuildState", "Stamp", "OutputStamps", "scan_content", "inputs_hash", "load_state", "save_state",
           "restamp", "NO_STAMP"]

RACY_NS = 2_000_000_000


@dataclass
class BuildState:
    """The last successful build of `out`: what it was made from and what it wrote."""

    inputs: str
    content: dict[str, Stamp]
    digests: dict[str, str]  # rel → sha1 of the bytes, for the files changed just before the scan
    output: OutputStamps
    warnings: list[str] = field(default_factory=list)
    papers: int = 0
    pages: int = 0
    search: dict[str, Any] = field(default_factory=dict)  # {"key": ..., "files": [...]} (see build.py)

    def unchanged(self, inputs: str, root: Path, content: dict[str, Stamp], out: Path) -> bool:
        """True when a build now would write exactly what `out` holds."""
        if inputs != self.inputs or content != self.content:
            return False
        if any(_digest(root / rel) != digest for rel, digest in self.digests.items()):
            return False
        return self.output.unchanged(out)

    def intact(self, out: Path) -> set[str]:
        """The files this build wrote that `out` still holds unchanged."""
        return self.output.intact(out)


NO_STAMP = (-1, -1, -1, -1)  # a file that was not there, or one hard-linked and stamped after the swap (restamp)


class OutputStamps:
    """The files a build wrote (relative paths) and their stamps, as two flat values: the paths in one tuple
    and the stamps in one array of 64-bit integers, four per file (NO_STAMP for a file that was not there, and
    for one hard-linked from the previous site until restamp() stamps it after the swap).

    At 100k papers the output holds ~320k files; as a dict of stamp tuples they took ~60 MB while the build
    saved them, in its largest process at that moment; as an array, 10 MB. `staged`: the Staging writer
    that wrote them, with the stamps it took as it wrote each file (Writer.files, Writer.stamps); when those
    are the files of `rels`, each once, they are the record as they are, with no stat of each file here
    (0.1 s at 10k papers, 1 s at 100k, at the end of the build, with the other CPU idle)."""

    __slots__ = ("rels", "stamps")

    def __init__(self, out: Path, rels: Iterable[str], staged: Writer | None = None):
        if staged is not None and len(staged.stamps) == 4 * len(staged.files) and _same(staged.files, rels):
            self.rels, self.stamps = tuple(staged.files), array("q", staged.stamps)
            return
        self.rels = tuple(rels)
        self.stamps = _stamps(out, self.rels)

    def __len__(self) -> int:
        return len(self.rels)

    def restamp(self, out: Path) -> bool:
        """Stamp the files recorded without one (-1s: hard-linked from the previous site, whose removal
        changed their ctime) as `out` now holds them; True when there were any."""
        todo = [i for i in range(0, len(self.stamps), 4) if self.stamps[i] == NO_STAMP[0]]
        root = str(out) + os.sep
        for i in todo:
            try:
                self.stamps[i:i + 4] = array("q", stamp_of(os.stat(root + self.rels[i // 4])))
            except OSError:
                pass
        return bool(todo)

    def unchanged(self, out: Path) -> bool:
        """True when every file is in `out` with the stamp it had."""
        return _stamps(out, self.rels) == self.stamps

    def intact(self, out: Path) -> set[str]:
        """The files `out` still holds with the stamps they had."""
        now, then = _stamps(out, self.rels), self.stamps
        return {rel for i, rel in enumerate(self.rels) if now[4 * i:4 * i + 4] == then[4 * i:4 * i + 4]
                and then[4 * i] != -1}

    def __getstate__(self) -> tuple:
        return self.rels, self.stamps

    def __setstate__(self, state: tuple) -> None:
        self.rels, self.stamps = state


def _same(files: list[str], rels: Iterable[str]) -> bool:
    """Whether `files` holds each path of `rels` once and nothing else."""
    names = set(files)
    return len(names) == len(files) and names == (rels if isinstance(rels, (set, frozenset)) else set(rels))


def _stamps(out: Path, rels: tuple[str, ...]) -> array:
    found = array("q")
    root = str(out) + os.sep
    for rel in rels:
        try:
            found.extend(stamp_of(os.stat(root + rel)))
        except OSError:
            found.extend(NO_STAMP)
    return found


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError:
        return None


def scan_content(root: Path) -> tuple[dict[str, Stamp], dict[str, str]]:
    """Every content file under `root` (content.files.walk_content): relative path → stamp, and relative path → sha1 of the bytes for files changed in the last RACY_NS.

    Call it before the files are read: a change after the scan then shows in the next scan."""
    found: dict[str, Stamp] = {}
    digests: dict[str, str] = {}
    if not root.is_dir():
        return found, digests
    recent = time.time_ns() - RACY_NS
    base = len(str(root)) + 1
    for path in walk_content(root):
        try:
            st = os.stat(path)
            stamp = found[path[base:]] = stamp_of(st)
        except OSError:
            found[path[base:]] = (-1, -1, -1, -1)
            continue
        if not stat.S_ISREG(st.st_mode):
            continue  # a FIFO or device: never read here (it could block); the loader skips it, warning
        if stamp[0] >= recent or stamp[1] >= recent:
            digests[path[base:]] = _digest(Path(path)) or ""
    return found, digests


def _tree_hash(h: "hashlib._Hash", folders: Iterable[Path]) -> None:
    for folder in folders:
        if not folder.is_dir():
            continue
        h.update(b"\1")  # layers in order; a file's name within its layer, not where the project lies
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


def inputs_hash(config: SiteConfig, theme: Theme) -> str:
    """A hash of every input but content/: code, config, theme files, SOURCE_DATE_EPOCH."""
    h = hashlib.sha256(code_hash().encode())
    h.update(json.dumps({k: str(v) for k, v in vars(config).items() if k != "root"}, sort_keys=True).encode())
    h.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    _tree_hash(h, [layer / part for layer in theme.layers for part in ("templates", "static")])
    return h.hexdigest()


def load_state(cache: Cache) -> BuildState | None:
    """The state the last successful build saved, or None (missing, truncated or from another version:
    build in full)."""
    data = cache.read(STATE)
    return data if isinstance(data, BuildState) and isinstance(data.output, OutputStamps) else None


def save_state(cache: Cache, state: BuildState) -> None:
    """Write the state atomically."""
    cache.write(STATE, state)


def restamp(cache: Cache, state: BuildState, out: Path) -> None:
    """After the swap: the stamps of the files hard-linked from the previous site, saved again. Saved
    before the swap, they were -1s, which the next build takes as files to make again: should this save
    fail, that is all that happens, so it never fails the build."""
    if state.output.restamp(out):
        try:
            save_state(cache, state)
        except OSError:
            pass

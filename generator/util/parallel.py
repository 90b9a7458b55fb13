"""Work spread over the CPUs with fork(): children inherit the site model as it is, nothing is pickled on the way in.

    fork_map(fn, parts)   fn(part) for each part, the first in this process and the others in children;
                          their results (small: counters, signatures, file names) come back pickled
    Background(fn)        fn() in a child while this process goes on; .result() waits for it
    Background(fn, fed=True)  the same, but the child is forked first and given its input later:
                          .feed(items) pickles them over a pipe and fn(items) runs there once they are in;
                          ready(), if given, runs there first, while the parent is still making the items

A child dies with its parent (PR_SET_PDEATHSIG on Linux, and a check of its parent's pid right after the
fork), so a killed command leaves no worker behind. A child's exception is raised again in the parent (a PapersError keeps its path and line). While children
run, the objects that existed at the fork are frozen for the garbage collector (gc.freeze), so a child's
collections do not write to them and their memory stays shared. With PAPERS_JOBS=1, or where there is no
fork(), nothing is forked: fork_map runs every part here and Background runs fn() when its result is asked.
"""
from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import sys
from typing import Any, Callable, Sequence, TypeVar

from ..errors import BuildError, PapersError

__all__ = ["jobs", "runs", "fork_map", "Background"]

T = TypeVar("T")
R = TypeVar("R")


def _env_jobs() -> int | None:
    env = os.environ.get("PAPERS_JOBS", "")
    return int(env) if env.isdigit() and int(env) > 0 else None


def jobs(items: int, minimum: int = 200) -> int:
    """How many processes to use for `items` pieces of work: PAPERS_JOBS if set, else one per CPU (at most 8)
    when there are at least `minimum` items (forking costs more than it saves on a small site)."""
    if not hasattr(os, "fork"):
        return 1
    forced = _env_jobs()
    if forced is not None:
        return forced
    if items < minimum:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def runs(items: list[T], n: int) -> list[list[T]]:
    """`items` cut into at most `n` consecutive runs of about equal length (none empty), for fork_map."""
    step = -(-len(items) // max(n, 1)) or 1
    return [items[i:i + step] for i in range(0, len(items), step)]


def _pack_error(exc: BaseException) -> tuple:
    if isinstance(exc, PapersError):
        return ("papers", type(exc), exc.message, exc.path, exc.line)
    try:
        return ("pickled", pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - whatever it was, say what it was
        return ("text", f"{type(exc).__name__}: {exc}")


def _unpack_error(packed: tuple) -> BaseException:
    if packed[0] == "papers":
        return packed[1](packed[2], packed[3], packed[4])
    if packed[0] == "pickled":
        return pickle.loads(packed[1])
    return BuildError(f"a worker process failed: {packed[1]}")


def _die_with_parent(parent: int) -> None:
    """In a forked child: be killed when the parent dies (Linux's PR_SET_PDEATHSIG), so a killed command
    leaves no worker writing on; and leave at once if the parent is already gone (it died before the call)."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None


PR_SET_PDEATHSIG = 1
_prctl = _load_prctl()


class Background:
    """fn() running in a forked child; result() returns its value or raises its exception."""

    def __init__(self, fn: Callable[..., Any], fed: bool = False, ready: Callable[[], None] | None = None):
        self._fn: Callable[[], Any] | None = None
        self._ready = ready  # with `fed`: run first, in the child, while its input is still on the way
        self._done = False
        self._feed: int | None = None
        if not hasattr(os, "fork") or _env_jobs() == 1:
            self._fn = fn  # run by result(), here
            self._items: list[Any] | None = [] if fed else None
            return
        self._thawed = gc.get_freeze_count() == 0
        gc.freeze()
        for stream in (sys.stdout, sys.stderr):  # or the child could write out what the parent had buffered
            if stream is not None:
                stream.flush()
        read, write = os.pipe()
        feed_read, feed_write = _pipe() if fed else (-1, -1)
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the child: run, send the outcome, leave without running the parent's cleanup
            os.close(read)
            code = 0
            try:
                _die_with_parent(parent)
                try:
                    if fed:
                        os.close(feed_write)
                        if ready is not None:
                            ready()
                    value = fn(_received(feed_read)) if fed else fn()
                    payload = pickle.dumps(("ok", value), pickle.HIGHEST_PROTOCOL)
                except BaseException as exc:  # noqa: BLE001 - reported to the parent
                    payload = pickle.dumps(("error", _pack_error(exc)), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as f:
                    f.write(payload)
            except BaseException:  # noqa: BLE001 - the parent sees a missing result
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        if fed:
            os.close(feed_read)
            self._feed = feed_write
        self._read = read

    def feed(self, items: Sequence[Any]) -> None:
        """Send `items` to a child made with `fed`: fn(items) runs there once they have all arrived. They go
        pickled FEED_CHUNK at a time, so no copy of them all is made here. Once only."""
        if self._fn is not None:
            self._items = list(items)
            return
        fd, self._feed = self._feed, None
        if fd is None:
            raise RuntimeError("feed() is for a Background made with fed=True, once")
        try:
            with os.fdopen(fd, "wb") as f:
                for i in range(0, len(items), FEED_CHUNK):
                    pickle.dump(list(items[i:i + FEED_CHUNK]), f, pickle.HIGHEST_PROTOCOL)
                pickle.dump(None, f)
        except OSError:  # the child is gone (BrokenPipeError): result() says how it ended
            pass

    def wait(self, timeout: float) -> bool:
        """Whether the child has sent its result (or died) within `timeout` seconds."""
        if self._fn is not None or self._done:
            return True
        return bool(select.select([self._read], [], [], timeout)[0])

    def result(self) -> Any:
        """Wait for the child; its return value, or its exception raised here."""
        if self._fn is not None:
            fn, self._fn, self._done = self._fn, None, True
            if self._items is None:
                return fn()
            if self._ready is not None:
                self._ready()
            return fn(self._items)
        self._end_feed()  # a child never fed would wait for its input for ever
        try:
            with os.fdopen(self._read, "rb") as f:
                data = f.read()
        finally:
            status = self._finish()
        if not data:
            how = f"signal {-status}" if status < 0 else f"exit status {status}"
            raise BuildError(f"a worker process died ({how}) without finishing its part of the build; "
                             "if the machine ran out of memory, try PAPERS_JOBS=1")
        outcome, value = pickle.loads(data)
        if outcome == "error":
            raise _unpack_error(value)
        return value

    def cancel(self) -> None:
        """Stop the child if it still runs (after a failure elsewhere)."""
        if self._done:
            return
        if self._fn is not None:
            self._fn, self._done = None, True
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self._read)
        self._finish()

    def _end_feed(self) -> None:
        """Close the child's input if it was never fed: it sees the end of its input and stops."""
        if self._feed is not None:
            os.close(self._feed)
            self._feed = None

    def _finish(self) -> int:
        self._done = True
        self._end_feed()
        status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        if self._thawed:
            gc.unfreeze()
        return status


FEED_CHUNK = 1024  # items pickled at a time by Background.feed


def _pipe() -> tuple[int, int]:
    """A pipe for a child's input; 1 MiB of buffer where Linux allows it (fewer switches between the two)."""
    read, write = os.pipe()
    try:
        import fcntl
        fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass
    return read, write


def _received(fd: int) -> list[Any]:
    """In a child: every item the parent fed, in order. Its input ending before the parent's end mark (the
    parent failed first and is about to stop this child) is an error, never a shorter list."""
    items: list[Any] = []
    with os.fdopen(fd, "rb") as f:
        while (chunk := pickle.load(f)) is not None:
            items.extend(chunk)
    return items


def fork_map(fn: Callable[[T], R], parts: Sequence[T]) -> list[R]:
    """[fn(part) for part in parts], the first part here and each other one in a forked child."""
    if len(parts) <= 1 or not hasattr(os, "fork"):
        return [fn(p) for p in parts]
    children = [Background(lambda p=p: fn(p)) for p in parts[1:]]  # type: ignore[misc]
    try:
        first = fn(parts[0])
        return [first] + [c.result() for c in children]
    finally:
        for c in children:
            c.cancel()

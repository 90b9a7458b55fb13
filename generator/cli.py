"""The `papers` command: parse arguments, call one function per command, map errors to exit codes.

Exit codes: 0 success, 1 a problem in the input (the message says which file and what to do),
2 a usage error, 130 interrupted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import signal
import sys
from pathlib import Path

from . import __version__
from .errors import InputError, PapersError, UsageError
from .util import progress
from .util.text import plural

__all__ = ["main"]

log = logging.getLogger("papers")


def _year(text: str) -> int:
    if not text.isdigit() or not 1991 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year like 2025")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 0 to 65535 (0 picks a free one)")
    return int(text)


def _day(text: str) -> dt.date:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a day like 2026-08-03")


def _week(text: str) -> str:
    m = re.fullmatch(r"(\d{4})-W(\d{2})", text)
    try:
        dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO week like 2026-W32") from None
    return text


def _month(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-08")
    return text


def _bounded(kind: type, low: float, high: float) -> object:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number from {low:g} to {high:g}")
        return value
    return parse


def _fetch_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("fetch", parents=[common], help="fetch days of the Hugging Face Daily Papers API into content/")
    p.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", type=_day, help="one day, YYYY-MM-DD")
    which.add_argument("--week", type=_week, help="an ISO week, YYYY-Www")
    which.add_argument("--month", type=_month, help="a month, YYYY-MM")
    which.add_argument("--since", type=_day, help="every day from this one to --until (default: today)")
    which.add_argument("--latest", type=_bounded(int, 1, 366), metavar="N", help="the last N days, today included")
    p.add_argument("--until", type=_day, help="last day for --since")
    p.add_argument("--today", type=_day, help="the date of this fetch (default: today, UTC): ends --latest and "
                   "--until, dates the upvote snapshots")
    p.add_argument("--endpoint", help="API root (default: $HF_ENDPOINT, else https://huggingface.co)")
    p.add_argument("--limit", type=_bounded(int, 1, 100), default=100, help="papers per request, 1-100 (default 100)")
    p.add_argument("--retries", type=_bounded(int, 0, 20), default=4, help="retries per request (default 4)")
    p.add_argument("--backoff", type=_bounded(float, 0, 600), default=2.0,
                   help="first wait before a retry in seconds, doubled each time (default 2)")
    p.add_argument("--timeout", type=_bounded(float, 0.01, 600), default=30.0,
                   help="seconds to wait for an answer (default 30)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="papers", description="Build a research-paper archive from Daily Papers listings.")
    ap.add_argument("--version", action="version", version=f"papers {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="only errors")
    common.add_argument("-v", "--verbose", action="store_true", help="also per-file detail")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("import", parents=[common], help="import Daily Papers listing files into content/")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    p.add_argument("--year", type=_year, help="year of the snapshot, for dates written without one")

    p = sub.add_parser("check", parents=[common], help="validate content/")
    p.add_argument("--content", type=Path, default=Path("content"))
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")

    _fetch_parser(sub, common)

    for name, help_ in (("build", "render the site into site/"), ("serve", "build, then serve the site over HTTP")):
        p = sub.add_parser(name, parents=[common], help=help_)
        p.add_argument("--content", type=Path, default=Path("content"))
        p.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
        p.add_argument("--config", type=Path, default=None, help="site config (default: papers.yml if present)")
        p.add_argument("--base-url", default=None, help="absolute URL the site is served from")
        p.add_argument("--strict", action="store_true", help="treat warnings as errors")
        p.add_argument("--allow-empty", action="store_true", help="build even when the content folder has no papers")
        if name == "serve":
            p.add_argument("--watch", action="store_true", help="rebuild on change and reload the browser")
            p.add_argument("--host", default="127.0.0.1")
            p.add_argument("--port", type=_port, default=8000)
    return ap


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.ERROR if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    handler = progress.LogHandler(sys.stderr)  # keeps log lines and the progress line apart
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("papers")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    progress.configure(quiet=args.quiet)  # on a terminal only, and not with -q


def cmd_import(args: argparse.Namespace) -> int:
    from .ingest import import_listings

    report = import_listings(args.files, args.content, args.year)
    for path, year in report.inferred_years:
        log.info("%s: no --year given; the file says it was saved in %d", path, year)
    for problem in report.problems:
        log.warning("%s", problem)
    log.info("%s", report.summary())
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from .ingest.fetch import fetch_days, select_days
    from .ingest.hfapi import DEFAULT_ENDPOINT, DailyPapersAPI, RetryPolicy

    if args.until is not None and args.since is None:
        raise InputError("--until needs --since; pass --since DAY --until DAY")
    endpoint = args.endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    if not re.match(r"https?://[^/\s]+", endpoint):
        raise InputError(f"endpoint {endpoint!r} is not an http(s) URL; pass --endpoint https://huggingface.co")
    today = args.today or dt.datetime.now(dt.timezone.utc).date()
    try:
        days = select_days(today, date=args.date, week=args.week, month=args.month, since=args.since,
                           until=args.until, latest=args.latest)
    except ValueError as exc:
        raise InputError(f"{exc}; pass days in order") from None
    policy = RetryPolicy(attempts=args.retries + 1, backoff=args.backoff, timeout=args.timeout)
    progress = log.info if sys.stderr.isatty() else log.debug  # progress per day on a terminal, else with -v
    with DailyPapersAPI(endpoint, token=os.environ.get("HF_TOKEN") or None, policy=policy, limit=args.limit) as api:
        report = fetch_days(days, args.content, api, today, progress)
    for problem in report.problems:
        log.warning("%s", problem)
    log.info("%s", report.summary())
    if report.failed is not None:
        log.error("error: %s", report.failed)
        return 1
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .content.check import check_content

    papers, problems = check_content(args.content)
    notes = [p for p in problems if p.severity == "note"]  # advice about flagged papers: never a failure
    problems = [p for p in problems if p.severity != "note"]
    for problem in problems:
        (log.error if problem.severity == "error" else log.warning)("%s", problem)
    for note in notes:
        log.info("%s", note)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    flagged = sum(bool(p.flags) for p in papers)
    log.info("%s checked: %s, %s, %d flagged", plural(len(papers), "paper"), plural(errors, "error"),
             plural(warnings, "warning"), flagged)
    return 1 if errors or (args.strict and warnings) else 0


def _prepare_output(args: argparse.Namespace) -> None:
    from .build.outdir import prepare_output

    prepare_output(args.out, args.content, args.config, args.allow_empty)


def cmd_build(args: argparse.Namespace) -> int:
    from .build.pipeline import build

    _prepare_output(args)
    build(content=args.content, out=args.out, config_path=args.config, base_url=args.base_url, strict=args.strict)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve.session import serve

    _prepare_output(args)
    return serve(content=args.content, out=args.out, config_path=args.config, base_url=args.base_url,
                 watch=args.watch, host=args.host, port=args.port, strict=args.strict)


COMMANDS = {"import": cmd_import, "fetch": cmd_fetch, "check": cmd_check, "build": cmd_build, "serve": cmd_serve}


def main(argv: list[str] | None = None) -> int:
    """Run `papers`; returns the exit code."""
    args = build_parser().parse_args(argv)
    _setup_logging(args)
    previous = signal.signal(signal.SIGTERM, _terminate)  # cleans up as Ctrl-C does: staging, temps, workers
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        log.error("error: %s", exc)
        return 2
    except PapersError as exc:
        log.error("error: %s", exc)
        return 1
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except BrokenPipeError:  # `papers check | head`
        return 0
    except OSError as exc:  # a folder that cannot be written, a full disk: one line, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        log.error("error: %s%s; check the path and its permissions", where, exc.strerror or exc)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


def run() -> None:
    """The `papers` command (console script and `python -m generator`): main(), then out at once, without
    tearing down the interpreter, whose heap holds what the command made (the site model: 0.05-0.07 s at 10k
    papers, ~0.3 s at 100k, spent freeing memory the kernel takes back anyway). Every command has waited for
    its workers and closed its files by then; the log and the two streams are flushed first."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`papers check | head`): nothing more to say
            pass
    os._exit(code)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM: unwind like Ctrl-C, so every `finally` and `except BaseException` cleanup runs."""
    raise KeyboardInterrupt

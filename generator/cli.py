"""The `papers` command: parse arguments, call one function per command, map errors to exit codes.

Exit codes: 0 success, 1 a problem in the input (the message says which file and what to do),
2 a usage error, 130 interrupted.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .errors import PapersError
from .util import progress

__all__ = ["main"]

log = logging.getLogger("papers")


def _year(text: str) -> int:
    if not text.isdigit() or not 1991 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year like 2025")
    return int(text)


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

    for name, help_ in (("build", "render the site into site/"), ("serve", "build, then serve the site over HTTP")):
        p = sub.add_parser(name, parents=[common], help=help_)
        p.add_argument("--content", type=Path, default=Path("content"))
        p.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
        p.add_argument("--config", type=Path, default=None, help="site config (default: papers.yml if present)")
        p.add_argument("--base-url", default=None, help="absolute URL the site is served from")
        p.add_argument("--strict", action="store_true", help="treat warnings as errors")
        if name == "serve":
            p.add_argument("--watch", action="store_true", help="rebuild on change and reload the browser")
            p.add_argument("--host", default="127.0.0.1")
            p.add_argument("--port", type=int, default=8000)
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


def cmd_check(args: argparse.Namespace) -> int:
    from .content.check import check_content

    papers, problems = check_content(args.content)
    for problem in problems:
        (log.error if problem.severity == "error" else log.warning)("%s", problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    flagged = sum(bool(p.flags) for p in papers)
    log.info("%d papers checked: %d errors, %d warnings, %d flagged", len(papers), errors, warnings, flagged)
    return 1 if errors or (args.strict and warnings) else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build.pipeline import build

    build(content=args.content, out=args.out, config_path=args.config, base_url=args.base_url, strict=args.strict)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve.session import serve

    return serve(content=args.content, out=args.out, config_path=args.config, base_url=args.base_url,
                 watch=args.watch, host=args.host, port=args.port, strict=args.strict)


COMMANDS = {"import": cmd_import, "check": cmd_check, "build": cmd_build, "serve": cmd_serve}


def main(argv: list[str] | None = None) -> int:
    """Run `papers`; returns the exit code."""
    args = build_parser().parse_args(argv)
    _setup_logging(args)
    try:
        return COMMANDS[args.command](args)
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

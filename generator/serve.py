"""`papers serve`: build, then serve site/ on loopback with the netlify.toml headers."""
from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

from .build import build
from .server import make_server

__all__ = ["serve"]

log = logging.getLogger("papers.serve")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(content: Path, out: Path, config_path: Path | None = None, base_url: str | None = None,
          watch: bool = False, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build once, then serve until Ctrl-C."""
    if not _is_loopback(host):
        log.warning("warning: serving on %s makes the site reachable from other machines", host)
    build(content=content, out=out, config_path=config_path, base_url=base_url or f"http://{host}:{port}/")
    server = make_server(out, host, port, netlify=content.parent / "netlify.toml")
    log.info("serving %s on http://%s:%d/ (Ctrl-C stops)", out, *server.server_address[:2])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.server_close()
    return 0

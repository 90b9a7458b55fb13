"""Theme layers: where templates and static files are looked up, first match wins.

  1. the site's overrides folder (`overrides/templates/`, `overrides/static/` beside papers.yml);
  2. the configured theme (`theme:` in papers.yml: `themes/<name>/` beside papers.yml, a path, or a packaged theme);
  3. the packaged default theme (generator/themes/default, which is the repo's themes/default/).

Every static file is written as `static/<name>.<sha256[:10]>.<ext>` (fingerprint), so it can be cached forever.
No Jinja here: the build state checks the theme's files before deciding whether anything needs rendering.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..config import SiteConfig
from ..errors import ConfigError

__all__ = ["Theme", "PACKAGED_THEMES", "fingerprint"]

PACKAGED_THEMES = Path(__file__).resolve().parent.parent / "themes"


class Theme:
    """The ordered theme layers, and the static files they contribute (fingerprinted)."""

    def __init__(self, config: SiteConfig):
        layers: list[Path] = []
        overrides = config.root / config.overrides
        if overrides.is_dir():
            layers.append(overrides)
        layers.append(self._resolve(config))
        default = PACKAGED_THEMES / "default"
        if default.resolve() not in [p.resolve() for p in layers]:
            layers.append(default)
        self.layers = layers

    @staticmethod
    def _resolve(config: SiteConfig) -> Path:
        name = config.theme
        for candidate in (config.root / name, config.root / "themes" / name, PACKAGED_THEMES / name):
            if (candidate / "templates").is_dir():
                return candidate
        packaged = ", ".join(sorted(p.name for p in PACKAGED_THEMES.iterdir() if p.is_dir()))
        raise ConfigError(f"Config value 'theme': no theme {name!r} (looked for themes/{name}/templates beside the "
                          f"config, and among the packaged themes: {packaged})")

    def static_files(self) -> dict[str, Path]:
        """Logical name (`css/site.css`) → the file that wins the lookup."""
        found: dict[str, Path] = {}
        for layer in self.layers:
            root = layer / "static"
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    found.setdefault(path.relative_to(root).as_posix(), path)
        return dict(sorted(found.items()))

    def template_dirs(self) -> list[str]:
        return [str(layer / "templates") for layer in self.layers if (layer / "templates").is_dir()]


def fingerprint(name: str, data: bytes) -> str:
    """`css/site.css` → `static/css/site.<hash>.css`: every file under static/ is named by its content, so the
    whole folder can be cached forever (netlify.toml) and a changed file always gets a new URL."""
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"static/{stem}.{digest}.{ext}" if dot and stem and "/" not in ext else f"static/{name}.{digest}"

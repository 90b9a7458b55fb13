"""Site config: schema, defaults, errors that name the key (and line), and the CLI's one-line report."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_papers, write_tree
from generator.config import SCHEMA, SiteConfig, load_config
from generator.errors import ConfigError


def _config(tmp_path: Path, text: str) -> Path:
    write_tree(tmp_path, {"papers.yml": text})
    return tmp_path / "content"


def test_defaults_without_a_config_file(tmp_path: Path):
    config = load_config(None, tmp_path / "content")
    assert config == SiteConfig()
    assert config.root == tmp_path
    assert config.base_path == "/"


def test_papers_yml_beside_content_is_read(tmp_path: Path):
    content = _config(tmp_path, "title: My Archive\nbase_url: https://example.org/papers\nfeed_size: 10\n")
    config = load_config(None, content)
    assert (config.title, config.feed_size) == ("My Archive", 10)
    assert config.base_url == "https://example.org/papers/"  # a trailing slash is added
    assert config.base_path == "/papers/"


def test_base_url_flag_wins_over_the_file(tmp_path: Path):
    content = _config(tmp_path, "base_url: https://a.example/\n")
    assert load_config(None, content, "https://b.example/x/").base_url == "https://b.example/x/"


def test_every_field_is_in_the_schema():
    assert list(SCHEMA) == ["title", "description", "base_url", "language", "theme", "overrides", "home_papers",
                            "home_days", "feed_size"]


@pytest.mark.parametrize("text, key, reason", [
    ("titel: X\n", "titel", "did you mean 'title'"),
    ("feed_size: many\n", "feed_size", "expected a number"),
    ("feed_size: 0\n", "feed_size", "at least 1"),
    ("home_days: true\n", "home_days", "expected a number"),
    ("title: 3\n", "title", "expected text"),
    ("title: '  '\n", "title", "must not be empty"),
    ("base_url: example.org\n", "base_url", "http:// or https://"),
])
def test_a_bad_value_names_the_key_and_line(tmp_path: Path, text: str, key: str, reason: str):
    content = _config(tmp_path, "description: d\n" + text)
    with pytest.raises(ConfigError) as exc:
        load_config(None, content)
    assert f"Config value '{key}'" in exc.value.message and reason in exc.value.message
    assert exc.value.line == 2 and Path(exc.value.path).name == "papers.yml"


def test_all_problems_are_reported_at_once(tmp_path: Path):
    content = _config(tmp_path, "colour: red\nfeed_size: -1\n")
    with pytest.raises(ConfigError) as exc:
        load_config(None, content)
    msg = exc.value.message
    assert "'colour' (line 1): unknown key" in msg and "'feed_size' (line 2): must be at least 1" in msg


@pytest.mark.parametrize("text, fragment, line", [
    ("title: [unclosed\n", "not valid YAML", 2),
    ("- a\n- b\n", "mapping", 1),
])
def test_unreadable_config(tmp_path: Path, text: str, fragment: str, line: int):
    content = _config(tmp_path, text)
    with pytest.raises(ConfigError, match=fragment) as exc:
        load_config(None, content)
    assert exc.value.line == line


def test_missing_explicit_config(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yml", tmp_path / "content")


def test_bad_base_url_flag(tmp_path: Path):
    with pytest.raises(ConfigError, match="--base-url"):
        load_config(None, tmp_path / "content", "not-a-url")


def test_cli_reports_a_config_error_in_one_line_and_exits_1(tmp_path: Path):
    write_tree(tmp_path, {"site.yml": "title: X\nhome_dayz: 3\n", "content/.keep": ""})
    proc = run_papers("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"),
                      "--config", str(tmp_path / "site.yml"), "--allow-empty")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "site.yml:2" in lines[0] and "'home_dayz'" in lines[0] and "did you mean 'home_days'" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "site").exists()

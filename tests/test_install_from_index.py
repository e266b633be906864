"""`pip install datafeeds-watauga` as a user does it: every distribution of this repository built
into a private package index (PEP 503 pages on 127.0.0.1 that serve our names and send every
other name on to the upstream index, as a proxying private index does), then the core and one
plugin installed into a fresh virtualenv by name; `plugins list` there shows just that plugin.
docs/writing-a-utility-plugin.md says how to publish to such an index, and why."""

from __future__ import annotations

import html
import http.server
import re
import subprocess
import threading
import urllib.error
import urllib.request
import venv
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from datafeeds_core.plugin_api.registry import _normalised

REPO = Path(__file__).resolve().parents[1]
UPSTREAM = "https://pypi.org/simple"  # pip's default index: what a proxying index passes on to
WHEEL = re.compile(r"(?P<name>[^-]+)-(?P<version>[^-]+)-.*\.whl")


def make_venv(folder: Path) -> Path:
    venv.create(folder, with_pip=True, clear=True)
    return folder / "bin" / "python"


def pip(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pip", *args], capture_output=True, text=True, timeout=600
    )


def write_index(wheels: Path, root: Path) -> set[str]:
    """PEP 503 pages: root/<normalised name>/index.html linking that name's wheels."""
    names: dict[str, list[Path]] = {}
    for wheel in sorted(wheels.glob("*.whl")):
        found = WHEEL.fullmatch(wheel.name)
        assert found, wheel.name
        names.setdefault(_normalised(found["name"]), []).append(wheel)
    for name, files in names.items():
        page = root / name
        page.mkdir(parents=True)
        links = "".join(f'<a href="{f.as_uri()}">{html.escape(f.name)}</a>\n' for f in files)
        (page / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
    return set(names)


class PrivateIndex(http.server.BaseHTTPRequestHandler):
    """Our names from the folder; any other name redirected to the upstream index."""

    root: Path
    ours: set[str]

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        name = self.path.strip("/").split("/")[-1]
        if name in self.ours:
            body = (self.root / name / "index.html").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(302)
        self.send_header("Location", f"{UPSTREAM}/{name}/")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def private_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, set[str]]]:
    """Every wheel of the repository (built by a virtualenv of its own), served as an index."""
    tmp = tmp_path_factory.mktemp("index")
    builder = make_venv(tmp / "build-venv")
    done = pip(builder, "install", "-q", "hatchling")
    assert done.returncode == 0, done.stderr
    plugins = sorted(
        str(p) for p in (REPO / "plugins").iterdir() if (p / "pyproject.toml").is_file()
    )
    wheels = tmp / "wheels"
    done = pip(
        builder, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels),
        str(REPO), *plugins,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    handler = cast("type[PrivateIndex]", type("Handler", (PrivateIndex,), {"root": tmp / "simple"}))
    handler.ours = write_index(wheels, handler.root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple/", handler.ours
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_pip_install_of_one_plugin_by_name_from_the_private_index_gives_core_and_that_plugin(
    private_index: tuple[str, set[str]], tmp_path: Path
) -> None:
    url, ours = private_index
    assert len(ours) == 1 + len(list(REPO.glob("plugins/*/pyproject.toml")))
    python = make_venv(tmp_path / "user-venv")

    done = pip(python, "install", "-q", "--index-url", url, "datafeeds-watauga")

    assert done.returncode == 0, done.stderr
    frozen = pip(python, "freeze", "--all").stdout.split()
    assert sorted(line for line in frozen if line.startswith("datafeeds")) == [
        "datafeeds-core==0.1.0",
        "datafeeds-watauga==0.1.0",
    ]
    listed = subprocess.run(
        [str(python.parent / "datafeeds"), "plugins", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert listed.returncode == 0, listed.stderr
    assert [line.split() for line in listed.stdout.splitlines()] == [
        ["KEY", "DISTRIBUTION", "VERSION", "MODULE"],
        ["watauga-urjanet", "datafeeds-watauga", "0.1.0", "datafeeds_watauga"],
    ]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_the_private_index_serves_our_names_itself_and_sends_only_others_upstream(
    private_index: tuple[str, set[str]],
) -> None:
    url, ours = private_index
    opener = urllib.request.build_opener(NoRedirect())
    for name in ("datafeeds-core", "datafeeds-watauga"):
        with opener.open(f"{url}{name}/", timeout=10) as answer:
            assert answer.status == 200
            assert name.replace("-", "_") + "-0.1.0-py3-none-any.whl" in answer.read().decode()
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(f"{url}sqlalchemy/", timeout=10)
    assert redirected.value.code == 302
    assert redirected.value.headers["Location"] == f"{UPSTREAM}/sqlalchemy/"

"""Fixtures of the data-layer tests: an isolated user cache, a tiny synthetic HeCo-format
dataset served from a temporary folder, and the real benchmark folder (``GRAPHCL_DATA``)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import threading
from pathlib import Path

import pytest

from tests.data.toy_hetero import write_toy_hetero


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Stamps and the default data root go to a temporary user cache, never ``~/.cache``."""
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "graphcl"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def registry_for(name: str, entry: dict, source: Path, base_url: str) -> dict:
    """Registry mapping whose files of ``entry`` point to ``base_url`` and carry their real hash."""
    entry = dict(entry)
    entry["files"] = {
        f: {"url": f"{base_url}/{f}", "sha256": sha256(source / f), "size": (source / f).stat().st_size}
        for f in entry["files"]
    }
    return {"datasets": {name: entry}}


@pytest.fixture
def toy_source(tmp_path):
    """A folder holding the toy dataset's files (the 'server' side) and its registry entry."""
    source = tmp_path / "source"
    entry = write_toy_hetero(source)
    return source, entry


@pytest.fixture
def toy_registry(toy_source):
    """Registry with dataset ``toy`` downloadable from ``file://`` URLs."""
    source, entry = toy_source
    return registry_for("toy", entry, source, source.resolve().as_uri())


@pytest.fixture
def http_folder():
    """Serve a folder over ``http://127.0.0.1:<port>``; yields ``serve(folder) -> base URL``."""
    servers = []

    def serve(folder: Path) -> str:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

        handler = functools.partial(Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def real_root():
    """The benchmark folder from ``GRAPHCL_DATA`` (CI sets it to ../shared/data)."""
    root = os.environ.get("GRAPHCL_DATA")
    if not root or not (Path(root) / "hgraph").is_dir():
        pytest.skip("real-data test: set GRAPHCL_DATA to the benchmark folder (e.g. ../shared/data)")
    return Path(root)

"""ensure_dataset: downloads over file:// and http://, checksum and missing-file errors."""

import os

import pytest

import graphcl.data.checksum as checksum
from graphcl.data import ChecksumError, MissingDataError, ensure_dataset
from tests.data.conftest import registry_for


def test_download_from_file_urls(toy_source, toy_registry, tmp_path):
    source, _ = toy_source
    folder = ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    assert folder == (tmp_path / "root" / "hgraph" / "toy").resolve()
    for f in toy_registry["datasets"]["toy"]["files"]:
        assert (folder / f).read_bytes() == (source / f).read_bytes()
    assert not list(folder.glob(".*part*")), "temporary files must be renamed or removed"


def test_download_over_http(toy_source, http_folder, tmp_path):
    source, entry = toy_source
    registry = registry_for("toy", entry, source, http_folder(source))
    folder = ensure_dataset("toy", tmp_path / "root", registry=registry)
    assert (folder / "pa.txt").read_bytes() == (source / "pa.txt").read_bytes()


def test_download_uses_env_root(toy_registry, tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHCL_DATA", str(tmp_path / "env-root"))
    assert ensure_dataset("toy", registry=toy_registry) == (tmp_path / "env-root" / "hgraph" / "toy").resolve()


def test_downloaded_content_with_wrong_hash_is_rejected(toy_registry, tmp_path):
    toy_registry["datasets"]["toy"]["files"]["pa.txt"]["sha256"] = "0" * 64
    with pytest.raises(ChecksumError) as info:
        ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    msg = str(info.value)
    assert "pa.txt" in msg and "0" * 64 in msg
    assert not (tmp_path / "root" / "hgraph" / "toy" / "pa.txt").exists()
    assert not list((tmp_path / "root" / "hgraph" / "toy").glob(".*part*"))


def test_missing_file_without_download_names_file_and_fix(toy_registry, tmp_path):
    with pytest.raises(MissingDataError) as info:
        ensure_dataset("toy", tmp_path / "root", download=False, registry=toy_registry)
    msg = str(info.value)
    assert "toy" in msg and "graphcl data fetch toy" in msg and str(tmp_path / "root") in msg


def test_unreachable_url_names_url_and_destination(toy_registry, tmp_path):
    toy_registry["datasets"]["toy"]["files"]["pa.txt"]["url"] = (tmp_path / "nowhere" / "pa.txt").as_uri()
    with pytest.raises(MissingDataError) as info:
        ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    assert "nowhere/pa.txt" in str(info.value) and "place it at" in str(info.value)


def test_corrupt_local_file_same_size(toy_registry, tmp_path):
    folder = ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    path = folder / "pa.txt"
    data = bytearray(path.read_bytes())
    data[0] = ord("9") if data[0] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as info:
        ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    msg = str(info.value)
    expected = toy_registry["datasets"]["toy"]["files"]["pa.txt"]["sha256"]
    assert str(path) in msg and expected in msg and checksum.sha256_file(path) in msg
    assert "delete" in msg and "graphcl data fetch toy" in msg


def test_truncated_local_file_caught_by_size(toy_registry, tmp_path):
    folder = ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    path = folder / "p_feat.npz"
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(ChecksumError, match="p_feat.npz.*50 bytes"):
        ensure_dataset("toy", tmp_path / "root", registry=toy_registry)


def test_in_place_edit_that_keeps_size_and_mtime_is_caught(toy_registry, tmp_path):
    folder = ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    ensure_dataset("toy", tmp_path / "root", registry=toy_registry)  # a second, clean load
    path = folder / "labels.npy"
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 1  # one flipped bit in a label
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # size and mtime as before
    with pytest.raises(ChecksumError, match="labels.npy.*sha256"):
        ensure_dataset("toy", tmp_path / "root", registry=toy_registry)


def test_a_missing_file_names_the_data_root_before_the_network(toy_registry, tmp_path):
    toy_registry["datasets"]["toy"]["files"]["pa.txt"]["url"] = (tmp_path / "offline" / "pa.txt").as_uri()
    with pytest.raises(MissingDataError) as info:
        ensure_dataset("toy", tmp_path / "wrong-root", registry=toy_registry)
    msg = str(info.value)
    assert msg.index("--data-root") < msg.index("Check the network")
    assert str((tmp_path / "wrong-root").resolve()) in msg

"""ensure_dataset: downloads over file:// and http://, checksum and missing-file errors, stamps."""
import shutil

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


def test_stamps_skip_rehash_until_file_changes(toy_registry, tmp_path, monkeypatch):
    folder = ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    calls = []
    real = checksum.sha256_file
    monkeypatch.setattr("graphcl.data.ensure.sha256_file", lambda p: calls.append(p) or real(p))
    ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    assert calls == []  # every file was verified on download
    ensure_dataset("toy", tmp_path / "root", registry=toy_registry, rehash=True)
    assert len(calls) == len(toy_registry["datasets"]["toy"]["files"])
    calls.clear()
    path = folder / "labels.npy"
    content = path.read_bytes()
    path.write_bytes(content)  # same bytes, new mtime: hashed again, still valid
    ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    assert calls == [path]


def test_present_files_from_another_root_are_verified_and_stamped(toy_source, toy_registry, tmp_path):
    source, _ = toy_source
    root = tmp_path / "copy"
    shutil.copytree(source, root / "hgraph" / "toy")
    ensure_dataset("toy", root, download=False, registry=toy_registry)
    stamps = checksum._read_stamps()
    assert str((root / "hgraph" / "toy" / "pa.txt").resolve()) in stamps


def test_unwritable_stamp_location_still_works(toy_registry, tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # cache dir cannot be created under a file
    ensure_dataset("toy", tmp_path / "root", registry=toy_registry)
    ensure_dataset("toy", tmp_path / "root", registry=toy_registry)

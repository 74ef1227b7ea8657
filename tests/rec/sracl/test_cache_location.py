"""SRA-CL's default embedding cache lives in the user cache, never in the data root."""

from rec.sracl.semantic_index import default_cache_dir


def test_default_cache_is_in_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GRAPHCL_DATA", str(tmp_path / "data"))
    assert default_cache_dir() == tmp_path / "cache" / "graphcl" / "sracl_cache"

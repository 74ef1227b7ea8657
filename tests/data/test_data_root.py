from pathlib import Path

from graphcl.data import resolve_data_root, user_cache_dir


def test_flag_wins_over_env(monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHCL_DATA", str(tmp_path / "env"))
    assert resolve_data_root(str(tmp_path / "flag")) == (tmp_path / "flag").resolve()


def test_env_used_without_flag(monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHCL_DATA", str(tmp_path / "env"))
    assert resolve_data_root() == (tmp_path / "env").resolve()
    assert resolve_data_root("") == (tmp_path / "env").resolve()  # empty flag = not given


def test_xdg_cache_without_flag_or_env(monkeypatch, tmp_path):
    monkeypatch.delenv("GRAPHCL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_data_root() == (tmp_path / "xdg" / "graphcl").resolve()
    assert user_cache_dir() == tmp_path / "xdg" / "graphcl"


def test_home_cache_last(monkeypatch, tmp_path):
    monkeypatch.delenv("GRAPHCL_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_data_root() == (tmp_path / "home" / ".cache" / "graphcl").resolve()


def test_empty_env_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHCL_DATA", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_data_root() == Path(tmp_path / "xdg" / "graphcl").resolve()

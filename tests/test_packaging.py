"""The wheel must carry every subpackage and the shipped configs/registry."""

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_python_package_is_listed_in_pyproject():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("graphcl", "rec")
        for init in (ROOT / top).rglob("__init__.py")
    }
    missing = sorted(found - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"


def test_every_config_folder_is_shipped():
    dirs = _pyproject()["tool"]["setuptools"]["package-dir"]
    shipped = {Path(d) for d in dirs.values()}
    present = {p.parent.relative_to(ROOT) for p in (ROOT / "configs").rglob("*.yaml")}
    assert present <= shipped, f"config folders not shipped in the wheel: {sorted(map(str, present - shipped))}"


def test_shipped_folders_are_found():
    from graphcl.utils.resources import configs_dir, datasets_dir

    assert (configs_dir()).is_dir() and (datasets_dir()).is_dir()

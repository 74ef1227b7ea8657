"""Read study YAML files with numbers such as ``1e-4`` read as floats (and no key twice).

PyYAML follows YAML 1.1, where ``1e-4`` (no dot) is a string. Search spaces are full of such
numbers (``low: 1e-4``), so study files use a loader that reads them as floats.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from graphcl.config import ConfigError
from graphcl.utils.strict_yaml import UniqueKeyLoader

_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _StudyLoader(UniqueKeyLoader):
    """Duplicate-key-refusing SafeLoader whose float resolver also accepts ``1e-4`` and ``3E5``."""


# Replace the float resolver: drop the YAML 1.1 one, add one that also matches ``1e-4``.
_StudyLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:float"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StudyLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def load_yaml_text(text: str, where: str = "study file") -> dict:
    """Parse YAML text into a mapping (``1e-4`` read as a float).

    Args:
        text: the YAML document.
        where: name used in error messages (usually the file path).
    """
    try:
        data = yaml.load(text, Loader=_StudyLoader) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must hold a mapping at the top level")
    return data


def read_study_yaml(path: str | Path) -> dict:
    """Read a study file into a mapping.

    Args:
        path: the YAML file.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"study file {path} does not exist; shipped studies are in configs/studies/")
    return load_yaml_text(path.read_text(), str(path))

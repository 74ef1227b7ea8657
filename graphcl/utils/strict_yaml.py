"""A YAML loader that refuses duplicate keys (PyYAML keeps the last value without a word).

Every config, study and registry file is read with :class:`UniqueKeyLoader` or a subclass, so a
key written twice is an error that names both lines instead of a silently ignored setting.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError


class UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that raises ``ConstructorError`` (a ``yaml.YAMLError``) on a repeated key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges may be overridden on purpose
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first_line.get(key)
            except TypeError:
                continue  # unhashable key: SafeLoader reports it below
            line = key_node.start_mark.line + 1
            if seen is not None:
                raise ConstructorError(
                    None, None, f"duplicate key {key!r} (lines {seen} and {line}); keep only one of them"
                )
            first_line[key] = line
        return super().construct_mapping(node, deep)


def load_unique(text: str) -> Any:
    """Parse one YAML document with :class:`UniqueKeyLoader`."""
    return yaml.load(text, Loader=UniqueKeyLoader)

"""Test helper: a sectioned params dataclass built from flat field names."""

from __future__ import annotations

import dataclasses
import typing


def sectioned(cls: type, **flat):
    """``cls(model=..., train=..., ...)`` with each keyword put into the section that has a field
    of that name (sections given no keyword keep their defaults); an unknown name raises
    ``TypeError``."""
    hints = typing.get_type_hints(cls)
    sections = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
    values: dict[str, dict] = {}
    for key, value in flat.items():
        owner = next(
            (s for s, section_cls in sections.items() if key in {f.name for f in dataclasses.fields(section_cls)}), None
        )
        if owner is None:
            raise TypeError(f"{cls.__name__} has no section with a field {key!r}")
        values.setdefault(owner, {})[key] = value
    return cls(**{s: sections[s](**v) for s, v in values.items()})


def namespaces(cls: type, **flat):
    """Like :func:`sectioned` but plain ``SimpleNamespace`` sections holding only the given
    fields (for trainers tested without a model's params); every section of ``cls`` exists."""
    from types import SimpleNamespace

    hints = typing.get_type_hints(cls)
    sections = {f.name: {g.name for g in dataclasses.fields(hints[f.name])} for f in dataclasses.fields(cls)}
    values: dict[str, dict] = {s: {} for s in sections}
    for key, value in flat.items():
        owner = next((s for s, names in sections.items() if key in names), None)
        if owner is None:
            raise TypeError(f"{cls.__name__} has no section with a field {key!r}")
        values[owner][key] = value
    return SimpleNamespace(**{s: SimpleNamespace(**v) for s, v in values.items()})

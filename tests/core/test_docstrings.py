import doctest
import importlib
import pkgutil

import pytest

import graphcl.core

MODULES = [m.name for m in pkgutil.iter_modules(graphcl.core.__path__, "graphcl.core.")]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_every_public_object_documents_its_paper_or_formula():
    for name in graphcl.core.__all__:
        obj = getattr(graphcl.core, name)
        if isinstance(obj, dict):
            continue
        doc = obj.__doc__ or ""
        assert len(doc) > 80, f"{name} needs a docstring with its formula and arguments"
        assert "Args:" in doc, f"{name}'s docstring must list its arguments"

"""The README's Python snippet for the hetero models runs as written."""

import re
from pathlib import Path

import torch

import graphcl.hetero

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "### MEOW on your own HeteroData, without labels"


def _snippet() -> str:
    text = README.read_text()
    assert HEADING in text, f"README.md lost its section {HEADING!r}"
    return re.search(r"```python\n(.*?)```", text.split(HEADING, 1)[1], re.S).group(1)


def test_readme_meow_snippet_trains_on_an_unlabelled_graph():
    torch.manual_seed(0)
    scope: dict = {}
    exec(compile(_snippet(), str(README), "exec"), scope)
    result, data = scope["result"], scope["data"]
    assert not hasattr(data["paper"], "y")  # self-supervised: no labels anywhere
    assert result.embeddings.shape == (300, 64) and torch.isfinite(result.embeddings).all()
    assert len(result.history) == result.epochs <= 20 and result.history[-1] < result.history[0]


def test_the_package_exports_models_params_transforms_and_fit():
    for name in (
        "MEOW",
        "AdaMEOW",
        "HeCo",
        "MEOWParams",
        "AdaMEOWParams",
        "HeCoParams",
        "ToMEOWInputs",
        "ToHeCoInputs",
        "fit",
    ):
        assert name in graphcl.hetero.__all__ and hasattr(graphcl.hetero, name)

import subprocess
import sys


def test_core_imports_neither_torch_geometric_nor_recbole():
    code = (
        "import graphcl.core, sys; "
        "bad = [m for m in sys.modules if m.startswith(('torch_geometric', 'recbole'))]; "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_public_api():
    import graphcl.core as core

    for name in core.__all__:
        assert hasattr(core, name), name

"""``graphcl`` command line with the toy model registered (subprocess tests use this)."""

import sys

from graphcl import registry
from graphcl.cli import main
from tests.tuning.toy_model import ENTRY

registry.MODELS["toy"] = ENTRY

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

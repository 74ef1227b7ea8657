"""``python -m graphcl`` (what ``torchrun -m graphcl train CONFIG`` runs): the ``graphcl`` command."""

import sys

from graphcl.cli import main

sys.exit(main())

"""``python -m lrjit``: the command line (see :mod:`lrjit.cli`, or ``python -m lrjit --help``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

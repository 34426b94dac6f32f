"""`python -m fedimob` is the `fedimob` command."""

import sys

from fedimob.cli.main import main

sys.exit(main())

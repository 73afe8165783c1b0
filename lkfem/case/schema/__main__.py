"""``python3 -m lkfem.case.schema --markdown --json``: write docs/case-files.md and
docs/lkfem-case.schema.json from the case schema."""

import sys

from lkfem.case.schema import main

sys.exit(main())

import sys

from lkfem.cli import main

sys.exit(main())

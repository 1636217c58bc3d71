import sys

from sez_metrics.cli import main

sys.exit(main())

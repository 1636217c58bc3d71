import sys

from sez_metrics.cli.main import main

sys.exit(main())

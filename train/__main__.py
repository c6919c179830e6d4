"""`python -m train` = `gongbao train`."""

import sys

from annotate.errors import GongbaoError
from train.cli import app

try:
    app(prog_name="gongbao train")
except GongbaoError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)

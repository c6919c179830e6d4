"""`python -m annotate` = `gongbao annotate`."""

import sys

from annotate.errors import GongbaoError
from annotate.cli import app

try:
    app(prog_name="gongbao annotate")
except GongbaoError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)

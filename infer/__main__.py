"""`python -m infer` = `gongbao infer`."""

import sys

from annotate.errors import GongbaoError
from infer.cli import app

try:
    app(prog_name="gongbao infer")
except GongbaoError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)

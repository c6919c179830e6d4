"""`python -m infer INPUT...` = `gongbao infer INPUT...`."""

import sys

from annotate.errors import GongbaoError
from infer.cli import app

if __name__ == "__main__":  # guard: worker processes (spawn) re-import the main module
    try:
        app(prog_name="gongbao infer")
    except GongbaoError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)

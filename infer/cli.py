"""``gongbao infer …``: batch extraction."""

from __future__ import annotations

import typer

app = typer.Typer(help="Extract spans and structured records from gazette issues.", no_args_is_help=True)

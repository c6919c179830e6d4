"""``gongbao annotate …``: commands of the annotate stage."""

from __future__ import annotations

import typer

app = typer.Typer(help="Read gazette issues, segment them, and round-trip Label Studio.", no_args_is_help=True)

"""``gongbao train …``: commands of the train stage."""

from __future__ import annotations

import typer

app = typer.Typer(help="Pretrain the encoder and fine-tune the token-classification extractor.", no_args_is_help=True)

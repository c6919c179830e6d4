"""The ``gongbao`` root command. It lives in the last stage because it composes all three."""

from __future__ import annotations

import sys

import typer

from annotate.cli import app as annotate_app
from annotate.errors import GongbaoError
from infer.cli import infer as infer_command
from train.cli import app as train_app

app = typer.Typer(
    help="gongbao: structured commitments (who leads, who is responsible, by when, to what level) from Chinese government gazettes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(annotate_app, name="annotate")
app.add_typer(train_app, name="train")
app.command(name="infer")(infer_command)  # one command: gongbao infer INPUT...


def main() -> None:
    """Console entry point: bad input ends with a one-line message, never a traceback."""
    try:
        app()
    except GongbaoError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)

"""``gongbao infer INPUT... --output results.jsonl``: batch extraction (one command).

Exit status: 0 all inputs done, 1 some inputs failed (see errors.jsonl next to the output),
2 usage errors (bad model, bad output file).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer

from annotate.errors import InputError


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def infer(
    inputs: List[Path] = typer.Argument(..., help=".txt/.pdf files, folders of them, or .jsonl files of {\"id\", \"text\"} lines.",
                                        show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="Results, one JSON line per input document (resumable)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Model dir, or 'rules' for the rule extractor. Default: the bundled model."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write an HTML report of all records in the output."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Also write one CSV row per task item."),
    workers: int = typer.Option(default_workers(), "--workers", "-w", min=0, help="Processes reading and segmenting inputs (0/1: none)."),
    device: Optional[str] = typer.Option(None, "--device", help="torch device (default: cuda if available, else cpu)."),
    batch_tokens: Optional[int] = typer.Option(None, "--batch-tokens", min=512, help="Padded tokens per forward pass."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Extract spans and structured records from gazette issues into JSONL."""
    from infer.pipeline import run_inference
    from train.tagging import load_tagger

    if output.suffix.lower() != ".jsonl":
        raise InputError(output, "output must be a .jsonl file")
    tagger = load_tagger(model, device=device, batch_tokens=batch_tokens)

    def progress(written: int, failed: int) -> None:
        if not quiet:
            typer.echo(f"\r{written} written, {failed} failed", err=True, nl=False)

    summary = run_inference([str(p) for p in inputs], output, tagger, workers=workers, on_progress=progress)
    if not quiet:
        typer.echo("", err=True)
    write_reports(output, html, csv)
    typer.echo(f"{summary.written} written, {summary.skipped} already done, {len(summary.failures)} failed → {output}", err=True)
    for f in summary.failures:
        typer.echo(f"error: {f.input}: {f.error}", err=True)
    if summary.failures:
        typer.echo(f"failures listed in {summary.errors_path}", err=True)
        raise typer.Exit(summary.exit_code)


def write_reports(output: Path, html: Path | None, csv: Path | None) -> None:
    """HTML report and item CSV over all records of ``output`` (helper F's ``infer.report``)."""
    if html is None and csv is None:
        return
    from infer import report
    from infer.pipeline import read_records

    if html is not None:
        report.write_html(list(read_records(output)), html)
    if csv is not None:
        report.write_csv(list(read_records(output)), csv)


app = typer.Typer(help="Extract spans and structured records from gazette issues.", pretty_exceptions_enable=False,
                  add_completion=False)
app.command()(infer)

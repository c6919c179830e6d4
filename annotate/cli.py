"""``gongbao annotate …``: commands of the annotate stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from annotate.chunking import DEFAULT_MAX_CHARS
from annotate.ls_client import ENV_KEY, ENV_URL

# locals in tracebacks could show the API key: never print them
app = typer.Typer(
    help="Read gazette issues, segment them, and round-trip Label Studio.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

_URL = typer.Option(None, "--url", envvar=ENV_URL, help=f"Label Studio URL (or ${ENV_URL}).")
_KEY = typer.Option(
    None, "--api-key", envvar=ENV_KEY, show_default=False, show_envvar=True, help=f"API token (or ${ENV_KEY})."
)
_RETRIES = typer.Option(4, "--retries", min=0, help="Retries of a failed request (exponential backoff).")
_TIMEOUT = typer.Option(60.0, "--timeout", min=0.1, help="Seconds before a request times out.")


@app.command()
def segment(issue: Path = typer.Argument(..., help="Issue file (.txt or .pdf)."), items: bool = typer.Option(True, "--items/--no-items")):
    """Print the documents (and their task items) found in an issue."""
    from annotate.reading import read_issue
    from annotate.segment import segment_issue

    raw = read_issue(issue)
    for i, d in enumerate(segment_issue(raw)):
        number = f" {d.doc_number}" if d.doc_number else ""
        typer.echo(f"[{i}] {d.kind} {d.start}-{d.end}{number} {d.date or ''} {d.title}".rstrip())
        if items:
            for it in d.items:
                head = raw[it.start : it.end].split("\n", 1)[0][:40]
                typer.echo(f"    {it.marker or '-'} {it.start}-{it.end} {head}")


@app.command()
def extract(issue: Path = typer.Argument(..., help="Issue file (.txt or .pdf).")):
    """Print the rule extractor's spans as JSON lines (raw code-point offsets)."""
    from annotate.reading import read_issue
    from annotate.rules import extract_spans

    for s in extract_spans(read_issue(issue)):
        typer.echo(json.dumps(s.to_dict(), ensure_ascii=False))


@app.command()
def export(
    issues: List[Path] = typer.Argument(..., help="Issue files to export."),
    project: Optional[str] = typer.Option(None, "--project", help="Label Studio project title (created if missing)."),
    to_file: Optional[Path] = typer.Option(None, "--to-file", help="Write a Label Studio import file instead."),
    model: Optional[Path] = typer.Option(None, "--model", help="Trained model directory for pre-annotations (default: rules)."),
    no_predictions: bool = typer.Option(False, "--no-predictions", help="Tasks without pre-annotations."),
    max_chars: int = typer.Option(DEFAULT_MAX_CHARS, "--max-chars", min=50, help="Longest task text."),
    batch_size: int = typer.Option(100, "--batch-size", min=1, help="Tasks per import request."),
    url: Optional[str] = _URL,
    api_key: Optional[str] = _KEY,
    retries: int = _RETRIES,
    timeout: float = _TIMEOUT,
):
    """Cut issues into tasks with pre-annotations and import them into a project (idempotent)."""
    from annotate.labelstudio import export_to_server, make_predictor, prepare_issue, write_import_file
    from annotate.ls_client import Server

    if (project is None) == (to_file is None):
        raise typer.BadParameter("give exactly one of --project and --to-file")
    predictor, version = (None, "") if no_predictions else make_predictor(model)
    tasks = []
    for path in issues:
        prep = prepare_issue(path, predictor, version, max_chars)
        n_pred = sum(len(t["predictions"][0]["result"]) for t in prep.tasks if t.get("predictions"))
        skipped = f", {prep.out_of_scope} outside annotatable documents" if prep.out_of_scope else ""
        typer.echo(f"{prep.source}: {len(prep.tasks)} tasks, {n_pred} predicted spans ({version or 'none'}){skipped}")
        for s in prep.unplaced:
            typer.echo(f"  warning: predicted span [{s.start},{s.end}) {s.label} crosses a task boundary; left out", err=True)
        tasks += prep.tasks
    if to_file is not None:
        write_import_file(tasks, to_file)
        typer.echo(f"wrote {len(tasks)} tasks to {to_file}")
        return
    server = Server.from_env(url, api_key, timeout=timeout, retries=retries)
    rep = export_to_server(server, project, tasks, batch_size)
    typer.echo(
        f"project {project!r} (id {rep.project_id}{', created' if rep.created_project else ''}): "
        f"{rep.imported} tasks imported, {rep.already_there} already there, "
        f"{rep.seconds:.1f} s ({rep.tasks_per_second:.1f} tasks/s)"
    )


@app.command()
def pull(
    out: Path = typer.Option(..., "--out", help="Directory for the DatasetDict (replaced)."),
    project: Optional[str] = typer.Option(None, "--project", help="Label Studio project title."),
    from_file: Optional[Path] = typer.Option(None, "--from-file", help="A Label Studio JSON export instead of a server."),
    policy: str = typer.Option("latest", "--policy", help="Annotations per task: latest, all, majority."),
    seed: int = typer.Option(13, "--seed", help="Seed of the document-level train/validation/test split."),
    issues_dir: List[Path] = typer.Option([], "--issues", help="Where the issues are (groups tasks lacking document meta)."),
    url: Optional[str] = _URL,
    api_key: Optional[str] = _KEY,
    retries: int = _RETRIES,
    timeout: float = _TIMEOUT,
):
    """Fetch annotations, validate every span, and save a DatasetDict with document-level splits."""
    import datasets

    from annotate.gold import POLICIES, SEED_DIR, parse_export, read_export
    from annotate.labelstudio import pull_to_disk
    from annotate.ls_client import LabelStudioError, Server

    if policy not in POLICIES:
        raise typer.BadParameter(f"expected one of {', '.join(POLICIES)}", param_hint="--policy")
    if (project is None) == (from_file is None):
        raise typer.BadParameter("give exactly one of --project and --from-file")
    if from_file is not None:
        tasks, problems = read_export(from_file, policy)
    else:
        server = Server.from_env(url, api_key, timeout=timeout, retries=retries)
        pid = server.find_project(project)
        if pid is None:
            raise LabelStudioError(f"no project titled {project!r} on {server.url}")
        tasks, problems = parse_export(server.export_json(pid), policy)
    datasets.disable_progress_bars()
    rep = pull_to_disk(tasks, problems, out, seed=seed, issue_dirs=[*issues_dir, SEED_DIR])
    for line in rep.lines():
        typer.echo(line)
    typer.echo(f"saved to {out} (problems in {out / 'problems.jsonl'})")

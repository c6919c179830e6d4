"""The peer, side by side: spaCy's NER trained on the same gold, scored with the project's scorer.

    python benchmarks/peer_spacy.py --minutes 10 --data seed --eval seed --out runs/peer_spacy.md
    python benchmarks/peer_spacy.py --data both --eval seed,regional --minutes 20 --keep runs/spacy-ner
    python benchmarks/peer_spacy.py --data both --eval seed,regional --reuse runs/spacy-ner   # rescore only

spaCy gets the stock CPU pipeline for a blank Chinese model (``spacy init config --lang zh
--pipeline ner --optimize efficiency``: hash embeddings + CNN + transition-based NER, no
pretrained vectors) with the character segmenter, so nothing is downloaded and every gold span
lies on token edges. It trains with spaCy's own loop (``spacy.cli.train.train``) on the train
split, evaluates on the validation split every ``--eval-frequency`` steps and keeps the best
checkpoint (``model-best``); ``--minutes`` bounds the wall clock of the loop: a ``before_update``
callback stops it when the time is spent (spaCy then logs "Aborting and saving…", which is that
stop). spaCy's patience (1600 steps without a better dev score) may end it sooner.

In the same run, on the same record texts of each test split, the rule extractor and the bundled
model (``train.tagging.load_tagger``; ``--model DIR`` for another one) are scored too, all with
``annotate.scoring.score_spans`` (strict start/end/label). spaCy is a benchmark-only dependency
(``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from contextlib import redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: the sibling _data module

from _data import CHOICES, SOURCES, gold_spans, load_gold  # noqa: E402

from annotate.errors import GongbaoError, InputError  # noqa: E402
from annotate.schema import LABELS  # noqa: E402
from annotate.scoring import PRF, score_spans  # noqa: E402
from annotate.types import Span  # noqa: E402

TIME_BUDGET = "gongbao.time_budget.v1"
RUN_FILE = "run.json"


class TimeBudgetSpent(Exception):
    """Raised by the ``before_update`` callback to end spaCy's training loop on time."""


def _register_time_budget() -> None:
    import spacy

    if TIME_BUDGET in spacy.registry.callbacks:
        return

    @spacy.registry.callbacks(TIME_BUDGET)
    def time_budget(minutes: float):
        deadline = time.monotonic() + 60 * minutes

        def before_update(nlp, info: dict) -> None:
            # step 0 always runs, so model-best exists whenever the budget ends the loop
            if info["step"] > 0 and time.monotonic() > deadline:
                raise TimeBudgetSpent(f"{minutes} min spent at step {info['step']}")

        return before_update


@dataclass
class DocBinStats:
    docs: int = 0
    spans: int = 0
    misaligned: list[tuple[str, int, int, str]] = field(default_factory=list)  # (id, start, end, label)
    expanded: int = 0


def make_docbin(nlp, records: Iterable[dict], fallback_expand: bool = False):
    """A DocBin of the records (raw text, gold entities) and what did not align.

    With the character segmenter every span aligns unless an edge falls on whitespace that the
    tokenizer folded into the previous token (a single space) or into a whitespace token (inside
    a run such as ``"\n\n"``); those spans are dropped (counted) or, with ``fallback_expand``,
    snapped to token edges by spaCy's ``alignment_mode="expand"`` (folded trailing space falls
    outside the span, a partly covered whitespace token is taken whole).
    """
    from spacy.tokens import DocBin

    db, stats = DocBin(store_user_data=False), DocBinStats()
    for r in records:
        doc = nlp.make_doc(r["text"])
        ents = []
        for s in r["spans"]:
            span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="strict")
            if span is None:
                stats.misaligned.append((r["id"], s["start"], s["end"], s["label"]))
                if fallback_expand:
                    span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")
                    stats.expanded += span is not None
            if span is not None:
                ents.append(span)
        doc.ents = ents
        db.add(doc)
        stats.docs += 1
        stats.spans += len(ents)
    return db, stats


def spacy_config(minutes: float, seed: int, eval_frequency: int, max_steps: int = 0):
    """The stock efficiency config for blank zh NER, with the time budget and a fixed seed."""
    from spacy.cli.init_config import init_config

    config = init_config(lang="zh", pipeline=["ner"], optimize="efficiency", gpu=False)
    tokenizer = config["nlp"]["tokenizer"]
    if tokenizer.get("segmenter") != "char":
        raise RuntimeError(f"expected spaCy's zh character segmenter, config has {tokenizer}")
    config["system"]["seed"] = seed
    config["training"]["max_steps"] = max_steps  # 0: the time budget (or patience) ends training
    config["training"]["eval_frequency"] = eval_frequency
    config["training"]["before_update"] = {"@callbacks": TIME_BUDGET, "minutes": minutes}
    return config


@dataclass
class SpacyRun:
    nlp: object  # the best checkpoint, loaded
    stats: dict[str, DocBinStats]  # "train"/"dev"
    seconds: float  # wall clock of spaCy's train() (initialisation + loop)
    cpu_seconds: float  # CPU time of this process over the same stretch
    dev_f1: float  # spaCy's own entity F1 of the best checkpoint on the dev DocBin
    settings: dict = field(default_factory=dict)  # data, seed, minutes, expand, spaCy version

    def save(self, workdir: Path) -> None:
        """``run.json`` next to the model, so ``--reuse`` can score it again with its figures."""
        fields = {k: getattr(self, k) for k in ("seconds", "cpu_seconds", "dev_f1", "settings")}
        fields["stats"] = {k: asdict(v) for k, v in self.stats.items()}
        (workdir / RUN_FILE).write_text(json.dumps(fields, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, workdir: Path) -> "SpacyRun":
        import spacy

        path, model = workdir / RUN_FILE, workdir / "model" / "model-best"
        if not path.is_file() or not model.is_dir():
            raise InputError(workdir, f"not a kept peer_spacy run (needs {RUN_FILE} and model/model-best)")
        d = json.loads(path.read_text(encoding="utf-8"))
        stats = {k: DocBinStats(v["docs"], v["spans"], [tuple(m) for m in v["misaligned"]], v["expanded"])
                 for k, v in d["stats"].items()}
        return cls(spacy.load(model), stats, d["seconds"], d["cpu_seconds"], d["dev_f1"], d["settings"])


def train_spacy(train_records: Sequence[dict], dev_records: Sequence[dict], workdir: Path, *, minutes: float,
                seed: int = 0, eval_frequency: int = 50, max_steps: int = 0, fallback_expand: bool = False,
                log=sys.stderr) -> SpacyRun:
    """Train spaCy NER in ``workdir`` (DocBins, config.cfg, model/model-best)."""
    import spacy
    from spacy.cli.train import train

    _register_time_budget()
    nlp = spacy.blank("zh")
    paths = {}
    stats = {}
    for name, records in (("train", train_records), ("dev", dev_records)):
        db, stats[name] = make_docbin(nlp, records, fallback_expand)
        paths[name] = workdir / f"{name}.spacy"
        db.to_disk(paths[name])
    cfg_path = workdir / "config.cfg"
    spacy_config(minutes, seed, eval_frequency, max_steps).to_disk(cfg_path)
    out = workdir / "model"
    t0, c0 = time.monotonic(), time.process_time()
    try:
        # spaCy's loop prints its progress table on stdout; keep ours for the tables
        with redirect_stdout(log):
            train(cfg_path, out, overrides={"paths.train": str(paths["train"]), "paths.dev": str(paths["dev"])})
    except TimeBudgetSpent:
        pass
    seconds, cpu = time.monotonic() - t0, time.process_time() - c0
    nlp = spacy.load(out / "model-best")
    return SpacyRun(nlp, stats, seconds, cpu, float(nlp.meta.get("performance", {}).get("ents_f") or 0.0))


def doc_spans(doc) -> list[Span]:
    """A doc's entities as project spans (code-point offsets on ``doc.text``)."""
    return [Span(e.start_char, e.end_char, e.label_, e.text, None, "spacy") for e in doc.ents]


def spacy_spans(nlp, texts: Sequence[str]) -> list[list[Span]]:
    """spaCy's entities as project spans on the given texts."""
    return [doc_spans(doc) for doc in nlp.pipe(texts, batch_size=16)]


def score_rows(gold: dict[str, list[Span]], ids: Sequence[str], preds: dict[str, list[list[Span]] | None]):
    """Scores per system name (None where the system is unavailable)."""
    return {name: None if p is None else score_spans(gold, dict(zip(ids, p))) for name, p in preds.items()}


def markdown_table(title: str, rows: dict[str, dict[str, PRF] | None], minutes: dict[str, float],
                   notes: dict[str, str]) -> str:
    """One row per system: per-label F1 (gold count in the header), micro P/R/F1, training minutes."""
    support = next((s for s in rows.values() if s is not None), None)
    n = {label: f" (n={support[label].n_gold})" if support else "" for label in LABELS}
    head = ["system", *[f"{label} F1{n[label]}" for label in LABELS], "micro P", "micro R", "micro F1", "train min"]
    lines = [f"**{title}**", "", "| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name, s in rows.items():
        mins = f"{minutes[name]:.1f}" if name in minutes else "–"
        if s is None:
            cells = ["–"] * (len(head) - 2)
            name = f"{name} ({notes.get(name, 'n/a')})"
        else:
            m = s["micro"]
            cells = [f"{s[label].f1:.3f}" for label in LABELS] + [f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}"]
        lines.append("| " + " | ".join([name, *cells, mins]) + " |")
    return "\n".join(lines)


def _concat(dicts, split: str) -> list[dict]:
    return [r for d in dicts for r in d[split]]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", choices=CHOICES, default="seed", help="gold whose train/validation splits spaCy trains on")
    ap.add_argument("--eval", default="seed", help="comma-separated gold sources whose test splits are scored")
    ap.add_argument("--minutes", type=float, default=10.0, help="wall-clock budget of spaCy's training loop")
    ap.add_argument("--eval-frequency", type=int, default=50, help="steps between dev evaluations")
    ap.add_argument("--max-steps", type=int, default=0, help="also stop after this many steps (0: no limit)")
    ap.add_argument("--seed", type=int, default=0, help="spaCy's random seed")
    ap.add_argument("--model", default=None, help="model dir for the 'model' row (default: the bundled model)")
    ap.add_argument("--expand", action="store_true", help="snap misaligned gold spans to token edges instead of dropping them")
    ap.add_argument("--keep", type=Path, default=None, help="keep spaCy's work dir (DocBins, config, model) here")
    ap.add_argument("--reuse", type=Path, default=None,
                    help="score the spaCy model of a --keep dir again instead of training (same --data)")
    ap.add_argument("--out", type=Path, default=None, help="also write the tables (Markdown) here")
    ap.add_argument("--log", type=Path, default=None, help="spaCy's training log (default: stderr)")
    args = ap.parse_args(argv)
    try:
        import spacy  # noqa: F401
    except ImportError:
        print("spaCy is not installed: pip install -e .[bench]", file=sys.stderr)
        return 2
    try:
        return _run(args)
    except GongbaoError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def _run(args) -> int:
    from train.tagging import BUNDLED_MODEL_DIR, load_tagger

    evals = [e.strip() for e in args.eval.split(",") if e.strip()]
    if bad := [e for e in evals if e not in SOURCES]:
        raise InputError(",".join(bad), f"unknown --eval source; choose from {', '.join(SOURCES)}")
    train_sources = SOURCES if args.data == "both" else (args.data,)
    gold = {name: load_gold(name) for name in dict.fromkeys([*train_sources, *evals])}
    train_recs = _concat([gold[n] for n in train_sources], "train")
    dev_recs = _concat([gold[n] for n in train_sources], "validation")

    # load the comparison systems first: a missing model should not cost a training run's wait
    systems, notes = {}, {}
    systems["rules"] = load_tagger("rules")
    model_name = "bundled model" if args.model is None else f"model {Path(args.model).name}"
    minutes = {}
    try:
        systems[model_name] = load_tagger(args.model)
        if (m := finetune_minutes(Path(args.model) if args.model else BUNDLED_MODEL_DIR)) is not None:
            minutes[model_name] = m
    except InputError as e:
        systems[model_name] = None
        notes[model_name] = "not available: " + e.cause.split(";")[0]
        print(f"note: {e}", file=sys.stderr)

    if args.reuse:
        run = SpacyRun.load(args.reuse)
        if run.settings.get("data") != args.data:
            raise InputError(args.reuse, f"trained on --data {run.settings.get('data')}, not {args.data}")
    else:
        run = _train(args, train_recs, dev_recs)
    sections = []
    for name in evals:
        recs = list(gold[name]["test"])
        ids, texts = [r["id"] for r in recs], [r["text"] for r in recs]
        preds = {sys_name: None if t is None else t.predict_raw(texts) for sys_name, t in systems.items()}
        preds["spaCy"] = spacy_spans(run.nlp, texts)
        g = gold_spans(recs)
        title = (f"{name} test split ({len(recs)} tasks, {sum(len(v) for v in g.values())} gold spans); "
                 f"spaCy trained on {args.data} train ({run.stats['train'].docs} tasks)")
        sections.append(markdown_table(title, score_rows(g, ids, preds), {**minutes, "spaCy": run.seconds / 60}, notes))
    footer = describe(run) + (f" Model reused from {args.reuse}." if args.reuse else "")
    if (tagger := systems[model_name]) is not None:
        footer += f" {model_name.capitalize()}: {tagger.info.get('name')} version {tagger.info.get('version')}."
    text = "\n\n".join([*sections, footer]) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


def _train(args, train_recs, dev_recs) -> SpacyRun:
    import spacy

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="peer_spacy_"))
    workdir.mkdir(parents=True, exist_ok=True)
    log = args.log.open("w", encoding="utf-8") if args.log else sys.stderr
    try:
        run = train_spacy(train_recs, dev_recs, workdir, minutes=args.minutes, seed=args.seed,
                          eval_frequency=args.eval_frequency, max_steps=args.max_steps,
                          fallback_expand=args.expand, log=log)
        run.settings = {"data": args.data, "seed": args.seed, "minutes": args.minutes, "expand": args.expand,
                        "spacy": spacy.__version__}
        run.save(workdir)
        return run
    finally:
        if args.log:
            log.close()
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def finetune_minutes(model_dir: Path) -> float | None:
    """Fine-tuning minutes recorded in a model dir's ``metrics.json`` (pretraining not included)."""
    try:
        return float(json.loads((model_dir / "metrics.json").read_text(encoding="utf-8"))["train"]["minutes"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def describe(run: SpacyRun) -> str:
    """The table's footnote: how spaCy was set up and trained."""
    st = run.settings
    mis = {k: len(s.misaligned) for k, s in run.stats.items()}
    return (f"spaCy {st.get('spacy')}: blank zh (character segmenter), `init config --pipeline ner --optimize "
            f"efficiency`, no vectors, seed {st.get('seed')}; {run.seconds / 60:.1f} min wall clock of training "
            f"({run.cpu_seconds / 60:.1f} min CPU time), best checkpoint on the {st.get('data')} validation split "
            f"(spaCy's dev F1 {run.dev_f1:.3f}). Gold spans not on token edges: {mis['train']} train / "
            f"{mis['dev']} dev ({'snapped to token edges' if st.get('expand') else 'dropped from training'}).")


if __name__ == "__main__":
    sys.exit(main())

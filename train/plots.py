"""Figures saved next to trained models: loss curves, held-out MLM metrics, per-label F1 bars."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _series(log_history: list[dict], key: str) -> tuple[list, list]:
    pts = [(h["step"], h[key]) for h in log_history if key in h and "step" in h]
    return [p[0] for p in pts], [p[1] for p in pts]


def plot_pretrain(log_history: list[dict], path: str | Path) -> Path:
    """Training loss and held-out masked-token loss/accuracy against steps."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(*_series(log_history, "loss"), label="train MLM loss")
    ax1.plot(*_series(log_history, "eval_mlm_loss"), "o-", label="held-out MLM loss")
    ax1.set_xlabel("step"), ax1.set_ylabel("loss"), ax1.legend()
    ax2.plot(*_series(log_history, "eval_masked_accuracy"), "o-", color="tab:green")
    ax2.set_xlabel("step"), ax2.set_ylabel("held-out masked-token accuracy")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_finetune(log_history: list[dict], per_label_f1: dict[str, dict[str, float]], path: str | Path) -> Path:
    """Left: train/validation loss; right: strict F1 per label for each evaluated split."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.plot(*_series(log_history, "loss"), label="train loss")
    ax1.plot(*_series(log_history, "eval_loss"), "o-", label="validation loss (windows)")
    ax1.set_xlabel("step"), ax1.set_ylabel("loss"), ax1.legend()
    splits = list(per_label_f1)
    labels = list(next(iter(per_label_f1.values()), {}))
    width = 0.8 / max(len(splits), 1)
    for i, split in enumerate(splits):
        xs = [j + i * width for j in range(len(labels))]
        bars = ax2.bar(xs, [per_label_f1[split][lab] for lab in labels], width, label=split)
        ax2.bar_label(bars, fmt="%.2f", fontsize=7)
    ax2.set_xticks([j + width * (len(splits) - 1) / 2 for j in range(len(labels))], labels, fontsize=8)
    ax2.set_ylim(0, 1.05), ax2.set_ylabel("strict F1"), ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)

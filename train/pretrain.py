"""Masked-LM pretraining of a small Chinese BERT (from scratch or continued from a checkpoint).

Text is streamed from the corpus files and packed into full blocks; the LM head is applied only
at masked positions (the 21,128-way projection over every position costs more than the encoder).
Runs under ``torchrun``/``accelerate launch`` unchanged: Trainer handles the processes.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import IterableDataset, get_worker_info
from transformers import (
    BertConfig,
    BertForMaskedLM,
    DataCollatorForLanguageModeling,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)
from transformers.modeling_outputs import MaskedLMOutput
from transformers.trainer_utils import get_last_checkpoint

from train import corpus
from train.config import PretrainConfig, dump_config
from train.tokenizer import VOCAB_SIZE, build_tokenizer, check_tokenizer


class SparseMLMBert(BertForMaskedLM):
    """BertForMaskedLM whose loss projects only the masked positions onto the vocabulary."""

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None, **kw):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        if labels is None:
            return MaskedLMOutput(logits=self.cls(hidden))
        sel = labels != -100
        logits = self.cls(hidden[sel])
        loss = F.cross_entropy(logits.float(), labels[sel]) if logits.numel() else hidden.sum() * 0.0
        return MaskedLMOutput(loss=loss, logits=logits)


class PackedStream(IterableDataset):
    """Endless blocks of ``max_length`` token ids from the weighted corpus stream."""

    def __init__(self, cfg: PretrainConfig, tokenizer, seed: int):
        self.cfg, self.tokenizer, self.seed = cfg, tokenizer, seed

    def __iter__(self):
        info = get_worker_info()
        shard = (info.id, info.num_workers) if info else (0, 1)
        c = self.cfg.corpus
        lines = corpus.mixed_lines(c.files, c.holdout_every, c.shuffle_buffer, self.seed, c.min_chars, shard)
        for ids in corpus.pack_lines(lines, self.tokenizer, self.cfg.training.max_length):
            yield {"input_ids": ids}


def bf16_enabled(setting) -> bool:
    if setting == "auto":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return bool(setting)


def build_model(cfg: PretrainConfig, vocab_size: int) -> SparseMLMBert:
    if cfg.init_from:
        return SparseMLMBert.from_pretrained(str(cfg.init_from))
    shape = cfg.model
    config = BertConfig(vocab_size=vocab_size, **shape.model_dump())
    return SparseMLMBert(config)


def masked_eval_batches(lines: list[str], tokenizer, max_length: int, mlm_probability: float, seed: int,
                        batch_size: int = 32) -> list[dict]:
    """Held-out blocks masked once with a fixed seed, so every evaluation sees the same masks."""
    blocks = list(corpus.pack_lines(iter(lines), tokenizer, max_length))
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=mlm_probability)
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    batches = [collator([{"input_ids": b} for b in blocks[i : i + batch_size]]) for i in range(0, len(blocks), batch_size)]
    torch.random.set_rng_state(state)
    return batches


@torch.no_grad()
def evaluate_mlm(model, batches: list[dict]) -> dict:
    """Mean loss and accuracy over the masked tokens of the held-out batches."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    loss_sum, correct, n = 0.0, 0, 0
    for b in batches:
        b = {k: v.to(device) for k, v in b.items()}
        out = model(**b)
        gold = b["labels"][b["labels"] != -100]
        loss_sum += float(out.loss) * gold.numel()
        correct += int((out.logits.argmax(-1) == gold).sum())
        n += gold.numel()
    model.train(was_training)
    return {"eval_mlm_loss": loss_sum / max(n, 1), "eval_masked_accuracy": correct / max(n, 1), "eval_masked_tokens": n}


class MLMEvalCallback(TrainerCallback):
    """Held-out MLM loss/accuracy every ``eval_steps`` and at the end, appended to the log history."""

    def __init__(self, batches, eval_steps: int):
        self.batches, self.eval_steps, self.last = batches, eval_steps, {}

    def _run(self, state, model):
        metrics = evaluate_mlm(model, self.batches)
        self.last = {**metrics, "step": state.global_step}
        state.log_history.append(dict(self.last))
        print(json.dumps(self.last), flush=True)

    def on_train_begin(self, args, state, control, model=None, **kw):
        if state.global_step == 0:  # the untrained baseline, for the curve
            self._run(state, model)

    def on_step_end(self, args, state, control, model=None, **kw):
        if state.global_step % self.eval_steps == 0:
            self._run(state, model)

    def on_train_end(self, args, state, control, model=None, **kw):
        if not self.last or self.last["step"] != state.global_step:
            self._run(state, model)


class TimeLimitCallback(TrainerCallback):
    """Stop (and save a checkpoint) once ``minutes`` of training have passed."""

    def __init__(self, minutes: float | None):
        self.limit = minutes * 60 if minutes else None
        self.start = time.monotonic()

    def on_step_end(self, args, state, control, **kw):
        if self.limit and time.monotonic() - self.start > self.limit:
            control.should_training_stop = True
            control.should_save = True


def run_pretrain(cfg: PretrainConfig) -> dict:
    """Pretrain and write a standard HF model dir (config, safetensors, tokenizer) to ``cfg.output_dir``."""
    t = cfg.training
    out = Path(cfg.output_dir)
    ckpt_dir = out / "checkpoints"
    tokenizer = build_tokenizer(cfg.vocab_file)
    last = get_last_checkpoint(str(ckpt_dir)) if cfg.resume and ckpt_dir.is_dir() else None
    start_step = json.loads((Path(last) / "trainer_state.json").read_text())["global_step"] if last else 0

    model = build_model(cfg, len(tokenizer))
    if model.config.vocab_size != len(tokenizer):
        raise ValueError(f"checkpoint vocab size {model.config.vocab_size} != tokenizer size {len(tokenizer)}")
    # A resumed run continues on a fresh part of the stream instead of replaying the consumed batches.
    train_data = PackedStream(cfg, tokenizer, seed=t.seed + start_step)
    eval_batches = masked_eval_batches(
        corpus.heldout_lines(cfg.corpus.files, cfg.corpus.holdout_every, cfg.corpus.eval_lines, cfg.corpus.min_chars),
        tokenizer, t.max_length, t.mlm_probability, t.seed,
    )
    args = TrainingArguments(
        output_dir=str(ckpt_dir),
        max_steps=t.max_steps,
        per_device_train_batch_size=t.batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        learning_rate=t.learning_rate,
        weight_decay=t.weight_decay,
        warmup_steps=t.warmup_steps,
        lr_scheduler_type="linear",
        logging_steps=t.logging_steps,
        save_steps=t.save_steps,
        save_total_limit=t.save_total_limit,
        bf16=bf16_enabled(t.bf16),
        seed=t.seed,
        report_to=[],
        dataloader_num_workers=t.dataloader_num_workers,
        ignore_data_skip=True,
        disable_tqdm=True,
    )
    mlm_eval = MLMEvalCallback(eval_batches, t.eval_steps)
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_data,
        data_collator=DataCollatorForLanguageModeling(tokenizer, mlm_probability=t.mlm_probability),
        callbacks=[mlm_eval, TimeLimitCallback(t.max_minutes)],
    )
    started = time.monotonic()
    trainer.train(resume_from_checkpoint=last)
    minutes = (time.monotonic() - started) / 60
    state = trainer.state
    world = max(args.world_size, 1)
    tokens_seen = state.global_step * t.batch_size * t.gradient_accumulation_steps * world * t.max_length
    metrics = {
        "parameters": sum(p.numel() for p in model.parameters()),
        "steps": state.global_step,
        "resumed_from_step": start_step,
        "tokens_seen": tokens_seen,
        "minutes_this_run": round(minutes, 2),
        "device": str(args.device),
        "bf16": args.bf16,
        "world_size": world,
        "train_loss_first": next((h["loss"] for h in state.log_history if "loss" in h), None),
        "train_loss_last": next((h["loss"] for h in reversed(state.log_history) if "loss" in h), None),
        **{k: v for k, v in mlm_eval.last.items() if k != "step"},
        "heldout_lines": cfg.corpus.eval_lines,
    }
    if trainer.is_world_process_zero():
        save_model_dir(model, tokenizer, cfg, out, metrics, state.log_history)
    return metrics


def save_model_dir(model, tokenizer, cfg: PretrainConfig, out: Path, metrics: dict, log_history: list) -> None:
    """A plain BertForMaskedLM directory (AutoModel/AutoModelForMaskedLM load it) plus metrics and curves."""
    from train.plots import plot_pretrain

    out.mkdir(parents=True, exist_ok=True)
    plain = BertForMaskedLM(model.config)
    plain.load_state_dict(model.state_dict())
    plain.config.architectures = ["BertForMaskedLM"]
    plain.save_pretrained(str(out), safe_serialization=True)
    check_tokenizer(tokenizer, VOCAB_SIZE)
    tokenizer.save_pretrained(str(out))
    shutil.copyfile(cfg.vocab_file, out / "vocab.txt")
    (out / "pretrain_config.json").write_text(json.dumps(dump_config(cfg), indent=2, ensure_ascii=False))
    (out / "pretrain_metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "log_history.json").write_text(json.dumps(log_history, indent=1))
    plot_pretrain(log_history, out / "pretrain_curves.png")

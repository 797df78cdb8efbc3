"""PyTorch reference for `npm run bench`: the same ORPO training step as `orpo-lab bench` (a GPT-2 with
tied embeddings, pre-LayerNorm, GELU-tanh, causal attention; one concatenated forward pass over chosen
and rejected; NLL + λ·odds-ratio loss; backward; AdamW with clipping), timed with the same thread count.
Prints one JSON line: tokens_per_second, step_ms, backend, threads, max_rss_bytes (getrusage).

    python3 scripts/reference/torch_step.py --d-model 256 --layers 4 --heads 4 --vocab 8000 --seq 128 \
        --pairs 4 --steps 5 --threads 1 [--device cuda]

With --model DIR the model is a transformers directory (GPT-2 or Llama, torch_models.py), optionally with
LoRA adapters (--lora-r 16 --lora-targets all-linear [--lora-alpha 8]) and --checkpointing:

    python3 scripts/reference/torch_step.py --model .bench/models/smollm2-360m --seq 512 --pairs 2 --steps 2 \
        --threads 2 --lora-r 16 --lora-targets all-linear --checkpointing
"""
import argparse
import json
import math
import os
import resource
import sys
import time

# torch.set_num_threads does not reach OpenBLAS (torch's BLAS on Debian), which reads its thread count
# when it loads and otherwise takes every core: pin it to --threads (or --blas-threads, to try
# torch's intra-op threads and BLAS threads apart) before torch is imported.
def _flag(name, default):
    return next((sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == name), default)


_threads = _flag("--threads", "1")
os.environ["OMP_NUM_THREADS"] = _threads
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = _flag("--blas-threads", _threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.h, C // self.h).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # explicit: torch 1.13 has no SDPA
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1), float("-inf"))
        y = att.softmax(-1) @ v
        x = x + self.c_proj(y.transpose(1, 2).reshape(B, T, C))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, V, T, d, L, H):
        super().__init__()
        self.wte = nn.Embedding(V, d)
        self.wpe = nn.Embedding(T, d)
        self.h = nn.ModuleList([Block(d, H) for _ in range(L)])
        self.ln_f = nn.LayerNorm(d)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        for b in self.h:
            x = b(x)
        return self.ln_f(x) @ self.wte.weight.T


def orpo_loss(logits, ids, B, lam=0.1):
    logp = torch.log_softmax(logits[:, :-1], -1).gather(2, ids[:, 1:, None]).squeeze(2)
    half = ids.shape[1] // 2
    mask = torch.zeros_like(logp)
    mask[:, half - 1:] = 1  # response tokens (the prompt is the first half)
    lp = (logp * mask).sum(-1) / mask.sum(-1)
    lw, ll = lp[:B], lp[B:]
    log_odds = (lw - ll) - (torch.log1p(-torch.exp(lw)) - torch.log1p(-torch.exp(ll)))
    nll = -(logp[:B]).mean()
    return nll - lam * F.logsigmoid(log_odds).mean()


def main():
    p = argparse.ArgumentParser()
    for k, v in dict(d_model=256, layers=4, heads=4, vocab=8000, seq=128, pairs=4, steps=5, threads=1, blas_threads=0).items():
        p.add_argument("--" + k.replace("_", "-"), type=int, default=v)
    p.add_argument("--device", default="cpu")
    p.add_argument("--model", help="a transformers directory (config.json + model.safetensors)")
    p.add_argument("--lora-r", type=int, default=0, help="LoRA rank (with --model; 0: full fine-tuning)")
    p.add_argument("--lora-alpha", type=float, default=8.0, help="LoRA alpha (PEFT's default 8)")
    p.add_argument("--lora-targets", default="all-linear", help="only all-linear: every linear layer of the blocks")
    p.add_argument("--checkpointing", action="store_true", help="recompute each block in the backward pass (with --model)")
    a = p.parse_args()
    if (a.lora_r or a.checkpointing) and not a.model:
        p.error("--lora-r and --checkpointing need --model DIR")
    if a.lora_targets != "all-linear":
        p.error("--lora-targets: only all-linear is implemented in the reference")
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    if a.model:
        from torch_models import CausalLM
        model = CausalLM(a.model, (a.lora_r, a.lora_alpha) if a.lora_r else None, a.checkpointing).to(dev)
        a.vocab = model.config["vocab_size"]
    else:
        model = GPT(a.vocab, a.seq, a.d_model, a.layers, a.heads).to(dev)
    trainable = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.01)
    ids = torch.randint(0, a.vocab - 1, (2 * a.pairs, a.seq), device=dev)
    times = []
    peak = 0
    for i in range(a.steps + 1):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = orpo_loss(model(ids), ids, a.pairs)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        loss.item()
        if dev.type == "cuda":
            torch.cuda.synchronize()
            peak = max(peak, torch.cuda.max_memory_allocated())
        if i > 0:
            times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2]
    print(json.dumps({"backend": "pytorch-" + dev.type, "device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu",
                      "torch": torch.__version__, "threads": a.threads, "blas_threads": int(os.environ["OPENBLAS_NUM_THREADS"]), "step_ms": round(med * 1000, 1),
                      "tokens_per_second": round(2 * a.pairs * a.seq / med, 1), "peak_cuda_bytes": peak,
                      "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "params": sum(q.numel() for q in model.parameters()),
                      "trainable_params": sum(q.numel() for q in trainable), "model": a.model, "lora_r": a.lora_r, "gradient_checkpointing": a.checkpointing,
                      "step_ms_all": [round(t * 1000) for t in times]}))


if __name__ == "__main__":
    main()

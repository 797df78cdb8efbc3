"""Independent LoRA reference for src/engine/model/lora.test.ts, in plain PyTorch (1.13; no PEFT, no
transformers, none of ORPO Lab's code): GPT-2 and Llama forward passes written from the architectures,
the tiny fixture weights (test/fixtures/hf/tiny-gpt2, tiny-llama) read from their safetensors with numpy,
LoRA on every linear layer but the head, and the gradients of a cross-entropy loss with respect to
every lora_A and lora_B. LoRA follows PEFT's definitions (peft src/peft/tuners/lora/layer.py):
lora_A.weight [r, in], lora_B.weight [out, r], scaling alpha / r. GPT-2's Conv1D layers (weight
[in, out]) take the adapter as PEFT's fan_in_fan_out merge does: W + transpose(B @ A) * scaling;
Llama's nn.Linear layers (weight [out, in]) as PEFT's forward does: linear(x, W) + B(A(x)) * scaling.
The base logits are checked against the fixtures' reference.json (made by transformers) first.

    /usr/bin/python3 scripts/reference/lora_reference.py > test/fixtures/hf/lora_reference.json
"""
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "hf"
R, ALPHA = 4, 8.0
SCALE = ALPHA / R


def read_safetensors(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        a, b = info["data_offsets"]
        arr = np.frombuffer(raw[8 + n + a : 8 + n + b], dtype="<f4").reshape(info["shape"])
        out[name] = torch.tensor(arr.copy(), dtype=torch.float64)
    return out


def adapters(modules, shapes, gen):
    """lora_A as kaiming_uniform(a=sqrt(5)) draws it (U(±1/sqrt(in))); lora_B random too, so every gradient is non-zero."""
    out = {}
    for m in modules:
        fan_in, fan_out = shapes[m]
        bound = 1 / math.sqrt(fan_in)
        A = (torch.rand(R, fan_in, generator=gen, dtype=torch.float64) * 2 - 1) * bound
        B = (torch.rand(fan_out, R, generator=gen, dtype=torch.float64) * 2 - 1) * 0.1
        out[m] = (A.requires_grad_(), B.requires_grad_())
    return out


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def gpt2(W, cfg, ids, lora):
    d, H, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    Bn, T = ids.shape
    hd = d // H

    def conv1d(x, m):  # Conv1D weight [in, out]; fan_in_fan_out: the delta B @ A [out, in] is transposed
        w = W[m + ".weight"]
        if m in lora:
            A, B = lora[m]
            w = w + (B @ A).T * SCALE
        return x @ w + W[m + ".bias"]

    x = W["transformer.wte.weight"][ids] + W["transformer.wpe.weight"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(cfg["n_layer"]):
        h = f"transformer.h.{i}."
        a = layer_norm(x, W[h + "ln_1.weight"], W[h + "ln_1.bias"], eps)
        q, k, v = conv1d(a, h + "attn.c_attn").split(d, dim=-1)
        q, k, v = (t.view(Bn, T, H, hd).transpose(1, 2) for t in (q, k, v))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        s = s.masked_fill(~causal, float("-inf"))
        y = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(Bn, T, d)
        x = x + conv1d(y, h + "attn.c_proj")
        m = layer_norm(x, W[h + "ln_2.weight"], W[h + "ln_2.bias"], eps)
        x = x + conv1d(gelu_new(conv1d(m, h + "mlp.c_fc")), h + "mlp.c_proj")
    x = layer_norm(x, W["transformer.ln_f.weight"], W["transformer.ln_f.bias"], eps)
    return x @ W["transformer.wte.weight"].T


def llama(W, cfg, ids, lora):
    d, H, KV, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["rms_norm_eps"]
    hd = cfg.get("head_dim") or d // H
    theta = (cfg.get("rope_parameters") or {}).get("rope_theta") or cfg.get("rope_theta", 10000.0)
    Bn, T = ids.shape

    def linear(x, m):  # nn.Linear weight [out, in]; PEFT's forward: base + lora_B(lora_A(x)) * scaling
        y = x @ W[m + ".weight"].T
        if m + ".bias" in W:
            y = y + W[m + ".bias"]
        if m in lora:
            A, B = lora[m]
            y = y + (x @ A.T) @ B.T * SCALE
        return y

    def rms(x, w):
        return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w

    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.arange(T, dtype=torch.float64)[:, None] * inv[None]
    emb = torch.cat([freqs, freqs], -1)
    cos, sin = emb.cos(), emb.sin()

    def rope(t):
        half = t.shape[-1] // 2
        rot = torch.cat([-t[..., half:], t[..., :half]], -1)
        return t * cos + rot * sin

    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    x = W["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = rms(x, W[p + "input_layernorm.weight"])
        q = rope(linear(a, p + "self_attn.q_proj").view(Bn, T, H, hd).transpose(1, 2))
        k = rope(linear(a, p + "self_attn.k_proj").view(Bn, T, KV, hd).transpose(1, 2))
        v = linear(a, p + "self_attn.v_proj").view(Bn, T, KV, hd).transpose(1, 2)
        k, v = k.repeat_interleave(H // KV, dim=1), v.repeat_interleave(H // KV, dim=1)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        s = s.masked_fill(~causal, float("-inf"))
        y = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(Bn, T, H * hd)
        x = x + linear(y, p + "self_attn.o_proj")
        m = rms(x, W[p + "post_attention_layernorm.weight"])
        g = linear(m, p + "mlp.gate_proj")
        x = x + linear(torch.nn.functional.silu(g) * linear(m, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms(x, W["model.norm.weight"])
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else W["lm_head.weight"]
    return x @ head.T


def g8(t):
    """float32 precision is what the test compares at: 8 significant digits."""
    return [float(f"{v:.8g}") for v in t.detach().flatten().tolist()]


def case(name, forward, linear_suffixes, in_out):
    d = ROOT / name
    cfg = json.loads((d / "config.json").read_text())
    ref = json.loads((d / "reference.json").read_text())
    W = read_safetensors(d / "model.safetensors")
    ids = torch.tensor(ref["input_ids"])
    base = forward(W, cfg, ids, {})
    worst = (base.flatten() - torch.tensor(ref["logits"], dtype=torch.float64)).abs().max().item()
    assert worst < 1e-4, f"{name}: the plain-torch forward differs from transformers' logits by {worst}"
    modules = sorted(k[: -len(".weight")] for k in W if any(k.endswith(s + ".weight") for s in linear_suffixes))
    shapes = {m: in_out(W[m + ".weight"]) for m in modules}
    gen = torch.Generator().manual_seed(0)
    lora = adapters(modules, shapes, gen)
    targets = torch.randint(0, cfg["vocab_size"], tuple(ids.shape), generator=gen)
    logits = forward(W, cfg, ids, lora)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    loss.backward()
    return {
        "model": name, "r": R, "alpha": ALPHA, "input_ids": ref["input_ids"], "targets": targets.tolist(),
        "base_vs_transformers": worst, "loss": loss.item(), "logits": g8(logits),
        "adapters": {
            m: {"A": g8(A), "B": g8(B), "A_shape": list(A.shape), "B_shape": list(B.shape), "dA": g8(A.grad), "dB": g8(B.grad)}
            for m, (A, B) in lora.items()
        },
    }


def main():
    gpt_linear = ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")
    llama_linear = tuple(f"{p}_proj" for p in ("q", "k", "v", "o", "gate", "up", "down"))
    cases = [
        case("tiny-gpt2", gpt2, gpt_linear, lambda w: (w.shape[0], w.shape[1])),  # Conv1D [in, out]
        case("tiny-llama", llama, llama_linear, lambda w: (w.shape[1], w.shape[0])),  # Linear [out, in]
    ]
    json.dump({"provenance": f"scripts/reference/lora_reference.py, torch {torch.__version__}, float64", "cases": cases}, sys.stdout)


if __name__ == "__main__":
    main()

"""Plain-PyTorch models for the benchmark's reference (scripts/reference/torch_step.py --model DIR), written
here without transformers: GPT2LMHeadModel and LlamaForCausalLM as transformers' modeling_gpt2.py and
modeling_llama.py compute them (Conv1D weights stored [in, out]; RMSNorm, rotate-half RoPE, grouped-query
attention, SwiGLU; tied heads), loaded from a transformers directory (config.json + model.safetensors, read
by a small stdlib safetensors parser), and LoRA as PEFT defines it (A Kaiming-uniform with a = sqrt(5), B
zero, scaling alpha / r, base frozen; "all-linear" = every linear layer of the blocks, not the output head).
`attention_mask` [B, T] (1 real, 0 padding) is applied as transformers applies it: combined with the
causal mask, a query attends only to keys that are real tokens (positions stay 0..T-1, as with right padding).
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """name -> float32 tensor, read one tensor at a time (peak: the weights plus one tensor's bytes)."""
    out = {}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            f.seek(8 + n + begin)
            buf = bytearray(f.read(end - begin))
            t = torch.frombuffer(buf, dtype=DTYPES[info["dtype"]]) if end > begin else torch.empty(0, dtype=DTYPES[info["dtype"]])
            out[name] = t.reshape(info["shape"]).float().clone()
    return out


class Lora(nn.Module):
    """A frozen linear map (weight [out, in], or GPT-2 Conv1D's [in, out]) plus PEFT's LoRA: x W + s x A^T B^T."""

    def __init__(self, weight, bias, conv1d, r, alpha):
        super().__init__()
        self.conv1d = conv1d
        self.weight = nn.Parameter(weight, requires_grad=False)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)
        fan_in = weight.shape[0] if conv1d else weight.shape[1]
        fan_out = weight.shape[1] if conv1d else weight.shape[0]
        self.r = r
        if r:
            self.lora_A = nn.Parameter(torch.empty(r, fan_in))
            nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
            self.lora_B = nn.Parameter(torch.zeros(fan_out, r))
            self.scaling = alpha / r

    def forward(self, x):
        y = x @ self.weight if self.conv1d else x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        if self.r:
            y = y + (x @ self.lora_A.T) @ self.lora_B.T * self.scaling
        return y


def linear(w, name, conv1d, lora):
    """The layer `name` of weights `w`: trainable (full fine-tuning) or frozen with an adapter (lora = (r, alpha))."""
    weight, bias = w[name + ".weight"], w.get(name + ".bias")
    layer = Lora(weight, bias, conv1d, lora[0] if lora else 0, lora[1] if lora else 0)
    if not lora:
        layer.weight.requires_grad_(True)
        if layer.bias is not None:
            layer.bias.requires_grad_(True)
    return layer


class Gpt2Block(nn.Module):
    def __init__(self, w, p, c, lora):
        super().__init__()
        d, self.h = c["n_embd"], c["n_head"]
        eps = c.get("layer_norm_epsilon", 1e-5)
        self.ln_1, self.ln_2 = nn.LayerNorm(d, eps=eps), nn.LayerNorm(d, eps=eps)
        for ln, key in ((self.ln_1, "ln_1"), (self.ln_2, "ln_2")):
            ln.weight.data, ln.bias.data = w[p + key + ".weight"], w[p + key + ".bias"]
        self.c_attn = linear(w, p + "attn.c_attn", True, lora)
        self.c_proj = linear(w, p + "attn.c_proj", True, lora)
        self.c_fc = linear(w, p + "mlp.c_fc", True, lora)
        self.mlp_proj = linear(w, p + "mlp.c_proj", True, lora)

    def forward(self, x, allowed):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.h, C // self.h).transpose(1, 2) for t in (q, k, v))  # [B, h, T, hd]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # [B, h, T, T]
        att = att.masked_fill(~allowed, float("-inf"))  # allowed: [B or 1, 1, T, T]
        x = x + self.c_proj((att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C))  # [B, T, C]
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class LlamaBlock(nn.Module):
    def __init__(self, w, p, c, lora):
        super().__init__()
        self.H, self.KV = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
        self.hd = c.get("head_dim") or c["hidden_size"] // self.H
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.n1 = nn.Parameter(w[p + "input_layernorm.weight"])
        self.n2 = nn.Parameter(w[p + "post_attention_layernorm.weight"])
        for k in ("q", "k", "v", "o"):
            setattr(self, k, linear(w, f"{p}self_attn.{k}_proj", False, lora))
        for k in ("gate", "up", "down"):
            setattr(self, k, linear(w, f"{p}mlp.{k}_proj", False, lora))

    def rms(self, x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * g

    def forward(self, x, allowed, cos, sin):
        B, T, _ = x.shape
        h = self.rms(x, self.n1)
        q = self.q(h).view(B, T, self.H, self.hd).transpose(1, 2)  # [B, H, T, hd]
        k = self.k(h).view(B, T, self.KV, self.hd).transpose(1, 2)  # [B, KV, T, hd]
        v = self.v(h).view(B, T, self.KV, self.hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = (t.repeat_interleave(self.H // self.KV, dim=1) for t in (k, v))  # [B, H, T, hd]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.hd)  # [B, H, T, T]
        att = att.masked_fill(~allowed, float("-inf"))
        x = x + self.o((att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, self.H * self.hd))  # [B, T, d]
        h = self.rms(x, self.n2)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class CausalLM(nn.Module):
    """GPT-2 or Llama from a transformers directory; `lora` = (r, alpha) freezes the base, `checkpointing` recomputes blocks."""

    def __init__(self, directory, lora=None, checkpointing=False):
        super().__init__()
        with open(os.path.join(directory, "config.json")) as f:
            c = json.load(f)
        w = read_safetensors(os.path.join(directory, "model.safetensors"))
        self.gpt2, self.checkpointing, self.config = c["model_type"] == "gpt2", checkpointing, c
        train_base = lora is None
        if self.gpt2:
            w = {k if k.startswith(("transformer.", "lm_head.")) else "transformer." + k: v for k, v in w.items()}
            self.wte = nn.Parameter(w["transformer.wte.weight"], requires_grad=train_base)
            self.wpe = nn.Parameter(w["transformer.wpe.weight"], requires_grad=train_base)
            self.blocks = nn.ModuleList(Gpt2Block(w, f"transformer.h.{i}.", c, lora) for i in range(c["n_layer"]))
            self.norm = nn.LayerNorm(c["n_embd"], eps=c.get("layer_norm_epsilon", 1e-5))
            self.norm.weight.data, self.norm.bias.data = w["transformer.ln_f.weight"], w["transformer.ln_f.bias"]
            self.head = None  # tied to wte
        else:
            self.wte = nn.Parameter(w["model.embed_tokens.weight"], requires_grad=train_base)
            self.blocks = nn.ModuleList(LlamaBlock(w, f"model.layers.{i}.", c, lora) for i in range(c["num_hidden_layers"]))
            self.norm_w = nn.Parameter(w["model.norm.weight"])
            tied = c.get("tie_word_embeddings", True) or "lm_head.weight" not in w
            self.head = None if tied else nn.Parameter(w["lm_head.weight"], requires_grad=train_base)
            hd = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
            theta = c.get("rope_theta") or (c.get("rope_parameters") or {}).get("rope_theta", 10000.0)  # transformers 5: rope_parameters
            self.inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2).float() / hd))
        if not train_base:  # norms too: only the adapters train
            for name, prm in self.named_parameters():
                if "lora_" not in name:
                    prm.requires_grad_(False)

    def run(self, block, x, *extra):
        if self.checkpointing and torch.is_grad_enabled():
            return torch.utils.checkpoint.checkpoint(block, x, *extra, use_reentrant=False)
        return block(x, *extra)

    def forward(self, ids, attention_mask=None):
        T = ids.shape[1]
        allowed = torch.ones(T, T, dtype=torch.bool).tril()[None, None]  # [1, 1, T, T]: causal
        if attention_mask is not None:
            allowed = allowed & attention_mask.bool()[:, None, None, :]  # [B, 1, T, T]: and real keys only
        x = F.embedding(ids, self.wte)  # [B, T, d]
        if self.gpt2:
            x = x + self.wpe[:T]
            for b in self.blocks:
                x = self.run(b, x, allowed)
            x = self.norm(x)
        else:
            freqs = torch.outer(torch.arange(T).float(), self.inv_freq)  # [T, hd/2]
            emb = torch.cat((freqs, freqs), dim=-1)  # [T, hd]
            cos, sin = emb.cos(), emb.sin()
            for b in self.blocks:
                x = self.run(b, x, allowed, cos, sin)
            x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.blocks[0].eps) * self.norm_w
        return x @ (self.wte if self.head is None else self.head).T  # [B, T, V]


if __name__ == "__main__":
    # Self-check against transformers' own logits: python3 scripts/reference/torch_models.py test/fixtures/hf/tiny-*
    # (reference.json, written by make_fixtures.py). LoRA's B starts at zero, so the adapted model must agree too.
    import sys
    for d in sys.argv[1:]:
        with open(os.path.join(d, "reference.json")) as f:
            ref = json.load(f)
        want = torch.tensor(ref["logits"]).reshape(ref["shape"])
        for lora in (None, (4, 8.0)):
            with torch.no_grad():
                got = CausalLM(d, lora)(torch.tensor(ref["input_ids"]))
            err = (got - want).abs().max().item()
            print(f"{d} lora={lora}: max |logits - transformers| = {err:.2e}")
            assert err < 1e-4, d

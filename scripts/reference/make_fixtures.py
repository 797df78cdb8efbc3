"""Reference fixtures for ORPO Lab, produced with Hugging Face transformers itself.

Run on a machine with torch + transformers (the GPU machine; CPU is enough):
    python3 scripts/reference/make_fixtures.py OUT_DIR
It writes, for tiny random GPT-2, Llama and Qwen2 models:
  OUT_DIR/<name>/config.json, model.safetensors   (save_pretrained, safetensors)
  OUT_DIR/<name>/reference.json                   (input ids and the float32 logits of the forward pass)
plus a bf16 Llama checkpoint (weights rounded to bf16, logits computed from it in fp32), a sharded Qwen2
checkpoint (model.safetensors.index.json), and OUT_DIR/orpo_batch.json: the TRL ORPOTrainer formulas
(odds_ratio_loss, get_batch_logps with average_log_prob=True, nll over non-pad tokens) evaluated in
float64 on a fixed random batch. A second mode checks a checkpoint written by ORPO Lab:
    python3 scripts/reference/make_fixtures.py --check MODEL_DIR REFERENCE_JSON
and a third writes only orpo_batch.json (torch alone):
    python3 scripts/reference/make_fixtures.py --orpo-batch OUT_DIR
logits/chosen and logits/rejected follow TRL's trainers: ORPOTrainer.concatenated_forward averages the
logits of every position but the last (padding included) over the vocabulary; DPOTrainer averages over
completion positions only ("dpo_logits" below).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
try:  # --orpo-batch needs torch only
    import transformers
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM
except ImportError:
    transformers = None

torch.manual_seed(0)
IDS = [[1, 5, 9, 17, 33, 2, 60, 7, 11, 3, 90, 4], [8, 8, 21, 44, 63, 1, 0, 2, 5, 77, 12, 6]]


def dump_logits(model, out_dir, extra=None):
    model.eval()
    with torch.no_grad():
        ids = torch.tensor(IDS)
        logits = model(ids).logits.float()
    ref = {"input_ids": IDS, "shape": list(logits.shape), "logits": logits.flatten().tolist(),
           "transformers": transformers.__version__, "torch": torch.__version__}
    if extra:
        ref.update(extra)
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump(ref, f)


def save(model, out, name, **kw):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    model.save_pretrained(d, safe_serialization=True, **kw)
    return d


def make_models(out):
    gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=96, n_positions=32, n_embd=32, n_layer=2, n_head=4,
                                      bos_token_id=1, eos_token_id=2))
    dump_logits(gpt2, save(gpt2, out, "tiny-gpt2"))

    llama_cfg = LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                            rope_theta=500000.0, rms_norm_eps=1e-5, tie_word_embeddings=False,
                            bos_token_id=1, eos_token_id=2)
    llama = LlamaForCausalLM(llama_cfg)
    dump_logits(llama, save(llama, out, "tiny-llama"))

    bf = LlamaForCausalLM(llama_cfg)
    bf = bf.to(torch.bfloat16)
    d = save(bf, out, "tiny-llama-bf16")
    dump_logits(bf.float(), d)

    qwen = Qwen2ForCausalLM(Qwen2Config(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                                        rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                                        bos_token_id=1, eos_token_id=2))
    with torch.no_grad():  # random init leaves biases at zero: give them values so they are tested
        for layer in qwen.model.layers:
            for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                proj.bias.normal_(0, 0.1)
    dump_logits(qwen, save(qwen, out, "tiny-qwen2-sharded", max_shard_size="20KB"))


def orpo_batch(out):
    """TRL ORPOTrainer semantics in float64 on a fixed batch: rows 0..B-1 chosen, B..2B-1 rejected."""
    g = torch.Generator().manual_seed(1)
    B, T, V, lam = 2, 7, 11, 0.1
    logits = torch.randn(2 * B, T, V, generator=g, dtype=torch.float64) * 2
    ids = torch.randint(0, V, (2 * B, T), generator=g)
    prompt = [2, 3, 2, 3]          # prompt tokens per row (masked in labels)
    length = [7, 6, 5, 7]          # real tokens per row, the rest is padding
    labels = ids.clone()
    attn = torch.zeros(2 * B, T, dtype=torch.long)
    for r in range(2 * B):
        labels[r, :prompt[r]] = -100
        labels[r, length[r]:] = -100
        attn[r, :length[r]] = 1
    sl, lb = logits[:, :-1], labels[:, 1:].clone()
    mask = lb != -100
    lb[~mask] = 0
    tok = torch.gather(sl.log_softmax(-1), 2, lb.unsqueeze(2)).squeeze(2)
    logps = (tok * mask).sum(-1) / mask.sum(-1)
    cw, cl = logps[:B], logps[B:]
    log_odds = (cw - cl) - (torch.log1p(-torch.exp(cw)) - torch.log1p(-torch.exp(cl)))
    ratio = F.logsigmoid(log_odds)
    nll_labels = torch.where(attn == 1, ids, -100)

    def nll(lbls):
        return F.cross_entropy(logits[:B, :-1].reshape(-1, V), lbls[:B, 1:].reshape(-1), ignore_index=-100)

    nll_full = nll(nll_labels)
    nll_resp = nll(labels)
    res = {
        "lambda": lam, "B": B, "T": T, "V": V, "logits": logits.flatten().tolist(), "input_ids": ids.tolist(),
        "prompt_len": prompt, "length": length,
        "metrics_nll_on_prompt": {
            "loss": (nll_full - lam * ratio.mean()).item(), "nll_loss": nll_full.item(),
        },
        "metrics": {
            "loss": (nll_resp - lam * ratio.mean()).item(), "nll_loss": nll_resp.item(),
            "rewards/chosen": (lam * cw).mean().item(), "rewards/rejected": (lam * cl).mean().item(),
            "rewards/accuracies": (cw > cl).double().mean().item(),
            "rewards/margins": (lam * (cw - cl)).mean().item(),
            "logps/chosen": cw.mean().item(), "logps/rejected": cl.mean().item(),
            "logits/chosen": logits[:B, :-1].mean().item(),
            "logits/rejected": logits[B:, :-1].mean().item(),
            "log_odds_ratio": ratio.mean().item(), "log_odds_chosen": log_odds.mean().item(),
        },
        "dpo_logits": {"logits/chosen": sl[:B][mask[:B]].mean().item(), "logits/rejected": sl[B:][mask[B:]].mean().item()},
        "per_example": {"logps": logps.tolist(), "log_odds": log_odds.tolist()},
    }
    with open(os.path.join(out, "orpo_batch.json"), "w") as f:
        json.dump(res, f, indent=1)


def check(model_dir, ref_path):
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    ref = json.load(open(ref_path))
    with torch.no_grad():
        logits = model(torch.tensor(ref["input_ids"])).logits.flatten()
    diff = (logits - torch.tensor(ref["logits"])).abs().max().item()
    print(json.dumps({"model_dir": model_dir, "max_abs_diff": diff, "ok": diff < 1e-4}))


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        check(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "--orpo-batch":
        orpo_batch(sys.argv[2])
    else:
        os.makedirs(sys.argv[1], exist_ok=True)
        make_models(sys.argv[1])
        orpo_batch(sys.argv[1])
        print("fixtures written to", sys.argv[1])

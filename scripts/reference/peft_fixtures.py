"""PEFT interoperability fixtures for ORPO Lab (issue 13 §2), made with real Hugging Face PEFT.

Run from the repository root with a Python that has peft, transformers and torch (CPU is enough):
    node --import tsx scripts/reference/peft-ours-prepare.ts      # our adapters, test/fixtures/peft/ours-<model>/
    python scripts/reference/peft_fixtures.py
For each tiny fixture model (test/fixtures/hf/tiny-gpt2, tiny-llama) it
  1. makes a LoRA adapter with PEFT itself (get_peft_model, init_lora_weights=False so B is non-zero, seeded),
     saves it with save_pretrained to test/fixtures/peft/<model>-lora/ (base_model_name_or_path rewritten
     relative to that directory), reloads it with PeftModel.from_pretrained and records the logits; and once
     more for tiny-llama with the adapter cast to bfloat16 before saving (test/fixtures/peft/tiny-llama-lora-bf16/);
  2. loads the adapter ORPO Lab wrote (test/fixtures/peft/ours-<model>/) with PeftModel.from_pretrained,
     fails if PEFT reports or shows any missing or unexpected key, and records PEFT's logits.
Logits are computed in float64 (the model cast after loading) on fixed ids and written, with the base
model's logits and provenance, to <dir>/peft_logits.json.
"""
import datetime
import json
import logging
import os
import sys
import warnings

import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model, get_peft_model_state_dict
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

ROOT = os.path.join("test", "fixtures")
IDS = [[1, 5, 9, 17, 33, 2, 60, 7], [8, 8, 21, 44, 63, 1, 0, 77]]
TARGETS = {  # several module kinds per family; GPT-2's are Conv1D, so PEFT sets fan_in_fan_out
    "tiny-gpt2": dict(target_modules=["c_attn", "c_proj", "c_fc"], fan_in_fan_out=True),
    "tiny-llama": dict(target_modules=["q_proj", "v_proj", "o_proj", "gate_proj", "down_proj"]),
}


def provenance(what):
    return {
        "made_by": "scripts/reference/peft_fixtures.py",
        "what": what,
        "peft": peft.__version__, "transformers": transformers.__version__, "torch": torch.__version__,
        "date": datetime.date.today().isoformat(),
    }


def base_model(name):
    return AutoModelForCausalLM.from_pretrained(os.path.join(ROOT, "hf", name), dtype=torch.float32).eval()


def logits(model):
    model = model.to(torch.float64)
    with torch.no_grad():
        return model(input_ids=torch.tensor(IDS)).logits.flatten().tolist()


def relink_base(adapter_dir, name):
    """base_model_name_or_path relative to the adapter directory, where ORPO Lab's loader resolves it."""
    path = os.path.join(adapter_dir, "adapter_config.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg["base_model_name_or_path"] = os.path.relpath(os.path.join(ROOT, "hf", name), adapter_dir)
    cfg["target_modules"] = sorted(cfg["target_modules"])  # PEFT saves a set: its order varies from run to run
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


class Caught(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


def load_strictly(name, adapter_dir):
    """PeftModel.from_pretrained(base, dir); raises on any missing/unexpected key, warned or not."""
    handler = Caught()
    logging.getLogger().addHandler(handler)
    transformers.logging.get_logger().addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = PeftModel.from_pretrained(base_model(name), adapter_dir).eval()
    finally:
        logging.getLogger().removeHandler(handler)
        transformers.logging.get_logger().removeHandler(handler)
    said = [str(w.message) for w in caught] + handler.records
    bad = [s for s in said if "missing" in s.lower() or "unexpected" in s.lower()]
    saved = load_file(os.path.join(adapter_dir, "adapter_model.safetensors"))
    state = get_peft_model_state_dict(model, save_embedding_layers=False)
    if set(saved) != set(state):
        raise SystemExit(f"{adapter_dir}: keys differ from PEFT's: missing {sorted(set(state) - set(saved))}, unexpected {sorted(set(saved) - set(state))}")
    for k, v in saved.items():
        if not torch.equal(v, state[k].to(v.dtype)):
            raise SystemExit(f"{adapter_dir}: {k} loaded by PEFT differs from the file")
    if bad:
        raise SystemExit(f"{adapter_dir}: PEFT warned: {bad}")
    return model, said, sorted(saved)


def record(name, out, what):
    """Loads the adapter in `out` with PEFT (strictly) and writes PEFT's logits to out/peft_logits.json."""
    model, said, keys = load_strictly(name, out)
    rec = {
        "provenance": provenance(what),
        "peft_messages": said, "keys": keys,
        "input_ids": IDS, "shape": [len(IDS), len(IDS[0]), model.config.vocab_size],
        "logits": logits(model), "base_logits": logits(base_model(name)),
    }
    with open(os.path.join(out, "peft_logits.json"), "w") as f:
        json.dump(rec, f)
        f.write("\n")
    print(f"{out}: PEFT loaded {len(keys)} tensors, said {said}")


def peft_made(name, bf16=False):
    out = os.path.join(ROOT, "peft", f"{name}-lora" + ("-bf16" if bf16 else ""))
    torch.manual_seed(13)
    cfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, init_lora_weights=False, task_type="CAUSAL_LM", **TARGETS[name])
    model = get_peft_model(base_model(name), cfg)
    if bf16:  # as a bf16 training run saves it: adapter_model.safetensors holds BF16 tensors
        model = model.to(torch.bfloat16)
    model.save_pretrained(out)
    os.remove(os.path.join(out, "README.md"))  # PEFT's model-card template, not part of the adapter
    relink_base(out, name)
    kind = ", cast to bfloat16 before saving" if bf16 else ""
    record(name, out, f"LoRA adapter made by PEFT get_peft_model on test/fixtures/hf/{name} (r 4, lora_alpha 8, init_lora_weights False, torch.manual_seed 13){kind}, saved with save_pretrained, reloaded with PeftModel.from_pretrained onto the float32 base; float64 logits")


def ours(name):
    out = os.path.join(ROOT, "peft", f"ours-{name}")
    record(name, out, f"ORPO Lab's adapter (scripts/reference/peft-ours-prepare.ts) loaded by PeftModel.from_pretrained onto test/fixtures/hf/{name}: no missing or unexpected key, every tensor as in the file; float64 logits")


if __name__ == "__main__":
    for name in TARGETS:
        peft_made(name)
        ours(name)
    peft_made("tiny-llama", bf16=True)
    sys.exit(0)

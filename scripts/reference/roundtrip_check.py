"""Loads what roundtrip-prepare.ts wrote with transformers: each model's logits vs its reference.json (1e-4), and
each tokenizer with AutoTokenizer, whose ids must equal ORPO Lab's (expected_ids.json).
    python3 scripts/reference/roundtrip_check.py OUT_DIR FIXTURES_DIR   (FIXTURES_DIR = test/fixtures/hf)"""
import json, os, sys
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

out, fixtures = sys.argv[1], sys.argv[2]
ok = True
for name in sorted(os.listdir(os.path.join(out, "models"))):
    model = AutoModelForCausalLM.from_pretrained(os.path.join(out, "models", name), dtype=torch.float32)
    own = os.path.join(out, "models", name, "reference.json")  # a checkpoint we trained carries our logits
    ref = json.load(open(own if os.path.exists(own) else os.path.join(fixtures, name, "reference.json")))
    with torch.no_grad():
        diff = (model(torch.tensor(ref["input_ids"])).logits.flatten() - torch.tensor(ref["logits"])).abs().max().item()
    print(json.dumps({"model": name, "max_abs_diff": diff, "ok": diff < 1e-4})); ok &= diff < 1e-4
for name in sorted(os.listdir(os.path.join(out, "tokenizers"))):
    d = os.path.join(out, "tokenizers", name)
    tok = AutoTokenizer.from_pretrained(d)
    exp = json.load(open(os.path.join(d, "expected_ids.json")))
    bad = {t: (tok(t, add_special_tokens=False).input_ids, ids) for t, ids in exp.items() if tok(t, add_special_tokens=False).input_ids != ids}
    rt = all(tok.decode(ids) == t for t, ids in exp.items())
    print(json.dumps({"tokenizer": name, "class": type(tok).__name__, "eos": tok.eos_token, "mismatches": bad, "decode_roundtrip": rt}, ensure_ascii=False)); ok &= not bad and rt
sys.exit(0 if ok else 1)

#!/usr/bin/env python3
"""Writes test/fixtures/hf/padding_reference.json: float64 logits of the tiny GPT-2 and Llama fixtures on a
right-padded batch with an attention_mask, as transformers computes them (plain PyTorch, torch_models.py:
the causal mask combined with the padding mask, so a padding position attends to its row's real tokens
only). Independent of ORPO Lab; test/engine/padding.test.ts compares our forward(ids, lengths) with it.
    /usr/bin/python3 scripts/reference/padding_reference.py > test/fixtures/hf/padding_reference.json
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import CausalLM  # noqa: E402

FIXTURES = "test/fixtures/hf"
LENGTHS = [8, 5, 2]
T = 8


def main():
    out = {"provenance": {"made_by": "scripts/reference/padding_reference.py", "torch": torch.__version__,
                          "how": "torch_models.CausalLM(dir).double() on input_ids with attention_mask (1 for positions < length); float64 logits, flattened"},
           "lengths": LENGTHS, "models": {}}
    g = torch.Generator().manual_seed(17)
    for name in ("tiny-gpt2", "tiny-llama"):
        model = CausalLM(os.path.join(FIXTURES, name)).double().eval()
        V = model.wte.shape[0]
        ids = torch.randint(1, V, (len(LENGTHS), T), generator=g)
        mask = (torch.arange(T)[None, :] < torch.tensor(LENGTHS)[:, None]).long()
        ids = ids * mask  # padding id 0, as a collator pads
        with torch.no_grad():
            logits = model(ids, mask)
            plain = model(ids)
        real = mask.bool()
        assert torch.equal(logits[real], plain[real]), "real positions do not depend on the padding mask"
        out["models"][name] = {"input_ids": ids.tolist(), "shape": list(logits.shape), "logits": logits.flatten().tolist(),
                               "max_pad_difference_from_causal_only": (logits - plain).abs().max().item()}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

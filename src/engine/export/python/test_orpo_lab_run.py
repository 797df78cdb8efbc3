"""Tests of orpo_lab_run.py with the standard library only: `python3 -m unittest test_orpo_lab_run`."""
import json
import math
import os
import tempfile
import unittest

import orpo_lab_run as r


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f]


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


class RunWriterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "run")
        self.clock = Clock()
        self.w = r.RunWriter(self.dir, "name: x\nmethod: orpo\ntrain:\n  max_steps: 4\n", clock=self.clock)

    def tearDown(self):
        self.tmp.cleanup()

    def test_layout_and_config(self):
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "checkpoints")))
        with open(os.path.join(self.dir, "config.yaml"), encoding="utf-8") as f:
            self.assertEqual(f.read(), "name: x\nmethod: orpo\ntrain:\n  max_steps: 4\n")
        # A second writer (resume) keeps the existing config.
        r.RunWriter(self.dir, "name: other\n")
        with open(os.path.join(self.dir, "config.yaml"), encoding="utf-8") as f:
            self.assertIn("name: x", f.read())

    def test_train_and_eval_rows_use_our_names(self):
        self.clock.t = 102.5
        self.w.log(3, 0.75, {"loss": 1.5, "grad_norm": 0.25, "learning_rate": 1e-4, "rewards/chosen": -0.1,
                             "log_odds_ratio": -0.6, "logits/chosen": float("nan"), "num_tokens": 900, "epoch": 0.75})
        self.w.log(4, 1.0, {"eval_loss": 1.25, "eval_rewards/margins": 0.5, "eval_runtime": 3.2, "epoch": 1.0})
        self.w.log(4, 1.0, {"train_runtime": 10.0, "train_samples_per_second": 4.0})  # summary: nothing of ours
        rows = lines(os.path.join(self.dir, "metrics.jsonl"))
        self.assertEqual(rows, [
            {"step": 3, "epoch": 0.75, "time": 2.5, "loss": 1.5, "grad_norm": 0.25, "learning_rate": 1e-4,
             "rewards/chosen": -0.1, "log_odds_ratio": -0.6, "logits/chosen": None},
            {"step": 4, "epoch": 1.0, "time": 2.5, "eval/loss": 1.25, "eval/rewards/margins": 0.5},
        ])

    def test_distributions_match_an_independent_odds_ratio(self):
        cw, cl = [-0.5, -2.0], [-1.0, -0.1]
        row = self.w.distributions(2, cw, cl, 0.25)
        for i in range(2):
            p, q = math.exp(cw[i]), math.exp(cl[i])
            want = math.log(p / (1 - p)) - math.log(q / (1 - q))
            self.assertAlmostEqual(row["log_odds"][i], want, places=12)
        self.assertEqual(row["chosen_rewards"], [0.25 * x for x in cw])
        self.assertEqual(lines(os.path.join(self.dir, "distributions.jsonl")), [row])
        with self.assertRaises(ValueError):
            self.w.distributions(2, [-1.0], [], 0.1)

    def test_checkpoint_is_placed_whole_and_only_model_files(self):
        src = os.path.join(self.tmp.name, "trl", "checkpoint-2")
        os.makedirs(src)
        for name, text in (("config.json", "{}"), ("model.safetensors", "w"), ("optimizer.pt", "o"), ("tokenizer.json", "t")):
            with open(os.path.join(src, name), "w", encoding="utf-8") as f:
                f.write(text)
        dest = self.w.checkpoint(2, src)
        self.assertEqual(dest, os.path.join(self.dir, "checkpoints", "step-2"))
        self.assertEqual(sorted(os.listdir(dest)), ["config.json", "model.safetensors", "tokenizer.json"])
        self.assertEqual(os.listdir(os.path.join(self.dir, "checkpoints")), ["step-2"])
        empty = os.path.join(self.tmp.name, "empty")
        os.makedirs(empty)
        with self.assertRaises(FileNotFoundError):
            self.w.checkpoint(3, empty)
        self.assertEqual(os.listdir(os.path.join(self.dir, "checkpoints")), ["step-2"])

    def test_truncate_after_resume_drops_later_and_torn_lines(self):
        for s in (1, 2, 3):
            self.w.log(s, 0.0, {"loss": float(s)})
        with open(os.path.join(self.dir, "metrics.jsonl"), "a", encoding="utf-8") as f:
            f.write('{"step": 4, "lo')
        self.w.truncate_after(2)
        self.assertEqual([x["step"] for x in lines(os.path.join(self.dir, "metrics.jsonl"))], [1, 2])


if __name__ == "__main__":
    unittest.main()

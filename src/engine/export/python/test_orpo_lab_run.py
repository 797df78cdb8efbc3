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

    def trainer_checkpoint(self, step, files=("config.json", "model.safetensors", "optimizer.pt", "scheduler.pt", "trainer_state.json")):
        src = os.path.join(self.tmp.name, "trl", "checkpoint-%d" % step)
        os.makedirs(src)
        for name in files:
            with open(os.path.join(src, name), "w", encoding="utf-8") as f:
                f.write(name + str(step))
        return src

    def test_checkpoint_is_placed_whole_under_the_transformers_name(self):
        src = self.trainer_checkpoint(2)
        os.makedirs(os.path.join(src, "global_step2"))  # e.g. DeepSpeed's sharded states: a subfolder
        with open(os.path.join(src, "global_step2", "zero.pt"), "w", encoding="utf-8") as f:
            f.write("z")
        dest = self.w.checkpoint(2, src)
        self.assertEqual(dest, os.path.join(self.dir, "checkpoints", "checkpoint-2"))
        self.assertEqual(sorted(os.listdir(dest)), ["config.json", "global_step2", "model.safetensors", "optimizer.pt", "scheduler.pt", "trainer_state.json"])
        with open(os.path.join(dest, "global_step2", "zero.pt"), encoding="utf-8") as f:
            self.assertEqual(f.read(), "z")
        self.assertEqual(os.listdir(os.path.join(self.dir, "checkpoints")), ["checkpoint-2"])
        empty = os.path.join(self.tmp.name, "empty")
        os.makedirs(empty)
        with self.assertRaises(FileNotFoundError):
            self.w.checkpoint(3, empty)
        self.assertEqual(os.listdir(os.path.join(self.dir, "checkpoints")), ["checkpoint-2"])

    def test_the_final_model_does_not_replace_a_resumable_checkpoint_of_its_step(self):
        self.w.checkpoint(4, self.trainer_checkpoint(4))
        final = os.path.join(self.tmp.name, "final")
        os.makedirs(final)
        with open(os.path.join(final, "model.safetensors"), "w", encoding="utf-8") as f:
            f.write("final")
        self.w.checkpoint(4, final)
        self.assertIn("optimizer.pt", os.listdir(os.path.join(self.dir, "checkpoints", "checkpoint-4")))
        self.w.checkpoint(6, final)  # a step with no Trainer checkpoint: the model alone
        self.assertEqual(os.listdir(os.path.join(self.dir, "checkpoints", "checkpoint-6")), ["model.safetensors"])

    def test_keep_leaves_the_newest_checkpoints_as_save_total_limit(self):
        for step in (2, 4, 6):
            self.w.checkpoint(step, self.trainer_checkpoint(step), keep=2)
        self.assertEqual(sorted(os.listdir(os.path.join(self.dir, "checkpoints"))), ["checkpoint-4", "checkpoint-6"])

    def test_last_checkpoint_is_the_newest_a_trainer_can_resume_from(self):
        self.assertIsNone(r.last_checkpoint(self.dir))
        self.w.checkpoint(2, self.trainer_checkpoint(2))
        self.w.checkpoint(10, self.trainer_checkpoint(10))
        self.w.checkpoint(12, self.trainer_checkpoint(12, files=("config.json", "model.safetensors")))  # model only
        os.makedirs(os.path.join(self.dir, "checkpoints", ".tmp-checkpoint-14-1"))  # a kill mid-copy
        os.makedirs(os.path.join(self.dir, "checkpoints", "checkpoint-16"))  # cut short: no trainer state
        # Numeric order, not names: checkpoint-10 is newer than checkpoint-2.
        self.assertEqual(r.last_checkpoint(self.dir), os.path.join(self.dir, "checkpoints", "checkpoint-10"))
        self.assertEqual([s for s, _ in r.checkpoints_of(self.dir)], [2, 10, 12, 16])

    def test_engine_json_records_the_trl_engine_once(self):
        w = r.RunWriter(os.path.join(self.tmp.name, "run2"), "name: y\n", engine={"trainer": "ORPOTrainer", "export_dir": "/x"})
        path = os.path.join(w.dir, "engine.json")
        with open(path, encoding="utf-8") as f:
            self.assertEqual(json.load(f), {"engine": "trl", "trainer": "ORPOTrainer", "export_dir": "/x"})
        r.RunWriter(w.dir, "name: y\n", engine={"trainer": "other"})
        with open(path, encoding="utf-8") as f:
            self.assertEqual(json.load(f)["trainer"], "ORPOTrainer")
        # Written first by `orpo-lab train --engine trl`: kept, and completed with what it lacks.
        other = os.path.join(self.tmp.name, "run3")
        os.makedirs(other)
        with open(os.path.join(other, "engine.json"), "w", encoding="utf-8") as f:
            f.write('{"engine": "trl", "export_dir": "/run3/trl-export"}\n')
        r.RunWriter(other, "name: z\n", engine={"trainer": "DPOTrainer", "export_dir": "/elsewhere"})
        with open(os.path.join(other, "engine.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f), {"engine": "trl", "export_dir": "/run3/trl-export", "trainer": "DPOTrainer"})

    def test_truncate_after_resume_drops_later_and_torn_lines(self):
        for s in (1, 2, 3):
            self.w.log(s, 0.0, {"loss": float(s)})
        with open(os.path.join(self.dir, "metrics.jsonl"), "a", encoding="utf-8") as f:
            f.write('{"step": 4, "lo')
        self.w.truncate_after(2)
        self.assertEqual([x["step"] for x in lines(os.path.join(self.dir, "metrics.jsonl"))], [1, 2])


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Per-step agreement of two ORPO Lab run directories (issue 14's TRL parity check), standard library only.

    python3 scripts/reference/compare_runs.py OURS THEIRS [--steps 20] [--tol 1e-3] [--keys loss,logps/chosen,logps/rejected]

Reads the train rows of each metrics.jsonl (rows with no `eval/` key), and for steps 1..--steps prints one
JSON line per step with |ours - theirs| for each key, then a summary line
{"steps": N, "max_abs_diff": {key: d}, "ok": bool, "problems": [...]}. Exits 0 when every key of every
step is present in both runs and agrees within --tol, 1 otherwise (each problem named by step and key).
Used by scripts/device/trl-check.sh on our engine's run and the exported TRL run of the same config.
"""
import argparse
import json
import math
import os
import sys


def train_rows(run_dir):
    """step -> the last train row of that step in RUN_DIR/metrics.jsonl (a resumed run may repeat one)."""
    rows = {}
    path = os.path.join(run_dir, "metrics.jsonl")
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise SystemExit("%s:%d: not JSON" % (path, n))
            if isinstance(row, dict) and isinstance(row.get("step"), int) and not any(k.startswith("eval/") for k in row):
                rows[row["step"]] = row
    return rows


def compare(ours, theirs, steps, keys, tol):
    """Per-step lines and the summary (pure: tested on two of our own runs)."""
    lines, problems = [], []
    worst = {k: 0.0 for k in keys}
    for step in range(1, steps + 1):
        a, b = ours.get(step), theirs.get(step)
        if a is None or b is None:
            problems.append("step %d: missing in %s" % (step, "ours" if a is None else "theirs"))
            continue
        diffs = {}
        for k in keys:
            x, y = a.get(k), b.get(k)
            if not isinstance(x, (int, float)) or not isinstance(y, (int, float)) or not (math.isfinite(x) and math.isfinite(y)):
                problems.append("step %d: %s is %r in ours and %r in theirs" % (step, k, x, y))
                continue
            d = abs(x - y)
            diffs[k] = d
            worst[k] = max(worst[k], d)
            if d > tol:
                problems.append("step %d: %s differs by %.3g (ours %.6f, theirs %.6f; tolerance %g)" % (step, k, d, x, y, tol))
        lines.append({"step": step, "abs_diff": diffs})
    return lines, {"steps": steps, "max_abs_diff": worst, "tolerance": tol, "ok": not problems, "problems": problems}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("ours")
    p.add_argument("theirs")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--tol", type=float, default=1e-3)
    p.add_argument("--keys", default="loss,logps/chosen,logps/rejected")
    a = p.parse_args(argv)
    lines, summary = compare(train_rows(a.ours), train_rows(a.theirs), a.steps, a.keys.split(","), a.tol)
    for line in lines:
        print(json.dumps(line))
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Issue 14's check on a machine with torch (the lent GPU machine; here too, with PYTHON naming a Python
# that has trl): does `import trl, accelerate` work; if so, (1) parity: our engine and the exported
# TRL script (export --engine-order: our initial weights and our batches) on the tiny GPT-2 of
# scripts/device/trl/parity.orpo.yaml for 20 steps, loss and logps per step compared to 1e-3
# (scripts/reference/compare_runs.py), and `orpo-lab report` rendering the TRL run; (2) resume: a TRL run
# through `orpo-lab train --engine trl`, then a copy without its last checkpoint resumed with --resume,
# whose steps must equal the uninterrupted run's. Wall times of both engines are recorded.
#   bash scripts/device/trl-check.sh OUT_DIR          (PYTHON=python3, NODE/CLI found as below)
# On the device machine it uses .device/ (scripts/device/prepare.sh); gpu-check.sh calls it.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mkdir -p "${1:-/tmp/trl-check}" && cd "${1:-/tmp/trl-check}" && pwd)
PY=${PYTHON:-python3}
log() { echo "== $*" | tee -a "$OUT/log.txt"; }
res() { tee -a "$OUT/results.jsonl"; }
now() { date +%s.%N; }
if [ -z "${CLI:-}" ]; then
  if command -v node >/dev/null && [ -f "$ROOT/dist/engine/cli.js" ]; then NODE=node; CLI=$ROOT/dist/engine/cli.js
  else xz -dc "$ROOT/.device/node.xz" > /tmp/node && chmod +x /tmp/node; NODE=/tmp/node; CLI=$ROOT/.device/orpo/dist/engine/cli.js; fi
fi
NODE=${NODE:-node}
orpo() { "$NODE" "$CLI" "$@"; }
export TRL_EXPERIMENTAL_SILENCE=1
log "python: $PY"
if ! "$PY" -c 'import trl, accelerate' 2>>"$OUT/log.txt" && ls "$ROOT"/.device/wheels/*.whl >/dev/null 2>&1 && "$PY" -c 'import datasets, transformers' 2>>"$OUT/log.txt"; then
  # The pure-Python trl and accelerate wheels prepare.sh carried (datasets and torch must be there already).
  log "installing the carried trl and accelerate wheels into $OUT/site"
  "$PY" -m pip install --quiet --no-deps --target "$OUT/site" "$ROOT"/.device/wheels/*.whl >>"$OUT/log.txt" 2>&1 && export PYTHONPATH="$OUT/site${PYTHONPATH:+:$PYTHONPATH}"
fi
if ! "$PY" -c 'import trl, accelerate' 2>>"$OUT/log.txt"; then
  echo '{"trl_check": "not run", "reason": "trl and accelerate do not import here; issue 14 point 5 (GPU machine) stays open"}' | res
  exit 0
fi
"$PY" -c 'import json, torch, transformers, trl, accelerate, datasets; print(json.dumps({"torch": torch.__version__, "cuda": torch.cuda.is_available(), "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu", "transformers": transformers.__version__, "trl": trl.__version__, "accelerate": accelerate.__version__, "datasets": datasets.__version__}))' | res
CFG=$ROOT/scripts/device/trl/parity.orpo.yaml
rm -rf "$OUT/ours" "$OUT/export" "$OUT/theirs" "$OUT/full" "$OUT/resumed"
log "parity: our engine, 20 steps"
t0=$(now); timeout 1500 "$NODE" "$CLI" train "$CFG" --out "$OUT/ours" >>"$OUT/log.txt" 2>&1; t1=$(now)
log "parity: export --engine-order, then TRL on accelerate (one process)"
orpo export trl "$CFG" --out "$OUT/export" --engine-order >>"$OUT/log.txt" 2>&1
t2=$(now); timeout 900 "$PY" -m accelerate.commands.launch --config_file "$OUT/export/accelerate/single_gpu.yaml" "$OUT/export/train.py" --run-dir "$OUT/theirs" >>"$OUT/log.txt" 2>&1; t3=$(now)
echo "{\"wall_s\": {\"orpo_lab\": $("$PY" -c "print(round($t1 - $t0, 1))"), \"trl\": $("$PY" -c "print(round($t3 - $t2, 1))")}}" | res
"$PY" "$ROOT/scripts/reference/compare_runs.py" "$OUT/ours" "$OUT/theirs" > "$OUT/parity.jsonl"; echo "{\"parity_exit\": $?}" | res
tail -1 "$OUT/parity.jsonl" | res
"$PY" "$ROOT/scripts/reference/compare_runs.py" "$OUT/ours" "$OUT/theirs" --keys nll_loss,grad_norm,log_odds_ratio,rewards/margins,logits/chosen,logits/rejected | tail -1 | sed 's/^/{"other_metrics": /; s/$/}/' | res
log "report of the TRL run"
orpo report "$OUT/theirs" --out "$OUT/theirs-report.html" >>"$OUT/log.txt" 2>&1; echo "{\"report_exit\": $?, \"report_bytes\": $(stat -c %s "$OUT/theirs-report.html" 2>/dev/null || echo 0)}" | res
log "resume: a TRL run through orpo-lab train --engine trl, then a copy resumed from checkpoint-10"
RCFG=$ROOT/scripts/device/trl/resume.orpo.yaml
timeout 900 "$NODE" "$CLI" train "$RCFG" --engine trl --python "$PY" --out "$OUT/full" > "$OUT/full.events" 2>>"$OUT/log.txt"; echo "{\"full_exit\": $?}" | res
cp -a "$OUT/full" "$OUT/resumed" && rm -rf "$OUT/resumed/checkpoints/checkpoint-20"
timeout 900 "$NODE" "$CLI" train "$RCFG" --engine trl --python "$PY" --resume "$OUT/resumed" > "$OUT/resumed.events" 2>>"$OUT/log.txt"; echo "{\"resume_exit\": $?}" | res
grep -m1 '"type":"started"' "$OUT/resumed.events" | res
"$PY" "$ROOT/scripts/reference/compare_runs.py" "$OUT/full" "$OUT/resumed" --keys loss,logps/chosen,logps/rejected,grad_norm,learning_rate | tail -1 | sed 's/^/{"resume": /; s/$/}/' | res
log done

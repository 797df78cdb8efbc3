#!/usr/bin/env python3
"""Regenerates test/fixtures/trl/fields.json: the dataclass field names of the pinned TRL and transformers.

Run with a Python that has exactly the pinned versions installed (trl, transformers as in
src/engine/export/trlMapping.ts), from the repository root:
    python scripts/reference/trl_fields.py WHEEL_DIR... > test/fixtures/trl/fields.json
The WHEEL_DIRs hold the wheels that were installed (their sha256 is recorded) and
transformers-4.57.6-py3-none-any.whl, whose TrainingArguments is read with the ast
module only (not imported): names TRL users still write (warmup_ratio, logging_dir) that transformers 5.2
marked for removal in v5.2 and no longer has. The pinned classes are read with dataclasses.fields() (every field, inherited ones included).
The lists from TRL 0.25.1's source (kept in the fixture) are carried over unchanged.
TRL's ModelConfig (trl/trainer/model_config.py: use_peft, lora_r, ...; no base class) is read from the
TRL wheel with the ast module; `--model-config WHEEL_DIR...` updates only that list (and its provenance)
in the existing fixture, without importing trl or transformers:
    python3 scripts/reference/trl_fields.py --model-config /opt/pypi/files > fields.json.new
Names only: no code of these packages is copied.
"""
import ast
import dataclasses
import hashlib
import inspect
import json
import os
import sys
import zipfile

FIXTURE = "test/fixtures/trl/fields.json"
MODEL_CONFIG = "trl/trainer/model_config.py"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def find(dirs, name):
    for d in dirs:
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise FileNotFoundError("%s is in none of %s" % (name, dirs))


def rel(cls):
    path = inspect.getfile(cls)
    return path[path.rindex("site-packages/") + len("site-packages/"):]


def ast_fields(source, name):
    """Annotated attributes of class `name`, in source order: a dataclass's field names."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return [s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
    raise KeyError(name)


def ast_defaults(source, name, fields):
    """The literal `default=` of each of `fields` in class `name` (field(default=...) calls)."""
    out = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == name:
            for s in node.body:
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.target.id in fields and isinstance(s.value, ast.Call):
                    for kw in s.value.keywords:
                        if kw.arg == "default":
                            out[s.target.id] = ast.literal_eval(kw.value)
    return out


LORA_DEFAULTS = ("use_peft", "lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "lora_task_type", "use_rslora", "use_dora")


def model_config(dirs, version):
    """TRL's ModelConfig field names and its LoRA fields' defaults, from the wheel's source (ast), and the wheel's sha256."""
    wheel = find(dirs, "trl-%s-py3-none-any.whl" % version)
    with zipfile.ZipFile(wheel) as z:
        src = z.read(MODEL_CONFIG).decode("utf-8")
    return ast_fields(src, "ModelConfig"), ast_defaults(src, "ModelConfig", LORA_DEFAULTS), sha256(wheel)


def main_model_config(dirs):
    out = json.load(open(FIXTURE, encoding="utf-8"))
    prov = out["_provenance"]["trl"]
    names, defaults, digest = model_config(dirs, prov["version"])
    if digest != prov["sha256"]:
        raise SystemExit("the TRL wheel's sha256 %s is not the fixture's %s" % (digest, prov["sha256"]))
    prov["files"]["ModelConfig"] = MODEL_CONFIG
    out["_provenance"]["model_config"] = "ModelConfig: annotated attributes of the class in the TRL wheel's %s, read with Python's ast module (a dataclass without a base class: the same names as dataclasses.fields); _ModelConfig_defaults: the literal default= of its LoRA fields." % MODEL_CONFIG
    out["ModelConfig"] = names
    out["_ModelConfig_defaults"] = defaults
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


def main():
    dirs = sys.argv[1:]
    if dirs[:1] == ["--model-config"]:
        return main_model_config(dirs[1:])
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    import transformers
    import trl
    from transformers import TrainingArguments
    from trl import DPOConfig, SFTConfig
    from trl.experimental.orpo import ORPOConfig
    old = json.load(open(FIXTURE, encoding="utf-8"))
    w457 = find(dirs, "transformers-4.57.6-py3-none-any.whl")
    w_trl = "trl-%s-py3-none-any.whl" % trl.__version__
    w_tf = "transformers-%s-py3-none-any.whl" % transformers.__version__
    with zipfile.ZipFile(w457) as z:
        ta457 = ast_fields(z.read("transformers/training_args.py").decode("utf-8"), "TrainingArguments")
    names = lambda c: [f.name for f in dataclasses.fields(c)]  # noqa: E731
    out = {
        "_provenance": {
            "how": "Field names only. The pinned versions: dataclasses.fields() of each class, installed from the PyPI wheels named here (inherited fields included, in definition order), by scripts/reference/trl_fields.py. transformers 4.57.6: annotated attributes of TrainingArguments in its wheel's training_args.py, read with Python's ast module. TRL 0.25.1: carried over, read from the tagged source with ast.",
            "trl": {
                "version": trl.__version__,
                "repo": "github.com/huggingface/trl",
                "tag": "v%s" % trl.__version__,
                "wheel": w_trl,
                "sha256": sha256(find(dirs, w_trl)),
                "files": {**{c.__name__: rel(c) for c in (ORPOConfig, DPOConfig, SFTConfig)}, "ModelConfig": MODEL_CONFIG},
            },
            "transformers": {
                "version": transformers.__version__,
                "repo": "github.com/huggingface/transformers",
                "tag": "v%s" % transformers.__version__,
                "file": rel(TrainingArguments),
                "wheel": w_tf,
                "sha256": sha256(find(dirs, w_tf)),
            },
            "transformers_4_57": {
                "version": "4.57.6",
                "repo": "github.com/huggingface/transformers",
                "tag": "v4.57.6",
                "file": "src/transformers/training_args.py",
                "wheel": "transformers-4.57.6-py3-none-any.whl",
                "sha256": sha256(w457),
                "note": "Read for aliases TRL users still write: warmup_ratio and logging_dir, which the pinned transformers no longer has (marked for removal in v5.2).",
            },
            "trl_0_25": old["_provenance"]["trl_0_25"],
            "model_config": old["_provenance"]["model_config"],
        },
        "TrainingArguments": names(TrainingArguments),
        "ORPOConfig": names(ORPOConfig),
        "DPOConfig": names(DPOConfig),
        "SFTConfig": names(SFTConfig),
        "ModelConfig": model_config(dirs, trl.__version__)[0],
        "_ModelConfig_defaults": model_config(dirs, trl.__version__)[1],
        "TrainingArguments@4.57.6": ta457,
        "ORPOConfig@0.25.1": old["ORPOConfig@0.25.1"],
        "DPOConfig@0.25.1": old["DPOConfig@0.25.1"],
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

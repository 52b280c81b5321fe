#!/usr/bin/env python3
"""JSON bookkeeping for deploy/gpu/bench-7b.sh (standard library only: it runs on the GPU machine's python3).

  results.py service RUN.json MODEL_DIR HBM_GBPS MEMORY_SAMPLES   adds the model's bytes, GPU memory and the
                                                                  weight-streaming bound to a `bench service` result
  results.py table OUT.json RUN.json...                           the service runs as one table
  results.py compare OUT.json BEFORE_DIR AFTER_DIR TASKS...       continued training: held-out metrics before/after
  results.py summary OUT.json RESULTS_DIR                         the headline numbers of whatever was measured
"""
import glob
import json
import os
import sys

ELEMENT_BYTES = {"float32": 4, "bfloat16": 2}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def memory_peak(samples):
    """Largest `nvidia-smi --query-gpu=memory.used` sample (MiB); None when there were none (no GPU)."""
    values = []
    for line in open(samples) if os.path.exists(samples) else []:
        try:
            values.append(float(line.strip().split(",")[0]))
        except ValueError:
            pass
    return max(values) if values else None


def service(run_path, model_dir, hbm_gbps, samples):
    run = load(run_path)
    if run is None:
        return
    stored = sum(os.path.getsize(f) for f in glob.glob(os.path.join(model_dir, "model*.safetensors")))
    # Each forward reads every weight once from HBM, in the dtype it computes in (the files are bfloat16).
    streamed = stored // 2 * ELEMENT_BYTES.get(run.get("service_dtype") or run.get("dtype"), 2)
    bound_ms = streamed / (hbm_gbps * 1e9) * 1000
    run["weights_bytes_on_disk"] = stored
    run["weights_bytes_streamed_per_forward"] = streamed
    run["gpu"] = os.environ.get("GPU_NAME") or None
    run["hbm_gb_per_s"] = hbm_gbps
    run["weight_streaming_bound_ms"] = bound_ms
    for path in ("service", "raw"):
        p50 = run.get(f"{path}_step_p50_ms")
        run[f"{path}_step_p50_over_bound"] = p50 / bound_ms if p50 else None
    run["gpu_memory_used_mib_peak"] = memory_peak(samples)
    save(run_path, run)


def table(out_path, run_paths):
    columns = ["sessions", "service_tokens_per_s", "raw_tokens_per_s", "service_step_p50_ms", "service_step_p99_ms",
               "raw_step_p50_ms", "raw_step_p99_ms", "p50_ms", "p99_ms", "gpu_memory_used_mib_peak",
               "weight_streaming_bound_ms", "service_step_p50_over_bound", "service_mean_batch", "dtype", "step_budget", "gpu",
               "hbm_gb_per_s"]
    rows = []
    for path in run_paths:
        run = load(path)
        rows.append({c: run.get(c) for c in columns} if run else {"file": os.path.basename(path), "error": "no result"})
    save(out_path, {"rows": rows})


def metrics(result):
    """The held-out quality numbers of a `bench decode` result: every *exact_match and *parse_rate field."""
    if not result:
        return {}
    return {k: v for k, v in result.items() if isinstance(v, (int, float)) and k.endswith(("exact_match", "parse_rate"))}


def compare(out_path, before_dir, after_dir, tasks):
    """Ship only if, for both models, every exact match and a parse rate improved (strictly) on held-out data."""
    report = {"tasks": {}, "models": {}}
    for task in tasks:
        before = metrics(load(os.path.join(before_dir, f"decode-{task}.json")))
        after = metrics(load(os.path.join(after_dir, f"decode-{task}.json")))
        report["tasks"][task] = {
            name: {"before": before[name], "after": after.get(name), "improved": after.get(name) is not None and after[name] > before[name]}
            for name in before
        }
    for model in ("diffusion", "ar"):
        checks = {f"{task}/{name}": v for task, rows in report["tasks"].items() for name, v in rows.items() if name.startswith(model + "_")}
        has_exact = any(k.endswith("exact_match") for k in checks)
        has_parse = any(k.endswith("parse_rate") for k in checks)
        improved = has_exact and has_parse and all(v["improved"] for v in checks.values())
        missing = [m for m, present in (("exact match", has_exact), ("parse rate", has_parse)) if not present]
        report["models"][model] = {"improved": improved, "compared": sorted(checks),
                                   "not_measured": missing}
    report["ship"] = all(m["improved"] for m in report["models"].values())
    save(out_path, report)
    return report["ship"]


def summary(out_path, results):
    """What a reader wants first: the 7B table, the decode results before/after, step cost by width, the shipping decision."""
    def by_name(folder, prefix):
        found = {}
        for path in sorted(glob.glob(os.path.join(results, folder, prefix + "*.json"))):
            found[os.path.basename(path)[len(prefix):-len(".json")]] = load(path)
        return found or None
    save(out_path, {
        "service_7b": (load(os.path.join(results, "service-7b-table.json")) or {}).get("rows"),
        "init_7b": load(os.path.join(results, "init-7b.json")),
        "decode_bundled": by_name("bundled", "decode-"),
        "forward_bundled": by_name("bundled", "forward-"),
        "decode_trained": by_name("trained", "decode-"),
        "continued_training": load(os.path.join(results, "continued-training.json")),
    })


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "service":
        service(args[0], args[1], float(args[2]), args[3])
    elif command == "table":
        table(args[0], args[1:])
    elif command == "summary":
        summary(args[0], args[1])
    elif command == "compare":
        sys.exit(0 if compare(args[0], args[1], args[2], args[3:]) else 3)
    else:
        sys.exit(f"unknown command {command}")

#!/usr/bin/env python3
"""Interactive latency with and without a refactor job running (issue: jobs run at bulk priority).

Starts a silo on embedded defaults (the bundled model) and measures, one after another, --samples interactive
sessions: each rewrites one line of a real file (the stdlib's bisect.py) with decoding.maxSteps = --max-steps, timed
from POST /v1/sessions to the end of its event stream (settled). Then it submits a job of --files stdlib modules (each
with one line marked `# TODO(rewrite)`, `select: todo`, --concurrency, the same maxSteps) and measures the same
sessions again while the job runs. Prints p50/p90 of both and their ratio, and what the job got done meanwhile. With
--job-alone-files N it measures only the job's own speed over N files. Standard library only.
  python3 deploy/local/job_interactive_latency.py [--files 200] [--samples 15] [--job-alone-files N]
"""
import argparse
import json
import os
import re
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from embedded_silo import EmbeddedSilo, KEY  # noqa: E402

STDLIB = "/usr/lib/python3.11"


def post(silo, path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{silo.port}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as r:
        return json.loads(r.read())


def get(silo, path):
    request = urllib.request.Request(f"http://127.0.0.1:{silo.port}{path}", headers={"Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(request, timeout=300) as r:
        return r.read().decode()


def interactive(silo, text, start, end, steps):
    began = time.perf_counter()
    session = post(silo, "/v1/sessions", {"text": text, "regions": [{"start": start, "end": end}], "decoding": {"maxSteps": steps}})
    get(silo, f"/v1/sessions/{session['id']}/events")  # ends when the session settles
    return time.perf_counter() - began


def job_files(count, max_chars):
    files = []
    for dirpath, dirs, names in os.walk(STDLIB):
        dirs[:] = sorted(d for d in dirs if d not in ("test", "tests", "idlelib", "lib2to3", "site-packages", "dist-packages", "__pycache__", "tkinter", "turtledemo", "ensurepip"))
        for name in sorted(names):
            if not name.endswith(".py") or len(files) == count:
                continue
            path = os.path.join(dirpath, name)
            try:
                text = open(path, encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            m = re.search(r"(?m)^([ \t]+return \S[^\n#]*)$", text)
            if m and len(text) < max_chars:
                files.append({"path": os.path.relpath(path, STDLIB), "text": text[:m.end()] + "  # TODO(rewrite)" + text[m.end():]})
    return files


def summary(times):
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))]


def job_alone(silo, options):
    """The job's own speed with nothing else running: files and tokens per second until --job-alone-files are done."""
    job = post(silo, "/v1/jobs", {"files": job_files(options.files, options.max_file_chars), "select": "todo", "concurrency": options.concurrency,
                                  "decoding": {"maxSteps": options.max_steps}})
    while json.loads(get(silo, f"/v1/jobs/{job['id']}"))["inFlight"] < options.concurrency:
        time.sleep(0.2)
    before, began = json.loads(get(silo, f"/v1/jobs/{job['id']}")), time.perf_counter()
    while True:
        state = json.loads(get(silo, f"/v1/jobs/{job['id']}"))
        if state["filesDone"] - before["filesDone"] >= options.job_alone_files or state["status"] != "running":
            break
        time.sleep(0.5)
    window = time.perf_counter() - began
    print(json.dumps({"job_alone_files": state["filesDone"] - before["filesDone"], "seconds": round(window, 1),
                      "job_files_per_s": round((state["filesDone"] - before["filesDone"]) / window, 3),
                      "job_tokens_per_s": round((state["tokens"] - before["tokens"]) / window, 1)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-steps", type=int, default=4)
    parser.add_argument("--log", default="/tmp/job-latency-silo.log")
    parser.add_argument("--job-alone-files", type=int, default=0, help="only measure the job's own speed over this many files (no interactive sessions)")
    parser.add_argument("--max-file-chars", type=int, default=150_000, help="only job files shorter than this")
    parser.add_argument("--silo-arg", action="append", default=[], help="extra silo setting, e.g. --silo-arg=--Batching:MaxBatchSize=2")
    options = parser.parse_args()
    text = open(os.path.join(STDLIB, "bisect.py"), encoding="utf-8").read()
    line = text.index("        hi = len(a)\n")
    start, end = line, line + len("        hi = len(a)")
    silo = EmbeddedSilo(options.log, extra_args=options.silo_arg)
    try:
        if options.job_alone_files:
            return job_alone(silo, options)
        interactive(silo, text, start, end, options.max_steps)  # warm-up: model and caches
        alone = [interactive(silo, text, start, end, options.max_steps) for _ in range(options.samples)]
        job = post(silo, "/v1/jobs", {"files": job_files(options.files, options.max_file_chars), "select": "todo", "concurrency": options.concurrency,
                                      "decoding": {"maxSteps": options.max_steps}})
        while json.loads(get(silo, f"/v1/jobs/{job['id']}"))["inFlight"] < options.concurrency:
            time.sleep(0.2)
        before, began = json.loads(get(silo, f"/v1/jobs/{job['id']}")), time.perf_counter()
        loaded = [interactive(silo, text, start, end, options.max_steps) for _ in range(options.samples)]
        state, window = json.loads(get(silo, f"/v1/jobs/{job['id']}")), time.perf_counter() - began
        if state["status"] != "running":
            print(f"warning: the job was {state['status']} by the end of the loaded samples", file=sys.stderr)
        (p50a, p90a), (p50b, p90b) = summary(alone), summary(loaded)
        print(json.dumps({"samples": options.samples, "job_files": job["filesTotal"], "job_done_during": state["filesDone"],
                          "job_status_after": state["status"],
                          # what the job got done meanwhile: the price of keeping the interactive sessions fast
                          "job_files_per_s": round((state["filesDone"] - before["filesDone"]) / window, 3),
                          "job_tokens_per_s": round((state["tokens"] - before["tokens"]) / window, 1), "alone_p50_s": round(p50a, 3), "alone_p90_s": round(p90a, 3),
                          "with_job_p50_s": round(p50b, 3), "with_job_p90_s": round(p90b, 3), "p50_ratio": round(p50b / p50a, 2)}))
    finally:
        silo.stop()


if __name__ == "__main__":
    main()

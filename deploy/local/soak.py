#!/usr/bin/env python3
"""Soak: does the silo's memory come back after load? Mixed traffic for --minutes against a silo on embedded defaults
with the bundled model, RSS sampled every --sample seconds.

Traffic, from --clients threads, each looping: create a session rewriting a function body (the real model denoises it),
watch it to idle, edit it and regenerate another line, read it, delete it; every fourth loop a completion instead; and
a trickle of junk (wrong keys, unknown sessions). The first --warmup minutes are warm-up; the run passes when the RSS at
the end (after the traffic stops and --settle seconds pass) is within --tolerance of the RSS after warm-up.

  dotnet build silo/SeedGrains.Silo -c Release
  python3 deploy/local/soak.py [--minutes 10] [--warmup 2] [--clients 8] [--json] [-- --Key=value ...]
"""
import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from embedded_silo import KEY, EmbeddedSilo  # noqa: E402

SOURCE = '''import os


def {name}(values, factor):
    result = []
    for v in values:
        result.append(v * factor)
    return result


def describe(path):
    size = os.path.getsize(path)
    return f"{{path}}: {{size}} bytes"
'''

# Long enough that a step's window is full (the bundled model reads up to 576 tokens): what real files cost.
TAIL = "".join(f"\n\ndef helper_{i}(items):\n    total = 0\n    for item in items:\n        total += item * {i}\n    return total\n"
               for i in range(40))


def client(silo, stop, counters, lock, n):
    conn = silo.connection()
    loop = 0
    while not stop.is_set():
        loop += 1
        try:
            if loop % 4 == 0:
                status, _ = silo.request("POST", "/v1/completions", {"prompt": "def add(a, b):\n    return ", "suffix": "\n", "max_tokens": 16}, conn=conn)
                kind = "completion"
            else:
                text = SOURCE.format(name=f"scale_{n}_{loop}") + TAIL
                start = text.index("    result = []")
                end = text.index("    return result")
                status, body = silo.request("POST", "/v1/sessions", {"text": text, "regions": [{"start": start, "end": end}]}, conn=conn)
                kind = "session"
                if status == 201:
                    sid = body["id"]
                    while not stop.is_set():
                        s, view = silo.request("GET", f"/v1/sessions/{sid}", conn=conn)
                        if s != 200 or view["status"] != "denoising":
                            break
                        time.sleep(0.2)
                    s, view = silo.request("GET", f"/v1/sessions/{sid}", conn=conn)
                    if s == 200 and view["status"] == "idle":
                        line = view["text"].index("    size = ")
                        silo.request("POST", f"/v1/sessions/{sid}/edits", {
                            "baseVersion": view["version"],
                            "edits": [{"start": 0, "end": 0, "text": "# edited\n"}],
                            "regenerate": [{"start": line + 9, "end": line + 10 + view["text"][line:].index("\n") - 1}],
                        }, conn=conn)
                    silo.request("DELETE", f"/v1/sessions/{sid}", conn=conn)
            silo.request("GET", f"/v1/sessions/s_{uuid.uuid4().hex}", key=f"wrong-{uuid.uuid4().hex}", conn=conn)
            silo.request("GET", f"/v1/sessions/s_{uuid.uuid4().hex}", conn=conn)
        except OSError:
            conn = silo.connection()
            status, kind = "error", "error"
        with lock:
            counters[f"{kind}:{status}"] = counters.get(f"{kind}:{status}", 0) + 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2, help="minutes of the run counted as warm-up")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--sample", type=float, default=10, help="seconds between RSS samples")
    parser.add_argument("--settle", type=float, default=30, help="seconds after the traffic stops before the last sample")
    parser.add_argument("--tolerance", type=float, default=0.10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("silo_args", nargs="*", help="extra silo arguments after --, e.g. -- --Model:ContextCacheEntries=16")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="soak-")
    silo = EmbeddedSilo(os.path.join(work, "silo.log"), extra_args=args.silo_args)
    stop = threading.Event()
    counters, lock = {}, threading.Lock()
    samples = []
    try:
        start_rss = silo.rss_mb()
        threads = [threading.Thread(target=client, args=(silo, stop, counters, lock, n), daemon=True) for n in range(args.clients)]
        started = time.time()
        for t in threads:
            t.start()
        warm_rss = None
        while time.time() - started < args.minutes * 60:
            time.sleep(args.sample)
            elapsed = time.time() - started
            rss = silo.rss_mb()
            samples.append([round(elapsed), round(rss, 1)])
            if warm_rss is None and elapsed >= args.warmup * 60:
                warm_rss = rss
            if not args.json:
                print(f"[{elapsed:6.0f} s] rss {rss:7.1f} MB  {dict(sorted(counters.items()))}", flush=True)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        time.sleep(args.settle)
        end_rss = silo.rss_mb()
        ok = silo.request("GET", "/healthz", key=None)[0] == 200
    finally:
        stop.set()
        silo.stop()
    warm_rss = warm_rss or samples[-1][1]
    result = {
        "minutes": args.minutes, "clients": args.clients, "silo_args": args.silo_args,
        "rss_start_mb": round(start_rss, 1), "rss_after_warmup_mb": round(warm_rss, 1),
        "rss_peak_mb": max(s[1] for s in samples), "rss_end_mb": round(end_rss, 1),
        "end_vs_warmup": round(end_rss / warm_rss, 3), "tolerance": args.tolerance,
        "requests": dict(sorted(counters.items())), "samples": samples, "service_ok_after": ok,
    }
    passed = ok and end_rss <= warm_rss * (1 + args.tolerance)
    result["passed"] = passed
    print(json.dumps(result) if args.json else json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

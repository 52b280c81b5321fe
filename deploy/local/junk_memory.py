#!/usr/bin/env python3
"""Benchmark: memory held by junk requests — requests that must cost nothing once answered.

Starts a silo on embedded defaults with the bundled model, warms it up (a few real sessions, valid reads), measures
its RSS, then sends N requests with N distinct wrong API keys and N requests for unknown session ids with the valid
key, waits --pause seconds and measures RSS again. Goal: +40 MB at most for 2 × 20,000 such requests.

  dotnet build silo/SeedGrains.Silo -c Release
  python3 deploy/local/junk_memory.py [--requests 20000] [--pause 15] [--threads 8] [--json]
"""
import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from embedded_silo import KEY, EmbeddedSilo  # noqa: E402


def flood(silo, count, threads, make_request):
    """Sends `count` requests from `threads` keep-alive connections; returns {status: count}."""
    statuses = {}
    lock = threading.Lock()
    local = threading.local()

    def one(i):
        if not hasattr(local, "conn"):
            local.conn = silo.connection()
        method, path, key = make_request(i)
        try:
            status, _ = silo.request(method, path, key=key, conn=local.conn)
        except OSError:
            local.conn = silo.connection()
            status = "error"
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    return statuses


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20000, help="requests of each kind (default 20000)")
    parser.add_argument("--pause", type=float, default=15, help="seconds between the flood and the last measurement")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="junk-memory-")
    silo = EmbeddedSilo(os.path.join(work, "silo.log"))
    try:
        # Warm-up: real sessions through the model, then valid reads, so the baseline has JIT and pools settled.
        ids = []
        for i in range(4):
            text = f"def f{i}(a, b):\n    return a + b\n"
            status, body = silo.request("POST", "/v1/sessions", {"text": text, "regions": [{"start": 15 + len(str(i)), "end": len(text) - 1}]})
            assert status == 201, (status, body)
            ids.append(body["id"])
        while any(silo.request("GET", f"/v1/sessions/{i}")[1]["status"] == "denoising" for i in ids):
            time.sleep(0.2)
        flood(silo, 2000, args.threads, lambda i: ("GET", f"/v1/sessions/{ids[i % len(ids)]}", KEY))
        flood(silo, 500, args.threads, lambda i: ("GET", f"/v1/sessions/s_{uuid.uuid4().hex}", f"warmup-wrong-{i}"))
        time.sleep(args.pause)
        before = silo.rss_mb()

        started = time.time()
        wrong = flood(silo, args.requests, args.threads, lambda i: ("GET", f"/v1/sessions/s_{uuid.uuid4().hex}", f"wrong-key-{uuid.uuid4().hex}"))
        unknown = flood(silo, args.requests, args.threads, lambda i: ("GET", f"/v1/sessions/s_{uuid.uuid4().hex}", KEY))
        seconds = time.time() - started
        peak = silo.rss_mb()
        time.sleep(args.pause)
        after = silo.rss_mb()
        healthy = silo.request("GET", f"/v1/sessions/{ids[0]}")[0] == 200
        result = {
            "requests_per_kind": args.requests,
            "wrong_key_statuses": {str(k): v for k, v in wrong.items()},
            "unknown_session_statuses": {str(k): v for k, v in unknown.items()},
            "flood_seconds": round(seconds, 1),
            "rss_before_mb": round(before, 1),
            "rss_right_after_mb": round(peak, 1),
            "rss_after_pause_mb": round(after, 1),
            "delta_mb": round(after - before, 1),
            "goal_delta_mb": 40,
            "service_ok_after": healthy,
        }
    finally:
        silo.stop()
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:28} {v}")
    return 0 if result["delta_mb"] <= 40 and healthy else 1


if __name__ == "__main__":
    sys.exit(main())

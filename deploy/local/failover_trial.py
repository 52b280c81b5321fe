#!/usr/bin/env python3
"""Operator trial: two SeedGrains silos on one PostgreSQL, sessions with acknowledged edits, crashes.

Rounds (default all three):
  kill1  create N sessions while silo 1 runs alone (so it hosts all of them), start silo 2, acknowledge an edit on
         each, `kill -9` silo 1 mid-generation; watch the database (no API calls) for up to --quiet seconds to see the
         reminders resume the sessions on silo 2, then poll silo 2 until every session is idle; check every final text
         carries its edit.
  kill2  the same the other way round (silo 2 alone hosts the sessions, silo 1 restarts and survives).
  pg     N sessions spread over both silos, edits acknowledged, then PostgreSQL is stopped mid-generation for --outage
         seconds (a create meanwhile must be refused) and started again; poll until idle; check edits and that the
         database converges (settled rows written, retried by the reminder if needed).

Silos talk to each other over mutual TLS (silo.sh makes a throwaway CA and silo certificates with openssl in
$SG_TRIAL_DIR/tls on first use; SG_TLS=off runs them in plain TCP instead, with a warning in their logs).

Uses only the standard library, curl-free. Needs: a built silo (dotnet build silo/SeedGrains.Silo), the PostgreSQL
server binaries, openssl, and a model folder (config.json, model.safetensors, tokenizer.json).
  python3 deploy/local/failover_trial.py --model /tmp/model-smoke
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOCAL = os.path.join(ROOT, "deploy", "local")
KEY = "trial-dev-key-0123456789"
MASK = "<|mask|>"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Silo:
    def __init__(self, n, args, work):
        self.n = n
        self.url = f"http://127.0.0.1:{5080 + n}"
        self.args = args
        self.log_path = os.path.join(work, f"silo-{n}.log")
        self.proc = None

    def start(self, env):
        out = open(self.log_path, "a")
        out.write(f"\n===== start {time.strftime('%H:%M:%S')} =====\n")
        out.flush()
        self.proc = subprocess.Popen([os.path.join(LOCAL, "silo.sh"), str(self.n), *self.args], stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"silo {self.n} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        log(f"silo {self.n} up (pid {self.proc.pid}, {self.url})")
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise SystemExit(f"silo {self.n} did not become healthy; see {self.log_path}")

    def kill9(self):
        log(f"kill -9 {self.proc.pid} (silo {self.n})")
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def call(silo, method, path, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(silo.url + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, {"raw": text}
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        return 0, {"error": str(e)}


def psql(sql):
    url = subprocess.check_output([os.path.join(LOCAL, "postgres.sh"), "url"], text=True).strip()
    parts = dict(p.split("=", 1) for p in url.split(";"))
    dsn = f"host={parts['Host']} port={parts['Port']} user={parts['Username']} dbname={parts['Database']}"
    return subprocess.check_output(["psql", dsn, "-AtX", "-c", sql], text=True).strip()


def document(i):
    head = f"# edit-marker: ORIGINAL-{i:02d}\n"
    body = (f"def add_{i}(a, b):\n    return a + b\n\n\ndef scale_{i}(values, factor):\n"
            f"    result = []\n    for v in values:\n        result.append(v * factor)\n    return result\n")
    text = head + body
    start = text.index("    result = []")
    end = text.index("    return result")
    return text, start, end


MAX_TOKENS = 48


def create_sessions(silos, count, tag):
    sessions = []
    for i in range(count):
        silo = silos[i % len(silos)]
        text, start, end = document(i)
        status, body = call(silo, "POST", "/v1/sessions", {"text": text, "regions": [{"start": start, "end": end, "maxTokens": MAX_TOKENS}]})
        if status != 201:
            raise SystemExit(f"{tag}: create {i} on silo {silo.n} failed: {status} {body}")
        sessions.append({"i": i, "id": body["id"], "silo": silo, "created": body["version"]})
    return sessions


def edit_each(sessions):
    """Acknowledged edit on each session, outside its region; retried on 409 (a step moved the version)."""
    for s in sessions:
        for attempt in range(50):
            status, current = call(s["silo"], "GET", f"/v1/sessions/{s['id']}")
            if status != 200:
                raise SystemExit(f"GET {s['id']}: {status} {current}")
            old = f"ORIGINAL-{s['i']:02d}"
            start = current["text"].index(old)
            status, body = call(s["silo"], "POST", f"/v1/sessions/{s['id']}/edits",
                                {"baseVersion": current["version"], "edits": [{"start": start, "end": start + len(old), "text": f"EDITED-{s['i']:02d}"}]})
            if status == 200:
                s["acked"] = body["version"]
                s["acked_status"] = body["status"]
                break
            if status != 409:
                raise SystemExit(f"edit {s['id']}: {status} {body}")
        else:
            raise SystemExit(f"edit {s['id']}: 50 conflicts in a row")


def rows(sessions):
    """grain state rows of these sessions: id -> (status, version, first fixed text)."""
    ids = ",".join(f"'dev/{s['id']}'" for s in sessions)
    out = psql("SELECT coalesce(json_agg(json_build_array(grain_id, state->>'Status', state->'Version', state->'Fixed'->0)), '[]') "
               f"FROM grain_state WHERE state_name = 'session' AND grain_id IN ({ids})")
    return {gid[4:]: (status, int(version), fixed0) for gid, status, version, fixed0 in json.loads(out)}


def poll_until_idle(silo, sessions, limit):
    started = time.time()
    finals, errors = {}, 0
    while len(finals) < len(sessions):
        if time.time() - started > limit:
            raise SystemExit(f"only {len(finals)}/{len(sessions)} idle after {limit} s")
        for s in sessions:
            if s["id"] in finals:
                continue
            status, body = call(silo, "GET", f"/v1/sessions/{s['id']}", timeout=35)
            if status == 200 and body["status"] != "denoising":
                finals[s["id"]] = body
            elif status != 200:
                errors += 1
        time.sleep(0.5)
    return finals, errors, time.time() - started


def check(sessions, finals, tag):
    bad = []
    for s in sessions:
        f = finals[s["id"]]
        marker = f"# edit-marker: EDITED-{s['i']:02d}\n"
        ok = (f["status"] == "idle" and f["text"].startswith(marker) and MASK not in f["text"]
              and f"def add_{s['i']}(a, b):" in f["text"] and f["version"] > s["acked"])
        if not ok:
            bad.append((s["id"], f["status"], f["version"], s["acked"], f["text"][:60]))
    if bad:
        for b in bad:
            log(f"{tag}: BAD {b}")
        raise SystemExit(f"{tag}: {len(bad)} sessions lost their edit or did not finish")
    log(f"{tag}: all {len(sessions)} sessions idle, each with its acknowledged edit, versions past the acknowledged ones")


def wait_db_settled(sessions, limit, tag):
    started = time.time()
    while True:
        r = rows(sessions)
        settled = [s for s in sessions if r.get(s["id"], ("",))[0] == "Idle" and f"EDITED-{s['i']:02d}" in r[s["id"]][2]]
        if len(settled) == len(sessions):
            log(f"{tag}: database holds all {len(sessions)} settled sessions with their edits ({time.time() - started:.1f} s after the API said idle)")
            return
        if time.time() - started > limit:
            raise SystemExit(f"{tag}: database has only {len(settled)}/{len(sessions)} settled rows with edits after {limit} s")
        time.sleep(1)


def resumed(silo, sessions, since):
    """(count, seconds after `since` of the last) of 'resumed denoising' log lines of these sessions on `silo`."""
    with open(silo.log_path, errors="replace") as f:
        lines = f.read().splitlines()
    ids = {f"dev/{s['id']} resumed denoising" for s in sessions}
    count, last = 0, None
    for k, line in enumerate(lines):
        if any(i in line for i in ids):
            count += 1
            stamp = lines[k - 1][:12] if k > 0 else ""  # the console logger puts the timestamp on the header line
            try:
                t = time.strptime(time.strftime("%Y-%m-%d ", time.localtime(since)) + stamp[:8], "%Y-%m-%d %H:%M:%S")
                last = max(last or 0, time.mktime(t) + float("0" + stamp[8:12]) - since)
            except ValueError:
                pass
    return count, last


def kill_round(victim, survivor, count, quiet, env):
    """Precondition: only `victim` runs, so every session created now is hosted there; `survivor` joins afterwards."""
    tag = f"kill silo {victim.n}"
    sessions = create_sessions([victim], count, tag)
    log(f"{tag}: {count} sessions created while silo {victim.n} runs alone (all hosted there); starting silo {survivor.n}")
    survivor.start(env)
    edit_each(sessions)
    acked = rows(sessions)
    durable = sum(1 for s in sessions if acked.get(s["id"], ("", 0))[1] >= s["acked"] and f"EDITED-{s['i']:02d}" in acked[s["id"]][2])
    denoising = sum(1 for s in sessions if call(victim, "GET", f"/v1/sessions/{s['id']}")[1]["status"] == "denoising")
    log(f"{tag}: edits acknowledged; {durable}/{count} edits already in PostgreSQL; {denoising}/{count} sessions still denoising")
    victim.kill9()
    killed_at = time.time()

    # Nobody calls the API for a while: only reminders can move the killed silo's sessions to the survivor.
    finished_quietly, quiet_done_at = 0, None
    while time.time() - killed_at < quiet:
        time.sleep(1)
        finished_quietly = sum(1 for v in rows(sessions).values() if v[0] == "Idle")
        if finished_quietly == count and quiet_done_at is None:
            quiet_done_at = time.time() - killed_at
            break
    when = f", all by {quiet_done_at:.1f} s" if quiet_done_at else ""
    log(f"{tag}: without any API call, {finished_quietly}/{count} sessions finished within {quiet} s of the kill{when}")

    finals, errors, took = poll_until_idle(survivor, sessions, limit=300)
    log(f"{tag}: polling silo {survivor.n}: all idle {time.time() - killed_at:.1f} s after the kill ({errors} failed GETs)")
    check(sessions, finals, tag)
    count_resumed, last = resumed(survivor, sessions, killed_at)
    when = f", the last {last:.1f} s after the kill" if last is not None else ""
    log(f"{tag}: {count_resumed} sessions logged 'resumed denoising' on silo {survivor.n}{when}")
    wait_db_settled(sessions, 120, tag)
    active = psql("SELECT jsonb_array_length(state->'ActiveSessions') FROM grain_state WHERE grain_id = 'dev' AND state_name = 'tenant'")
    log(f"{tag}: tenant 'dev' lists {active} active sessions")


def pg_round(silos, count, outage):
    tag = "postgres restart"
    sessions = create_sessions(silos, count, tag)
    edit_each(sessions)
    denoising = sum(1 for s in sessions if call(s["silo"], "GET", f"/v1/sessions/{s['id']}")[1]["status"] == "denoising")
    log(f"{tag}: {count} sessions over both silos, edits acknowledged; {denoising}/{count} still denoising; stopping PostgreSQL for {outage} s")
    subprocess.check_call([os.path.join(LOCAL, "postgres.sh"), "stop"])
    down_at = time.time()
    # While the database is down nothing may be acknowledged: a new session must be refused, not half-created.
    status, body = call(silos[0], "POST", "/v1/sessions", {"text": "x = 1\n", "regions": [{"start": 4, "end": 5}]})
    log(f"{tag}: create while PostgreSQL is down -> {status} {body.get('title', body) if isinstance(body, dict) else body}")
    if status in (200, 201):
        raise SystemExit(f"{tag}: a session was acknowledged while PostgreSQL was down")
    time.sleep(max(0.0, outage - (time.time() - down_at)))
    subprocess.check_call([os.path.join(LOCAL, "postgres.sh"), "start"])
    log(f"{tag}: PostgreSQL back after {time.time() - down_at:.1f} s")
    finals, errors, took = poll_until_idle(silos[0], sessions, limit=300)
    log(f"{tag}: all idle {took:.1f} s after PostgreSQL came back ({errors} failed GETs)")
    check(sessions, finals, tag)
    wait_db_settled(sessions, 120, tag)
    # New work after the restart is accepted and durable too.
    more = create_sessions(silos, 2, tag + " (after)")
    edit_each(more)
    log(f"{tag}: new sessions and edits after the restart accepted")


def main():
    global MAX_TOKENS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "diffusion"))
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", default="kill1,kill2,pg")
    parser.add_argument("--max-tokens", type=int, default=MAX_TOKENS, help="mask budget of each session's region")
    parser.add_argument("--quiet", type=int, default=45, help="seconds after a kill without API calls (reminder resume)")
    parser.add_argument("--outage", type=float, default=5, help="seconds PostgreSQL stays down in the pg round")
    parser.add_argument("--work", default=os.environ.get("SG_TRIAL_DIR", "/tmp/sg-trial"))
    parser.add_argument("--keep", action="store_true", help="leave PostgreSQL and the silos running")
    options = parser.parse_args()
    MAX_TOKENS = options.max_tokens

    os.makedirs(options.work, exist_ok=True)
    env = dict(os.environ, SG_TRIAL_DIR=options.work, SG_MODEL=options.model, SEEDGRAINS_DEV_API_KEY=KEY)
    os.environ.update(SG_TRIAL_DIR=options.work)
    subprocess.check_call([os.path.join(LOCAL, "postgres.sh"), "destroy"], env=env)
    subprocess.check_call([os.path.join(LOCAL, "postgres.sh"), "start"], env=env)
    # Short reminder period so a killed silo's sessions come back within seconds; failure detection at Orleans defaults.
    extra = ["--Silo:Reminders:MinimumReminderPeriod=00:00:10", "--Sessions:ResumeReminderSeconds=10",
             "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:SeedGrains=Information",
             "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information",
             "--Logging:LogLevel:Orleans.Runtime.ReminderService=Information",
             "--Logging:Console:TimestampFormat=HH:mm:ss.fff "]
    silos = [Silo(1, extra, options.work), Silo(2, extra, options.work)]
    try:
        silos[0].start(env)
        for round_name in options.rounds.split(","):
            if round_name in ("kill1", "kill2"):
                victim = silos[int(round_name[-1]) - 1]
                survivor = next(s for s in silos if s is not victim)
                if survivor.proc and survivor.proc.poll() is None:
                    survivor.stop()  # the victim must run alone while its sessions are created
                if not (victim.proc and victim.proc.poll() is None):
                    victim.start(env)
                kill_round(victim, survivor, options.sessions, options.quiet, env)
            elif round_name == "pg":
                for silo in silos:
                    if not (silo.proc and silo.proc.poll() is None):
                        silo.start(env)
                pg_round(silos, options.sessions, options.outage)
            else:
                raise SystemExit(f"unknown round {round_name}")
        log("trial passed")
    finally:
        if not options.keep:
            for silo in silos:
                silo.stop()
            subprocess.call([os.path.join(LOCAL, "postgres.sh"), "stop"], env=env)


if __name__ == "__main__":
    main()

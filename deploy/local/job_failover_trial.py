#!/usr/bin/env python3
"""Operator trial: a refactor job survives `kill -9` of the silo running it (two silos on one PostgreSQL).

Silo 1 starts alone and accepts a job of --files generated Python files (so the job grain and its first file sessions
live there); silo 2 joins. Once --kill-at of the files have results, silo 1 is killed with SIGKILL. Nobody calls the
API for a while: the job's reminder must bring it back on silo 2 by itself. The trial then checks, from PostgreSQL and
from silo 2's API:
  - the job succeeded with every file done: each file has exactly one result row, and appears once in the patch,
    which `git apply --check` accepts against the original files;
  - the files that had a result before the kill kept it unchanged (same text and time), and silo 2 never ran a session
    for any of them (no "Session dev/<job>-<n> purged" line in its log for those files): finished files were not
    generated again.

Standard library only. Needs a built silo (dotnet build silo/SeedGrains.Silo -c Release), the PostgreSQL server
binaries, openssl, git, and a model folder.
  python3 deploy/local/job_failover_trial.py [--files 40] [--kill-at 0.3]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failover_trial as trial  # noqa: E402  (Silo, call, psql, log, KEY)

ROOT = trial.ROOT
LOCAL = trial.LOCAL
log = trial.log


class Silo(trial.Silo):
    """As the session trial's silo, on ports of its own (base + n), so it can run beside another trial."""

    def __init__(self, n, args, work, base):
        ports = [f"--Urls=http://127.0.0.1:{base + n}", f"--Orleans:SiloPort={base + 100 + n}", f"--Orleans:GatewayPort={base + 200 + n}"]
        super().__init__(n, [*args, *ports], work)
        self.url = f"http://127.0.0.1:{base + n}"


def files(count):
    """Python modules, each with one line marked for rewriting."""
    out = {}
    for i in range(count):
        out[f"pkg/mod_{i:03d}.py"] = (f'"""Module {i}."""\n\n\ndef total_{i}(values):\n    result = 0\n    for v in values:\n'
                                      f'        result += v * {i + 1}  # TODO(rewrite)\n    return result\n')
    return out


def result_rows(job):
    out = trial.psql("SELECT coalesce(json_agg(json_build_array(idx, outcome, md5(coalesce(new_text, '')), finished_at::text) ORDER BY idx), '[]') "
                     f"FROM job_files WHERE job_id = '{job}' AND outcome IS NOT NULL")
    return {idx: (outcome, digest, at) for idx, outcome, digest, at in json.loads(out)}


def job_status(job):
    return trial.psql(f"SELECT status FROM jobs WHERE job_id = '{job}'")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "diffusion"))
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-steps", type=int, default=8)
    parser.add_argument("--kill-at", type=float, default=0.3, help="fraction of files with a result when silo 1 is killed")
    parser.add_argument("--quiet", type=int, default=240, help="seconds after the kill without API calls")
    parser.add_argument("--base-port", type=int, default=6080)
    parser.add_argument("--work", default=os.environ.get("SG_TRIAL_DIR", "/tmp/sg-job-trial"))
    options = parser.parse_args()

    os.makedirs(options.work, exist_ok=True)
    os.environ.update(SG_TRIAL_DIR=options.work)
    env = dict(os.environ, SG_MODEL=options.model, SEEDGRAINS_DEV_API_KEY=trial.KEY,
               SG_SILO_DLL=os.environ.get("SG_SILO_DLL", os.path.join(ROOT, "silo", "SeedGrains.Silo", "bin", "Release", "net10.0", "SeedGrains.Silo.dll")))
    subprocess.check_call([os.path.join(LOCAL, "postgres.sh"), "destroy"], env=env)
    subprocess.check_call([os.path.join(LOCAL, "postgres.sh"), "start"], env=env)
    extra = ["--Silo:Reminders:MinimumReminderPeriod=00:00:10", "--Sessions:ResumeReminderSeconds=10", "--Jobs:ReminderSeconds=10",
             "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:SeedGrains=Information",
             "--Logging:Console:TimestampFormat=HH:mm:ss.fff ", f"--Orleans:ClusterId=job-trial-{os.getpid()}"]
    silos = [Silo(1, extra, options.work, options.base_port), Silo(2, extra, options.work, options.base_port)]
    tree = files(options.files)
    try:
        silos[0].start(env)
        status, job = trial.call(silos[0], "POST", "/v1/jobs", {
            "files": [{"path": p, "text": t} for p, t in tree.items()], "select": "todo",
            "concurrency": options.concurrency, "decoding": {"maxSteps": options.max_steps}})
        if status != 201:
            raise SystemExit(f"submit: {status} {job}")
        job_id = job["id"]
        log(f"job {job_id}: {job['filesTotal']} files, concurrency {options.concurrency}, on silo 1 (running alone)")
        silos[1].start(env)
        target = max(1, int(options.files * options.kill_at))
        while len(result_rows(job_id)) < target:
            time.sleep(0.5)
        before = result_rows(job_id)
        silos[0].kill9()
        killed_at = time.time()
        log(f"killed silo 1 with {len(before)}/{options.files} files recorded; no API calls for up to {options.quiet} s")

        while job_status(job_id) != "succeeded" and time.time() - killed_at < options.quiet:
            time.sleep(1)
        took = time.time() - killed_at
        if job_status(job_id) != "succeeded":
            raise SystemExit(f"job not finished {options.quiet} s after the kill: {job_status(job_id)}, {len(result_rows(job_id))} results")
        log(f"job succeeded {took:.1f} s after the kill, without any API call")

        after = result_rows(job_id)
        one_row = trial.psql(f"SELECT count(*) = count(DISTINCT idx) AND count(*) = {options.files} FROM job_files WHERE job_id = '{job_id}'")
        if one_row != "t" or len(after) != options.files:
            raise SystemExit(f"files: {len(after)} results of {options.files}, one row each: {one_row}")
        changed = [i for i in before if before[i] != after[i]]
        if changed:
            raise SystemExit(f"results recorded before the kill changed afterwards: files {changed}")
        with open(silos[1].log_path, errors="replace") as f:
            ran_on_2 = {int(m) for m in re.findall(rf"Session dev/{job_id}-(\d+) purged", f.read())}
        regenerated = sorted(set(before) & ran_on_2)
        if regenerated:
            raise SystemExit(f"silo 2 ran sessions for files finished before the kill: {regenerated}")
        log(f"all {options.files} files have exactly one result; the {len(before)} recorded before the kill are unchanged and "
            f"silo 2 ran none of them ({len(ran_on_2)} files finished on silo 2)")

        status, progress = trial.call(silos[1], "GET", f"/v1/jobs/{job_id}")
        request = trial.urllib.request.Request(silos[1].url + f"/v1/jobs/{job_id}/patch", headers={"Authorization": f"Bearer {trial.KEY}"})
        with trial.urllib.request.urlopen(request, timeout=60) as r:
            patch = r.read().decode()
        paths = re.findall(r"^diff --git a/(\S+) b/", patch, flags=re.M)
        if len(paths) != len(set(paths)) or not set(paths) <= set(tree):
            raise SystemExit(f"patch: {len(paths)} file diffs, {len(set(paths))} distinct")
        with tempfile.TemporaryDirectory() as scratch:
            for p, t in tree.items():
                os.makedirs(os.path.dirname(os.path.join(scratch, p)), exist_ok=True)
                with open(os.path.join(scratch, p), "w") as f:
                    f.write(t)
            with open(os.path.join(scratch, "changes.patch"), "w") as f:
                f.write(patch)
            subprocess.check_call(["git", "apply", "--check", "changes.patch"], cwd=scratch)
        log(f"silo 2 answers {progress['status']}, {progress['filesDone']}/{progress['filesTotal']} files, {progress['tokens']} tokens; "
            f"the patch has {len(paths)} file diffs, each file once, and git apply --check accepts it")
        log("trial passed")
    finally:
        for silo in silos:
            silo.stop()
        subprocess.call([os.path.join(LOCAL, "postgres.sh"), "stop"], env=env)


if __name__ == "__main__":
    main()

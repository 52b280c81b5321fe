#!/usr/bin/env bash
# The whole test suite: builds the solution and runs every test project.
# PostgreSQL tests start their own throwaway cluster from the installed server binaries (see tests/SeedGrains.Postgres.Tests).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
set +e
dotnet test SeedGrains.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# The clients users use (OpenAI's Node client, …) against a real silo built above: Node's test runner.
if [ -f silo/SeedGrains.Silo/bin/Release/net10.0/SeedGrains.Silo.dll ]; then
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error && node --test --test-concurrency=1) 2>&1 | tee -a "$log"
  node_rc=${PIPESTATUS[0]}
else
  echo "node tests: not run, the silo did not build" | tee -a "$log"; node_rc=1
fi
[ "$rc" -eq 0 ] && rc=$node_rc
set -e
# Repeat each failure (name, message, first stack lines) at the end, where a truncated CI log still shows it.
# Only the test runner's own result lines ("  Failed Namespace.Class.Test [12 ms]"), not log lines that start with "Failed";
# awk stops itself after 400 lines (a `| head` would end the pipeline early and fail this script under pipefail).
awk '/^  (Passed|Skipped) [A-Za-z0-9_.]+/{n=0} /^  Failed [A-Za-z0-9_.]+.* \[[^]]+\]$/{n=30; print "--- failed:"} /^not ok /{n=30; print "--- failed (node):"} n>0 && shown<400{print; n--; shown++}' "$log"
# One plain closing line for the whole suite: "N passed, N failed, N skipped".
awk '/^ +Passed: [0-9]+$/{p+=$2} /^ +Failed: [0-9]+$/{f+=$2} /^ +Skipped: [0-9]+$/{s+=$2} /^# pass [0-9]+$/{p+=$3} /^# fail [0-9]+$/{f+=$3} /^# skipped [0-9]+$/{s+=$3} END{printf "tests: %d passed, %d failed, %d skipped\n",p,f,s}' "$log"
rm -f "$log"
exit $rc

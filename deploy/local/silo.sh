#!/usr/bin/env bash
# Runs silo number N (1, 2, ...) of a local cluster on one PostgreSQL, in the foreground (exec), so `kill -9` of the
# printed pid is a real crash. Ports: HTTP 5080+N, silo 11110+N, gateway 30000+N — distinct per silo.
#   SG_MODEL=/path/to/model deploy/local/silo.sh 1 [--Key=value ...]
# Environment: SG_PG (connection string; default: deploy/local/postgres.sh url), SG_MODEL (folder with config.json,
# model.safetensors, tokenizer.json; default models/diffusion), SEEDGRAINS_DEV_API_KEY (dev tenant key),
# SG_SILO_DLL (built silo; default the Debug build), SG_THREADS (torch/OpenMP threads per silo; default 1).
set -euo pipefail
N="${1:?usage: silo.sh N [--Key=value ...]}"; shift
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DLL="${SG_SILO_DLL:-$ROOT/silo/SeedGrains.Silo/bin/Debug/net10.0/SeedGrains.Silo.dll}"
[[ -f "$DLL" ]] || { echo "silo.sh: $DLL not built (dotnet build silo/SeedGrains.Silo)" >&2; exit 2; }
PG="${SG_PG:-$("$ROOT/deploy/local/postgres.sh" url)}"
MODEL="${SG_MODEL:-$ROOT/models/diffusion}"
# Bound CPU: one compute thread per silo, and lower priority than interactive work on the machine.
export OMP_NUM_THREADS="${SG_THREADS:-1}" MKL_NUM_THREADS="${SG_THREADS:-1}"
exec nice -n "${SG_NICE:-5}" dotnet "$DLL" \
  --Urls="http://127.0.0.1:$((5080 + N))" \
  --Orleans:SiloPort="$((11110 + N))" \
  --Orleans:GatewayPort="$((30000 + N))" \
  --Orleans:AdvertisedIP=127.0.0.1 \
  --Orleans:ClusterId="${SG_CLUSTER_ID:-seedgrains-local}" \
  --Postgres:ConnectionString="$PG" \
  --Model:Path="$MODEL" \
  "$@"

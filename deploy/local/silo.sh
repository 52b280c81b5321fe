#!/usr/bin/env bash
# Runs silo number N (1, 2, ...) of a local cluster on one PostgreSQL, in the foreground (exec), so `kill -9` of the
# printed pid is a real crash. Ports: HTTP 5080+N, silo 11110+N, gateway 30000+N — distinct per silo.
#   SG_MODEL=/path/to/model deploy/local/silo.sh 1 [--Key=value ...]
# Environment: SG_PG (connection string; default: deploy/local/postgres.sh url), SG_MODEL (folder with config.json,
# model.safetensors, tokenizer.json; default models/diffusion), SEEDGRAINS_DEV_API_KEY (dev tenant key),
# SG_SILO_DLL (built silo; default the Debug build), SG_THREADS (torch/OpenMP threads per silo; default 1),
# SG_TLS_DIR (the cluster's throwaway CA and silo certificates, made by certs.sh on first use; default
# $SG_TRIAL_DIR/tls), SG_TLS=off (plain TCP between silos: Orleans:Tls:Mode=Disabled, logged as a warning).
set -euo pipefail
N="${1:?usage: silo.sh N [--Key=value ...]}"; shift
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DLL="${SG_SILO_DLL:-$ROOT/silo/SeedGrains.Silo/bin/Debug/net10.0/SeedGrains.Silo.dll}"
[[ -f "$DLL" ]] || { echo "silo.sh: $DLL not built (dotnet build silo/SeedGrains.Silo)" >&2; exit 2; }
PG="${SG_PG:-$("$ROOT/deploy/local/postgres.sh" url)}"
MODEL="${SG_MODEL:-$ROOT/models/diffusion}"
# Mutual TLS on the silo and gateway ports, as a silo on PostgreSQL requires: each silo its own certificate, one CA.
if [[ "${SG_TLS:-on}" == off ]]; then
  TLS=(--Orleans:Tls:Mode=Disabled)
else
  CERTS="${SG_TLS_DIR:-${SG_TRIAL_DIR:-/tmp/sg-trial}/tls}"
  "$ROOT/deploy/local/certs.sh" "$CERTS" "silo-$N"
  TLS=(--Orleans:Tls:CertificatePath="$CERTS/silo-$N.crt" --Orleans:Tls:KeyPath="$CERTS/silo-$N.key"
       --Orleans:Tls:TrustedCertificates="$CERTS/ca.pem")
fi
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
  "${TLS[@]}" \
  "$@"

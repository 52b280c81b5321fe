#!/usr/bin/env bash
# Measures the 7B shape and the bundled models on the GPU machine in one call, most important results first:
#
#   bash deploy/gpu/bench-7b.sh        (on the GPU machine, from the repo root, with .gpu/ and .gpujob/ sent along)
#
# 1. `init` a randomly initialised 7B model (SHAPE_CONFIG) on that machine's disk, drawn on the GPU;
# 2. `bench service --device cuda` on it at SESSIONS concurrent sessions with a fixed step budget (random weights
#    write noise: throughput only) + GPU memory (nvidia-smi samples) + the ratio of the measured step to the
#    weight-streaming bound (model bytes ÷ HBM bandwidth: no forward can be faster);
# 3. `bench decode --device cuda` on the bundled models for every task in DECODE_TASKS, with today's defaults, and
#    `bench forward` (a decoder step's cost by its width) on each;
# 4. with the time left (optional, TRAIN=0 skips it): both bundled models trained on from their shipped weights
#    (`train --init`), compute-matched (the AR run on a time budget, the diffusion model for exactly its steps, same
#    batch), then step 3 again on them; continued-training.json says whether every held-out exact match and parse
#    rate improved. The models come back (models.tar.part-*) only if they did for both; nothing here replaces them.
# Every step runs under `timeout` with what is left of BUDGET_S, so the call ends before its limit whatever happens.
# Everything goes to $OUT (8 files at most come back): summary.json, results.tar.gz (every JSON and log), job.log.
# Every size can be set from the environment (deploy/gpu/README.md); a CPU smoke run uses a tiny shape.
set -uo pipefail
OUT=${OUT:?OUT must name the folder that comes back}
SG=${SG:-bash .gpu/run.sh}
DEVICE=${DEVICE:-cuda}
WORK=${WORK:-/tmp/seedgrains-7b}
BUDGET_S=${BUDGET_S:-540}                 # the whole call; run it with timeout_s ≈ BUDGET_S + 20
PARTS=${PARTS:-7b bundled}                # 7b = steps 1-2, bundled = steps 3-4 (two calls when not all can travel at once)
SHAPE_CONFIG=${SHAPE_CONFIG:-deploy/gpu/shapes/dream-7b.json}
INIT_DEVICE=${INIT_DEVICE:-$DEVICE}
SESSIONS=${SESSIONS:-1 8 32 64}
COMMIT_RULE=${COMMIT_RULE:-topk}
STEP_BUDGET=${STEP_BUDGET:-4}             # steps per region: every session takes the same number of forwards
ROUNDS=${ROUNDS:-2}; WARMUP=${WARMUP:-1}
SERVICE_DTYPE=${SERVICE_DTYPE:-bfloat16}  # the weights' own dtype: float32 would stream twice the bytes
SERVICE_MAX_S=${SERVICE_MAX_S:-110}       # per session count
SERVICE_DATA=${SERVICE_DATA:-}            # default: the python3 standard library there
# HBM peak bandwidth (NVIDIA's datasheets), from the card's name unless given: H100 SXM ("H100 80GB HBM3") 3.35 TB/s,
# H100 PCIe 2.0, H100 NVL 3.9, H200 4.8; anything else (or no GPU, as in a smoke run) the H100 SXM's.
gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
case "$gpu_name" in
  *H200*) default_hbm=4800 ;; *H100*PCIe*) default_hbm=2000 ;; *H100*NVL*) default_hbm=3900 ;; *) default_hbm=3350 ;;
esac
HBM_GBPS=${HBM_GBPS:-$default_hbm}
MODELS_TAR=${MODELS_TAR:-.gpujob/models.tar.xz}  # the bundled weights, when they cannot travel as tracked files
HELDOUT=${HELDOUT:-.gpujob/heldout.tar.xz}
DECODE_TASKS=${DECODE_TASKS:-lines bodies}
BENCH_FILES=${BENCH_FILES:-150}
DECODE_MAX_S=${DECODE_MAX_S:-100}         # per task and model pair
TRAIN=${TRAIN:-1}
TRAIN_MIN_S=${TRAIN_MIN_S:-200}           # continued training starts only with this much left
CORPUS_SOURCE=${CORPUS_SOURCE:-$(python3 -c 'import site; print(site.getsitepackages()[0])')}
CORPUS_MAX_BYTES=${CORPUS_MAX_BYTES:-150000000}  # ~50 M tokens: more than the time left can train on
TRAIN_MAX_S=${TRAIN_MAX_S:-600}           # at most this long for the AR run (and so about as long for the diffusion run)
TOKENIZE_S=${TOKENIZE_S:-45}              # what tokenizing that takes there (the AR run's process time before its budget)
BATCH=${BATCH:-64}; SEQ=${SEQ:-512}
AR_LR=${AR_LR:-3e-4}; DIFF_LR=${DIFF_LR:-3e-4}; CONT_WARMUP=${CONT_WARMUP:-20}
AFTER_RESERVE_S=${AFTER_RESERVE_S:-0}     # kept for exporting and measuring the trained pair (0: DECODE_MAX_S per task + 30)

. "$(dirname "$0")/corpus.sh"   # build_corpus
RESULTS="python3 $(dirname "$0")/results.py"
mkdir -p "$OUT" "$WORK/results" "$WORK/logs"
R=$WORK/results; L=$WORK/logs
start=$(date +%s)
left() { echo $(( BUDGET_S - ($(date +%s) - start) )); }
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }
until_reserve() { local s=$(( $(left) - $1 )); [ "$s" -ge 1 ] && echo "$s" || echo 1; }   # `timeout 0` would mean no limit
log() { echo "[$(( $(date +%s) - start ))s] $*" | tee -a "$OUT/job.log"; }
finish() {
  stop_sampling
  log "finishing: packing results"
  part 7b && $RESULTS table "$R/service-7b-table.json" $(for n in $SESSIONS; do echo "$R/service-7b-$n.json"; done)
  $RESULTS summary "$OUT/summary.json" "$R"
  tar -C "$WORK" -czf "$OUT/results.tar.gz" results logs 2>/dev/null
}

# GPU memory: nvidia-smi sampled every 200 ms while a run lasts (TorchSharp 0.107 has no CUDA memory statistics).
sampler=
sample_memory() { # FILE
  : > "$1"
  if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 > "$1" 2>/dev/null &
    sampler=$!
  fi
}
trap finish EXIT
stop_sampling() { if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null; fi; sampler=; }

part() { case " $PARTS " in *" $1 "*) return 0;; esac; return 1; }
if [ "$SG" = "bash .gpu/run.sh" ] && [ ! -f .gpu/run.sh ]; then
  log "no .gpu/run.sh: send .gpu/ along (or run on the warm machine a call that sent it left behind)"; exit 1
fi
if [ -f .gpu/app.tar.xz ] && [ ! -d .gpu/app ]; then mkdir -p .gpu/app && tar -xJf .gpu/app.tar.xz -C .gpu/app; fi
nvidia-smi > "$L/nvidia-smi.txt" 2>&1 || true
log "budget ${BUDGET_S}s on $DEVICE (${gpu_name:-no GPU}, HBM ${HBM_GBPS} GB/s); shape $SHAPE_CONFIG"

# 1. The 7B shape on this machine's disk.
if part 7b; then
  t0=$(date +%s)
  timeout -k 10 $(min 150 "$(left)") $SG init --config "$SHAPE_CONFIG" --out "$WORK/dream-7b" --device "$INIT_DEVICE" --seed 1 \
    > "$L/init.out" 2> "$L/init.err"
  rc=$?
  log "init exit $rc in $(( $(date +%s) - t0 ))s: $(tail -1 "$L/init.out")"
  echo "{\"exit\": $rc, \"seconds\": $(( $(date +%s) - t0 )), \"device\": \"$INIT_DEVICE\", \"bytes\": $(du -cb "$WORK"/dream-7b/model*.safetensors 2>/dev/null | tail -1 | cut -f1 || echo 0)}" > "$R/init-7b.json"

  # 2. The service on it, one process per session count (each loads the model for the raw loop and for the service).
  if [ $rc = 0 ]; then
    for n in $SESSIONS; do
      limit=$(min "$SERVICE_MAX_S" $(( $(left) - 20 )))
      [ "$limit" -ge 30 ] || { log "service $n: skipped, ${limit}s left"; continue; }
      sample_memory "$L/memory-$n.csv"
      timeout -k 10 "$limit" $SG bench service --device "$DEVICE" --model "$WORK/dream-7b" --sessions "$n" \
        --commit-rule "$COMMIT_RULE" --step-budget "$STEP_BUDGET" --rounds "$ROUNDS" --warmup "$WARMUP" --dtype "$SERVICE_DTYPE" \
        ${SERVICE_DATA:+--data "$SERVICE_DATA"} --seed 1 --json > "$R/service-7b-$n.json" 2> "$L/service-7b-$n.err"
      rc=$?
      stop_sampling
      GPU_NAME="$gpu_name" $RESULTS service "$R/service-7b-$n.json" "$WORK/dream-7b" "$HBM_GBPS" "$L/memory-$n.csv"
      log "service $n sessions: exit $rc, $(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('%.0f tok/s, step p50 %.0f ms p99 %.0f ms, %.1fx the streaming bound, %s MiB' % (r['service_tokens_per_s'], r['service_step_p50_ms'], r['service_step_p99_ms'], r['service_step_p50_over_bound'] or 0, r['gpu_memory_used_mib_peak']))" "$R/service-7b-$n.json" 2>/dev/null || tail -2 "$L/service-7b-$n.err")"
    done
  fi
  rm -rf "$WORK/dream-7b"
fi
part bundled || exit 0

# 3. The bundled models: configs and tokenizers are tracked; the weights come from MODELS_TAR when they did not travel.
rm -rf "$WORK/bundled" && mkdir -p "$WORK/bundled"
for m in diffusion ar-baseline; do cp -r "models/$m" "$WORK/bundled/"; done
[ -f "$MODELS_TAR" ] && tar -xJf "$MODELS_TAR" -C "$WORK/bundled"
mkdir -p "$WORK/heldout" && tar -xJf "$HELDOUT" -C "$WORK" 2>/dev/null
has_task=$($SG bench decode --help 2>/dev/null | grep -c -- '--task')
decode() { # MODELS_DIR RESULTS_DIR LABEL
  mkdir -p "$2"
  for task in $DECODE_TASKS; do
    if [ "$has_task" = 0 ] && [ "$task" != lines ]; then log "decode $3 $task: skipped, this build's bench decode has no --task"; continue; fi
    limit=$(min "$DECODE_MAX_S" $(( $(left) - 10 )))
    [ "$limit" -ge 20 ] || { log "decode $3 $task: skipped, ${limit}s left"; continue; }
    timeout -k 10 "$limit" $SG bench decode --model "$1/diffusion" --ar-model "$1/ar-baseline" --data "$WORK/heldout" \
      --max-files "$BENCH_FILES" --seed 1 --device "$DEVICE" --json $([ "$has_task" = 0 ] || echo --task "$task") \
      > "$2/decode-$task.json" 2> "$L/decode-$3-$task.err"
    log "decode $3 $task: exit $?: $(head -c 400 "$2/decode-$task.json")"
  done
}
if [ ! -s "$WORK/bundled/diffusion/model.safetensors" ] || [ ! -s "$WORK/bundled/ar-baseline/model.safetensors" ]; then
  log "the bundled weights are not here (neither tracked nor in $MODELS_TAR): no decode benchmark, no continued training"
  exit 1
fi
decode "$WORK/bundled" "$R/bundled" bundled
# One decoder step's cost by its width (docs/benchmarks.md, "Where the time goes"): on the CPU a 33-wide block step
# costs 2.2x a one-position AR step; on a GPU it should cost about the same, which is what bounds the bodies speedup.
for m in diffusion ar-baseline; do
  limit=$(min 60 $(( $(left) - 10 )))
  [ "$limit" -ge 20 ] || { log "forward $m: skipped, ${limit}s left"; continue; }
  timeout -k 10 "$limit" $SG bench forward --model "$WORK/bundled/$m" --device "$DEVICE" --json \
    > "$R/bundled/forward-$m.json" 2> "$L/forward-$m.err"
  log "forward $m: exit $?: $(head -c 400 "$R/bundled/forward-$m.json")"
done

# 4. Continued training, compute-matched, only with enough time left.
[ "$TRAIN" = 1 ] || { log "continued training: off (TRAIN=$TRAIN)"; exit 0; }
[ "$(left)" -ge "$TRAIN_MIN_S" ] || { log "continued training: skipped, $(left)s left (< TRAIN_MIN_S=$TRAIN_MIN_S)"; exit 0; }
reserve=$AFTER_RESERVE_S
[ "$reserve" -gt 0 ] || reserve=$(( $(echo $DECODE_TASKS | wc -w) * DECODE_MAX_S + 30 ))
build_corpus "$CORPUS_SOURCE" "$WORK"
cp "$WORK/corpus.txt" "$L/"
# The AR run gets half of what remains for training; the diffusion run the same steps, so about the same time.
ar_seconds=$(min "$TRAIN_MAX_S" $(( ($(left) - reserve - TOKENIZE_S) / 2 )))
[ "$ar_seconds" -ge 10 ] || { log "continued training: skipped, an AR budget of ${ar_seconds}s is too short"; exit 0; }
log "continued training: AR ${ar_seconds}s from the shipped weights, then diffusion for the same steps ($(left)s left)"
rm -rf "$WORK/cont" && mkdir -p "$WORK/cont/diffusion"
timeout -s INT -k 30 "$(until_reserve "$reserve")" $SG train --objective ar --init "$WORK/bundled/ar-baseline" --data "$WORK/corpus" \
  --tokenizer models/tokenizer --out "$WORK/cont/ar" --batch-size "$BATCH" --seq-len "$SEQ" --lr "$AR_LR" --warmup "$CONT_WARMUP" \
  --steps 1000000 --time-budget-minutes "$(awk -v s="$ar_seconds" 'BEGIN { print s / 60 }')" --max-bytes "$CORPUS_MAX_BYTES" \
  --checkpoint-minutes 1000 --skip-invalid --seed 11 --device "$DEVICE" > "$L/cont-ar.out" 2>&1
log "AR exit $?: $(tail -1 "$WORK/cont/ar/train.log")"
ar_steps=$(python3 -c "import json; print(json.load(open('$WORK/cont/ar/checkpoint/state.json'))['Step'])" 2>/dev/null || echo 0)
[ "$ar_steps" -gt 0 ] || { log "the AR run saved no steps: stopping"; exit 1; }
cp "$WORK/cont/ar/train.bin" "$WORK/cont/ar/val.bin" "$WORK/cont/ar/data.json" "$WORK/cont/diffusion/"
timeout -s INT -k 30 "$(until_reserve "$reserve")" $SG train --objective diffusion --shifted --init "$WORK/bundled/diffusion" \
  --data "$WORK/corpus" --tokenizer models/tokenizer --out "$WORK/cont/diffusion" --batch-size "$BATCH" --seq-len "$SEQ" \
  --lr "$DIFF_LR" --warmup "$CONT_WARMUP" --steps "$ar_steps" --checkpoint-minutes 1000 --seed 13 --device "$DEVICE" \
  > "$L/cont-diffusion.out" 2>&1
log "diffusion exit $?: $(tail -1 "$WORK/cont/diffusion/train.log")"
diff_steps=$(python3 -c "import json; print(json.load(open('$WORK/cont/diffusion/checkpoint/state.json'))['Step'])" 2>/dev/null || echo 0)
for run in ar diffusion; do
  cp "$WORK/cont/$run/train.log" "$L/cont-$run-train.log" 2>/dev/null
  cp "$WORK/cont/$run/checkpoint/state.json" "$L/cont-$run-state.json" 2>/dev/null
done
mkdir -p "$WORK/trained"
timeout 90 $SG export --checkpoint "$WORK/cont/ar/checkpoint" --tokenizer models/tokenizer --out "$WORK/trained/ar-baseline" --dtype bfloat16 >> "$OUT/job.log" 2>&1
timeout 90 $SG export --checkpoint "$WORK/cont/diffusion/checkpoint" --tokenizer models/tokenizer --out "$WORK/trained/diffusion" --dtype bfloat16 >> "$OUT/job.log" 2>&1
decode "$WORK/trained" "$R/trained" trained
$RESULTS compare "$R/continued-training.json" "$R/bundled" "$R/trained" $DECODE_TASKS
python3 - "$R/continued-training.json" "$ar_steps" "$diff_steps" "$BATCH" "$SEQ" <<'PY'
import json, sys
path, ar, diff, batch, seq = sys.argv[1], *map(int, sys.argv[2:])
report = json.load(open(path))
report["compute"] = {"ar_steps": ar, "diffusion_steps": diff, "batch": batch, "seq_len": seq,
                     "tokens_each": ar * batch * seq, "matched": ar == diff}
report["ship"] = report["ship"] and ar == diff
json.dump(report, open(path, "w"), indent=2)
PY
log "continued training: AR $ar_steps steps, diffusion $diff_steps; $(python3 -c "import json; r=json.load(open('$R/continued-training.json')); print('ship' if r['ship'] else 'keep the shipped models', {m: v['improved'] for m, v in r['models'].items()})")"
if python3 -c "import json,sys; sys.exit(0 if json.load(open('$R/continued-training.json'))['ship'] else 1)"; then
  (cd "$WORK/trained" && tar -cf - diffusion ar-baseline) | split -b 15M - "$OUT/models.tar.part-"
  log "trained models packed: $(ls "$OUT" | grep -c models.tar.part-) pieces"
fi

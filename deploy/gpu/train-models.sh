#!/usr/bin/env bash
# Trains the bundled model pair on the GPU machine in one call, exports them for the repo and benchmarks them there.
#
#   bash deploy/gpu/train-models.sh        (on the GPU machine, from the repo root, with .gpu/ and .gpujob/ sent along)
#
# Recipe (compute-matched, Dream-style): one AR run on a time budget saves its weights at BRANCH_AT of its schedule;
# the diffusion model starts there (--shifted) and trains exactly the AR run's remaining steps with the same batch,
# so both models see the same number of tokens. Corpus: that machine's site-packages, minus every folder named after
# a held-out or dev-set package and minus any file identical to a held-out file (.gpujob/heldout.sha256).
# Everything it makes goes to $OUT (at most 8 files come back): models.tar.part-*, logs.tar.gz, job.log.
# The sizes can be overridden from the environment (deploy/gpu/README.md); a CPU smoke run uses tiny ones.
# .gpu/ holds the packed app as app.tar.xz (unpacked here on every call: a carried .gpu/ replaces the one there).
set -uo pipefail
OUT=${OUT:?OUT must name the folder that comes back}
SG=${SG:-bash .gpu/run.sh}
DEVICE=${DEVICE:-cuda}
WORK=${WORK:-/tmp/seedgrains-gpu}
CORPUS_SOURCE=${CORPUS_SOURCE:-$(python3 -c 'import site; print(site.getsitepackages()[0])')}
HELDOUT=${HELDOUT:-.gpujob/heldout.tar.xz}
AR_MINUTES=${AR_MINUTES:-4}
BRANCH_AT=${BRANCH_AT:-0.6}
SHAPE=${SHAPE:---hidden 384 --layers 6 --heads 6 --kv-heads 2 --ffn 896}
BATCH=${BATCH:-64}
SEQ=${SEQ:-512}
AR_LR=${AR_LR:-2e-3}; AR_WARMUP=${AR_WARMUP:-200}
DIFF_LR=${DIFF_LR:-1e-3}; DIFF_WARMUP=${DIFF_WARMUP:-50}
BENCH_FILES=${BENCH_FILES:-150}
. "$(dirname "$0")/corpus.sh"   # build_corpus and the excluded package names

# A process limit for each training run: its budget plus time to tokenize the corpus and save (AR_MINUTES may be 0.5).
TRAIN_LIMIT=$(awk -v m="$AR_MINUTES" 'BEGIN { print int(m * 60) + 240 }')
mkdir -p "$OUT" "$WORK"
start=$(date +%s)
log() { echo "[$(( $(date +%s) - start ))s] $*" | tee -a "$OUT/job.log"; }
finish() {
  log "finishing: packing logs"
  (cd "$WORK" && tar -czf "$OUT/logs.tar.gz" --ignore-failed-read corpus.txt missing-symbols.txt ar.out diffusion.out ar/train.log ar/data.json ar/checkpoint/state.json \
     diffusion/train.log diffusion/checkpoint/state.json bench-decode.json bench-decode.err eval-*.json eval-*.err nvidia-smi.txt 2>/dev/null)
}
trap finish EXIT

if [ -f .gpu/app.tar.xz ] && [ ! -d .gpu/app ]; then mkdir -p .gpu/app && tar -xJf .gpu/app.tar.xz -C .gpu/app; fi
nvidia-smi > "$WORK/nvidia-smi.txt" 2>&1 || true
# TorchSharp 0.107 is built against libtorch 2.10: name every symbol it needs that this machine's libtorch lacks.
if [ -f .gpu/app/libLibTorchSharp.so ]; then
  torchlib=$(python3 -c 'import torch,os;print(os.path.join(os.path.dirname(torch.__file__),"lib"))' 2>/dev/null)
  nm -D --defined-only "$torchlib"/libtorch*.so "$torchlib"/libc10*.so 2>/dev/null | awk '{print $NF}' | sort -u > "$WORK/defined.txt"
  nm -D --undefined-only .gpu/app/libLibTorchSharp.so | awk '{print $NF}' | grep -E '^_ZN(2at|3c10|5torch)' | sort -u > "$WORK/needed.txt"
  comm -23 "$WORK/needed.txt" "$WORK/defined.txt" | c++filt > "$WORK/missing-symbols.txt"
  log "libtorch symbols TorchSharp needs but this machine lacks: $(wc -l < "$WORK/missing-symbols.txt")"
  head -20 "$WORK/missing-symbols.txt" >> "$OUT/job.log"
fi

# 1. Corpus: python files of CORPUS_SOURCE without the excluded package folders and without copies of held-out files.
log "corpus from $CORPUS_SOURCE"
build_corpus "$CORPUS_SOURCE" "$WORK"
head -4 "$WORK/corpus.txt" | tee -a "$OUT/job.log"

# 2. The AR baseline, on a time budget, leaving the diffusion model's starting point in ar/branch.
log "AR training: $AR_MINUTES min, branch at $BRANCH_AT"
timeout -s INT -k 60 $TRAIN_LIMIT $SG train --objective ar --data "$WORK/corpus" --tokenizer models/tokenizer --out "$WORK/ar" \
  $SHAPE --batch-size $BATCH --seq-len $SEQ --lr $AR_LR --warmup $AR_WARMUP --steps 1000000 \
  --time-budget-minutes $AR_MINUTES --branch-at $BRANCH_AT --checkpoint-minutes 1000 --skip-invalid --seed 1 --device $DEVICE \
  > "$WORK/ar.out" 2>&1
log "AR exit $?: $(grep -E '^(corpus|model|branch)' "$WORK/ar/train.log" | cut -c1-160 | tr '\n' ' ')"
tail -2 "$WORK/ar/train.log" | tee -a "$OUT/job.log"
read ar_steps branch_step < <(python3 -c "import json; s=json.load(open('$WORK/ar/checkpoint/state.json')); print(s['Step'], s['BranchStep'])")
[ -n "${branch_step:-}" ] && [ "$branch_step" != None ] || { log "no branch point: stopping"; exit 1; }
diff_steps=$(( ar_steps - branch_step ))

# 3. The diffusion model from the branch, for the AR run's remaining steps (same batch → same tokens).
log "diffusion training: $diff_steps steps from AR step $branch_step"
mkdir -p "$WORK/diffusion" && cp "$WORK/ar/train.bin" "$WORK/ar/val.bin" "$WORK/ar/data.json" "$WORK/diffusion/"
timeout -s INT -k 60 $TRAIN_LIMIT $SG train --objective diffusion --shifted --init "$WORK/ar/branch" --data "$WORK/corpus" \
  --tokenizer models/tokenizer --out "$WORK/diffusion" --batch-size $BATCH --seq-len $SEQ --lr $DIFF_LR --warmup $DIFF_WARMUP \
  --steps $diff_steps --checkpoint-minutes 1000 --seed 3 --device $DEVICE > "$WORK/diffusion.out" 2>&1
log "diffusion exit $?"
tail -2 "$WORK/diffusion/train.log" | tee -a "$OUT/job.log"

# 4. Export both in bfloat16 and send them back in pieces of at most 15 MiB.
$SG export --checkpoint "$WORK/ar/checkpoint" --tokenizer models/tokenizer --out "$WORK/models/ar-baseline" --dtype bfloat16 2>&1 | tee -a "$OUT/job.log"
$SG export --checkpoint "$WORK/diffusion/checkpoint" --tokenizer models/tokenizer --out "$WORK/models/diffusion" --dtype bfloat16 2>&1 | tee -a "$OUT/job.log"
(cd "$WORK" && tar -cf - models) | split -b 15M - "$OUT/models.tar.part-"
log "models packed: $(ls "$OUT" | grep -c models.tar.part-) pieces"

# 5. On the device: held-out losses and the decode benchmark, same spans for both models.
mkdir -p "$WORK/heldout" && tar -xJf "$HELDOUT" -C "$WORK" 2>/dev/null
data="$WORK/heldout"
for m in diffusion ar-baseline; do
  timeout 120 $SG eval --task loss --model "$WORK/models/$m" --data "$data" --max-files $BENCH_FILES --seed 1 --device $DEVICE --json \
    > "$WORK/eval-loss-$m.json" 2> "$WORK/eval-loss-$m.err"
  log "loss $m: $(cat "$WORK/eval-loss-$m.json")"
done
timeout 240 $SG bench decode --model "$WORK/models/diffusion" --ar-model "$WORK/models/ar-baseline" --data "$data" --max-files $BENCH_FILES \
  --seed 1 --device $DEVICE --json > "$WORK/bench-decode.json" 2> "$WORK/bench-decode.err"
log "bench decode exit $?: $(cat "$WORK/bench-decode.json")"

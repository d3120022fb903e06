#!/usr/bin/env bash
# Instructions per call of conv.c's convolutions on one ResNet layer, counted by valgrind's
# callgrind (repeatable on a shared, loaded machine, where times are not): each kernel runs 1 and 5
# times in its own process (bench/callgrind-harness.mjs) and the difference is divided by 4, which
# removes start-up and compilation. V8 compiles the wasm with TurboFan directly (--no-liftoff), as
# it tiers up in a long run. CONVWASM=path/to/convWasm.ts compares another build.
#
#   bash bench/callgrind-kernels.sh [LAYER=16x32x32 (H x C x F)] [BATCH=64] [KERNELS="direct wg23 wg43 dwdirect dw43"]
set -euo pipefail
layer=${1:-16x32x32}
batch=${2:-64}
kernels=${3:-direct wg23 wg43 dwdirect dw43}
IFS=x read -r H C F <<< "$layer"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$out/cg" \
    node --no-liftoff bench/callgrind-harness.mjs "$1" "$H" "$C" "$F" "$batch" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "| kernel (layer ${H}x${H}x${C} -> ${F}, batch $batch) | instructions per call |"
echo "|---|---:|"
for k in $kernels; do
  one=$(count "$k" 1)
  five=$(count "$k" 5)
  echo "| $k | $(( (five - one) / 4 )) |"
done

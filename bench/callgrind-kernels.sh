#!/usr/bin/env bash
# Instructions per call of each kernel of bench/conv-kernels.ts, counted by valgrind's callgrind
# (repeatable on a shared, loaded machine, where times are not): each kernel runs 1 and 5 times in
# its own process and the difference is divided by 4, which removes start-up and compilation.
# V8 compiles the wasm with TurboFan directly (--no-liftoff), as it tiers up in a long run.
#
#   bash bench/callgrind-kernels.sh [LAYER=16x32x32] [BATCH=64]
set -euo pipefail
layer=${1:-16x32x32}
batch=${2:-64}
names=("direct forward" "Winograd F(2x2, 3x3) forward" "Winograd F(4x4, 3x3) forward" "direct filter gradient" "Winograd F(4x4, 3x3) filter gradient")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$out/cg" \
    node --no-liftoff --import tsx bench/conv-kernels.ts --only "$1" --reps "$2" --batch "$batch" --layers "$layer" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "| layer $layer, batch $batch | instructions per call |"
echo "|---|---:|"
for i in 0 1 2 3 4; do
  one=$(count "$i" 1)
  five=$(count "$i" 5)
  echo "| ${names[$i]} | $(( (five - one) / 4 )) |"
done

#!/usr/bin/env bash
# Debian's MuJoCo 2.2.2 (`mujoco-testspeed` from libmujoco-samples: raw mj_step, one thread) against
# Umwelt's env on MuJoCo 4.0 (`umwelt rollout --policy zero`: the whole env step), on the same XML
# files from the same initial state, in one run. Each side runs ROUNDS times, interleaved; the
# best of each counts. Prints a Markdown table.
#
#   bench/engine_vs_debian.sh [STEPS] [ROUNDS] [MODEL.xml ...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
umwelt=${UMWELT:-$root/build/cli/umwelt}
steps=${1:-10000}
rounds=${2:-5}
shift $(($# < 2 ? $# : 2))
samples=/usr/share/mujoco/model
models=("$@")
if [[ ${#models[@]} -eq 0 ]]; then
  models=("$samples/humanoid/humanoid.xml" "$samples/humanoid/22_humanoids.xml"
          "$samples/humanoid100/humanoid100.xml" "$samples/mug/mug.xml"
          "$samples/slider_crank/slider_crank.xml" "$root/assets/cheetah.xml")
fi
command -v mujoco-testspeed >/dev/null ||
  { echo "needs mujoco-testspeed (Debian: libmujoco-samples)" >&2; exit 1; }
[[ -x "$umwelt" ]] || { echo "needs $umwelt (scripts/build.sh)" >&2; exit 1; }

testspeed() {  # steps/s of raw mj_step in 2.2.2, no control noise
  mujoco-testspeed "$1" "$steps" 1 0 | awk '/Steps per second/ {print $5}'
}
ours() {  # steps/s of the env on 4.0, zero actions, one episode of exactly $steps steps
  "$umwelt" rollout --env "mjcf:$1" --policy zero --steps "$steps" --option "max_steps=$steps" \
    --json | python3 -c 'import json, sys; print(round(json.load(sys.stdin)["steps_per_second"]))'
}

echo "| model | MuJoCo 2.2.2 mj_step steps/s | Umwelt env on 4.0 steps/s | ratio |"
echo "|---|---|---|---|"
for model in "${models[@]}"; do
  best_debian=0
  best_ours=0
  for ((r = 0; r < rounds; ++r)); do
    d=$(testspeed "$model")
    o=$(ours "$model")
    ((d > best_debian)) && best_debian=$d
    ((o > best_ours)) && best_ours=$o
  done
  ratio=$(python3 -c "print(f'{$best_ours / $best_debian:.2f}')")
  echo "| \`${model#"$root/"}\` | $best_debian | $best_ours | **$ratio** |"
done

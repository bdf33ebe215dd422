#!/usr/bin/env bash
# Sets up, builds, then runs the main job on a built-in default: for now a random-policy rollout
# of every task, printing throughput and returns.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${UMWELT_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"

umwelt="$build/cli/umwelt"
echo
echo "== The tasks (umwelt envs)"
"$umwelt" envs
echo
echo "== Random policy, 4 envs per task on 2 threads, 1000 steps each (umwelt rollout)"
"$umwelt" rollout --env all --steps 1000 --num-envs 4 --threads 2 --seed 1

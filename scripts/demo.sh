#!/usr/bin/env bash
# Sets up, builds, then runs the main jobs on built-in defaults: a random-policy rollout of every
# task, a dataset of the pusher task generated, verified and summarised, and a world model of
# the pointmass task trained and evaluated on its held-out episodes.
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
echo
data="$build/datasets/pusher-push"
echo "== A dataset: 200 pusher-push episodes, half random, half scripted (umwelt gen; rerun resumes)"
"$umwelt" gen --env pusher-push --episodes 200 --out "$data" --threads 2 \
  --policy mix:random=0.5,scripted=0.5
"$umwelt" dataset verify "$data"
"$umwelt" dataset info "$data"
echo
pm="$build/datasets/pointmass-reach"
model="$build/models/pointmass-reach"
echo "== A world model: 400 pointmass-reach episodes (no states kept), trained 600 steps on 2 threads"
"$umwelt" gen --env pointmass-reach --episodes 400 --out "$pm" --threads 2 --states none \
  --policy mix:random=0.5,scripted=0.5
rm -rf "$model"
"$umwelt" train --data "$pm" --out "$model" --threads 2 --steps 600
"$umwelt" model eval "$model" --data "$pm"

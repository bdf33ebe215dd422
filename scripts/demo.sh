#!/usr/bin/env bash
# Sets up, builds, then runs the main jobs on built-in defaults: a random-policy rollout of every
# task, a dataset of the pusher task generated, verified and summarised, a world model of the
# pointmass task trained and evaluated on its held-out episodes, and agents planning with it
# scored against random actions and the oracle.
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
echo "== A world model: 800 pointmass-reach episodes (no states kept), trained on 2 threads"
echo "   (latent 4, chunks of 5 actions: a latent geometry a planner can use)"
"$umwelt" gen --env pointmass-reach --episodes 800 --out "$pm" --threads 2 --states none \
  --policy mix:random=0.5,scripted=0.5
rm -rf "$model"
"$umwelt" train --data "$pm" --out "$model" --threads 2 --steps 1500 \
  --set model.latent_dim=4 --set model.frameskip=5
"$umwelt" model eval "$model" --data "$pm"
echo
echo "== Planning (umwelt eval): random actions, CEM in the model's latent space, CEM on the simulator"
"$umwelt" eval --env pointmass-reach --agent random --episodes 20
"$umwelt" eval --env pointmass-reach --agent latent-cem --model "$model" --episodes 20
"$umwelt" eval --env pointmass-reach --agent oracle-cem --episodes 10 --set planner.samples=100

#!/usr/bin/env bash
# Runs the cluster recipe of docs/cluster.md on this machine: the same gen-part.sh tasks, as
# separate processes started at once (half with Slurm's variable, half with Kubernetes'),
# then the merge, and checks that the merged dataset equals one uninterrupted run.
#   cluster-local.sh WORK_DIR [N_PARTS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$1
parts=${2:-4}
umwelt=${UMWELT:-umwelt}
args=(--env pusher-push --episodes 24 --max-steps 50 --shard-episodes 3 --seed 3
      --policy mix:random=0.5,scripted=0.5)
rm -rf "$work"
mkdir -p "$work"

pids=()
for ((i = 0; i < parts; i++)); do
  if ((i % 2 == 0)); then
    SLURM_ARRAY_TASK_ID=$i "$here/gen-part.sh" "$work" "$parts" "${args[@]}" >/dev/null 2>&1 &
  else
    JOB_COMPLETION_INDEX=$i "$here/gen-part.sh" "$work" "$parts" "${args[@]}" >/dev/null 2>&1 &
  fi
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

"$umwelt" dataset merge "$work/merged" "$work"/part-*
"$umwelt" dataset verify "$work/merged" >/dev/null
"$umwelt" gen "${args[@]}" --out "$work/single" >/dev/null 2>&1
hash_of() { "$umwelt" dataset info "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["content_hash"])'; }
merged=$(hash_of "$work/merged")
single=$(hash_of "$work/single")
echo "content hash: merged $merged, single run $single"
[[ "$merged" == "$single" ]]

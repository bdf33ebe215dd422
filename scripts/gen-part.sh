#!/usr/bin/env bash
# One task of a cluster array job: generates part i of n of a dataset into ROOT/part-i.
#   gen-part.sh ROOT N_PARTS [umwelt gen arguments, without --out/--shard-index/--shard-count]
# The task index comes from Slurm (SLURM_ARRAY_TASK_ID), a Kubernetes Indexed Job
# (JOB_COMPLETION_INDEX), or TASK_INDEX. Rerunning a task resumes its part. The umwelt binary
# is $UMWELT, else `umwelt` on the PATH. Merge the parts with
#   umwelt dataset merge ROOT/merged ROOT/part-*
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: gen-part.sh ROOT N_PARTS [umwelt gen arguments]" >&2
  exit 2
fi
root=$1
parts=$2
shift 2
index=${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:-${TASK_INDEX:-}}}
if [[ -z "$index" ]]; then
  echo "gen-part.sh: no task index: set SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or TASK_INDEX" >&2
  exit 2
fi
mkdir -p "$root"
exec "${UMWELT:-umwelt}" gen "$@" --shard-index "$index" --shard-count "$parts" \
  --out "$root/part-$index"

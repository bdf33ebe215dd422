#!/usr/bin/env bash
# Runs `umwelt check` on every MuJoCo XML of Gymnasium's, taken from its PyPI wheel (pinned by
# version and sha256, fetched at test time into a cache, never committed). An XML the engine
# cannot load must be listed below with MuJoCo's reason; anything else that fails, fails.
#
#   UMWELT=build/cli/umwelt scripts/check-gymnasium-xml.sh [CACHE_DIR]
#
# The XMLs go to CACHE_DIR/gymnasium-<version> (default ~/.cache/umwelt), a folder of its own.
set -euo pipefail

version=1.2.2
wheel=gymnasium-$version-py3-none-any.whl
sha256=f04ec362b1fdf73a8b327db5ef89384a3f2ba411e05d3521513414fbbb2199c8
umwelt=${UMWELT:?set UMWELT to the umwelt binary}
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${1:-${XDG_CACHE_HOME:-$home/.cache}/umwelt}/gymnasium-$version
assets="$cache/gymnasium/envs/mujoco/assets"

# file name -> the reason MuJoCo gives for refusing it (none so far on MuJoCo 4.0)
declare -A refused=()

if [[ ! -f "$cache/FETCHED" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "fetching Gymnasium $version's wheel from PyPI"
  python3 -m pip download -q --no-deps --only-binary=:all: --dest "$work" "gymnasium==$version"
  got=$(sha256sum "$work/$wheel" | cut -d' ' -f1)
  if [[ "$got" != "$sha256" ]]; then
    echo "$wheel has sha256 $got, expected $sha256" >&2
    exit 1
  fi
  rm -rf "$cache" && mkdir -p "$cache"
  python3 - "$work/$wheel" "$cache" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in wheel.namelist():
        if name.startswith("gymnasium/envs/mujoco/assets/"):
            wheel.extract(name, sys.argv[2])
PY
  echo "sha256 $sha256" > "$cache/FETCHED"
fi

shopt -s nullglob
models=("$assets"/*.xml)
if (( ${#models[@]} < 10 )); then
  echo "expected Gymnasium's MuJoCo XMLs in $assets, found ${#models[@]}" >&2
  exit 1
fi
failed=0
for model in "${models[@]}"; do
  name=$(basename "$model")
  if [[ -n "${refused[$name]:-}" ]]; then
    if out=$("$umwelt" check --env "mjcf:$model" 2>&1) || ! grep -qF "${refused[$name]}" <<<"$out"; then
      echo "FAIL  $name: expected a refusal with '${refused[$name]}', got: $out"
      failed=1
    else
      echo "refused $name: ${refused[$name]}"
    fi
    continue
  fi
  if ! "$umwelt" check --env "mjcf:$model"; then failed=1; fi
done
echo "${#models[@]} Gymnasium $version MuJoCo XMLs checked"
exit $failed

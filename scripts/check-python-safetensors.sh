#!/usr/bin/env bash
# Proves that Umwelt's weights.safetensors is the standard layout: Hugging Face's `safetensors`
# (from its PyPI wheel, pinned by version and sha256, fetched at test time into a cache, never
# committed) reads a model umwelt trained, and umwelt loads the file that package writes back.
#
#   UMWELT=build/cli/umwelt PYTHON=python3 scripts/check-python-safetensors.sh [CACHE_DIR]
set -euo pipefail

version=0.5.3
wheel=safetensors-$version-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
sha256=cead1fa41fc54b1e61089fa57452e8834f798cb1dc7a09ba3524f1eb08e0317a
: "${UMWELT:?set UMWELT to the umwelt binary}"
python=${PYTHON:-python3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${1:-${XDG_CACHE_HOME:-$home/.cache}/umwelt}/safetensors-$version

if [[ ! -f "$cache/FETCHED" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "fetching safetensors $version's wheel from PyPI"
  "$python" -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux2014_x86_64 --dest "$work" "safetensors==$version"
  got=$(sha256sum "$work/$wheel" | cut -d' ' -f1)
  if [[ "$got" != "$sha256" ]]; then
    echo "$wheel has sha256 $got, expected $sha256" >&2
    exit 1
  fi
  rm -rf "$cache" && mkdir -p "$cache"
  "$python" -m zipfile -e "$work/$wheel" "$cache"
  echo "sha256 $sha256" > "$cache/FETCHED"
fi

PYTHONPATH="$cache${PYTHONPATH:+:$PYTHONPATH}" UMWELT_BINARY="$UMWELT" \
  exec "$python" -m pytest -q -p no:cacheprovider "$here/../tests/python/test_checkpoint.py"

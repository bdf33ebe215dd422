#!/usr/bin/env bash
# Configures and builds Umwelt (Release) into build/, or $UMWELT_BUILD_DIR. Extra arguments go
# to CMake's configure step (e.g. -DUMWELT_SANITIZE=address,undefined).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${UMWELT_BUILD_DIR:-$root/build}
jobs=${UMWELT_JOBS:-2}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j"$jobs"

#!/usr/bin/env bash
# Sets up, builds, and runs every test (CTest: unit, conformance, end-to-end CLI).
# Extra arguments go to ctest (e.g. -R envs).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${UMWELT_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"
# LibTorch's OpenMP spins idle threads long enough to stall tests run side by side (cli/openmp_spin.h)
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-3000}
ctest --test-dir "$build" --output-on-failure -j"${UMWELT_JOBS:-2}" "$@"

#!/usr/bin/env bash
# Builds the AddressSanitizer + UndefinedBehaviorSanitizer variant into build-sanitize/ (or
# $UMWELT_SANITIZE_BUILD_DIR) and runs every test under it but the slow ones; any finding
# fails the test.
# Extra arguments go to ctest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export UMWELT_BUILD_DIR=${UMWELT_SANITIZE_BUILD_DIR:-$root/build-sanitize}

"$root/scripts/setup.sh"
"$root/scripts/build.sh" -DUMWELT_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo
# LibTorch's OpenMP spins idle threads long enough to stall tests run side by side (cli/openmp_spin.h)
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-3000}
# the slow end-to-end runs (training, planning) are left to the plain build
ctest --test-dir "$UMWELT_BUILD_DIR" --output-on-failure -j"${UMWELT_JOBS:-2}" -LE slow "$@"

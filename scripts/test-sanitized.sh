#!/usr/bin/env bash
# Builds the AddressSanitizer + UndefinedBehaviorSanitizer variant into build-sanitize/ (or
# $UMWELT_SANITIZE_BUILD_DIR) and runs every test under it; any finding fails the test.
# Extra arguments go to ctest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export UMWELT_BUILD_DIR=${UMWELT_SANITIZE_BUILD_DIR:-$root/build-sanitize}

"$root/scripts/setup.sh"
"$root/scripts/build.sh" -DUMWELT_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo
ctest --test-dir "$UMWELT_BUILD_DIR" --output-on-failure -j"${UMWELT_JOBS:-2}" "$@"

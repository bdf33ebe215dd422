#!/usr/bin/env bash
# Installs the official MuJoCo 4.0.0 Linux x86-64 build into a versioned prefix outside the
# source tree, laid out like MuJoCo's release tarball (include/mujoco/*.h, lib/libmujoco.so.*),
# where CMake finds it by default (MUJOCO_ROOT). The build comes from PyPI's `mujoco-core` wheel,
# pinned by version and sha256. Idempotent: an installed prefix is left alone.
#
#   scripts/setup-mujoco.sh           install, print nothing but one line
#   scripts/setup-mujoco.sh --prefix  print where it installs (what CMake uses by default)
#   scripts/setup-mujoco.sh --version print the pinned version
set -euo pipefail

version=4.0.0
wheel=mujoco_core-4.0.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl
sha256=885bd9b9cc0a6b5ba1114923eb954027652a6a0c115fa46b3218b83bae72ac4f

# cmake/mujoco.cmake asks for this prefix (--prefix, MUJOCO_ROOT's default) and the version
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
prefix="${UMWELT_DEPS_DIR:-${XDG_DATA_HOME:-$home/.local/share}/umwelt}/mujoco-$version"
case "${1:-}" in
  --prefix) echo "$prefix"; exit 0 ;;
  --version) echo "$version"; exit 0 ;;
esac

stamp="$prefix/INSTALLED"
if [[ -f "$stamp" ]] && grep -qx "sha256 $sha256" "$stamp"; then
  echo "setup: MuJoCo $version present in $prefix"
  exit 0
fi

if [[ "$(uname -m)" != x86_64 || "$(uname -s)" != Linux ]]; then
  echo "setup: the pinned MuJoCo $version build is for Linux x86-64; on $(uname -s) $(uname -m)," \
       "build MuJoCo >= 3.3 yourself and configure with -DMUJOCO_ROOT=<its prefix>" >&2
  exit 1
fi

python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -m pip --version >/dev/null 2>&1; then
    python=$candidate
    break
  fi
done
[[ -n "$python" ]] || { echo "setup: need pip (Debian: python3-pip) to fetch MuJoCo" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "setup: fetching MuJoCo $version (PyPI mujoco-core==$version)"
# the cp311 wheel whatever the local Python: only its C library and headers are used
"$python" -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_28_x86_64 --dest "$work" "mujoco-core==$version"
[[ -f "$work/$wheel" ]] || { echo "setup: pip did not give $wheel" >&2; exit 1; }
got=$(sha256sum "$work/$wheel" | cut -d' ' -f1)
if [[ "$got" != "$sha256" ]]; then
  echo "setup: $wheel has sha256 $got, expected $sha256; not installed" >&2
  exit 1
fi

"$python" -m zipfile -e "$work/$wheel" "$work/wheel"
staged="$work/mujoco-$version"
mkdir -p "$staged/lib" "$staged/include" "$staged/share/licenses"
cp "$work/wheel/mujoco/libmujoco.so.$version" "$staged/lib/"
ln -s "libmujoco.so.$version" "$staged/lib/libmujoco.so"
cp -r "$work/wheel/mujoco/include/mujoco" "$staged/include/"
cp "$work/wheel/mujoco_core-$version.dist-info/licenses/"* "$staged/share/licenses/"
printf 'MuJoCo %s from %s\nsha256 %s\n' "$version" "$wheel" "$sha256" >"$staged/INSTALLED"

# whole or not at all: a run killed above leaves no half-installed prefix
mkdir -p "$(dirname "$prefix")"
rm -rf "$prefix"
mv "$staged" "$prefix"
echo "setup: MuJoCo $version installed in $prefix"

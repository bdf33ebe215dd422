#!/usr/bin/env bash
# Installs every system dependency of Umwelt from Debian's packages.
# Idempotent: when every package is already installed it touches nothing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config ccache git
  # simulation: MuJoCo 2.2.2 (its CMake config needs qhull), sample models, Bullet 3.24, URDF
  libmujoco-dev libqhull-dev libmujoco-samples libbullet-dev libbullet-extras-dev liburdfdom-dev
  # learning: LibTorch, and OpenBLAS so it does not fall back to the 36x slower reference BLAS
  libtorch-dev libopenblas0-openmp
  # data: compression, hashing, HDF5 export
  libzstd-dev libxxhash-dev libhdf5-dev
  # configs, command line, tests
  nlohmann-json3-dev libcli11-dev catch2
  # rendering: offscreen EGL on Mesa, the viewer (GLFW + Dear ImGui), windowed tests
  libegl-dev libgl1-mesa-dri libgl-dev libglfw3-dev libimgui-dev libstb-dev xvfb
  # python-side checks of exported datasets
  python3 python3-numpy python3-h5py python3-pytest
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

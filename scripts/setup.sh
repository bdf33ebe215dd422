#!/usr/bin/env bash
# Installs every dependency of Umwelt: Debian's packages, then the official MuJoCo 4.0.0 build
# (scripts/setup-mujoco.sh). Idempotent: when everything is installed it touches nothing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config ccache git
  # simulation: Bullet 3.24, URDF; MuJoCo's sample models and mujoco-testspeed (2.2.2) as test
  # data and benchmark reference (the engine itself is MuJoCo 4.0: setup-mujoco.sh, below)
  libmujoco-samples libbullet-dev libbullet-extras-dev liburdfdom-dev
  # learning: LibTorch, and OpenBLAS so it does not fall back to the 36x slower reference BLAS
  libtorch-dev libopenblas0-openmp
  # data: compression, hashing, HDF5 export
  libzstd-dev libxxhash-dev libhdf5-dev
  # configs, command line, tests
  nlohmann-json3-dev libcli11-dev catch2
  # rendering: offscreen EGL on Mesa, the viewer (GLFW + Dear ImGui), windowed tests
  libegl-dev libgl1-mesa-dri libgl-dev libglfw3-dev libimgui-dev libstb-dev xvfb
  # python-side checks of exported datasets; pip fetches MuJoCo
  python3 python3-numpy python3-h5py python3-pytest python3-pip
  # the benchmark report looked at in a real browser (headless screenshot, checked with PIL)
  chromium python3-pil
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} packages present"
  exec "$here/setup-mujoco.sh"
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
"$here/setup-mujoco.sh"

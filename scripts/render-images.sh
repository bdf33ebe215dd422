#!/usr/bin/env bash
# Draws docs/images/<task>.png for every registered task and urdf-<model>.png for each URDF under
# assets/urdf/ with `umwelt render` (256x256, the
# pretty settings, after 30 random steps from seed 1), offscreen with no display. Run it after a
# build; the README shows the pictures.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${UMWELT_BUILD_DIR:-$root/build}
umwelt="$build/cli/umwelt"
out="$root/docs/images"

[[ -x "$umwelt" ]] || { echo "render-images: build first ($umwelt is missing)" >&2; exit 1; }
mkdir -p "$out"
ids=$("$umwelt" envs --json |
  python3 -c 'import json, sys; print("\n".join(e["id"] for e in json.load(sys.stdin)["envs"]))')
for id in $ids; do
  "$umwelt" render --env "$id" --seed 1 --steps 30 --size 256 256 --out "$out/$id.png"
done
# the URDF models, standing on their bases
for urdf in "$root"/assets/urdf/*.urdf; do
  name=$(basename "$urdf" .urdf)
  "$umwelt" render --env "urdf:$urdf" --option fixed_base=1 --seed 1 --steps 30 --size 256 256 \
    --out "$out/urdf-$name.png"
done

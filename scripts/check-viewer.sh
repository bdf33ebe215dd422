#!/usr/bin/env bash
# The viewer in a real GLFW window under Xvfb (umwelt view's scripted runs): a live env, a live
# pixel env and a dataset open, render and save screenshots, which are checked: not blank, the
# ImGui panels present, the scene different between two timeline positions. A damaged dataset
# opens with its damaged episode marked. Usage: check-viewer.sh OUT_DIR (UMWELT names the
# binary, PYTHON a python3 with PIL).
set -euo pipefail
out=${1:?usage: check-viewer.sh OUT_DIR}
umwelt=${UMWELT:?set UMWELT to the umwelt binary}
python=${PYTHON:-python3}
rm -rf "$out"
mkdir -p "$out"

# a display of our own, on the first free number from 90
for n in $(seq 90 140); do
  [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]] || { display=:$n; break; }
done
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -e /tmp/.X11-unix/X${display#:} ]] && break; sleep 0.1; done
export DISPLAY=$display
# Under AddressSanitizer (the sanitizer build): memory errors are checked, leaks are not. Mesa's
# OpenGL driver is unloaded when the window's display closes, so LeakSanitizer can no longer
# name the library its blocks came from ("<unknown module>"), and no suppression can match them.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

view() { "$umwelt" view --json "$@"; }

view --env pusher-push --frames 30 --screenshot "$out/live.png" >"$out/live.json"
view --env pointmass-reach --option pixels=64 --option pixels_and_state=1 --frames 30 \
  --screenshot "$out/pixels.png" >"$out/pixels.json"
"$umwelt" gen --env pusher-push --episodes 4 --policy scripted --states none --out "$out/data" \
  >/dev/null
view --dataset "$out/data" --episode 1 --step 0 --frames 5 --screenshot "$out/step0.png" \
  >"$out/step0.json"
view --dataset "$out/data" --episode 1 --step 150 --frames 5 --screenshot "$out/step150.png" \
  >"$out/step150.json"
# a byte flipped inside an episode's frame: the dataset fails verification, the viewer opens it
cp -r "$out/data" "$out/damaged"
shard=$(ls "$out"/damaged/shards/* | head -1)
"$python" - "$shard" <<'PY'
import os, sys
path = sys.argv[1]
with open(path, "r+b") as f:
    at = os.path.getsize(path) // 3
    f.seek(at)
    byte = f.read(1)
    f.seek(at)
    f.write(bytes([byte[0] ^ 0xFF]))
PY
view --dataset "$out/damaged" --frames 5 --screenshot "$out/damaged.png" >"$out/damaged.json"

"$python" - "$out" <<'PY'
import json, sys
from PIL import Image, ImageChops, ImageStat

out = sys.argv[1]

def load(name):
    return Image.open(f"{out}/{name}.png").convert("RGB")

def near(colour, pixel, tolerance=10):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, pixel))

def check_window(name):
    image = load(name)
    pixels = list(image.getdata())
    colours = len(set(pixels))
    # the focused ImGui window's title bar (the dark style's TitleBgActive)
    title = sum(1 for p in pixels if near((41, 74, 122), p))
    # text (ImGui's light grey on the panels)
    text = sum(1 for p in pixels if min(p) > 220)
    print(f"{name}.png: {image.size}, {colours} colours, title bar {title}, text {text}")
    assert image.size == (1280, 800), image.size
    assert colours > 50, f"{name}: blank"
    assert title > 2000, f"{name}: no ImGui panel"
    assert text > 500, f"{name}: no text drawn"

for name in ["live", "pixels", "step0", "step150", "damaged"]:
    check_window(name)

# the scene (the middle of the window, clear of the panels) moves between two steps
box = (380, 180, 1040, 550)
difference = ImageChops.difference(load("step0").crop(box), load("step150").crop(box))
mean = sum(ImageStat.Stat(difference).mean) / 3
print(f"scene difference between steps 0 and 150: {mean:.2f}")
assert mean > 0.5, "the scene is the same at steps 0 and 150"

summaries = {name: json.load(open(f"{out}/{name}.json"))
             for name in ["live", "pixels", "step0", "step150", "damaged"]}
assert summaries["live"]["mode"] == "env" and summaries["live"]["errors"] == []
assert summaries["step150"]["step"] == 150 and summaries["step150"]["divergence"] == ""
damaged = summaries["damaged"]
print("damaged dataset:", damaged["damaged"], damaged["problems"][:1])
assert len(damaged["damaged"]) >= 1, "the damaged episode is not marked"
assert any("episode" in p for p in damaged["problems"]), damaged["problems"]
PY
echo "check-viewer: every mode renders in a GLFW window ($out)"

#!/usr/bin/env bash
# The viewer in a real GLFW window under Xvfb (umwelt view's scripted runs): a live env, a live
# pixel env and a dataset open, render and save screenshots, which are checked: not blank, the
# ImGui panels present, the scene different between two timeline positions. A damaged dataset
# opens with its damaged episode marked. With LibTorch (umwelt train exists): a model trained
# here is drawn over the dataset (its imagined ghosts visible in the scene) and over a live env,
# an agent plans live with its plans drawn, and a model of another env is an error in the
# window. Usage: check-viewer.sh OUT_DIR (UMWELT names the binary, PYTHON a python3 with PIL).
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
"$umwelt" gen --env pusher-push --episodes 8 --policy scripted --states none --out "$out/data" \
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

models=0
if "$umwelt" train --help >/dev/null 2>&1; then
  models=1
  "$umwelt" train --data "$out/data" --out "$out/model" --steps 60 --set train.heldout_every=4 \
    --set model.encoder_hidden=32 --set model.predictor_hidden=32 --set model.probe_hidden=32 \
    --set train.batch_size=32 --set train.eval_windows=64 >/dev/null
  view --dataset "$out/data" --episode 1 --step 40 --frames 5 --screenshot "$out/plain40.png" \
    >"$out/plain40.json"
  view --dataset "$out/data" --model "$out/model" --episode 1 --step 40 --frames 5 \
    --screenshot "$out/model.png" >"$out/model.json"
  view --env pusher-push --policy scripted --model "$out/model" --frames 40 \
    --screenshot "$out/live-model.png" >"$out/live-model.json"
  view --env pusher-push --model "$out/model" --agent latent-cem:samples=40,iterations=3 \
    --frames 60 --screenshot "$out/agent.png" >"$out/agent.json"
  view --env reacher-reach --model "$out/model" --frames 3 >"$out/wrong-model.json"
fi

"$python" - "$out" "$models" <<'PY'
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

models = sys.argv[2] == "1"
windows = ["live", "pixels", "step0", "step150", "damaged"]
if models:
    windows += ["plain40", "model", "live-model", "agent"]
for name in windows:
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

if models:
    # model mode: the same step with and without the model; the ghosts are the difference: the
    # imagined ones violet, what happened amber
    box = (380, 180, 950, 550)  # the scene, clear of the panels
    plain = list(load("plain40").crop(box).getdata())
    ghosts = list(load("model").crop(box).getdata())
    violet = lambda p: p[0] > 120 and p[2] > 150 and p[1] < min(p[0], p[2]) - 50
    amber = lambda p: p[0] > 150 and p[1] > 100 and p[0] - p[2] > 90
    counts = {name: (sum(map(test, plain)), sum(map(test, ghosts)))
              for name, test in [("violet", violet), ("amber", amber)]}
    print("ghost pixels without / with the model:", counts)
    assert counts["violet"][1] > counts["violet"][0] + 100, "no imagined ghost in the scene"
    assert counts["amber"][1] > counts["amber"][0] + 100, "no ghost of what happened"
    model = json.load(open(f"{out}/model.json"))["overlay"]
    assert model["start"] == 40 and model["chunks"] == 5 and len(model["error"]) == 5, model
    assert model["ghosts"] == 10, model
    live = json.load(open(f"{out}/live-model.json"))
    assert live["errors"] == [] and live["overlay"]["chunks"] >= 1, live
    agent = json.load(open(f"{out}/agent.json"))
    plans = agent["overlay"]
    print("agent:", plans["plans_seen"], "plans seen,", plans["ghosts"], "ghosts,",
          f"{plans['plan_ms']:.1f} ms")
    assert agent["errors"] == [] and plans["plans_seen"] >= 1 and plans["ghosts"] >= 2, agent
    costs = plans["iteration_costs"]
    assert len(costs) == 3 and all(b <= a for a, b in zip(costs, costs[1:])), costs
    wrong = json.load(open(f"{out}/wrong-model.json"))
    assert any("trained on env 'pusher-push'" in e for e in wrong["errors"]), wrong["errors"]
PY
echo "check-viewer: every mode renders in a GLFW window ($out)"

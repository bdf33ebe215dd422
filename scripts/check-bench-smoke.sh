#!/usr/bin/env bash
# The smoke suite end to end (umwelt bench: gen -> train -> eval), checked for its numbers, and
# its HTML report opened in headless Chromium when the setup installed it: the screenshot must
# show the page and its charts. Usage: check-bench-smoke.sh OUT_DIR (UMWELT names the binary).
set -euo pipefail
out=${1:?usage: check-bench-smoke.sh OUT_DIR}
umwelt=${UMWELT:?set UMWELT to the umwelt binary}
python=${PYTHON:-python3}
rm -rf "$out"
"$umwelt" bench --suite smoke --out "$out" --threads 2

# planning in the model beats random actions; the oracle reaches its goals
"$python" - "$out/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
rates = {a["agent"]: a["success_rate"] for a in report["tasks"][0]["agents"]}
print("smoke success rates:", rates)
assert rates["latent-cem"] >= 0.5 and rates["latent-cem"] > rates["random"], rates
assert rates["oracle-cem"] >= 0.75, rates
PY

chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$chromium" ]]; then
  echo "check-bench-smoke: no chromium: the report is not looked at in a browser"
  exit 0
fi
# --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1400 \
  --screenshot="$out/report.png" "file://$(cd "$out" && pwd)/report.html" 2>/dev/null
"$python" - "$out/report.png" <<'PY'
import sys
from PIL import Image
image = Image.open(sys.argv[1]).convert("RGB")
pixels = list(image.getdata())
def near(colour, pixel):
    return all(abs(a - b) <= 12 for a, b in zip(colour, pixel))
white = sum(1 for p in pixels if p == (255, 255, 255))
dark = sum(1 for p in pixels if sum(p) < 200)  # text
orange = sum(1 for p in pixels if near((0xf5, 0x85, 0x18), p))  # latent-cem's bars
green = sum(1 for p in pixels if near((0x54, 0xa2, 0x4b), p))  # oracle-cem's bars
print(f"report.png: {image.size}, white {white}, text {dark}, orange {orange}, green {green}")
assert white < 0.98 * len(pixels), "the page is blank"
assert dark > 2000, "no text drawn"
assert orange > 3000 and green > 3000, "the success and latency bars are missing"
PY
echo "check-bench-smoke: report.html renders in Chromium ($out/report.png)"

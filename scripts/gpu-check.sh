#!/usr/bin/env bash
# GPU host check: the golden eval on the WebGPU path, the core benchmark (bench/core.ts --quick),
# the HTTP benchmark on the GPU path (bench/http.ts --device gpu) and a PyTorch eager
# EfficientNet-B0 (2 classes) timing on the same GPU, on a host with an NVIDIA GPU (the device
# tool's nvidia-h100-x1 / nvidia-h200 machines).
#
# Prepared and syntax-checked on a CPU machine; not yet run on a GPU host.
#
# That host has no Node, no npm and no network, and the working tree that travels is at most
# 64 MiB, of which the tracked tree takes ~16 MiB (mostly the model). So the runtime travels in
# one ignored folder, .gpu-carry/, that `prepare` builds HERE (on the CPU machine, from a checkout
# with node_modules installed, Debian packages reachable):
#
#   .gpu-carry/node.xz              this machine's node binary (>= 20.19), stripped, xz -9   ~21 MiB
#   .gpu-carry/node_modules.tar.xz  only the packages loaded at run time and their files for
#                                   linux-x64: sharp + libvips, webgpu (dawn.node), onnxruntime-web
#                                   (JSEP bundle + wasm, Node build + wasm)                  ~17 MiB
#   .gpu-carry/app.tar.xz           the CLI (xrayops.mjs), bench/core.ts and bench/http.ts bundled by esbuild, so
#                                   the host needs neither tsx nor esbuild; unpacked into
#                                   .gpu-carry/app/ (bundles resolve node_modules from there)  <1 MiB
#   .gpu-carry/debs/                glvnd + Vulkan loader: libvulkan1 libegl1 libglvnd0 libopengl0
#                                   libgl1 libglx0 libgles2 (dawn.node dlopens libvulkan.so.1 and the
#                                   NVIDIA ICD needs libGLdispatch.so.0)                      ~1 MiB
#   .gpu-carry/data/                a few images: the 624 224x224 test copies and their golden CSV
#                                   (../shared/data/kermany/224/test), only while the total fits;
#                                   the 8 images of test/fixtures/xray-224 (and the 1857x1317 X-ray
#                                   the benchmark decodes, test/fixtures/xray-original) are tracked
#                                   and travel anyway                                         ~5 MiB
#
# onnxruntime-node (~12 MiB compressed) does not fit beside the GPU runtime. The GPU run's bench
# therefore has no onnxruntime-node rows (the sections say so); `prepare cpu` builds a carry with
# onnxruntime-node instead of Dawn for a second call that measures the CPU engine on that host.
#
# Usage
#   here:           scripts/gpu-check.sh prepare [gpu|cpu]     # default gpu; prints the size that travels
#   on the device:  run(command: "scripts/gpu-check.sh run", carry: [".gpu-carry"], timeout_s: 600)
#   (a shell on a GPU host with Node and node_modules installed can run `scripts/gpu-check.sh run` too)
#
# `run` writes under $OUT (flat, at most 8 files, as the device tool returns them):
#   log.txt               everything printed, with each step's exit status
#   env.txt               nvidia-smi, glibc, node, VK_DRIVER_FILES, the WebGPU adapter Dawn sees
#   eval-fixtures.json    xrayops eval test/fixtures/xray-224 --golden ... --json --device gpu
#   eval-224.json         the same on the 624 224x224 test copies (when carried)
#   bench-quick.json      bench/core.ts --quick --json (the WebGPU and WGSL rows on the real GPU)
#   bench-http.json       bench/http.ts --device gpu --json: xrayops serving on the GPU at c=1 and
#                         c=16, with /health p99 under load (the plain server too when
#                         onnxruntime-node is carried: cpu profile)
#   torch-anchor.json     PyTorch eager EfficientNet-B0 (timm, else torchvision; 2 classes) on the
#                         same GPU, batch 1 and 16 (when torch is there)
# XRAYOPS_GPU_CHECK_SOFTWARE=1 accepts a software adapter (lavapipe) to try the script on a CPU
# machine: `scripts/gpu-check.sh run` from a checkout with VK_DRIVER_FILES set.
# Expected: eval max |dP| vs golden ~1e-6 (docs/EVALUATION.md), the adapter an NVIDIA one (not
# fallback); compare bench-quick.json with the H100 table in docs/BENCHMARKS.md.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
carry="$root/.gpu-carry"
MiB=$((1024 * 1024))
LIMIT=$((64 * MiB))

die() { echo "gpu-check: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# prepare (here)
# ---------------------------------------------------------------------------------------------

# Sizes of what the device tool sends: tracked files + untracked files git does not ignore.
tree_bytes() {
  (cd "$root" && { git ls-files -z; git ls-files -z --others --exclude-standard -- . ':!.gpu-carry'; } \
    | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
}

# Packages reachable from the roots through dependencies and optionalDependencies that are installed.
closure() {
  (cd "$root" && node --input-type=module -e '
    import { existsSync, readFileSync } from "node:fs"
    const seen = new Set()
    const visit = (name) => {
      if (seen.has(name) || !existsSync(`node_modules/${name}/package.json`)) return
      seen.add(name)
      const p = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"))
      for (const d of Object.keys({ ...p.dependencies, ...p.optionalDependencies })) visit(d)
    }
    process.argv.slice(1).forEach(visit)
    console.log([...seen].sort().join("\n"))
  ' "$@")
}

prepare() {
  local profile=${1:-gpu}
  case "$profile" in gpu | cpu) ;; *) die "prepare: profile must be gpu or cpu, not $profile" ;; esac
  [ "$(uname -m)" = x86_64 ] || die "prepare on x86-64: the GPU host is x86-64"
  command -v node >/dev/null || die "node is not installed here"
  [ -x "$root/node_modules/.bin/esbuild" ] || die "run npm ci first (esbuild, sharp, webgpu, onnxruntime-* in node_modules)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "node >= 20.19 required, found $(node -v)"

  rm -rf "$carry"
  mkdir -p "$carry/app" "$carry/debs"
  # Ignored, so the device tool carries it only when named in `carry` (a worktree shares its
  # repository's exclude file: not written there; tree_bytes leaves .gpu-carry out either way).
  if [ -d "$root/.git" ]; then
    grep -qx '/.gpu-carry/' "$root/.git/info/exclude" 2>/dev/null || echo '/.gpu-carry/' >>"$root/.git/info/exclude"
  fi

  echo "== node $(node -v) (stripped, xz -9)"
  strip -o "$carry/node" "$(readlink -f "$(command -v node)")" || cp "$(readlink -f "$(command -v node)")" "$carry/node"
  xz -9 -T0 "$carry/node" || die "xz failed" # leaves node.xz

  echo "== bundles (esbuild): the CLI and the benchmark"
  local externals=(--external:sharp --external:webgpu --external:onnxruntime-node --external:onnxruntime-web)
  local common=(--bundle --platform=node --format=esm --target=node20 --loader:.wgsl=text --log-level=warning
    "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
    "${externals[@]}")
  (cd "$root" && echo "import { run } from './src/cli/main.ts'; await run()" \
    | node_modules/.bin/esbuild --sourcefile=xrayops.ts "${common[@]}" --outfile="$carry/app/xrayops.mjs") || die "bundling the CLI failed"
  # The CPU engine's worker thread script, found beside the CLI bundle (src/inference/cpu/script.ts).
  (cd "$root" && node_modules/.bin/esbuild src/inference/cpu/worker.ts "${common[@]}" --outfile="$carry/app/cpu-worker.mjs") \
    || die "bundling the CPU worker failed"
  (cd "$root" && node_modules/.bin/esbuild bench/core.ts bench/ort-web-child.ts bench/http.ts bench/plain-server.ts "${common[@]}" \
    --outdir="$carry/app" --out-extension:.js=.mjs) || die "bundling bench/ failed"
  tar -C "$carry" -cf - app | xz -9 >"$carry/app.tar.xz" && rm -rf "$carry/app"

  echo "== node_modules ($profile)"
  local roots=(sharp onnxruntime-web)
  if [ "$profile" = gpu ]; then roots+=(webgpu); else roots+=(onnxruntime-node); fi
  local pkgs
  mapfile -t pkgs < <(closure "${roots[@]}")
  local ex=(--exclude='*.map' --exclude='*.d.ts' --exclude='*.d.mts' --exclude='*.d.cts' --exclude='*.md'
    --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*'
    --exclude='node_modules/webgpu/dist/linux-arm64'
    --exclude='node_modules/onnxruntime-node/bin/napi-v*/darwin' --exclude='node_modules/onnxruntime-node/bin/napi-v*/win32'
    --exclude='node_modules/onnxruntime-node/bin/napi-v*/linux/arm64'
    # onnxruntime-web: keep the JSEP bundle (WebGPU engine) and the Node build (wasm rows) with their wasm.
    --exclude='node_modules/onnxruntime-web/dist/*asyncify*' --exclude='node_modules/onnxruntime-web/dist/*jspi*'
    --exclude='node_modules/onnxruntime-web/dist/ort.js' --exclude='node_modules/onnxruntime-web/dist/ort.mjs'
    --exclude='node_modules/onnxruntime-web/dist/ort.min.*' --exclude='node_modules/onnxruntime-web/dist/ort.all.js'
    --exclude='node_modules/onnxruntime-web/dist/ort.all.min.js'
    --exclude='node_modules/onnxruntime-web/dist/ort.all.mjs' --exclude='node_modules/onnxruntime-web/dist/ort.all.min.mjs'
    --exclude='node_modules/onnxruntime-web/dist/ort.webgl*' --exclude='node_modules/onnxruntime-web/dist/ort.webgpu*'
    --exclude='node_modules/onnxruntime-web/dist/ort.wasm*' --exclude='node_modules/onnxruntime-web/dist/ort.bundle*'
    --exclude='node_modules/onnxruntime-web/lib')
  if [ "$profile" = cpu ]; then ex+=(--exclude='node_modules/onnxruntime-web/dist/*jsep*' --exclude='node_modules/onnxruntime-web/dist/ort.all.*'); fi
  (cd "$root" && tar -cf - "${ex[@]}" "${pkgs[@]/#/node_modules/}") | xz -9 -T0 >"$carry/node_modules.tar.xz" \
    || die "packing node_modules failed"

  if [ "$profile" = gpu ]; then
    echo "== glvnd + Vulkan loader .debs (amd64)"
    local lists
    lists=$(mktemp -d)
    local o=(-o APT::Architecture=amd64 -o APT::Architectures=amd64 -o "Dir::State::Lists=$lists" -o APT::Sandbox::User=root)
    mkdir -p "$lists/partial"
    apt-get "${o[@]}" update -qq >&2 || die "apt-get update failed"
    (cd "$carry/debs" && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >&2) \
      || die "apt-get download failed"
    rm -rf "$lists"
  else
    rmdir "$carry/debs"
  fi

  local shared="$root/../shared"
  local used
  used=$(($(tree_bytes) + $(du -sb "$carry" | cut -f1)))
  local data_bytes
  data_bytes=$(du -sb "$shared/data/kermany/224/test" 2>/dev/null | cut -f1 || echo 0)
  if [ "$profile" = gpu ] && [ "${data_bytes:-0}" -gt 0 ] && [ $((used + data_bytes)) -lt $((LIMIT - 2 * MiB)) ]; then
    echo "== data: 224x224 test copies + golden CSV"
    mkdir -p "$carry/data"
    cp -r "$shared/data/kermany/224/test" "$carry/data/224-test"
    cp "$shared/models/pneumonia-efficientnet_b0-v1.golden-test-224.csv" "$carry/data/golden-test-224.csv"
  else
    echo "== data: not carried (no ../shared, cpu profile, or it would pass the limit); the tracked fixtures are used"
  fi
  # Original-resolution X-rays for bench:http (12 per label), while they fit.
  used=$(($(tree_bytes) + $(du -sb "$carry" | cut -f1)))
  if [ -d "$shared/data/kermany/test-original" ] && [ $((used + 4 * MiB)) -lt $((LIMIT - 2 * MiB)) ]; then
    for l in NORMAL PNEUMONIA; do
      mkdir -p "$carry/data/originals/$l"
      ls "$shared/data/kermany/test-original/$l" | sort | head -12 | while read -r f; do cp "$shared/data/kermany/test-original/$l/$f" "$carry/data/originals/$l/"; done
    done
    echo "== data: 24 original-resolution X-rays for bench:http"
  fi

  used=$(($(tree_bytes) + $(du -sb "$carry" | cut -f1)))
  du -sh "$carry"/* | sed 's/^/   /'
  echo "== travels: $((used / MiB)) MiB of $((LIMIT / MiB)) MiB (tree + .gpu-carry)"
  [ "$used" -lt "$LIMIT" ] || die "over the 64 MiB limit: carry less (drop .gpu-carry/data, or use the cpu profile)"
  echo "then: run(command: \"scripts/gpu-check.sh run\", carry: [\".gpu-carry\"], timeout_s: 600)"
}

# ---------------------------------------------------------------------------------------------
# run (on the GPU host)
# ---------------------------------------------------------------------------------------------

failures=0
step() { # step NAME CMD...: runs CMD, logs its status, carries on
  local name=$1
  shift
  echo "---- $name: $*"
  local t0=$SECONDS
  "$@"
  local rc=$?
  echo "---- $name: exit $rc after $((SECONDS - t0)) s"
  [ "$rc" -eq 0 ] || failures=$((failures + 1))
  return 0
}

setup_vulkan() {
  # As the device tool's README says: unpack the loaders into / when the host lacks them.
  if ! { ldconfig -p | grep -q 'libvulkan.so.1 ' && ldconfig -p | grep -q 'libGLdispatch.so.0 '; } \
    && compgen -G "$carry/debs/*.deb" >/dev/null; then
    for f in "$carry"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  ldconfig -p | grep -q 'libvulkan.so.1 ' || { echo "libvulkan.so.1 not found"; return 1; }
  if [ -z "${VK_DRIVER_FILES:-}" ]; then
    for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
      /etc/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; break; fi
    done
  fi
  for egl in /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json /usr/share/glvnd/egl_vendor.d/10_nvidia.json; do
    if [ -f "$egl" ]; then export __EGL_VENDOR_LIBRARY_FILENAMES=$egl; break; fi
  done
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
  [ -n "${VK_DRIVER_FILES:-}" ]
}

setup_node() {
  if [ -f "$carry/node.xz" ]; then
    mkdir -p /tmp/xrayops-node/bin
    xz -dc "$carry/node.xz" >/tmp/xrayops-node/bin/node && chmod +x /tmp/xrayops-node/bin/node || return 1
    export PATH="/tmp/xrayops-node/bin:$PATH"
  fi
  command -v node >/dev/null && node -v
}

setup_modules() {
  # An installed node_modules (a GPU host with Node) is used as it is.
  if [ ! -d "$root/node_modules" ] && [ -f "$carry/node_modules.tar.xz" ]; then
    (cd "$root" && tar -xJf "$carry/node_modules.tar.xz") || return 1
  fi
  if [ -f "$carry/app.tar.xz" ]; then tar -C "$carry" -xJf "$carry/app.tar.xz" || return 1; fi
  [ -d "$root/node_modules/sharp" ] && ls "$root/node_modules"
}

describe_env() {
  {
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(uname -a)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"
    echo "glibc: $(ldd --version 2>&1 | head -1)"
    echo "node: $(node -v 2>&1)"
    echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
    nvidia-smi 2>&1 || echo "nvidia-smi: not available"
    echo "== WebGPU adapter (Dawn)"
    (cd "$root" && node --input-type=module -e '
      const { create, globals } = await import("webgpu")
      Object.assign(globalThis, globals)
      const a = await create([]).requestAdapter({ powerPreference: "high-performance" })
      if (!a) { console.log("no adapter"); process.exit(1) }
      console.log(JSON.stringify({ info: { vendor: a.info.vendor, architecture: a.info.architecture, device: a.info.device,
        description: a.info.description }, fallback: Boolean(a.info.isFallbackAdapter ?? a.isFallbackAdapter),
        features: [...a.features].sort() }, null, 1))
      process.exit(0)' 2>&1)
  } >"$OUT/env.txt"
  cat "$OUT/env.txt"
  grep -q '"fallback": false' "$OUT/env.txt" # a hardware adapter was found
}

# The CLI and the benchmark from the sources (tsx present) or from the carried bundles.
xrayops() {
  if [ -d "$root/node_modules/tsx" ]; then node "$root/bin/xrayops.mjs" "$@"; else node "$carry/app/xrayops.mjs" "$@"; fi
}
bench() {
  if [ -d "$root/node_modules/tsx" ]; then
    node --import "$root/bin/register.mjs" "$root/bench/core.ts" "$@"
  else
    node "$carry/app/core.mjs" "$@"
  fi
}

eval_fixtures() {
  xrayops eval test/fixtures/xray-224 --golden test/fixtures/xray-224/golden.csv --json --device gpu --max-diff 1e-4 \
    >"$OUT/eval-fixtures.json"
}
eval_224() {
  xrayops eval "$carry/data/224-test" --golden "$carry/data/golden-test-224.csv" --json --device gpu --max-diff 1e-4 \
    >"$OUT/eval-224.json"
}
bench_quick() { bench --quick --json >"$OUT/bench-quick.json"; }

# bench:http on the GPU path: xrayops serve --device gpu (and the plain CPU server where
# onnxruntime-node is there), 2 rounds, the shared X-rays when carried, else the fixtures.
bench_http() {
  local plain=()
  [ -d "$root/node_modules/onnxruntime-node" ] || plain=(--no-plain)
  if [ -d "$root/node_modules/tsx" ]; then
    node --import "$root/bin/register.mjs" "$root/bench/http.ts" --device gpu --rounds 2 "${plain[@]}" --json >"$OUT/bench-http.json"
  else
    local images=()
    [ -d "$carry/data/originals" ] && images=(--images "$carry/data/originals")
    node "$carry/app/http.mjs" --device gpu --rounds 2 --xrayops "$carry/app/xrayops.mjs" "${plain[@]}" "${images[@]}" --json >"$OUT/bench-http.json"
  fi
}

# PyTorch eager EfficientNet-B0 (random weights, 2 classes: the same graph as the shipped model)
# on the same GPU: the anchor for the WebGPU figures, as in docs/BENCHMARKS.md.
torch_anchor() {
  python3 - >"$OUT/torch-anchor.json" <<'PY'
import json, statistics, time
import torch
try:
    import timm
    m, src = timm.create_model("efficientnet_b0", num_classes=2), "timm " + timm.__version__
except ImportError:
    import torchvision
    m, src = torchvision.models.efficientnet_b0(num_classes=2), "torchvision " + torchvision.__version__
m = m.eval().cuda()
out = {"torch": torch.__version__, "model": src, "gpu": torch.cuda.get_device_name(0), "median_ms": {}}
with torch.inference_mode():
    for n in (1, 16):
        x = torch.randn(n, 3, 224, 224, device="cuda")
        for _ in range(10): m(x)
        torch.cuda.synchronize()
        ts = []
        for _ in range(50):
            t = time.perf_counter(); m(x); torch.cuda.synchronize(); ts.append((time.perf_counter() - t) * 1000)
        out["median_ms"][f"batch{n}"] = statistics.median(ts)
print(json.dumps(out, indent=1))
PY
}

run_check() {
  [ -n "${OUT:-}" ] || OUT="$root/gpu-check-out"
  mkdir -p "$OUT"
  exec > >(tee -a "$OUT/log.txt") 2>&1
  cd "$root" || exit 1
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
  export MODEL_PATH="$root/models/pneumonia-efficientnet_b0-v1.json" # the bundles live in .gpu-carry/app; the model is here
  echo "gpu-check run: $(date -u +%FT%TZ) in $root, results in $OUT"

  step node setup_node || true
  command -v node >/dev/null || die "no node: carry .gpu-carry (scripts/gpu-check.sh prepare)"
  step node_modules setup_modules
  local gpu=0
  if [ -d "$root/node_modules/webgpu" ]; then
    step vulkan setup_vulkan
    step env describe_env && grep -q '"fallback": false' "$OUT/env.txt" && gpu=1
    if [ "$gpu" = 0 ] && [ -n "${XRAYOPS_GPU_CHECK_SOFTWARE:-}" ] && grep -q '"info"' "$OUT/env.txt"; then
      echo "XRAYOPS_GPU_CHECK_SOFTWARE: running the GPU steps on a software adapter"
      gpu=1
    fi
  else
    echo "no webgpu package carried (cpu profile): CPU rows only"
    nvidia-smi -L >"$OUT/env.txt" 2>&1
  fi
  if [ "$gpu" = 1 ]; then
    step eval-fixtures eval_fixtures
    if [ -d "$carry/data/224-test" ]; then step eval-224 eval_224; fi
  else
    echo "no hardware WebGPU adapter: skipping the GPU eval"
  fi
  step bench-quick bench_quick
  if [ "$gpu" = 1 ]; then step bench-http bench_http; fi
  if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then step torch-anchor torch_anchor
  else echo "no PyTorch with CUDA here: no anchor timing"; fi
  echo "gpu-check: $failures step(s) failed"
  sleep 1 # lets tee write the end of log.txt
  [ "$failures" -eq 0 ]
}

case "${1:-}" in
  prepare) prepare "${2:-gpu}" ;;
  run) run_check ;;
  *)
    sed -n '2,/^set -uo/p' "$0" | sed '$d'
    exit 2
    ;;
esac

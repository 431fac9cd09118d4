#!/usr/bin/env bash
# Builds the static site's engine (cmd/convscope-wasm) for js/wasm into
# internal/site/engine/engine.wasm.gz and copies Go's wasm_exec.js beside it; the
# convscope binary embeds both (convscope export-site). The build is
# reproducible (-trimpath, no build id, gzip without name or time), so
#   ./scripts/wasm.sh --check
# rebuilds into a temporary folder and fails when the committed files
# differ (CI runs it, like the web/dist check).
set -euo pipefail
cd "$(dirname "$0")/.."
out=internal/site/engine
check=
if [ "${1:-}" = --check ]; then check=1; out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags='-s -w -buildid=' -o "$out/engine.wasm" ./cmd/convscope-wasm
gzip -9 -n -f "$out/engine.wasm"
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/wasm_exec.js"
if [ -n "$check" ]; then
  for f in engine.wasm.gz wasm_exec.js; do
    if ! cmp -s "$out/$f" "internal/site/engine/$f"; then
      echo "internal/site/engine/$f differs from a fresh build: run ./scripts/wasm.sh and commit it" >&2
      exit 1
    fi
  done
  echo "internal/site/engine/engine.wasm.gz and wasm_exec.js are up to date"
fi

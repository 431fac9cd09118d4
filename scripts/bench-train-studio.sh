#!/bin/sh
# Compares a Fashion-MNIST epoch in the training studio (POST /api/train on
# `convscope serve`) with `convscope train` on the same settings, alternating
# the two ROUNDS times (the machine may be shared: the load average is
# printed with each run). Each prints the epoch's wall time and the CPU time
# its process used meanwhile (steadier under load). Usage: scripts/bench-train-studio.sh [ROUNDS] [LIMIT]
# (LIMIT: training examples before the 10 % validation split; 0 = all 60,000).
set -eu
rounds=${1:-2}
limit=${2:-0}
tmp=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/convscope" ./cmd/convscope
cli() {
  "$tmp/convscope" train --dataset fashion-mnist --epochs 1 --batch 32 --lr 1e-3 --val 0.1 --seed 1 \
    --limit "$limit" --examples=false --out "$tmp/cli" | sed -n 's/.*epoch 1\/1 *[0-9]* img *\([0-9.]*\)s (cpu \([0-9.]*\)s).*/\1 s, cpu \2 s/p'
}
studio() {
  "$tmp/convscope" serve --addr 127.0.0.1:0 --data "$tmp/data" >"$tmp/serve.out" 2>&1 &
  srv=$!
  until url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.out"); do sleep 0.2; done
  curl -sf -X POST -H 'Content-Type: application/json' "$url/api/train" \
    -d "{\"dataset\":\"fashion-mnist\",\"epochs\":1,\"batch\":32,\"lr\":1e-3,\"val\":0.1,\"seed\":1,\"limit\":$limit}" >/dev/null
  until curl -sf "$url/api/train" | grep -q '"state":"done"'; do sleep 1; done
  curl -sf "$url/api/train" | sed -n 's/.*"epoch_seconds":\[\([0-9.]*\)\],"epoch_cpu_seconds":\[\([0-9.]*\)\].*/\1 s, cpu \2 s/p'
  kill $srv; wait $srv 2>/dev/null || true
}
for r in $(seq "$rounds"); do
  echo "round $r: cli    $(cli)   (load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "round $r: studio $(studio)   (load $(cut -d' ' -f1-3 /proc/loadavg))"
done

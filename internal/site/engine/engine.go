// Package engine holds the static site's engine, built by scripts/wasm.sh
// from cmd/convscope-wasm (committed, checked by `scripts/wasm.sh --check`),
// and the wasm_exec.js of the Go release that built it.
package engine

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
)

//go:embed engine.wasm.gz
var wasmGz []byte

//go:embed wasm_exec.js
var wasmExec []byte

// Wasm returns the WebAssembly module (uncompressed).
func Wasm() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(wasmGz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// WasmExec returns Go's wasm_exec.js, which loads the module.
func WasmExec() []byte { return wasmExec }

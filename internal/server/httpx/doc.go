// Package httpx is the HTTP vocabulary of convscope's server: the types,
// functions and status codes of net/http (and mime/multipart's Part) that
// internal/server uses, under their net/http names.
//
// In every build but js/wasm they are net/http's own (type aliases and
// wrappers: http.go), so the native server is net/http's, unchanged. Under
// js/wasm — the static site's engine, cmd/convscope-wasm, where requests
// come from a Web Worker, not a socket — they are package lite's (lite.go):
// the same names written again without the network, so that the
// WebAssembly module does not link net/http, crypto/tls, HTTP/2 or
// mime/multipart: 0.55 MB of its gzip size (docs/architecture.md, "The
// static site").
//
// The two files must export the same names: a name missing from one fails
// the native build or the js/wasm one (both are checked: go vet ./... and
// GOOS=js GOARCH=wasm go build ./...).
package httpx

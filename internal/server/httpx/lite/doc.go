// Package lite is the part of net/http that convscope's server uses,
// written again without the network: a request, its header, a response
// writer, the Go 1.22 pattern router (ServeMux), MaxBytesReader and the
// status codes, with net/http's names and behaviour.
//
// It exists for the static site's engine (cmd/convscope-wasm): the server
// is compiled to js/wasm and answers requests inside a Web Worker, where
// net/http (and the crypto/tls, HTTP/2 and socket code it links in) would
// only make the WebAssembly module larger, by about 0.9 MB gzip. The
// server's files import internal/server/httpx, which is net/http itself
// (type aliases) in every other build and this package under js/wasm.
//
// It has no build tags, so that its tests run natively and compare it with
// net/http: the router against http.ServeMux on every pattern the server
// registers (internal/server's routes test), canonical header keys,
// multipart bodies, MaxBytesReader and the status texts. Differences from
// net/http, where the server does not need more:
//   - patterns have no host part; conflicts between patterns are not
//     detected (the same routes are registered in net/http's ServeMux by
//     every native test, which panics on a conflict);
//   - ServeContent writes the content whole (no Range, no conditional
//     requests); DetectContentType knows the image formats only.
//
// Code adapted from net/http keeps its notice: Copyright 2009 The Go
// Authors, BSD-style license (https://go.dev/LICENSE).
package lite

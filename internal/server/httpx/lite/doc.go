// Package lite is the part of net/http that convscope's server uses,
// written again without the network: a request, its header, a response
// writer, the Go 1.22 pattern router (ServeMux), a multipart/form-data
// reader, MaxBytesReader and the status codes, with net/http's names and
// behaviour.
//
// It exists for the static site's engine (cmd/convscope-wasm): the server
// is compiled to js/wasm and answers requests inside a Web Worker, where
// net/http (and the crypto/tls, HTTP/2 and socket code it links in) would
// only make the WebAssembly module larger. The server's files import
// internal/server/httpx, which is net/http itself (type aliases) in every
// other build and this package under js/wasm. The multipart reader is
// mime/multipart's, but for the part headers, which mime/multipart reads
// with net/textproto (and so net); lite reads them itself, so that neither
// is linked, nor crypto/rand and math/big (mime/multipart's writer).
//
// It has no build tags, so that its tests run natively and compare it with
// net/http and mime/multipart: the router against http.ServeMux on every
// pattern the server registers (internal/server's
// TestRoutesMatchNetHTTP), the multipart reader against mime/multipart on
// thousands of generated bodies, well-formed and not (TestMultipartMatchesMime),
// canonical header keys, MaxBytesReader and the status texts. Differences
// from net/http, where the server does not need more:
//   - patterns have no host part; conflicts between patterns are not
//     detected (the same routes are registered in net/http's ServeMux by
//     every native test, which panics on a conflict);
//   - ServeContent writes the content whole (no Range, no conditional
//     requests); DetectContentType knows the image formats only;
//   - a part's Content-Transfer-Encoding is not decoded (browsers send
//     none), and its header is limited to 64 KiB (mime/multipart: 10 MB).
//
// Code adapted from net/http and mime/multipart keeps its notice:
// Copyright 2009 The Go Authors, BSD-style license (https://go.dev/LICENSE).
package lite

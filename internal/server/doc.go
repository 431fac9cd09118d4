// Package server is convscope's local web app: it serves the embedded UI
// (web/dist) and a JSON API over the models it was started with. The API is
// documented in docs/api.md; this package is its one implementation.
//
// # Conventions
//
//   - Models are loaded once at start-up (New); the embedded default model is
//     always first, with the id "default". Each model keeps a pool of
//     engine.Programs: a Program is not safe for concurrent use, so a request
//     takes one from the pool, runs it, encodes the values it needs and
//     returns it before writing the response.
//   - Every error is a JSON body {"error": "..."} with a 4xx or 5xx status,
//     including the router's own 404 and 405 answers.
//   - Request bodies are capped (Config.MaxBodyBytes, 32 MiB by default;
//     larger uploads get 413), and so are image pixels (Config.MaxPixels,
//     checked from the header). At most Config.MaxRuns runs are in progress;
//     a further run waits Config.RunWait, then gets 503 with Retry-After.
//     So a few huge uploads cannot exhaust memory (docs/security.md).
//   - Every response carries the security headers (CSP, nosniff, frame
//     denial, no referrer); a panic in a handler is recovered into a logged
//     500 {"error": "internal error"}.
//   - Activations and parameters travel in one compact binary form (see
//     docs/api.md, "Binary responses"): a little-endian uint32 header length,
//     a JSON header, zero padding to a multiple of 4 bytes, then float32
//     little-endian data at the byte offsets the header gives.
//   - Static files come only from the embedded UI (fs.Sub of web/dist): no
//     directory listings, no paths outside it.
package server

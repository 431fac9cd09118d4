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
//     larger uploads get 413). Image decoding is bounded by imageio's limits
//     and by a semaphore, so a few huge uploads cannot exhaust memory.
//   - Activations and parameters travel in one compact binary form (see
//     docs/api.md, "Binary responses"): a little-endian uint32 header length,
//     a JSON header, zero padding to a multiple of 4 bytes, then float32
//     little-endian data at the byte offsets the header gives.
//   - Static files come only from the embedded UI (fs.Sub of web/dist): no
//     directory listings, no paths outside it.
package server

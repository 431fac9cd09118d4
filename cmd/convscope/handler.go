//go:build !(js && wasm)

package main

import (
	"net/http"

	"github.com/convscope/convscope/internal/server"
)

// httpHandler is the server as the http.Handler of convscope serve: the
// server itself (its httpx types are net/http's).
func httpHandler(s *server.Server) http.Handler { return s }

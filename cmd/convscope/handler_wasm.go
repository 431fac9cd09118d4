//go:build js && wasm

package main

import (
	"net/http"
	"time"

	"github.com/convscope/convscope/internal/server"
	"github.com/convscope/convscope/internal/server/httpx"
)

// httpHandler is the server as the http.Handler of convscope serve. Under
// js/wasm the server's request and response types are not net/http's but
// internal/server/httpx/lite's (the static site's engine does without
// net/http), so the request is copied into one of those and the answer
// written through. Only the build of convscope for js/wasm uses this; the
// static site's engine is cmd/convscope-wasm.
func httpHandler(s *server.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lr := &httpx.Request{Method: r.Method, URL: r.URL, Header: httpx.Header(r.Header), Body: r.Body, ContentLength: r.ContentLength, Host: r.Host}
		defer func() {
			if v := recover(); v == httpx.ErrAbortHandler {
				panic(http.ErrAbortHandler)
			} else if v != nil {
				panic(v)
			}
		}()
		s.ServeHTTP(liteWriter{w}, lr.WithContext(r.Context()))
	})
}

// liteWriter is an http.ResponseWriter as an httpx.ResponseWriter.
type liteWriter struct{ w http.ResponseWriter }

func (l liteWriter) Header() httpx.Header        { return httpx.Header(l.w.Header()) }
func (l liteWriter) Write(b []byte) (int, error) { return l.w.Write(b) }
func (l liteWriter) WriteHeader(code int)        { l.w.WriteHeader(code) }
func (l liteWriter) FlushError() error           { return http.NewResponseController(l.w).Flush() }
func (l liteWriter) SetReadDeadline(t time.Time) error {
	return http.NewResponseController(l.w).SetReadDeadline(t)
}

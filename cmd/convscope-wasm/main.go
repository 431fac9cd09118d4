//go:build js && wasm

// Command convscope-wasm is convscope's engine for the static site
// (convscope export-site; docs/architecture.md "The static site"): the same
// server, answering the UI's API requests inside a Web Worker of the
// browser instead of over HTTP. It is built only for js/wasm
// (scripts/wasm.sh) and is embedded, gzipped, into the convscope binary.
//
// The worker (web/src/lib/engine.worker.js) loads it with Go's wasm_exec.js
// and calls convscopeServe({method, url, headers, body}), which answers a
// promise of {status, headers, body} — the bytes the server would send.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"syscall/js"
	"testing/fstest"
	"time"

	"github.com/convscope/convscope/internal/server"
	"github.com/convscope/convscope/internal/server/httpx"
	"github.com/convscope/convscope/internal/site"
)

func main() {
	site, err := readSite()
	var s *server.Server
	if err == nil {
		s, err = server.New(server.Config{
			Models: site,
			// One run at a time (the browser gives the module one thread);
			// a request waits for the one before it however long it takes.
			MaxRuns: 1,
			RunWait: 24 * time.Hour,
		})
	}
	if err != nil {
		js.Global().Call("convscopeFailed", err.Error())
		return
	}
	js.Global().Set("convscopeServe", js.FuncOf(func(_ js.Value, args []js.Value) any {
		req := args[0]
		return newPromise(func() any { return serve(s, req) })
	}))
	js.Global().Call("convscopeReady")
	select {}
}

// newPromise runs f in a goroutine (a js.FuncOf callback must not block)
// and resolves the returned promise with its result.
func newPromise(f func() any) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve := args[0]
		go func() { resolve.Invoke(f()) }()
		return nil
	})
	p := js.Global().Get("Promise").New(executor)
	executor.Release()
	return p
}

// serve answers one request {method, url, headers: [[name, value]...],
// body: Uint8Array | null} with {status, headers, body: Uint8Array}.
func serve(s *server.Server, req js.Value) any {
	method, target := req.Get("method").String(), req.Get("url").String()
	var body []byte
	if b := req.Get("body"); b.Truthy() {
		body = make([]byte, b.Get("length").Int())
		js.CopyBytesToGo(body, b)
	}
	w := &recorder{h: httpx.Header{}}
	r, err := httpx.NewRequest(method, "http://static.site"+target, bytes.NewReader(body))
	switch {
	case err != nil:
		w.error(httpx.StatusBadRequest, err.Error())
	case !s.IsAPIRoute(method, r.URL.Path):
		w.error(httpx.StatusNotImplemented, fmt.Sprintf("%s %s is not available in the static site: it needs convscope serve", method, r.URL.Path))
	default:
		hs := req.Get("headers")
		for i := 0; i < hs.Length(); i++ {
			r.Header.Add(hs.Index(i).Index(0).String(), hs.Index(i).Index(1).String())
		}
		r.ContentLength = int64(len(body))
		s.ServeHTTP(w, r)
	}
	if w.status == 0 {
		w.status = httpx.StatusOK
	}
	headers := js.Global().Get("Array").New()
	for k, vs := range w.h {
		for _, v := range vs {
			headers.Call("push", []any{k, v})
		}
	}
	out := js.Global().Get("Uint8Array").New(w.body.Len())
	js.CopyBytesToJS(out, w.body.Bytes())
	return map[string]any{"status": w.status, "headers": headers, "body": out}
}

// recorder is the httpx.ResponseWriter of one request: status, headers and
// body kept in memory.
type recorder struct {
	h      httpx.Header
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() httpx.Header { return w.h }

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(httpx.StatusOK)
	return w.body.Write(b)
}

func (w *recorder) error(status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.body.Write(b)
}

// readSite reads the site's models beyond the default one: the worker sets
// convscopeSite (site.json's text) and convscopeFiles ({path: Uint8Array},
// the models' files it fetched) before it starts the module.
func readSite() ([]server.ModelSpec, error) {
	text := js.Global().Get("convscopeSite")
	if !text.Truthy() {
		return nil, nil
	}
	var st site.Site
	if err := json.Unmarshal([]byte(text.String()), &st); err != nil {
		return nil, fmt.Errorf("%s: %w", site.File, err)
	}
	files := fstest.MapFS{}
	jf := js.Global().Get("convscopeFiles")
	for _, m := range st.Models {
		for _, f := range m.Files {
			v := jf.Get(f)
			if !v.Truthy() {
				return nil, fmt.Errorf("%s: the file %s was not loaded", site.File, f)
			}
			b := make([]byte, v.Get("length").Int())
			js.CopyBytesToGo(b, v)
			files[f] = &fstest.MapFile{Data: b}
		}
	}
	return st.Specs(files), nil
}

//go:build !(js && wasm)

package server

import (
	"bytes"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// wantSecurityHeaders checks the headers every response carries; csp is
// the Content-Security-Policy expected.
func wantSecurityHeaders(t *testing.T, what string, h http.Header, csp string) {
	t.Helper()
	for k, want := range map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": csp,
	} {
		if got := h.Values(k); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("%s: CSP %q does not deny framing", what, h.Get("Content-Security-Policy"))
	}
}

// TestPanicRecovery installs a panicking handler: the panic becomes a 500
// with {"error":"internal error"} (no panic value, no stack), is logged
// with its value, and the server keeps serving.
func TestPanicRecovery(t *testing.T) {
	var logb lockedBuffer
	s := newTestServer(t, Config{Log: log.New(&logb, "", 0)})
	s.mux.HandleFunc("GET /api/test-panic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Leak", "1")
		panic("boom: secret state")
	})
	s.mux.HandleFunc("GET /api/test-panic-late", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		panic("late boom")
	})

	w := do(t, s, "GET", "/api/test-panic", nil, "")
	wantError(t, w, 500, "internal error")
	if got := w.Body.String(); got != "{\"error\":\"internal error\"}\n" {
		t.Errorf("body %q", got)
	}
	if w.Header().Get("X-Leak") != "" {
		t.Error("headers set before the panic were sent")
	}
	wantSecurityHeaders(t, "panic", w.Header(), DefaultCSP)
	if l := logb.String(); !strings.Contains(l, "GET /api/test-panic: panic: boom: secret state") {
		t.Errorf("log %q does not record the panic", l)
	}

	// Once the response has started, the connection is aborted instead.
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("late panic: recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		do(t, s, "GET", "/api/test-panic-late", nil, "")
	}()

	// Over a real connection: the process survives and keeps answering.
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/api/test-panic")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, err := http.Get(ts.URL + "/api/test-panic-late"); err == nil {
		// The client may or may not see the partial response; either is fine.
		t.Log("late panic: response received")
	}
	resp, err = http.Get(ts.URL + "/api/models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after panics: status %d", resp.StatusCode)
	}
}

// TestSecurityHeaders checks the headers on every kind of answer: the UI,
// an asset, API JSON, binary runs and each error path.
func TestSecurityHeaders(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 1024})
	img := pngBytes(t, 8, 8)
	cases := []struct {
		name, method, url string
		body              []byte
		status            int
		csp               string
	}{
		{"index", "GET", "/", nil, 200, UICSP},
		{"index by name", "GET", "/index.html", nil, 200, UICSP},
		{"asset", "GET", "/assets/app-1234.js", nil, 200, DefaultCSP},
		{"api json", "GET", "/api/models", nil, 200, DefaultCSP},
		{"run", "POST", "/api/models/default/run", img, 200, DefaultCSP},
		{"404", "GET", "/nope", nil, 404, DefaultCSP},
		{"api 404", "GET", "/api/models/nope", nil, 404, DefaultCSP},
		{"405", "DELETE", "/api/models", nil, 405, DefaultCSP},
		{"413", "POST", "/api/models/default/run", make([]byte, 4096), 413, DefaultCSP},
		{"415", "POST", "/api/models/default/run", []byte("text"), 415, DefaultCSP},
	}
	for _, c := range cases {
		var body *bytes.Reader
		if c.body != nil {
			body = bytes.NewReader(c.body)
		}
		var w *httptest.ResponseRecorder
		if body != nil {
			w = do(t, s, c.method, c.url, body, "")
		} else {
			w = do(t, s, c.method, c.url, nil, "")
		}
		if w.Code != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, w.Code, c.status, w.Body)
		}
		wantSecurityHeaders(t, c.name, w.Header(), c.csp)
	}
	// The Host check's 403.
	hs := newTestServer(t, Config{CheckHost: true})
	w := do(t, hs, "GET", "/api/models", nil, "")
	wantError(t, w, 403, "not allowed")
	wantSecurityHeaders(t, "403", w.Header(), DefaultCSP)
	// The UI's CSP keeps scripts, connections and frames to the origin.
	for _, d := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(UICSP, d) {
			t.Errorf("UI CSP lacks %q", d)
		}
	}
	if strings.Contains(UICSP, "script-src") || strings.Contains(UICSP, "unsafe-eval") {
		t.Errorf("UI CSP loosens scripts: %q", UICSP)
	}
}

// TestRunLimit: with every run slot taken, a run request waits RunWait,
// then gets 503 with Retry-After; a slot freed while it waits lets it run.
func TestRunLimit(t *testing.T) {
	s := newTestServer(t, Config{MaxRuns: 1, RunWait: 100 * time.Millisecond})
	img := pngBytes(t, 8, 8)
	s.runSem <- struct{}{} // one run in progress
	t0 := time.Now()
	w := do(t, s, "POST", "/api/models/default/run", bytes.NewReader(img), "")
	wantError(t, w, 503, "busy")
	if w.Header().Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", w.Header().Get("Retry-After"))
	}
	if d := time.Since(t0); d < 100*time.Millisecond {
		t.Errorf("answered after %v, before RunWait", d)
	}
	// Other endpoints are not limited.
	if w := do(t, s, "GET", "/api/models", nil, ""); w.Code != 200 {
		t.Errorf("GET /api/models while busy: %d", w.Code)
	}
	// Examples go through the same limit.
	wantError(t, do(t, s, "GET", "/api/models/default/examples/"+s.models[0].examples[0].name+"/run", nil, ""), 503, "busy")

	s.cfg.RunWait = 5 * time.Second
	answer := make(chan *httptest.ResponseRecorder, 1)
	go func() { answer <- do(t, s, "POST", "/api/models/default/run", bytes.NewReader(img), "") }()
	// The slot is freed once the request waits for it.
	for deadline := time.Now().Add(5 * time.Second); s.runWaiting.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the run request never waited for a slot")
		}
	}
	<-s.runSem
	if w := <-answer; w.Code != 200 {
		t.Fatalf("after the slot was freed: %d %s", w.Code, w.Body)
	}
	if len(s.runSem) != 0 {
		t.Fatalf("%d run slots still taken", len(s.runSem))
	}

	// A negative RunWait refuses at once.
	s.cfg.RunWait = -1
	s.runSem <- struct{}{}
	t0 = time.Now()
	wantError(t, do(t, s, "POST", "/api/models/default/run", bytes.NewReader(img), ""), 503, "busy")
	if d := time.Since(t0); d > time.Second {
		t.Errorf("no-wait refusal took %v", d)
	}
	<-s.runSem
}

// TestConfigLimits: MaxPixels and MaxBodyBytes reach the image decoder.
func TestConfigLimits(t *testing.T) {
	s := newTestServer(t, Config{MaxPixels: 100})
	wantError(t, do(t, s, "POST", "/api/models/default/run", bytes.NewReader(pngBytes(t, 16, 16)), ""), 413, "16×16 = 256 pixels, more than the limit of 100")
	if w := do(t, s, "POST", "/api/models/default/run", bytes.NewReader(pngBytes(t, 10, 10)), ""); w.Code != 200 {
		t.Errorf("10×10 under a 100-pixel limit: %d %s", w.Code, w.Body)
	}
	d := newTestServer(t, Config{})
	if d.cfg.MaxBodyBytes != DefaultMaxBodyBytes || d.cfg.MaxPixels != DefaultMaxPixels || d.cfg.RunWait != DefaultRunWait || cap(d.runSem) < 1 {
		t.Errorf("defaults %+v, %d run slots", d.cfg, cap(d.runSem))
	}
}

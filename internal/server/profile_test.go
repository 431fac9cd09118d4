//go:build !(js && wasm)

package server

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type profileAnswer struct {
	Model, Mode, Source string
	Runs                int
	RandomWeights       bool    `json:"random_weights"`
	TotalMS             float64 `json:"total_ms"`
	Layers              []struct {
		Name   string
		MS     float64
		Share  float64
		MACs   int64
		GFLOPS float64
		Fused  bool
	}
}

func TestProfilePresetAndModel(t *testing.T) {
	s := newTestServer(t, Config{})
	// The static analysis of the same preset gives each layer's MACs.
	w := do(t, s, "GET", "/api/presets/tinyvgg", nil, "")
	var a struct {
		Layers []struct {
			Name string
			MACs int64
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	macs := map[string]int64{}
	for _, l := range a.Layers {
		macs[l.Name] = l.MACs
	}
	for _, c := range []struct {
		body, source string
		random       bool
	}{
		{`{"preset": "tinyvgg", "runs": 2}`, "preset:tinyvgg", true},
		{`{"model": "default", "runs": 1}`, "model:default", false},
	} {
		w := do(t, s, "POST", "/api/profile", strings.NewReader(c.body), "application/json")
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", c.body, w.Code, w.Body)
		}
		var p profileAnswer
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if p.Source != c.source || p.RandomWeights != c.random || p.Mode != "keep-all" || p.Runs < 1 || p.TotalMS <= 0 || len(p.Layers) == 0 {
			t.Errorf("%s: source %q random %v mode %q runs %d total %g layers %d", c.body, p.Source, p.RandomWeights, p.Mode, p.Runs, p.TotalMS, len(p.Layers))
		}
		var share float64
		for _, l := range p.Layers {
			share += l.Share
			if c.random && l.MACs != macs[l.Name] {
				t.Errorf("%s: %d MACs, the analysis says %d", l.Name, l.MACs, macs[l.Name])
			}
			if l.MS > 0 && math.Abs(l.GFLOPS-2*float64(l.MACs)/(l.MS*1e6)) > 1e-6*l.GFLOPS {
				t.Errorf("%s: %g GFLOP/s for %d MACs in %g ms", l.Name, l.GFLOPS, l.MACs, l.MS)
			}
		}
		if math.Abs(share-1) > 1e-6 {
			t.Errorf("%s: shares sum to %g", c.body, share)
		}
	}
}

func TestProfileBadRequests(t *testing.T) {
	s := newTestServer(t, Config{RunWait: -1})
	for _, c := range []struct {
		body     string
		status   int
		contains string
	}{
		{``, 400, "empty"},
		{`{`, 400, "bad profile request"},
		{`{"preset": "tinyvgg", "model": "default"}`, 400, "exactly one"},
		{`{"runs": 2}`, 400, "exactly one"},
		{`{"preset": "tinyvgg", "runs": 21}`, 400, "give 1 to 20"},
		{`{"preset": "tinyvgg", "runs": -1}`, 400, "give 1 to 20"},
		{`{"preset": "tinyvgg", "extra": 1}`, 400, "unknown field"},
		{`{"preset": "lenet"}`, 404, "unknown preset"},
		{`{"model": "nope"}`, 404, "no model"},
		{`{"preset": "` + strings.Repeat("x", 5000) + `"}`, 413, "larger than"},
	} {
		w := do(t, s, "POST", "/api/profile", strings.NewReader(c.body), "application/json")
		wantError(t, w, c.status, c.contains)
	}
	wantError(t, do(t, s, "GET", "/api/profile", nil, ""), http.StatusMethodNotAllowed, "POST")
	// One profile at a time: with the slot taken, a second one is busy.
	s.profileSem <- struct{}{}
	wantError(t, do(t, s, "POST", "/api/profile", strings.NewReader(`{"preset": "tinyvgg"}`), "application/json"), 503, "another profile")
	<-s.profileSem
	// A cross-site page cannot make the server profile.
	r := httptest.NewRequest("POST", "/api/profile", strings.NewReader(`{"preset": "tinyvgg"}`))
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	cw := httptest.NewRecorder()
	s.ServeHTTP(cw, r)
	wantError(t, cw, http.StatusForbidden, "cross-site")
}

// A preset whose weights do not fit the memory budget is refused before
// they are allocated.
func TestProfileMemory(t *testing.T) {
	s := newTestServer(t, Config{MaxMemory: 64 << 20})
	w := do(t, s, "POST", "/api/profile", strings.NewReader(`{"preset": "vgg16", "runs": 1}`), "application/json")
	wantError(t, w, http.StatusRequestEntityTooLarge, "the weights of preset vgg16")
}

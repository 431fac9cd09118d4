//go:build !(js && wasm)

package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/convscope/convscope/internal/testref"
)

var update = flag.Bool("update", false, "rewrite the web fixtures TestWebFixture compares (go test ./internal/server -run TestWebFixture -update)")

// TestWebFixture: web/src/lib/testdata/tinyvgg.json, which the web unit
// tests read as the server's description of the default model, is what the
// server answers to GET /api/models/default (compared as decoded JSON).
// With -update the test writes the server's answer into the file instead.
func TestWebFixture(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/api/models/"+DefaultID, nil, "")
	if w.Code != 200 {
		t.Fatalf("GET /api/models/%s: %d %s", DefaultID, w.Code, w.Body)
	}
	path := filepath.Join(testref.Root(t), "web", "src", "lib", "testdata", "tinyvgg.json")
	if *update {
		var out bytes.Buffer
		if err := json.Indent(&out, bytes.TrimSpace(w.Body.Bytes()), "", " "); err != nil {
			t.Fatal(err)
		}
		out.WriteByte('\n')
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(file, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s is not the server's answer to GET /api/models/%s; run go test ./internal/server -run TestWebFixture -update (and the web tests)\n%s", path, DefaultID, jsonDiff(got, want, "$"))
	}
}

// jsonDiff names the first places where two decoded JSON values differ.
func jsonDiff(got, want any, at string) string {
	switch g := got.(type) {
	case map[string]any:
		w, ok := want.(map[string]any)
		if !ok {
			break
		}
		var out string
		for k := range g {
			if _, ok := w[k]; !ok {
				out += at + "." + k + ": only in the server's answer\n"
			}
		}
		for k, wv := range w {
			if gv, ok := g[k]; !ok {
				out += at + "." + k + ": only in the file\n"
			} else {
				out += jsonDiff(gv, wv, at+"."+k)
			}
		}
		return out
	case []any:
		w, ok := want.([]any)
		if !ok || len(w) != len(g) {
			break
		}
		var out string
		for i := range g {
			out += jsonDiff(g[i], w[i], at+"["+strconv.Itoa(i)+"]")
		}
		return out
	}
	if reflect.DeepEqual(got, want) {
		return ""
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	return at + ": server " + string(gj) + ", file " + string(wj) + "\n"
}

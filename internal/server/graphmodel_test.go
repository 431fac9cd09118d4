//go:build !(js && wasm)

package server

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUploadGraphModel: a TF.js graph model (model.json + its shard) is
// accepted by upload (Explainer) and analysed (Scope), described with its layers (a constant operand's
// inputs are [], not null: the Explainer maps over them) and runs.
func TestUploadGraphModel(t *testing.T) {
	dir := filepath.Join("..", "format", "tfjs", "testdata", "graph", "classifier")
	files := map[string][]byte{}
	for _, n := range []string{"model.json", "weights.bin"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = b
	}
	s := newTestServer(t, Config{})
	body, ct := multipartFiles(t, files, "model.json", "weights.bin")
	m := added(t, do(t, s, "POST", "/api/models", body, ct)).Model
	if !m.Runnable || m.Format != "tfjs" || m.Classes != 4 || len(m.Input) != 3 || m.Input[0] != 3 || m.Input[1] != 24 {
		t.Fatalf("uploaded graph model %+v", m)
	}
	w := do(t, s, "GET", "/api/models/"+m.ID, nil, "")
	if w.Code != 200 {
		t.Fatalf("GET /api/models/%s: %d %s", m.ID, w.Code, w.Body)
	}
	desc := w.Body.String()
	if strings.Contains(desc, `"inputs":null`) || !strings.Contains(desc, `"name":"pre/Mul/y","type":"Const"`) {
		t.Errorf("the constant layers are not described with inputs []: %.600s", desc)
	}
	// The Scope's upload: the analysis of the same files.
	body, ct = multipartFiles(t, files, "model.json", "weights.bin")
	w = do(t, s, "POST", "/api/analyze?format=json", body, ct)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"params": 412`) || !strings.Contains(w.Body.String(), `"net/conv1"`) {
		t.Fatalf("POST /api/analyze: %d %.400s", w.Code, w.Body)
	}
	img, err := os.ReadFile(filepath.Join("..", "zoo", "defaultmodel", "examples", "05_sandal.png"))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := parseRun(t, do(t, s, "POST", "/api/models/"+m.ID+"/run", bytes.NewReader(img), "image/png"))
	var sum float64
	for _, p := range r.Probabilities {
		sum += float64(p)
	}
	if len(r.Probabilities) != 4 || math.Abs(sum-1) > 1e-5 {
		t.Fatalf("probabilities %v", r.Probabilities)
	}
}

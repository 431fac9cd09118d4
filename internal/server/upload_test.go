//go:build !(js && wasm)

package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// multipartFiles builds a multipart body with one "file" part per name.
func multipartFiles(t *testing.T, files map[string][]byte, order ...string) (*bytes.Buffer, string) {
	t.Helper()
	return multipartWith(t, files, nil, order...)
}

// refUpload reads the CNN Explainer TF.js model (model.json and its shard).
func refUpload(t *testing.T) (*bytes.Buffer, string) {
	dir := needRef(t)
	files := map[string][]byte{}
	for _, n := range []string{"model.json", "group1-shard1of1.bin"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = b
	}
	return multipartFiles(t, files, "model.json", "group1-shard1of1.bin")
}

type uploadAnswer struct {
	Model struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Format   string `json:"format"`
		Runnable bool   `json:"runnable"`
		Input    []int  `json:"input"`
		Classes  int    `json:"classes"`
		Examples []string
	} `json:"model"`
}

func upload(t *testing.T, s *Server) uploadAnswer {
	t.Helper()
	body, ct := refUpload(t)
	return added(t, do(t, s, "POST", "/api/models", body, ct))
}

// added checks the answer of POST /api/models that must have added a model.
func added(t *testing.T, w *httptest.ResponseRecorder) uploadAnswer {
	t.Helper()
	if w.Code != 201 {
		t.Fatalf("POST /api/models: status %d: %s", w.Code, w.Body)
	}
	var a uploadAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestUploadModelRuns: an uploaded TF.js model with weights is served and
// its run of a reference image gives the probabilities TF.js computed
// (expected.json of the reference data).
func TestUploadModelRuns(t *testing.T) {
	dir := needRef(t)
	s := newTestServer(t, Config{})
	a := upload(t, s)
	m := a.Model
	if m.ID == "" || m.ID == DefaultID || !m.Runnable || m.Format != "tfjs" || m.Classes != 10 || len(m.Input) != 3 || m.Input[1] != 64 {
		t.Fatalf("uploaded model %+v", m)
	}
	if len(m.Examples) == 0 {
		t.Errorf("an uploaded model offers no example images")
	}
	listed := false
	for _, id := range s.ModelIDs() {
		listed = listed || id == m.ID
	}
	if !listed {
		t.Fatalf("%s is not in %v", m.ID, s.ModelIDs())
	}
	var expected any
	eb, _ := os.ReadFile(filepath.Join(dir, "expected.json"))
	json.Unmarshal(eb, &expected)
	for _, img := range []string{"espresso_1.png", "koala_1.png"} {
		want := findProbs(expected, img)
		if want == nil {
			t.Fatalf("expected.json has no probabilities for %s", img)
		}
		b, err := os.ReadFile(filepath.Join(dir, "images", img))
		if err != nil {
			t.Fatal(err)
		}
		r, _ := parseRun(t, do(t, s, "POST", "/api/models/"+m.ID+"/run", bytes.NewReader(b), "image/png"))
		for i, p := range r.Probabilities {
			if math.Abs(float64(p)-want[i]) > 1e-5 {
				t.Fatalf("%s class %d: p = %g, TF.js %g", img, i, p, want[i])
			}
		}
	}
	// The page for the model bootstraps with its description.
	w := do(t, s, "GET", "/?model="+m.ID, nil, "")
	if !strings.Contains(w.Body.String(), `"id":"`+m.ID+`"`) {
		t.Errorf("index.html?model=%s does not carry the model", m.ID)
	}
}

// TestUploadModelLimit: the oldest upload is dropped past the limit and
// ids are never reused.
func TestUploadModelLimit(t *testing.T) {
	needRef(t)
	s := newTestServer(t, Config{MaxUploadedModels: 2})
	var ids []string
	for range 3 {
		ids = append(ids, upload(t, s).Model.ID)
	}
	if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
		t.Fatalf("ids %v are not distinct", ids)
	}
	wantError(t, do(t, s, "GET", "/api/models/"+ids[0], nil, ""), 404, "no model")
	for _, id := range ids[1:] {
		if w := do(t, s, "GET", "/api/models/"+id, nil, ""); w.Code != 200 {
			t.Errorf("%s: %d", id, w.Code)
		}
	}
	if got := s.ModelIDs(); len(got) != 3 || got[0] != DefaultID {
		t.Errorf("served %v, want the default model and the two newest uploads", got)
	}
	// A fourth upload does not bring the first id back.
	if id := upload(t, s).Model.ID; id == ids[0] {
		t.Errorf("dropped id %s reused", id)
	}
}

// TestUploadModelRefused: a model without weights and a server that takes
// no uploads answer with the reason.
func TestUploadModelRefused(t *testing.T) {
	s := newTestServer(t, Config{})
	proto := "name: \"tiny\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n" +
		"layer { name: \"c1\" type: \"Convolution\" bottom: \"data\" top: \"c1\" convolution_param { num_output: 2 kernel_size: 3 } }\n"
	wantError(t, do(t, s, "POST", "/api/models?name=tiny.prototxt", strings.NewReader(proto), "text/plain"), 422, "tiny.prototxt cannot be run on an image")
	wantError(t, do(t, s, "POST", "/api/models?name=x.bin", strings.NewReader("\x00\x01garbage"), ""), 400, "unrecognised model format")
	off := newTestServer(t, Config{MaxUploadedModels: -1})
	wantError(t, do(t, off, "POST", "/api/models?name=tiny.prototxt", strings.NewReader(proto), "text/plain"), 403, "does not accept uploaded models")
}

// TestAnalyzeErrorPosition: a 422 about an uploaded prototxt says where in
// the text the problem is.
func TestAnalyzeErrorPosition(t *testing.T) {
	s := newTestServer(t, Config{})
	head := "name: \"x\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n"
	for _, c := range []struct {
		name, text   string
		contains     string
		line, column int
	}{
		{"layer error", head + "layer {\n  name: \"c1\"\n  type: \"Convolution\"\n  bottom: \"data\"\n  top: \"c1\"\n}\n", `convolution_param is missing`, 5, 3},
		{"missing bottom", head + "layer { name: \"r\" type: \"ReLU\" bottom: \"nope\" top: \"r\" }\n", `bottom "nope"`, 4, 9},
		{"window too big", head + "layer {\n name: \"c2\"\n type: \"Convolution\"\n bottom: \"data\"\n top: \"c2\"\n convolution_param { num_output: 2 kernel_size: 30 } }\n", `c2`, 5, 2},
		{"syntax", head + "layer {\n  name: \"a\"\n  type: \"ReLU\" = \n  bottom: \"data\" top: \"a\"\n}\n", "syntax error", 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := do(t, s, "POST", "/api/analyze?name=net.prototxt", strings.NewReader(c.text), "text/plain")
			wantError(t, w, 422, c.contains)
			var e struct {
				Error        string
				Line, Column int
			}
			json.Unmarshal(w.Body.Bytes(), &e)
			if c.line == 0 {
				// A syntax error: the position prototext reports, inside the text.
				lines := strings.Count(c.text, "\n") + 1
				if e.Line < 1 || e.Line > lines || !strings.Contains(e.Error, "line "+strconv.Itoa(e.Line)+":") {
					t.Fatalf("syntax error placed at line %d (text has %d lines): %s", e.Line, lines, e.Error)
				}
				return
			}
			if e.Line != c.line || e.Column != c.column {
				t.Fatalf("placed at %d:%d, want %d:%d (%s)", e.Line, e.Column, c.line, c.column, e.Error)
			}
		})
	}
}

// TestAnalysisFormats: ?format=csv|markdown|json answer the CLI's text
// forms; the CSV's rows add up to the JSON totals.
func TestAnalysisFormats(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/api/presets/resnet18", nil, "")
	a, _ := decodeScope(t, w.Body.Bytes())
	w = do(t, s, "GET", "/api/presets/resnet18?format=csv", nil, "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename=resnet18-analysis.csv`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(a.Layers)+1 || rows[0][5] != "params" || rows[0][6] != "macs" {
		t.Fatalf("%d CSV rows for %d layers; header %v", len(rows), len(a.Layers), rows[0])
	}
	var params, macs int64
	for i, r := range rows[1:] {
		if r[0] != a.Layers[i].Name {
			t.Fatalf("row %d is %s, layer %s", i, r[0], a.Layers[i].Name)
		}
		p, _ := strconv.ParseInt(r[5], 10, 64)
		m, _ := strconv.ParseInt(r[6], 10, 64)
		params += p
		macs += m
	}
	if params != a.Params || macs != a.MACs {
		t.Fatalf("CSV sums %d params %d MACs, totals %d %d", params, macs, a.Params, a.MACs)
	}
	w = do(t, s, "GET", "/api/presets/resnet18?format=markdown", nil, "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/markdown") || !strings.Contains(w.Body.String(), "| Layer (type) |") {
		t.Fatalf("markdown: %d %q %.200s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	w = do(t, s, "GET", "/api/presets/resnet18?format=json", nil, "")
	if strings.Contains(w.Body.String(), `"graph"`) {
		t.Errorf("?format=json carries the graph; it should be the CLI's object")
	}
	wantError(t, do(t, s, "GET", "/api/presets/resnet18?format=xml", nil, ""), 400, "unknown format")
	proto := "name: \"n\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 1 dim: 4 dim: 4 }\nlayer { name: \"fc\" type: \"InnerProduct\" bottom: \"data\" top: \"fc\" inner_product_param { num_output: 3 } }\n"
	w = do(t, s, "POST", "/api/analyze?name=n.prototxt&format=csv", strings.NewReader(proto), "text/plain")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "fc,InnerProduct,Dense,data,3x1x1,51,48,") {
		t.Fatalf("analyze csv: %d %s", w.Code, w.Body)
	}
}

// TestUploadConcurrent: uploads while other requests list and read models
// (scripts/test.sh runs this package with -race).
func TestUploadConcurrent(t *testing.T) {
	needRef(t)
	s := newTestServer(t, Config{MaxUploadedModels: 3})
	done := make(chan bool)
	// The bodies are made here: refUpload may end the test, which only the
	// test's own goroutine may do.
	type upload struct {
		body *bytes.Buffer
		ct   string
	}
	var uploads []upload
	for range 4 {
		body, ct := refUpload(t)
		uploads = append(uploads, upload{body, ct})
	}
	for _, u := range uploads {
		go func() {
			defer func() { done <- true }()
			w := do(t, s, "POST", "/api/models", u.body, u.ct)
			if w.Code != 201 {
				t.Errorf("upload: %d %s", w.Code, w.Body)
			}
		}()
		go func() {
			defer func() { done <- true }()
			for range 20 {
				if w := do(t, s, "GET", "/api/models", nil, ""); w.Code != 200 {
					t.Errorf("list: %d", w.Code)
				}
				do(t, s, "GET", "/", nil, "")
			}
		}()
	}
	for range 8 {
		<-done
	}
	if n := len(s.ModelIDs()); n != 4 {
		t.Errorf("%d models served, want the default and 3 uploads", n)
	}
}

// TestUploadModelActivationLimit: a model whose forward pass needs more
// activation memory than an upload may use is refused before compiling.
// The reference Tiny VGG needs 4·(12,288 + 2·38,440 + 2·36,000 + 9,000 +
// 2·7,840 + 2·6,760 + 1,690 + 1,690 + 10 + 10) = 4·204,588 bytes; its
// flatten is channels-last, so it is a value of its own.
func TestUploadModelActivationLimit(t *testing.T) {
	needRef(t)
	const need = 12288 + 2*38440 + 2*36000 + 9000 + 2*7840 + 2*6760 + 1690 + 1690 + 10 + 10
	body, ct := refUpload(t)
	wantError(t, do(t, newTestServer(t, Config{MaxUploadActivations: need - 1}), "POST", "/api/models", body, ct), 422, "activations need")
	body, ct = refUpload(t)
	if w := do(t, newTestServer(t, Config{MaxUploadActivations: need}), "POST", "/api/models", body, ct); w.Code != 201 {
		t.Fatalf("at exactly its need (%d elements): %d %s", need, w.Code, w.Body)
	}
}

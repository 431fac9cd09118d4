//go:build !(js && wasm)

package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/testref"
)

var refLabels = []string{"lifeboat", "ladybug", "pizza", "bell pepper", "school bus", "koala", "espresso", "red panda", "orange", "sport car"}

var testUI = fstest.MapFS{
	"index.html":         {Data: []byte("<!doctype html><head><title>convscope</title></head><body></body>")},
	"assets/app-1234.js": {Data: []byte("console.log(1)")},
}

func newTestServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.UI == nil {
		cfg.UI = testUI
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// needRef returns the CNN Explainer reference model's folder, or skips
// (fails under CI=true; testref.Dir).
func needRef(t *testing.T) string {
	t.Helper()
	return testref.Dir(t, "cnn-explainer")
}

func do(t *testing.T, h http.Handler, method, url string, body io.Reader, ctype string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, url, body)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// wantError checks a JSON error answer.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, contains string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error Content-Type %q, want JSON; body %s", ct, w.Body)
	}
	var e struct{ Error string }
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" {
		t.Fatalf("error body %q is not {\"error\": ...}: %v", w.Body, err)
	}
	if !strings.Contains(e.Error, contains) {
		t.Fatalf("error %q does not mention %q", e.Error, contains)
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), 200, uint8(y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decoded is a parsed binary response.
type decoded struct {
	header map[string]any
	raw    json.RawMessage
	data   []byte
}

func decodeBinary(t *testing.T, b []byte) decoded {
	t.Helper()
	if len(b) < 4 {
		t.Fatalf("binary response of %d bytes", len(b))
	}
	n := int(binary.LittleEndian.Uint32(b))
	if 4+n > len(b) {
		t.Fatalf("header length %d beyond %d bytes", n, len(b))
	}
	d := decoded{raw: b[4 : 4+n]}
	if err := json.Unmarshal(d.raw, &d.header); err != nil {
		t.Fatal(err)
	}
	start := (4 + n + 3) &^ 3
	for _, c := range b[4+n : start] {
		if c != 0 {
			t.Fatal("padding is not zero")
		}
	}
	d.data = b[start:]
	return d
}

func (d decoded) floats(off, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.data[off+4*i:]))
	}
	return out
}

type runResult struct {
	Probabilities []float32
	Logits        []float32
	Predicted     int
	Class         string
	Source        string
	Values        []struct {
		Name, Node, Op string
		Shape          []int
		Channels       int
		Offset, Length int
		Min, Max       float32
	}
}

func parseRun(t *testing.T, w *httptest.ResponseRecorder) (runResult, decoded) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("run: status %d: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != BinaryContentType {
		t.Fatalf("run Content-Type %q", ct)
	}
	d := decodeBinary(t, w.Body.Bytes())
	var r runResult
	if err := json.Unmarshal(d.raw, &r); err != nil {
		t.Fatal(err)
	}
	return r, d
}

func TestModelsList(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/api/models", nil, "")
	if w.Code != 200 {
		t.Fatal(w.Code, w.Body)
	}
	var list struct {
		Models []modelSummary
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Models) != 1 || list.Models[0].ID != DefaultID || !list.Models[0].Default || !list.Models[0].Runnable {
		t.Fatalf("models: %+v", list.Models)
	}
	if got := list.Models[0].Input; len(got) != 3 || got[0] != 3 || got[1] != 64 {
		t.Fatalf("input %v", got)
	}
}

func TestModelDetail(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/api/models/default", nil, "")
	if w.Code != 200 {
		t.Fatal(w.Code, w.Body)
	}
	var d struct {
		Labels []string
		Logits string
		Probs  string `json:"probabilities"`
		Layers []layerInfo
		Inputs []valueInfo
		MACs   int64
	}
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	// The summary's MACs are the layers' MACs summed; the first conv's by
	// hand: 10 maps of 62×62, each a 3×3×3 window.
	var sum int64
	for _, l := range d.Layers {
		sum += l.Cost.MACs
	}
	if d.MACs != sum || len(d.Layers) == 0 || d.Layers[0].Cost.MACs != 10*62*62*3*3*3 {
		t.Errorf("macs %d, layers sum %d, conv_1_1 %+v", d.MACs, sum, d.Layers[0].Cost)
	}
	if len(d.Labels) != 10 || d.Logits != "output" || d.Probs != "output_softmax" {
		t.Fatalf("labels %v logits %q probs %q", d.Labels, d.Logits, d.Probs)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].Name != "input" {
		t.Fatalf("inputs %+v", d.Inputs)
	}
	if len(d.Layers) != 13 || d.Layers[0].Name != "conv_1_1" || d.Layers[0].Op != "Conv" {
		t.Fatalf("layers %+v", d.Layers)
	}
	c := d.Layers[0]
	if got := c.Shape; len(got) != 3 || got[0] != 10 || got[1] != 62 || got[2] != 62 {
		t.Fatalf("conv_1_1 shape %v", got)
	}
	if c.ParamCount != 280 || len(c.Params) != 2 || c.Cost.MACs == 0 {
		t.Fatalf("conv_1_1 params %+v count %d cost %+v", c.Params, c.ParamCount, c.Cost)
	}
	if c.Attrs["out_channels"] != float64(10) || c.Attrs["pads"] == nil {
		t.Fatalf("conv attrs %v", c.Attrs)
	}
	// Traits travel with each layer: the conv opens the conv view, the
	// ReLU after it is an element-wise activation keeping its range.
	if c.Traits != (graph.Traits{Family: "conv", Explain: "conv", KeepsBatch: true}) {
		t.Errorf("conv_1_1 traits %+v", c.Traits)
	}
	if r := d.Layers[1]; r.Op != "Relu" || !r.Traits.Elementwise || !r.Traits.KeepsRange || r.Traits.Family != "act" || r.Traits.Explain != "relu" {
		t.Errorf("layer %s (%s) traits %+v", r.Name, r.Op, r.Traits)
	}
	wantError(t, do(t, s, "GET", "/api/models/nope", nil, ""), 404, "no model")
}

func TestRunUpload(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, tc := range []struct {
		name string
		body []byte
	}{{"png", pngBytes(t, 100, 80)}, {"jpeg", jpegBytes(t, 64, 64)}, {"tiny", pngBytes(t, 3, 5)}} {
		t.Run(tc.name, func(t *testing.T) {
			r, d := parseRun(t, do(t, s, "POST", "/api/models/default/run", bytes.NewReader(tc.body), "image/png"))
			if len(r.Probabilities) != 10 || len(r.Logits) != 10 || r.Predicted < 0 || r.Class == "" || r.Source != "upload" {
				t.Fatalf("run: %+v", r)
			}
			var sum float64
			for _, p := range r.Probabilities {
				sum += float64(p)
			}
			if math.Abs(sum-1) > 1e-4 {
				t.Fatalf("probabilities sum to %v", sum)
			}
			if r.Values[0].Name != "input" || r.Values[0].Op != "Input" || r.Values[0].Length != 3*64*64 {
				t.Fatalf("first value %+v", r.Values[0])
			}
			names := map[string]bool{}
			for _, v := range r.Values {
				names[v.Name] = true
				if v.Offset%4 != 0 || v.Offset+4*v.Length > len(d.data) {
					t.Fatalf("value %s at %d+%d outside %d bytes", v.Name, v.Offset, v.Length, len(d.data))
				}
				x := d.floats(v.Offset, v.Length)
				lo, hi := minMax(x)
				if lo != v.Min || hi != v.Max {
					t.Fatalf("%s: min/max %v %v, header says %v %v", v.Name, lo, hi, v.Min, v.Max)
				}
			}
			for _, n := range []string{"conv_1_1", "relu_1_1", "max_pool_2", "output", "output_softmax"} {
				if !names[n] {
					t.Fatalf("value %s missing", n)
				}
			}
			in := d.floats(r.Values[0].Offset, r.Values[0].Length)
			for _, v := range in {
				if v < 0 || v > 1 {
					t.Fatalf("input value %v outside [0,1]", v)
				}
			}
		})
	}
}

func TestRunMultipartAndOptions(t *testing.T) {
	s := newTestServer(t, Config{})
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("note", "ignored")
	fw, _ := mw.CreateFormFile("image", "x.png")
	fw.Write(pngBytes(t, 64, 64))
	mw.Close()
	r, _ := parseRun(t, do(t, s, "POST", "/api/models/default/run?max_channels=4", &b, mw.FormDataContentType()))
	for _, v := range r.Values {
		if len(v.Shape) == 3 && v.Shape[0] == 10 {
			if v.Channels != 4 || v.Length != 4*v.Shape[1]*v.Shape[2] {
				t.Fatalf("max_channels=4: %s has %d channels, %d values", v.Name, v.Channels, v.Length)
			}
		}
	}
	// Multipart without the image field.
	b.Reset()
	mw = multipart.NewWriter(&b)
	fw, _ = mw.CreateFormFile("file", "x.png")
	fw.Write(pngBytes(t, 8, 8))
	mw.Close()
	wantError(t, do(t, s, "POST", "/api/models/default/run", &b, mw.FormDataContentType()), 400, `"image"`)
	wantError(t, do(t, s, "POST", "/api/models/default/run", strings.NewReader("x"), "multipart/form-data"), 400, "boundary")
	wantError(t, do(t, s, "POST", "/api/models/default/run?max_channels=-1", bytes.NewReader(pngBytes(t, 8, 8)), ""), 400, "max_channels")
}

func TestRunBadInputs(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 4096})
	wantError(t, do(t, s, "POST", "/api/models/default/run", nil, ""), 400, "no image")
	wantError(t, do(t, s, "POST", "/api/models/default/run", strings.NewReader("hello, not an image"), ""), 415, "image format")
	corrupt := pngBytes(t, 32, 32)[:60]
	wantError(t, do(t, s, "POST", "/api/models/default/run", bytes.NewReader(corrupt), ""), 400, "decode")
	big := bytes.Repeat([]byte{0}, 8192)
	wantError(t, do(t, s, "POST", "/api/models/default/run", bytes.NewReader(big), ""), 413, "limit")
	wantError(t, do(t, s, "POST", "/api/models/nope/run", bytes.NewReader(pngBytes(t, 8, 8)), ""), 404, "no model")
	wantError(t, do(t, s, "POST", "/api/models/default/run?example=nope.png", nil, ""), 404, "no example")
	wantError(t, do(t, s, "GET", "/api/models/default/run", nil, ""), 405, "not allowed")
	wantError(t, do(t, s, "DELETE", "/api/models", nil, ""), 405, "DELETE")
}

func TestConcurrentRuns(t *testing.T) {
	s := newTestServer(t, Config{})
	img := pngBytes(t, 64, 64)
	want, _ := parseRun(t, do(t, s, "POST", "/api/models/default/run", bytes.NewReader(img), ""))
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest("POST", "/api/models/default/run", bytes.NewReader(img)))
			var r runResult
			d := w.Body.Bytes()
			n := int(binary.LittleEndian.Uint32(d))
			json.Unmarshal(d[4:4+n], &r)
			for i := range r.Logits {
				if r.Logits[i] != want.Logits[i] {
					errs <- "concurrent runs disagree"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestParams(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/api/models/default/params/conv_1_1", nil, "")
	if w.Code != 200 || w.Header().Get("Content-Type") != BinaryContentType {
		t.Fatal(w.Code, w.Body)
	}
	d := decodeBinary(t, w.Body.Bytes())
	var h struct {
		Layer  string
		Params []struct {
			Name   string
			Shape  []int
			Offset *int
			Length int
		}
	}
	json.Unmarshal(d.raw, &h)
	if h.Layer != "conv_1_1" || len(h.Params) != 2 || h.Params[1].Name != "weight" || h.Params[1].Length != 270 || h.Params[0].Offset == nil {
		t.Fatalf("params header %+v", h)
	}
	g, _ := s.byID[DefaultID].g.Node("conv_1_1"), 0
	got := d.floats(*h.Params[1].Offset, 270)
	for i, v := range g.Params["weight"].Data {
		if got[i] != v {
			t.Fatalf("weight %d: %v, want %v", i, got[i], v)
		}
	}
	w = do(t, s, "GET", "/api/models/default/params/output?format=json", nil, "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"data":[`) {
		t.Fatal(w.Code, w.Body.String()[:200])
	}
	w = do(t, s, "GET", "/api/models/default/params/relu_1_1", nil, "")
	if w.Code != 200 {
		t.Fatal(w.Code)
	}
	wantError(t, do(t, s, "GET", "/api/models/default/params/nope", nil, ""), 404, "no layer")
	wantError(t, do(t, s, "GET", "/api/models/nope/params/conv_1_1", nil, ""), 404, "no model")
}

func TestStaticUI(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/", nil, "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<title>convscope") || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatal(w.Code, w.Header(), w.Body)
	}
	if w.Header().Get("Content-Security-Policy") == "" {
		t.Fatal("no CSP on index.html")
	}
	// index.html carries the bootstrap data (models list and the model).
	if !strings.Contains(w.Body.String(), `<script type="application/json" id="convscope-bootstrap">{"model":{"id":"default"`) {
		t.Fatalf("no bootstrap data: %s", w.Body)
	}
	w = do(t, s, "GET", "/assets/app-1234.js", nil, "")
	if w.Code != 200 || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Fatal(w.Code, w.Header())
	}
	for _, p := range []string{"/assets/", "/assets", "/nope.js", "/go.mod", "/%2e%2e/go.mod", "/index.html/x"} {
		wantError(t, do(t, s, "GET", p, nil, ""), 404, "not found")
	}
	wantError(t, do(t, s, "GET", "/api/nope", nil, ""), 404, "no API endpoint")
	// Dot segments are cleaned by a redirect that stays inside the site.
	w = do(t, s, "GET", "/../../go.mod", nil, "")
	if w.Code != http.StatusTemporaryRedirect || w.Header().Get("Location") != "/go.mod" {
		t.Fatal(w.Code, w.Header())
	}
	wantError(t, do(t, s, "POST", "/", nil, ""), 405, "POST")
}

func TestHostCheck(t *testing.T) {
	s := newTestServer(t, Config{CheckHost: true})
	wantError(t, do(t, s, "GET", "/api/models", nil, ""), 403, "not allowed") // httptest's Host is example.com
	for _, host := range []string{"localhost:8080", "127.0.0.1:1234", "[::1]:80", "localhost"} {
		r := httptest.NewRequest("GET", "/api/models", nil)
		r.Host = host
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("host %s: %d", host, w.Code)
		}
	}
}

func TestReferenceModel(t *testing.T) {
	dir := needRef(t)
	labels := filepath.Join(t.TempDir(), "classes.txt")
	os.WriteFile(labels, []byte(strings.Join(refLabels, "\n")+"\n"), 0o644)
	exdir := t.TempDir()
	for _, n := range []string{"espresso_1.png", "bug_1.jpeg"} {
		b, err := os.ReadFile(filepath.Join(dir, "images", n))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(exdir, n), b, 0o644)
	}
	s := newTestServer(t, Config{Models: []ModelSpec{
		{Path: filepath.Join(dir, "model.json"), Labels: labels, Examples: exdir},
		{Path: filepath.Join(dir, "model.json")},
	}})
	if ids := s.ModelIDs(); len(ids) != 3 || ids[0] != DefaultID || ids[1] != "cnn-explainer" || ids[2] != "cnn-explainer-2" {
		t.Fatalf("ids %v", ids)
	}
	// Labels and examples.
	w := do(t, s, "GET", "/api/models/cnn-explainer", nil, "")
	var d struct {
		Labels       []string
		LabelsSource string `json:"labels_source"`
		Examples     []string
	}
	json.Unmarshal(w.Body.Bytes(), &d)
	if strings.Join(d.Labels, ",") != strings.Join(refLabels, ",") || d.LabelsSource != "--labels" || len(d.Examples) != 2 {
		t.Fatalf("detail %+v", d)
	}
	w = do(t, s, "GET", "/api/models/cnn-explainer-2", nil, "")
	json.Unmarshal(w.Body.Bytes(), &d)
	if d.Labels[0] != "class 0" || d.Labels[9] != "class 9" || d.LabelsSource != "none" {
		t.Fatalf("fallback labels %+v", d)
	}
	// The uploaded espresso and the example ladybug are classified as the
	// original does.
	png, _ := os.ReadFile(filepath.Join(dir, "images", "espresso_1.png"))
	r, _ := parseRun(t, do(t, s, "POST", "/api/models/cnn-explainer/run", bytes.NewReader(png), "image/png"))
	if r.Class != "espresso" {
		t.Fatalf("espresso_1.png classified as %q (%v)", r.Class, r.Probabilities)
	}
	r, _ = parseRun(t, do(t, s, "POST", "/api/models/cnn-explainer/run?example=bug_1.jpeg", nil, ""))
	if r.Class != "ladybug" || r.Source != "example:bug_1.jpeg" {
		t.Fatalf("bug_1.jpeg: %q from %q", r.Class, r.Source)
	}
	// Compare with TF.js' probabilities for espresso_1.png.
	var exp map[string]any
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err == nil && json.Unmarshal(raw, &exp) == nil {
		if probs := findProbs(exp, "espresso_1.png"); probs != nil {
			r, _ = parseRun(t, do(t, s, "POST", "/api/models/cnn-explainer/run", bytes.NewReader(png), ""))
			for i, p := range probs {
				if math.Abs(p-float64(r.Probabilities[i])) > 1e-4 {
					t.Fatalf("probability %d: %v, TF.js %v", i, r.Probabilities[i], p)
				}
			}
		}
	}
	// GET …/examples/{name}/run is the same run.
	r2, _ := parseRun(t, do(t, s, "GET", "/api/models/cnn-explainer/examples/bug_1.jpeg/run?max_channels=3", nil, ""))
	if r2.Class != "ladybug" || r2.Source != "example:bug_1.jpeg" || r2.Values[1].Channels != 3 {
		t.Fatalf("GET example run: %q from %q", r2.Class, r2.Source)
	}
	wantError(t, do(t, s, "GET", "/api/models/cnn-explainer/examples/nope.png/run", nil, ""), 404, "no example")
	// The page preloads the first run of the model it opens with.
	s.cfg.UI = fstest.MapFS{"index.html": {Data: []byte("<html><head></head></html>")}}
	w = do(t, s, "GET", "/?model=cnn-explainer&example=espresso_1.png", nil, "")
	if !strings.Contains(w.Body.String(), `<link rel="preload" as="fetch" crossorigin="anonymous" href="/api/models/cnn-explainer/examples/espresso_1.png/run?max_channels=16">`) {
		t.Fatalf("no preload: %s", w.Body)
	}
	// Example files are served.
	w = do(t, s, "GET", "/api/models/cnn-explainer/examples/bug_1.jpeg", nil, "")
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/jpeg" {
		t.Fatal(w.Code, w.Header())
	}
	w = do(t, s, "GET", "/api/models/cnn-explainer/examples", nil, "")
	if !strings.Contains(w.Body.String(), `"/api/models/cnn-explainer/examples/bug_1.jpeg"`) {
		t.Fatal(w.Body)
	}
	wantError(t, do(t, s, "GET", "/api/models/cnn-explainer/examples/nope.png", nil, ""), 404, "no example")
}

// findProbs digs the probabilities of one image out of expected.json,
// whatever its exact nesting.
func findProbs(v any, image string) []float64 {
	switch x := v.(type) {
	case map[string]any:
		if sub, ok := x[image]; ok {
			if m, ok := sub.(map[string]any); ok {
				if p, ok := m["probabilities"].([]any); ok {
					out := make([]float64, len(p))
					for i := range p {
						out[i], _ = p[i].(float64)
					}
					return out
				}
			}
		}
		for _, c := range x {
			if p := findProbs(c, image); p != nil {
				return p
			}
		}
	case []any:
		for _, c := range x {
			if m, ok := c.(map[string]any); ok && (m["image"] == image || m["file"] == image || m["name"] == image) {
				if p, ok := m["probabilities"].([]any); ok {
					out := make([]float64, len(p))
					for i := range p {
						out[i], _ = p[i].(float64)
					}
					return out
				}
			}
			if p := findProbs(c, image); p != nil {
				return p
			}
		}
	}
	return nil
}

func TestLoadErrors(t *testing.T) {
	dir := needRef(t)
	bad := filepath.Join(t.TempDir(), "labels.txt")
	os.WriteFile(bad, []byte("a\nb\n"), 0o644)
	if _, err := New(Config{UI: testUI, Models: []ModelSpec{{Path: filepath.Join(dir, "model.json"), Labels: bad}}}); err == nil || !strings.Contains(err.Error(), "class names") {
		t.Fatalf("mismatched labels: %v", err)
	}
	if _, err := New(Config{UI: testUI, Models: []ModelSpec{{Path: "/nonexistent/model.json"}}}); err == nil {
		t.Fatal("missing model file accepted")
	}
}

func TestSlugAndNames(t *testing.T) {
	for in, want := range map[string]string{"cnn-explainer": "cnn-explainer", "My Net!": "my-net", "...": "model", "ResNet_50.v2": "resnet_50.v2"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"/a/cnn-explainer/model.json": "cnn-explainer", "/x/alexnet.prototxt": "alexnet", "deploy.prototxt": "deploy"} {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPresetModel(t *testing.T) {
	s := newTestServer(t, Config{Models: []ModelSpec{{Path: "preset:tinyvgg"}}})
	if ids := s.ModelIDs(); len(ids) != 2 || ids[1] != "tinyvgg" {
		t.Fatalf("ids %v", ids)
	}
	r, _ := parseRun(t, do(t, s, "POST", "/api/models/tinyvgg/run", bytes.NewReader(pngBytes(t, 64, 64)), ""))
	if len(r.Probabilities) == 0 || r.Class == "" {
		t.Fatalf("preset run: %+v", r)
	}
	if _, err := New(Config{UI: testUI, Models: []ModelSpec{{Path: "preset:nope"}}}); err == nil || !strings.Contains(err.Error(), "unknown preset") {
		t.Fatalf("unknown preset: %v", err)
	}
}

// TestRunExpand: expand=NAME sends that value with all its channels while
// max_channels cuts the others; the expanded data equals the full run's.
func TestRunExpand(t *testing.T) {
	s := newTestServer(t, Config{})
	img := pngBytes(t, 64, 64)
	full, fd := parseRun(t, do(t, s, "POST", "/api/models/default/run", bytes.NewReader(img), "image/png"))
	cut, cd := parseRun(t, do(t, s, "POST", "/api/models/default/run?max_channels=2&expand=conv_1_2&expand=max_pool_2", bytes.NewReader(img), "image/png"))
	if len(full.Values) != len(cut.Values) {
		t.Fatalf("%d values vs %d", len(full.Values), len(cut.Values))
	}
	for i, v := range cut.Values {
		f := full.Values[i]
		if len(v.Shape) != 3 {
			continue
		}
		want := min(2, v.Shape[0])
		if v.Name == "conv_1_2" || v.Name == "max_pool_2" {
			want = v.Shape[0]
			if !slices.Equal(cd.floats(v.Offset, v.Length), fd.floats(f.Offset, f.Length)) {
				t.Errorf("expanded %s differs from the full run", v.Name)
			}
		}
		if v.Channels != want {
			t.Errorf("%s: %d channels, want %d", v.Name, v.Channels, want)
		}
	}
	var many strings.Builder
	for i := range maxExpand + 1 {
		fmt.Fprintf(&many, "&expand=v%d", i)
	}
	wantError(t, do(t, s, "POST", "/api/models/default/run?max_channels=2"+many.String(), bytes.NewReader(img), "image/png"), 400, "expand=")
}

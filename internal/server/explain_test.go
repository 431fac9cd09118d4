//go:build !(js && wasm)

package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/attrib"
)

type explainResult struct {
	Model, Source, Method, Label, Layer, Logits string
	Class, Predicted, Steps, Patch, Stride      int
	Shape                                       [2]int
	Map                                         []float32
	Min, Max, Probability                       float32
}

func parseExplainResult(t *testing.T, w interface {
	Result() *http.Response
}, body []byte) explainResult {
	t.Helper()
	var r explainResult
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("explain answer %q: %v", body, err)
	}
	return r
}

// TestExplainMatchesAttrib: the API's map is attrib's on the input the run
// API reports for the same image (the server's decoding and preprocessing),
// the default class is the run's prediction, and each method answers with
// its resolution and parameters.
func TestExplainMatchesAttrib(t *testing.T) {
	s := newTestServer(t, Config{})
	img := pngBytes(t, 80, 70)
	run, d := parseRun(t, do(t, s, "POST", "/api/models/default/run", bytes.NewReader(img), ""))
	x := d.floats(run.Values[0].Offset, run.Values[0].Length)
	g := s.lookup("default").g
	for _, c := range []struct {
		query         string
		opt           attrib.Options
		h, w          int
		layer         string
		steps, stride int
	}{
		{"method=saliency", attrib.Options{Method: attrib.Saliency, Class: -1}, 64, 64, "", 0, 0},
		{"method=gradcam&class=4", attrib.Options{Method: attrib.GradCAM, Class: 4}, 13, 13, "max_pool_2", 0, 0},
		{"method=gradcam&class=4&layer=relu_1_2", attrib.Options{Method: attrib.GradCAM, Class: 4, Layer: "relu_1_2"}, 60, 60, "relu_1_2", 0, 0},
		{"method=ig&steps=5", attrib.Options{Method: attrib.IG, Class: -1, Steps: 5, Baseline: make([]float32, len(x))}, 64, 64, "", 5, 0},
		{"method=occlusion&class=1&patch=16&stride=16", attrib.Options{Method: attrib.Occlusion, Class: 1, Patch: 16, Stride: 16, Fill: half(len(x))}, 64, 64, "", 0, 16},
	} {
		t.Run(c.query, func(t *testing.T) {
			w := do(t, s, "POST", "/api/models/default/explain?"+c.query, bytes.NewReader(img), "")
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			r := parseExplainResult(t, w, w.Body.Bytes())
			want, err := attrib.Explain(context.Background(), g, x, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Shape != [2]int{c.h, c.w} || len(r.Map) != c.h*c.w || r.Layer != c.layer || r.Steps != c.steps || r.Stride != c.stride {
				t.Fatalf("answer shape %v (%d values), layer %q, steps %d, stride %d", r.Shape, len(r.Map), r.Layer, r.Steps, r.Stride)
			}
			if c.opt.Class < 0 && r.Class != run.Predicted || r.Predicted != run.Predicted || r.Logits != "output" {
				t.Errorf("class %d, predicted %d (run: %d), logits %q", r.Class, r.Predicted, run.Predicted, r.Logits)
			}
			for i, v := range want.Map {
				if r.Map[i] != v {
					t.Fatalf("map[%d] = %v, attrib %v", i, r.Map[i], v)
				}
			}
		})
	}
	// ?example= and the streamed form.
	w := do(t, s, "POST", "/api/models/default/explain?method=ig&steps=20&stream=1&example="+s.lookup("default").examples[0].name, nil, "")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("stream: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	sc := bufio.NewScanner(w.Body)
	sc.Buffer(nil, 1<<20)
	var lines []map[string]json.RawMessage
	for sc.Scan() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) < 2 || string(lines[len(lines)-2]["done"]) != "20" || lines[len(lines)-1]["result"] == nil {
		t.Fatalf("stream lines %v", lines)
	}
	r := parseExplainResult(t, w, lines[len(lines)-1]["result"])
	if !strings.HasPrefix(r.Source, "example:") || r.Steps != 20 || len(r.Map) != 64*64 {
		t.Fatalf("streamed result %+v", r)
	}
}

func half(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 0.5
	}
	return x
}

func TestExplainBadRequests(t *testing.T) {
	dir := t.TempDir()
	proto := filepath.Join(dir, "net.prototxt")
	os.WriteFile(proto, []byte(`input: "data" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 2 kernel_size: 3 } }
layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 3 } }
layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }`), 0o644)
	s := newTestServer(t, Config{Models: []ModelSpec{{Path: proto}}})
	img := pngBytes(t, 64, 64)
	post := func(q string) *httptest.ResponseRecorder {
		return do(t, s, "POST", "/api/models/default/explain?"+q, bytes.NewReader(img), "")
	}
	wantError(t, post(""), 400, "method is missing")
	wantError(t, post("method=lime"), 400, `unknown method "lime"`)
	wantError(t, post("method=saliency&class=10"), 400, "class 10 is out of range")
	wantError(t, post("method=saliency&class=-1"), 400, "class must be a non-negative integer")
	wantError(t, post("method=gradcam&layer=nope"), 400, `layer: the model has no layer "nope"`)
	wantError(t, post("method=gradcam&layer=output"), 400, "Grad-CAM needs a convolutional layer")
	wantError(t, post("method=saliency&layer=conv_1_1"), 400, "layer applies to method=gradcam only")
	wantError(t, post("method=ig&steps=1000"), 400, "steps must be between 1 and 256")
	wantError(t, post("method=ig&steps=0"), 400, "steps must be a positive integer")
	wantError(t, post("method=occlusion&patch=100"), 400, "patch 100 is larger than the 64×64 input")
	wantError(t, post("method=saliency&mean=1,2"), 400, "mean has 2 values")
	wantError(t, do(t, s, "POST", "/api/models/default/explain?method=saliency", nil, ""), 400, "the request has no image")
	wantError(t, do(t, s, "GET", "/api/models/default/explain?method=saliency", nil, ""), 405, "POST the image")
	wantError(t, do(t, s, "POST", "/api/models/nope/explain?method=saliency", nil, ""), 404, "no model")
	id := s.ModelIDs()[1]
	wantError(t, do(t, s, "POST", "/api/models/"+id+"/explain?method=saliency", bytes.NewReader(img), ""), 400, "model: model \""+id+"\" cannot be run")
}

// TestExplainConcurrent: attributions of one model at once (and a run)
// share its graph's weights read-only (run under -race in CI) and agree.
func TestExplainConcurrent(t *testing.T) {
	s := newTestServer(t, Config{MaxRuns: 8})
	img := pngBytes(t, 64, 64)
	want := do(t, s, "POST", "/api/models/default/explain?method=gradcam&class=2", bytes.NewReader(img), "").Body.String()
	errs := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func(i int) {
			if i%4 == 3 {
				w := do(t, s, "POST", "/api/models/default/run", bytes.NewReader(img), "")
				errs <- map[bool]string{true: "", false: w.Body.String()}[w.Code == 200]
				return
			}
			w := do(t, s, "POST", "/api/models/default/explain?method=gradcam&class=2", bytes.NewReader(img), "")
			var got, ref map[string]any
			json.Unmarshal(w.Body.Bytes(), &got)
			json.Unmarshal([]byte(want), &ref)
			delete(got, "ms")
			delete(ref, "ms")
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(ref)
			errs <- map[bool]string{true: "", false: "different answer: " + string(a)}[w.Code == 200 && bytes.Equal(a, b)]
		}(i)
	}
	for i := 0; i < 8; i++ {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

//go:build !(js && wasm)

package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A model with an operator convscope cannot run is listed (runnable false,
// the reason naming the operator) beside the others, its detail and its
// analysis answer with the layers whose shapes are known, and an upload of
// one is listed too.
func TestUnsupportedOperatorModelIsListed(t *testing.T) {
	const net = `input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: 2 kernel_size: 3 } }
layer { name: "z" type: "Zorblax" bottom: "c" top: "z" }
layer { name: "r" type: "ReLU" bottom: "z" top: "r" }
`
	p := filepath.Join(t.TempDir(), "zorb.prototxt")
	if err := os.WriteFile(p, []byte(net), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, Config{Models: []ModelSpec{{Path: p}}})
	var list struct{ Models []modelSummary }
	w := do(t, s, "GET", "/api/models", nil, "")
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Models) != 2 {
		t.Fatalf("models %s: %v", w.Body, err)
	}
	def, m := list.Models[0], list.Models[1]
	if !def.Runnable {
		t.Errorf("the default model is not runnable: %+v", def)
	}
	// 2·3·3·3 + 2: the Convolution's weights as the analysis counts them.
	if m.Runnable || !strings.Contains(m.WhyNot, "operator Zorblax") || m.Params != 56 || m.Layers != 3 {
		t.Errorf("zorb: %+v", m)
	}
	if w := do(t, s, "GET", "/api/models/"+m.ID, nil, ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"Zorblax"`) {
		t.Errorf("detail: %d %s", w.Code, w.Body)
	}
	wantError(t, do(t, s, "POST", "/api/models/"+m.ID+"/run", strings.NewReader("x"), ""), 422, "operator Zorblax")

	w = do(t, s, "POST", "/api/analyze?name=zorb.prototxt", strings.NewReader(net), "")
	var r struct {
		Params      int64
		Unsupported []string
		Layers      []struct {
			Name    string
			Output  []int
			Unknown bool
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &r); w.Code != 200 || err != nil {
		t.Fatalf("analyze: %d %s", w.Code, w.Body)
	}
	if r.Params != 56 || len(r.Unsupported) != 1 || r.Unsupported[0] != "Zorblax" || len(r.Layers) != 4 {
		t.Errorf("analysis %+v", r)
	}
	for _, l := range r.Layers {
		if want := l.Name == "z" || l.Name == "r"; l.Unknown != want || (l.Output == nil) != want {
			t.Errorf("layer %+v", l)
		}
	}

	w = do(t, s, "POST", "/api/models?name=zorb.prototxt", strings.NewReader(net), "text/plain")
	var up struct{ Model modelSummary }
	if err := json.Unmarshal(w.Body.Bytes(), &up); w.Code != 201 || err != nil || up.Model.Runnable || !strings.Contains(up.Model.WhyNot, "Zorblax") {
		t.Errorf("upload: %d %s", w.Code, w.Body)
	}
}

// A prototxt without weights counts, in the model list, the parameters its
// layers would have, as analyze does (it showed 0).
func TestWeightlessPrototxtParams(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tiny.prototxt")
	net := `input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "fc" type: "InnerProduct" bottom: "c" top: "fc" inner_product_param { num_output: 5 } }
`
	if err := os.WriteFile(p, []byte(net), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, Config{Models: []ModelSpec{{Path: p}}})
	var list struct{ Models []modelSummary }
	json.Unmarshal(do(t, s, "GET", "/api/models", nil, "").Body.Bytes(), &list)
	// conv 4·3·3·3 + 4 = 112; fc (4·6·6)·5 + 5 = 725.
	if len(list.Models) != 2 || list.Models[1].Params != 837 {
		t.Fatalf("models %+v", list.Models)
	}
}

//go:build !(js && wasm)

package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"mime/multipart"
	"reflect"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// freeModelFiles is a TF.js model with a free input size
// ([null, null, null, 3]): a 1×1 convolution whose class 0 reads the first
// input plane and class 1 the third, then global average pooling, so its
// logits are the means of those planes.
func freeModelFiles() map[string][]byte {
	js := `{"modelTopology":{"model_config":{"class_name":"Sequential","config":{"layers":[
	{"class_name":"Conv2D","config":{"name":"conv","batch_input_shape":[null,null,null,3],"filters":2,"kernel_size":[1,1],"use_bias":false}},
	{"class_name":"GlobalAveragePooling2D","config":{"name":"gap"}}]}}},
	"weightsManifest":[{"paths":["group1-shard1of1.bin"],"weights":[{"name":"conv/kernel","shape":[1,1,3,2],"dtype":"float32"}]}]}`
	w := []float32{1, 0, 0, 0, 0, 1} // HWIO: (in c, out k) at 2c+k
	bin := make([]byte, 4*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint32(bin[4*i:], math.Float32bits(v))
	}
	return map[string][]byte{"model.json": []byte(js), "group1-shard1of1.bin": bin}
}

// multipartWith is multipartFiles with form fields after the files.
func multipartWith(t *testing.T, files map[string][]byte, fields map[string]string, order ...string) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, name := range order {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(files[name])
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

// TestUploadFreeInputSize: an upload whose input size is free is refused
// with 422 naming the input field and carrying a suggested size; given
// input= (query or multipart field) it is added, its description reports
// the preprocessing given, and a run applies it: the two pixels
// (255, 0, 51) and (0, 102, 255) as B,G,R in 0–255 minus 104, 117, 123 give
// logits (−53 + 151)/2 = 49 and (132 − 123)/2 = 4.5 by hand.
func TestUploadFreeInputSize(t *testing.T) {
	s := newTestServer(t, Config{})
	files := freeModelFiles()
	order := []string{"model.json", "group1-shard1of1.bin"}
	for _, path := range []string{"/api/models", "/api/analyze"} {
		body, ct := multipartFiles(t, files, order...)
		w := do(t, s, "POST", path, body, ct)
		var e struct {
			Error string `json:"error"`
			Free  struct {
				Input   string `json:"input"`
				Shape   []int  `json:"shape"`
				Suggest []int  `json:"suggest"`
			} `json:"input_free"`
		}
		json.Unmarshal(w.Body.Bytes(), &e)
		if w.Code != 422 || !strings.Contains(e.Error, "input=3,224,224") || !reflect.DeepEqual(e.Free.Suggest, []int{3, 224, 224}) || !reflect.DeepEqual(e.Free.Shape, []int{3, -1, -1}) {
			t.Errorf("%s without input: %d %s", path, w.Code, w.Body)
		}
	}
	// /api/analyze with ?input=.
	body, ct := multipartFiles(t, files, order...)
	if w := do(t, s, "POST", "/api/analyze?input=3,8,8", body, ct); w.Code != 200 {
		t.Errorf("/api/analyze?input=3,8,8: %d %s", w.Code, w.Body)
	}
	// Disagreeing with the fixed channels, or a bad field: refused.
	body, ct = multipartWith(t, files, map[string]string{"input": "1,8,8"}, order...)
	if w := do(t, s, "POST", "/api/models", body, ct); w.Code != 422 || !strings.Contains(w.Body.String(), "3×?×?") {
		t.Errorf("input=1,8,8: %d %s", w.Code, w.Body)
	}
	for _, f := range []map[string]string{{"input": "3,1,2", "std": "0"}, {"input": "3,1,2", "resize": "pad"}, {"input": "3,1,2", "mean": "x"}} {
		body, ct = multipartWith(t, files, f, order...)
		if w := do(t, s, "POST", "/api/models", body, ct); w.Code != 400 {
			t.Errorf("%v: %d %s", f, w.Code, w.Body)
		}
	}
	body, ct = multipartWith(t, files, map[string]string{"input": "3,1,2", "mean": "104,117,123", "scale": "255", "bgr": "true"}, order...)
	a := added(t, do(t, s, "POST", "/api/models", body, ct))
	if !reflect.DeepEqual(a.Model.Input, []int{3, 1, 2}) {
		t.Fatalf("input %v", a.Model.Input)
	}
	w := do(t, s, "GET", "/api/models/"+a.Model.ID, nil, "")
	var d struct {
		Preprocess struct {
			Mean   []float32 `json:"mean"`
			Std    []float32 `json:"std"`
			Scale  float32   `json:"scale"`
			BGR    bool      `json:"bgr"`
			Resize string    `json:"resize"`
		} `json:"preprocess"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	p := d.Preprocess
	if !reflect.DeepEqual(p.Mean, []float32{104, 117, 123}) || !reflect.DeepEqual(p.Std, []float32{1, 1, 1}) || p.Scale != 255 || !p.BGR || p.Resize != "crop" {
		t.Errorf("preprocess %+v", p)
	}
	// An uploaded preprocess.json is read (and not taken for the model).
	files["preprocess.json"] = []byte(`{"std": [2, 4, 8], "resize": "stretch"}`)
	body, ct = multipartWith(t, files, map[string]string{"input": "3,1,2"}, append(order, "preprocess.json")...)
	b := added(t, do(t, s, "POST", "/api/models", body, ct))
	w = do(t, s, "GET", "/api/models/"+b.Model.ID, nil, "")
	json.Unmarshal(w.Body.Bytes(), &d)
	if !reflect.DeepEqual(d.Preprocess.Std, []float32{2, 4, 8}) || d.Preprocess.Resize != "stretch" || d.Preprocess.BGR {
		t.Errorf("with preprocess.json: %+v", d.Preprocess)
	}
	img := image.NewRGBA(image.Rect(0, 0, 2, 1))
	img.SetRGBA(0, 0, color.RGBA{255, 0, 51, 255})
	img.SetRGBA(1, 0, color.RGBA{0, 102, 255, 255})
	var pb bytes.Buffer
	png.Encode(&pb, img)
	r, _ := parseRun(t, do(t, s, "POST", "/api/models/"+a.Model.ID+"/run", &pb, "image/png"))
	if len(r.Logits) != 2 || math.Abs(float64(r.Logits[0])-49) > 1e-3 || math.Abs(float64(r.Logits[1])-4.5) > 1e-3 {
		t.Errorf("logits %v, want 49, 4.5", r.Logits)
	}
}

// TestRunPreprocessOverride: a run's query parameters mean, std, scale,
// bgr and resize are laid over the model's preprocessing for that run only
// (the Explainer's preprocessing panel), and the run header reports the
// preprocessing used. The pixels of TestUploadFreeInputSize: with the
// model's B,G,R 0–255 minus 104, 117, 123 and ?std=2 the logits halve to
// 24.5 and 2.25; with ?mean=0&scale=1&bgr=false the planes are R = (1, 0)
// and B = (0.2, 1), so the logits are their means 0.5 and 0.6; the input
// value holds x = (p·scale − mean)/std, e.g. (255 − 104)/2 = 75.5 for the
// first pixel's B plane.
func TestRunPreprocessOverride(t *testing.T) {
	s := newTestServer(t, Config{})
	files := freeModelFiles()
	body, ct := multipartWith(t, files, map[string]string{"input": "3,1,2", "mean": "104,117,123", "scale": "255", "bgr": "true"}, "model.json", "group1-shard1of1.bin")
	a := added(t, do(t, s, "POST", "/api/models", body, ct))
	img := image.NewRGBA(image.Rect(0, 0, 2, 1))
	img.SetRGBA(0, 0, color.RGBA{255, 0, 51, 255})
	img.SetRGBA(1, 0, color.RGBA{0, 102, 255, 255})
	var pb bytes.Buffer
	png.Encode(&pb, img)
	run := func(q string) (runResult, decoded) {
		return parseRun(t, do(t, s, "POST", "/api/models/"+a.Model.ID+"/run"+q, bytes.NewReader(pb.Bytes()), "image/png"))
	}
	type pre struct {
		Mean, Std []float32
		Scale     float32
		BGR       bool
		Resize    string
	}
	header := func(d decoded) pre {
		var h struct{ Preprocess pre }
		if err := json.Unmarshal(d.raw, &h); err != nil {
			t.Fatal(err)
		}
		return h.Preprocess
	}
	input := func(r runResult, d decoded) []float32 {
		for _, v := range r.Values {
			if v.Op == "Input" {
				return d.floats(v.Offset, v.Length)
			}
		}
		t.Fatal("no input value")
		return nil
	}
	near := func(got, want []float32) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-4 {
				return false
			}
		}
		return true
	}
	r, d := run("?std=2")
	if !near(r.Logits, []float32{24.5, 2.25}) {
		t.Errorf("?std=2: logits %v, want 24.5, 2.25", r.Logits)
	}
	if h := header(d); !reflect.DeepEqual(h, pre{[]float32{104, 117, 123}, []float32{2, 2, 2}, 255, true, "crop"}) {
		t.Errorf("?std=2: header preprocess %+v", h)
	}
	// B plane (51, 255), G plane (0, 102), R plane (255, 0), each (v − mean)/2.
	if x := input(r, d); !near(x, []float32{(51 - 104) / 2., (255 - 104) / 2., (0 - 117) / 2., (102 - 117) / 2., (255 - 123) / 2., (0 - 123) / 2.}) {
		t.Errorf("?std=2: input %v", x)
	}
	r, d = run("?mean=0&scale=1&bgr=false")
	if !near(r.Logits, []float32{0.5, 0.6}) {
		t.Errorf("RGB [0, 1]: logits %v, want 0.5, 0.6", r.Logits)
	}
	if h := header(d); !reflect.DeepEqual(h, pre{[]float32{0, 0, 0}, []float32{1, 1, 1}, 1, false, "crop"}) {
		t.Errorf("RGB [0, 1]: header preprocess %+v", h)
	}
	// Without parameters the model's own preprocessing, unchanged by the runs above.
	if r, _ := run(""); !near(r.Logits, []float32{49, 4.5}) {
		t.Errorf("model's preprocessing: logits %v, want 49, 4.5", r.Logits)
	}
	for _, q := range []string{"?std=0", "?resize=pad", "?mean=1,2", "?scale=-1", "?bgr=maybe"} {
		w := do(t, s, "POST", "/api/models/"+a.Model.ID+"/run"+q, bytes.NewReader(pb.Bytes()), "image/png")
		if w.Code != 400 || !strings.Contains(w.Body.String(), strings.SplitN(q[1:], "=", 2)[0]) {
			t.Errorf("%s: %d %s", q, w.Code, w.Body)
		}
	}
}

// TestDetailInputsNeverNull: a layer that reads nothing (a constant left in
// the graph, e.g. the PaddleOCR detector's conv2d_transpose_0.b_0) is
// described with "inputs": [], never null (the UI maps over them).
func TestDetailInputsNeverNull(t *testing.T) {
	m, err := loadDefault()
	if err != nil {
		t.Fatal(err)
	}
	m.g.Nodes = append(m.g.Nodes, &graph.Node{Name: "const", Type: "Constant", Op: &graph.Unknown{Type: "Constant"}, Outputs: []string{"const"}})
	b, err := json.Marshal(m.detail())
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Layers []struct {
			Name   string
			Inputs *[]string
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	last := d.Layers[len(d.Layers)-1]
	if last.Name != "const" || last.Inputs == nil || len(*last.Inputs) != 0 {
		t.Errorf("layer %q inputs %v, want []", last.Name, last.Inputs)
	}
}

//go:build !(js && wasm)

package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/testref"
	"github.com/convscope/convscope/internal/zoo"
)

// scopeAnswer decodes a Scope analysis: the analyze JSON object plus the
// graph (and the preset's description).
type scopeAnswer struct {
	analyze.JSONReport
	Preset *zoo.Info `json:"preset"`
	Graph  struct {
		Inputs  []valueInfo `json:"inputs"`
		Outputs []string    `json:"outputs"`
		Nodes   []struct {
			Name    string         `json:"name"`
			Type    string         `json:"type"`
			Op      string         `json:"op"`
			Traits  graph.Traits   `json:"traits"`
			Inputs  []string       `json:"inputs"`
			Values  []string       `json:"input_values"`
			Outputs []string       `json:"outputs"`
			Shape   []int          `json:"shape"`
			InPlace bool           `json:"in_place"`
			Attrs   map[string]any `json:"attrs"`
		} `json:"nodes"`
	} `json:"graph"`
}

func decodeScope(t *testing.T, body []byte) (scopeAnswer, analyze.JSONReport) {
	t.Helper()
	var a scopeAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("%v: %.300s", err, body)
	}
	// The analyze part alone, decoded strictly as the CLI's object.
	var rep analyze.JSONReport
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	return a, rep
}

// checkGraph checks that the graph section matches the layers.
func checkGraph(t *testing.T, a scopeAnswer) {
	t.Helper()
	if len(a.Graph.Nodes) != len(a.Layers) {
		t.Fatalf("%d graph nodes for %d layers", len(a.Graph.Nodes), len(a.Layers))
	}
	names := map[string]bool{}
	for i, n := range a.Graph.Nodes {
		l := a.Layers[i]
		if n.Name != l.Name || n.Op != l.Kind || n.Type != l.Type || n.Traits != l.Traits || n.Traits.Family == "" {
			t.Fatalf("node %d %s (%s, %s) vs layer %s (%s, %s)", i, n.Name, n.Type, n.Op, l.Name, l.Type, l.Kind)
		}
		if !slices.Equal(analyze.CHW(n.Shape), l.Output) {
			t.Errorf("node %s shape %v, layer output %v", n.Name, n.Shape, l.Output)
		}
		if !slices.Equal(n.Values, l.Inputs) || len(n.Inputs) != len(n.Values) {
			t.Errorf("node %s input values %v, layer inputs %v", n.Name, n.Values, l.Inputs)
		}
		for _, p := range n.Inputs {
			if !names[p] {
				t.Errorf("node %s: input producer %q is not an earlier node", n.Name, p)
			}
		}
		names[n.Name] = true
	}
	if len(a.Graph.Outputs) == 0 {
		t.Error("graph has no outputs")
	}
}

func TestScopePresetList(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/api/presets", nil, "")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got struct {
		Presets []struct {
			Name   string `json:"name"`
			Title  string `json:"title"`
			Input  []int  `json:"input"`
			Params int64  `json:"params"`
			MACs   int64  `json:"macs"`
			Layers int    `json:"layers"`
			Paper  string `json:"paper"`
		} `json:"presets"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got.Presets {
		names = append(names, p.Name)
		if p.Title == "" || len(p.Input) != 3 || p.Params <= 0 || p.MACs <= 0 || p.Layers <= 0 || p.Paper == "" {
			t.Errorf("incomplete entry %+v", p)
		}
		if p.Name == "resnet50" && p.Params != 25557032 {
			t.Errorf("resnet50 params %d, want 25,557,032", p.Params)
		}
	}
	if len(names) != 20 || !slices.Equal(names, zoo.PresetNames()) {
		t.Fatalf("presets %v, want the 20 of zoo.PresetNames() %v", names, zoo.PresetNames())
	}
}

// TestScopePresetAnalysis: GET /api/presets/{name} answers exactly the
// object of `convscope analyze --format json preset:NAME` (analyze.JSON),
// plus the graph.
func TestScopePresetAnalysis(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, name := range []string{"alexnet", "googlenet", "resnet50"} {
		t.Run(name, func(t *testing.T) {
			w := do(t, s, "GET", "/api/presets/"+name, nil, "")
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			a, rep := decodeScope(t, w.Body.Bytes())
			g, err := zoo.Preset(name, false)
			if err != nil {
				t.Fatal(err)
			}
			r, err := analyze.Analyze(g)
			if err != nil {
				t.Fatal(err)
			}
			want := analyze.JSON(r, "preset")
			if rep.Params != r.Params || rep.MACs != r.MACs || rep.PeakActivationBytes != r.PeakActivationBytes {
				t.Errorf("totals params %d macs %d peak %d, want %d %d %d", rep.Params, rep.MACs, rep.PeakActivationBytes, r.Params, r.MACs, r.PeakActivationBytes)
			}
			if !reflect.DeepEqual(rep, want) {
				t.Errorf("the analysis differs from analyze.JSON of the preset")
			}
			if a.Preset == nil || a.Preset.Name != name {
				t.Errorf("preset info %+v", a.Preset)
			}
			checkGraph(t, a)
		})
	}
	// Branches: a ResNet-50 Add joins two producers; the stem conv has its
	// window attributes.
	a, _ := decodeScope(t, do(t, s, "GET", "/api/presets/resnet50", nil, "").Body.Bytes())
	adds, inPlace := 0, 0
	for _, n := range a.Graph.Nodes {
		if n.Op == "Add" && len(n.Inputs) == 2 && n.Inputs[0] != n.Inputs[1] {
			adds++
		}
		if n.InPlace {
			inPlace++
		}
		if n.Name == "conv1" {
			if k, _ := n.Attrs["kernel"].([]any); len(k) != 2 || k[0] != 7.0 || n.Attrs["stride"] == nil || n.Attrs["out_channels"] != 64.0 {
				t.Errorf("conv1 attrs %v", n.Attrs)
			}
		}
	}
	if adds != 16 || inPlace == 0 {
		t.Errorf("resnet50: %d two-input Adds (want 16), %d in-place nodes", adds, inPlace)
	}
	wantError(t, do(t, s, "GET", "/api/presets/nosuchnet", nil, ""), 404, `unknown preset "nosuchnet" (presets: alexnet, `)
}

func TestScopeAnalyzeReference(t *testing.T) {
	dir := testref.Dir(t, "caffe")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp map[string]struct {
		Input      []int `json:"input"`
		Params     int64 `json:"params"`
		ConvFCMACs int64 `json:"conv_fc_macs_per_image"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, Config{})
	for _, file := range []string{"bvlc_alexnet_deploy.prototxt", "bvlc_googlenet_deploy.prototxt"} {
		t.Run(file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			w := do(t, s, "POST", "/api/analyze?name="+file, bytes.NewReader(b), "application/octet-stream")
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			a, _ := decodeScope(t, w.Body.Bytes())
			want := exp[file]
			var convFC int64
			for _, l := range a.Layers {
				if l.Kind == "Conv" || l.Kind == "Dense" {
					convFC += l.MACs
				}
			}
			if a.Format != "caffe" || a.Params != want.Params || convFC != want.ConvFCMACs || !slices.Equal(a.Input, want.Input) {
				t.Errorf("format %s params %d conv+fc MACs %d input %v, want caffe %d %d %v", a.Format, a.Params, convFC, a.Input, want.Params, want.ConvFCMACs, want.Input)
			}
			checkGraph(t, a)
		})
	}
	// ?input= overrides the file's input size.
	b, err := os.ReadFile(filepath.Join(dir, "bvlc_googlenet_deploy.prototxt"))
	if err != nil {
		t.Fatal(err)
	}
	w := do(t, s, "POST", "/api/analyze?name=g.prototxt&input=3,256,256", bytes.NewReader(b), "")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	a, _ := decodeScope(t, w.Body.Bytes())
	if !slices.Equal(a.Input, []int{3, 256, 256}) || a.MACs <= exp["bvlc_googlenet_deploy.prototxt"].ConvFCMACs {
		t.Errorf("with ?input=3,256,256: input %v, MACs %d", a.Input, a.MACs)
	}
}

func TestScopeAnalyzeTFJSMultipart(t *testing.T) {
	g, err := zoo.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := tfjs.Write(dir, g); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("note", "ignored")
	for _, name := range []string{tfjs.ShardName, "model.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(b)
	}
	mw.Close()
	s := newTestServer(t, Config{})
	w := do(t, s, "POST", "/api/analyze", bytes.NewReader(body.Bytes()), mw.FormDataContentType())
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	a, _ := decodeScope(t, w.Body.Bytes())
	r, err := analyze.Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	if a.Format != "tfjs" || a.Params != r.Params || a.MACs != r.MACs || a.Params == 0 {
		t.Errorf("format %s params %d MACs %d, want tfjs %d %d", a.Format, a.Params, a.MACs, r.Params, r.MACs)
	}
	checkGraph(t, a)

	// Only the shard: no model definition among the files.
	body.Reset()
	mw = multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", tfjs.ShardName)
	fw.Write([]byte{1, 2, 3})
	fw, _ = mw.CreateFormFile("file", "other.bin")
	fw.Write([]byte{1, 2, 3})
	mw.Close()
	wantError(t, do(t, s, "POST", "/api/analyze", bytes.NewReader(body.Bytes()), mw.FormDataContentType()), 400, "none of the uploaded files")

	// model.json without its shard: the loader's message.
	body.Reset()
	mw = multipart.NewWriter(&body)
	fw, _ = mw.CreateFormFile("file", "model.json")
	js, _ := os.ReadFile(filepath.Join(dir, "model.json"))
	fw.Write(js)
	mw.Close()
	wantError(t, do(t, s, "POST", "/api/analyze", bytes.NewReader(body.Bytes()), mw.FormDataContentType()), 422, tfjs.ShardName)
}

func TestScopeAnalyzeBadInputs(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 4096})
	const in8 = `input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8` + "\n"
	cases := []struct {
		url, body string
		status    int
		want      string
	}{
		{"/api/analyze", "\x00\x01\x02garbage\xff", 400, "unrecognised model format"},
		{"/api/analyze?name=x.bin", "\x00\x01\x02garbage\xff", 400, "unrecognised model format"},
		{"/api/analyze?name=bad.prototxt", in8 + "layer { name: \"a\" type: \"ReLU\" bottom: \"x\" top: \"a\"\n", 422, "bad.prototxt"},
		{"/api/analyze?name=cycle.prototxt", in8 + `layer { name: "a" type: "ReLU" bottom: "b" top: "a" }
layer { name: "b" type: "ReLU" bottom: "a" top: "b" }`, 422, `graph has a cycle through node "a"`},
		{"/api/analyze?name=noinput.prototxt", `input: "x"` + "\n" + `layer { name: "r" type: "ReLU" bottom: "x" top: "r" }`, 422, "?input=C,H,W"},
		{"/api/analyze?name=a.prototxt&input=3,0,8", in8, 400, "?input=3,0,8"},
		{"/api/analyze?name=empty.prototxt", "", 400, "no model file"},
		{"/api/analyze?name=big.prototxt", in8 + strings.Repeat("# padding\n", 1000), 413, "limit of 4096 bytes"},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			wantError(t, do(t, s, "POST", c.url, strings.NewReader(c.body), ""), c.status, c.want)
		})
	}
	wantError(t, do(t, s, "POST", "/api/analyze", strings.NewReader("x"), "multipart/form-data"), 400, "boundary")
	wantError(t, do(t, s, "GET", "/api/analyze", nil, ""), 405, "POST")
	// The unknown-input-size case is answered once the size is given.
	w := do(t, s, "POST", "/api/analyze?name=noinput.prototxt&input=3,8,8", strings.NewReader(`input: "x"`+"\n"+`layer { name: "r" type: "ReLU" bottom: "x" top: "r" }`), "")
	if w.Code != 200 {
		t.Fatalf("with ?input=: status %d: %s", w.Code, w.Body)
	}
}

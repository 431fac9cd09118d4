package tfjs_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
)

// graphJSON is a graph model whose nodes are given as JSON text and whose
// weights manifest lists specs (JSON text) in weights.bin.
func graphJSON(nodes, specs string) []byte {
	return []byte(fmt.Sprintf(`{"format":"graph-model","modelTopology":{"node":[%s]},"weightsManifest":[{"paths":["weights.bin"],"weights":[%s]}]}`, nodes, specs))
}

const placeholder = `{"name":"x","op":"Placeholder","attr":{"dtype":{"type":"DT_FLOAT"},"shape":{"shape":{"dim":[{"size":"-1"},{"size":"4"},{"size":"4"},{"size":"3"}]}}}}`

func openGraph(t *testing.T, model []byte, weights []byte, b *format.Budget) (*graph.Graph, error) {
	t.Helper()
	if b == nil {
		b = format.NewBudget(0, "")
	}
	g, _, err := format.OpenBudget(format.MemFS{"model.json": model, "weights.bin": weights}, "model.json", b)
	return g, err
}

// TestGraphModelHostile: broken or hostile graph models are refused with
// an error naming the problem, before anything large is allocated.
func TestGraphModelHostile(t *testing.T) {
	i32 := func(v ...int32) []byte {
		var out []byte
		for _, x := range v {
			out = append(out, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return out
	}
	for _, c := range []struct {
		name, nodes, specs string
		weights            []byte
		want               string
	}{
		{"no nodes", ``, ``, nil, "has no nodes"},
		{"cycle", placeholder + `,{"name":"a","op":"Relu","input":["b"]},{"name":"b","op":"Relu","input":["a"]}`, ``, nil, "cycle"},
		{"missing input", placeholder + `,{"name":"a","op":"Relu","input":["nothere"]}`, ``, nil, `reads "nothere", which no node computes`},
		{"duplicate name", placeholder + `,{"name":"x","op":"Relu","input":["x"]}`, ``, nil, `two nodes are named "x"`},
		{"const without weight", placeholder + `,{"name":"w","op":"Const","attr":{"dtype":{"type":"DT_FLOAT"}}},{"name":"c","op":"Conv2D","input":["x","w"]}`, ``, nil, `constant "w" has no value in the weights manifest`},
		{"filter of other channels", placeholder + `,{"name":"w","op":"Const"},{"name":"c","op":"Conv2D","input":["x","w"],"attr":{"padding":{"s":"U0FNRQ=="}}}`,
			`{"name":"w","shape":[1,1,5,2],"dtype":"float32"}`, make([]byte, 40), "filter [1, 1, 5, 2] on 3 channels"},
		{"bad strides", placeholder + `,{"name":"w","op":"Const"},{"name":"c","op":"Conv2D","input":["x","w"],"attr":{"strides":{"list":{"i":["1","0","1","1"]}}}}`,
			`{"name":"w","shape":[1,1,3,2],"dtype":"float32"}`, make([]byte, 24), "out of range"},
		{"no input", `{"name":"w","op":"Const"},{"name":"r","op":"Relu","input":["w"]}`, `{"name":"w","shape":[2],"dtype":"float32"}`, make([]byte, 8), "has no input"},
		{"reshape of other size", placeholder + `,{"name":"s","op":"Const"},{"name":"r","op":"Reshape","input":["x","s"]}`,
			`{"name":"s","shape":[2],"dtype":"int32"}`, i32(1, 47), "reshape of [1, 4, 4, 3] (48 values) to [1 47]"},
		{"fill past the budget", placeholder + `,{"name":"s","op":"Const"},{"name":"v","op":"Const"},{"name":"f","op":"Fill","input":["s","v"]},{"name":"a","op":"AddV2","input":["x","f"]}`,
			`{"name":"s","shape":[2],"dtype":"int32"},{"name":"v","shape":[],"dtype":"float32"}`, append(i32(30000, 30000), 0, 0, 0, 0), "memory budget"},
		{"broadcast past the limit", placeholder + `,{"name":"a","op":"Const"},{"name":"b","op":"Const"},{"name":"m","op":"Mul","input":["a","b"]},{"name":"o","op":"AddV2","input":["x","m"]}`,
			`{"name":"a","shape":[40000,1],"dtype":"float32","quantization":{"dtype":"uint8","min":0,"scale":1}},{"name":"b","shape":[1,40000],"dtype":"float32","quantization":{"dtype":"uint8","min":0,"scale":1}}`,
			make([]byte, 80000), "too large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := format.NewBudget(64<<20, "test")
			_, err := openGraph(t, graphJSON(c.nodes, c.specs), c.weights, b)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
			if b.Used() > 1<<20 {
				t.Errorf("charged %d bytes before refusing", b.Used())
			}
		})
	}
}

// TestGraphModelUnknownOp: an op convscope does not convert is kept as an
// unsupported layer (with its weights), the layers that read it as
// supported-but-unknown ones; the model loads and names the op.
func TestGraphModelUnknownOp(t *testing.T) {
	nodes := placeholder + `,{"name":"k","op":"Const"},{"name":"blk/Cumsum","op":"Cumsum","input":["x","k"],"attr":{"exclusive":{"b":true}}},{"name":"out/Relu","op":"Relu","input":["blk/Cumsum"]}`
	g, err := openGraph(t, graphJSON(nodes, `{"name":"k","shape":[2],"dtype":"float32"}`), make([]byte, 8), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Unsupported(); len(got) != 1 || got[0] != "Cumsum" {
		t.Fatalf("unsupported ops %v, want [Cumsum]", got)
	}
	u, ok := g.Node("blk").Op.(*graph.Unknown)
	if !ok || u.Attrs["exclusive"] != "true" || g.Node("blk").Param("input1") == nil {
		t.Fatalf("Cumsum node %+v", g.Node("blk"))
	}
	if r, ok := g.Node("out").Op.(*graph.Unknown); !ok || !r.Supported {
		t.Fatalf("the Relu after it: %+v", g.Node("out"))
	}
	if _, err := g.InferShapes(1); err == nil {
		t.Fatal("shapes inferred through an unknown op")
	}
}

// FuzzLoadGraph feeds arbitrary graph-model JSON and weight bytes to the
// loader (seeded with the parity models and hostile forms): it returns a
// graph or an error, never panics, and stays within its budget.
func FuzzLoadGraph(f *testing.F) {
	for _, name := range []string{"convs", "head", "layout", "classifier", "resize", "atrous", "hardswish"} {
		dir := filepath.Join("testdata", "graph", name)
		js, err1 := os.ReadFile(filepath.Join(dir, "model.json"))
		w, err2 := os.ReadFile(filepath.Join(dir, "weights.bin"))
		if err1 != nil || err2 != nil {
			f.Fatal(errors.Join(err1, err2))
		}
		f.Add(string(js), w)
		f.Add(string(js), w[:len(w)/2])
		f.Add(strings.ReplaceAll(string(js), `"size":"-1"`, `"size":"99999999"`), w)
	}
	f.Add(string(graphJSON(placeholder+`,{"name":"a","op":"Relu","input":["b"]},{"name":"b","op":"Relu","input":["a"]}`, ``)), []byte{})
	f.Add(string(graphJSON(placeholder+`,{"name":"s","op":"Const"},{"name":"v","op":"Const"},{"name":"f","op":"Fill","input":["s","v"]}`, `{"name":"s","shape":[2],"dtype":"int32"},{"name":"v","shape":[],"dtype":"float32"}`)), []byte{0x30, 0x75, 0, 0, 0x30, 0x75, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, modelJSON string, weights []byte) {
		b := format.NewBudget(256<<20, "fuzz")
		g, err := tfjs.LoadBudget(format.MemFS{"model.json": []byte(modelJSON), "weights.bin": weights}, "model.json", b)
		if err == nil && (g == nil || len(g.Inputs) == 0) {
			t.Fatal("nil error without a usable graph")
		}
		if b.Used() > 256<<20 {
			t.Fatalf("used %d bytes of a budget of 256 MiB", b.Used())
		}
	})
}

// TestGraphModelBiasNotShared: a BiasAdd after a convolution becomes its
// bias only when nothing else reads the convolution, also through an
// Identity. Here a Relu reads it too: 1×1 conv of ones by weights 0.5 over
// 3 channels is 1.5, the BiasAdd (+100) 101.5, the Relu 1.5.
func TestGraphModelBiasNotShared(t *testing.T) {
	nodes := placeholder + `,{"name":"w","op":"Const"},{"name":"b","op":"Const"},` +
		`{"name":"c","op":"Conv2D","input":["x","w"],"attr":{"padding":{"s":"VkFMSUQ="}}},` +
		`{"name":"id","op":"Identity","input":["c"]},{"name":"out1","op":"BiasAdd","input":["id","b"]},{"name":"out2","op":"Relu","input":["c"]}`
	specs := `{"name":"w","shape":[1,1,3,2],"dtype":"float32"},{"name":"b","shape":[2],"dtype":"float32"}`
	var w []byte
	for _, v := range []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 100, 100} {
		u := math.Float32bits(v)
		w = append(w, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	g, err := openGraph(t, graphJSON(nodes, specs), w, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 48)
	for i := range x {
		x[i] = 1
	}
	vals, err := p.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float32{101.5, 1.5} {
		for _, v := range vals[g.Outputs[i]].Data {
			if v != want {
				t.Fatalf("output %s: %v, want %v everywhere", g.Outputs[i], vals[g.Outputs[i]].Data, want)
			}
		}
	}
}

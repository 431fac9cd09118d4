package tfjs_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/badinput"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/testref"
)

// kerasFiles writes a TF.js layers model as Keras files the way Keras does
// (scripts/keras/from_tfjs.py, with h5py) and returns their paths.
func kerasFiles(t *testing.T, modelJSON string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	testref.Script(t, "scripts/keras/from_tfjs.py", modelJSON, dir, "m")
	files := map[string]string{}
	for _, n := range []string{"m.h5", "m-h5py2.h5", "m-nested.h5", "m-seqnested.h5", "m.keras", "m-nested.keras", "m-seqnested.keras"} {
		files[n] = filepath.Join(dir, n)
	}
	return files
}

// unnest is the value name of a Keras layer in the nested variants: the
// layers before the first pooling's end are in the model "features".
func unnest(names map[string]bool) func(string) string {
	return func(s string) string {
		if names["features/"+s] {
			return "features/" + s
		}
		return s
	}
}

func valueNames(g *graph.Graph) map[string]bool {
	m := map[string]bool{}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			m[o] = true
		}
	}
	return m
}

// TestKerasSameAsTFJS: the embedded default model (Tiny VGG) written as
// .h5 and .keras files, plain and with a nested model, computes the TF.js
// import's activations bit for bit, with the same layer names (prefixed
// by the nested model's name).
func TestKerasSameAsTFJS(t *testing.T) {
	modelJSON := filepath.Join(testref.Root(t), "internal/zoo/defaultmodel/model.json")
	want, _, err := format.Open(modelJSON)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range kerasFiles(t, modelJSON) {
		t.Run(name, func(t *testing.T) {
			g, kind, err := format.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			if kind != "keras" {
				t.Errorf("format %q, want keras", kind)
			}
			if len(g.Nodes) != len(want.Nodes) {
				t.Errorf("%d nodes, want %d", len(g.Nodes), len(want.Nodes))
			}
			sameValues(t, want, g, unnest(valueNames(g)))
		})
	}
}

// TestKerasCNNExplainerParity: the CNN Explainer model as Keras files
// against TensorFlow.js's outputs for it (the oracle of the TF.js import).
func TestKerasCNNExplainerParity(t *testing.T) {
	dir := testref.Dir(t, "cnn-explainer")
	for name, p := range kerasFiles(t, filepath.Join(dir, "model.json")) {
		t.Run(name, func(t *testing.T) {
			g, _, err := format.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			checkCNNExplainer(t, dir, g, unnest(valueNames(g)))
		})
	}
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for n, b := range files {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestKerasBadFiles: each broken or partial Keras file is refused with a
// message naming the problem.
func TestKerasBadFiles(t *testing.T) {
	files := kerasFiles(t, filepath.Join(testref.Root(t), "internal/zoo/defaultmodel/model.json"))
	keras, err := os.ReadFile(files["m.keras"])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(keras), int64(len(keras)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		parts[f.Name] = b.Bytes()
	}
	without := func(name string) []byte {
		m := map[string][]byte{}
		for k, v := range parts {
			if k != name {
				m[k] = v
			}
		}
		return zipOf(t, m)
	}
	big := map[string][]byte{"config.json": bytes.Repeat([]byte(" "), 40<<20)}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"no-config.keras", without("config.json"), "has no config.json"},
		{"no-weights.keras", without("model.weights.h5"), "has no model.weights.h5"},
		{"weights-alone.h5", parts["model.weights.h5"], "Keras 3 weights file"},
		{"bomb.keras", zipOf(t, big), "more than the limit"},
		{"truncated.keras", keras[:len(keras)/2], "not a valid zip"},
		{"text.h5", []byte("hello"), "neither a Keras 3 archive"},
	}
	// A zip bomb: config.json declares 100 bytes and inflates to 64 MiB.
	bomb := badinput.ZipBombKeras(100, 64<<20)
	cases = append(cases, struct {
		name string
		data []byte
		want string
	}{"lying-bomb.keras", bomb, "config.json in the archive does not match its header: it inflates past its declared 100 bytes"})
	h5, err := os.ReadFile(files["m.h5"])
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct {
		name string
		data []byte
		want string
	}{"truncated.h5", h5[:len(h5)/3], "past the end of the file"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := format.OpenFS(format.MemFS{c.name: c.data}, c.name)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// The weights decoded are charged to the import's budget.
	_, _, err = format.OpenBudget(format.MemFS{"m.h5": h5}, "m.h5", format.NewBudget(int64(len(h5))+1000, "test"))
	var be *format.BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("error %v, want a BudgetError", err)
	}
}

// TestTFJSNestedModel: a TF.js layers model whose first layers are a
// nested Sequential model (the manifest names its weights by the inner
// layers' names) is flattened like a Keras file and computes the plain
// model's activations.
func TestTFJSNestedModel(t *testing.T) {
	dir := filepath.Join(testref.Root(t), "internal/zoo/defaultmodel")
	raw, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	mc := doc["modelTopology"].(map[string]any)["model_config"].(map[string]any)
	layers := mc["config"].(map[string]any)["layers"].([]any)
	// input, then conv_1_1 … max_pool_1 in "features", then the rest.
	at := 0
	for i, l := range layers {
		if l.(map[string]any)["class_name"] == "MaxPooling2D" {
			at = i + 1
			break
		}
	}
	name := func(l any) string { return l.(map[string]any)["config"].(map[string]any)["name"].(string) }
	inner := append([]any{map[string]any{"class_name": "InputLayer", "config": map[string]any{"name": "features_in", "batch_input_shape": []any{nil, 64, 64, 3}}}}, layers[1:at]...)
	outer := []any{layers[0], map[string]any{"class_name": "Sequential", "config": map[string]any{"name": "features", "layers": inner}}}
	outer = append(outer, layers[at:]...)
	prev := ""
	for i, l := range outer {
		m := map[string]any{}
		for k, v := range l.(map[string]any) {
			m[k] = v
		}
		m["name"] = name(l)
		m["inbound_nodes"] = []any{}
		if prev != "" {
			m["inbound_nodes"] = []any{[]any{[]any{prev, 0, 0, map[string]any{}}}}
		}
		prev = name(l)
		outer[i] = m
	}
	doc["modelTopology"] = map[string]any{"model_config": map[string]any{"class_name": "Model", "config": map[string]any{
		"name": "outer", "layers": outer, "input_layers": []any{[]any{name(layers[0]), 0, 0}}, "output_layers": []any{[]any{prev, 0, 0}}}}}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	shard, err := os.ReadFile(filepath.Join(dir, "group1-shard1of1.bin"))
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := format.OpenFS(format.MemFS{"model.json": js, "group1-shard1of1.bin": shard}, "model.json")
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := format.Open(filepath.Join(dir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	names := valueNames(g)
	if !names["features/conv_1_1"] {
		t.Fatalf("no value features/conv_1_1 in %v", names)
	}
	sameValues(t, want, g, unnest(names))
}

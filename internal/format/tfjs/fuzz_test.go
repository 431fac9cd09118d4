package tfjs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/testref"
)

// FuzzLoad feeds arbitrary model.json text and weight bytes to the loader:
// it must return a graph or an error, never panic, and never allocate past
// its limits (the weight manifest is checked against the shard's size).
func FuzzLoad(f *testing.F) {
	js, bin, err := tfjs.Marshal(tinyNetF(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(js), bin)
	f.Add(strings.Replace(string(js), `"Sequential"`, `"Model"`, 1), bin)
	f.Add(string(js), bin[:len(bin)/2])
	f.Add(`{"modelTopology":{"class_name":"Sequential","config":{"layers":[{"class_name":"Dense","config":{"units":1e12}}]}}}`, []byte{})
	f.Add(`{"modelTopology":{"class_name":"Sequential","config":[]},"weightsManifest":[{"paths":["w"],"weights":[{"name":"x","shape":[1000000000,1000000000],"dtype":"float32"}]}]}`, []byte{1, 2, 3, 4})
	f.Add(`{"format":"graph-model"}`, []byte{})
	f.Add(`[]`, []byte{})
	if dir := testref.Optional(f, "cnn-explainer"); dir != "" {
		if js, err := os.ReadFile(filepath.Join(dir, "model.json")); err == nil {
			if w, err := os.ReadFile(filepath.Join(dir, "group1-shard1of1.bin")); err == nil {
				f.Add(string(js), w)
			}
		}
	}
	f.Fuzz(func(t *testing.T, modelJSON string, weights []byte) {
		fsys := format.MemFS{"model.json": []byte(modelJSON), tfjs.ShardName: weights, "w": weights}
		g, err := tfjs.Load(fsys, "model.json")
		if err == nil && (g == nil || len(g.Inputs) == 0) {
			t.Fatal("nil error without a usable graph")
		}
	})
}

func tinyNetF(f *testing.F) *graph.Graph {
	f.Helper()
	return tinyNet(f)
}

// FuzzKeras feeds arbitrary bytes to the Keras importer as a .keras and as
// an .h5 file: a graph or an error, never a panic, a hang, or more memory
// than the budget. Seeds: testdata (scripts/keras/seeds.py).
func FuzzKeras(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/tiny*")
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"m.keras", "m.h5"} {
			g, _, err := format.OpenBudget(format.MemFS{name: data}, name, format.NewBudget(64<<20, "fuzz"))
			if err == nil && (g == nil || len(g.Inputs) == 0) {
				t.Fatal("nil error without a usable graph")
			}
		}
	})
}

// TestKerasSeedsLoad: the fuzz seeds are valid models (the fuzzer starts
// from files that reach the whole importer).
func TestKerasSeedsLoad(t *testing.T) {
	seeds, _ := filepath.Glob("testdata/tiny*")
	for _, p := range seeds {
		g, kind, err := format.Open(p)
		if err != nil || kind != "keras" {
			t.Fatalf("%s: %v (%s)", p, err, kind)
		}
		if len(g.Nodes) < 5 {
			t.Errorf("%s: %d nodes", p, len(g.Nodes))
		}
	}
}

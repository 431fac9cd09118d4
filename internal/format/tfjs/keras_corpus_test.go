package tfjs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/testref"
)

// TestKerasFromCorpus: the real TF.js layers models of the corpus (MobileNetV2
// and InceptionV3 of nsfwjs, uint8-quantized; the RDN upscaler, functional
// with a free input size; the ESRGAN slim and medium upscalers) written as
// .h5 (both string styles) and .keras by
// scripts/keras/from_tfjs.py compute the TF.js import's activations bit for
// bit; the corpus check compares that import with TensorFlow.js. Run with
// CONVSCOPE_CORPUS=1 like the corpus (docs/corpus.md): it needs its cache.
func TestKerasFromCorpus(t *testing.T) {
	if os.Getenv("CONVSCOPE_CORPUS") == "" {
		t.Skip("the real-model corpus is checked only with CONVSCOPE_CORPUS=1 (docs/corpus.md)")
	}
	cache := os.Getenv("CONVSCOPE_CORPUS_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "convscope-corpus")
	}
	for _, m := range []struct {
		id    string
		input []int
	}{{"nsfwjs-mobilenet-v2", nil}, {"nsfwjs-inception-v3", nil}, {"upscaler-default-x2", []int{3, 32, 32}},
		{"esrgan-slim-x4", []int{3, 32, 32}}, {"esrgan-medium-x2", []int{3, 32, 32}}} {
		t.Run(m.id, func(t *testing.T) {
			modelJSON := filepath.Join(cache, "models", m.id, "model.json")
			testref.Need(t, modelJSON, "the corpus cache (scripts/corpus/fetch.sh)")
			o := format.Options{Input: m.input}
			want, _, err := format.OpenWith(modelJSON, o)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			testref.Script(t, "scripts/keras/from_tfjs.py", modelJSON, dir, "m")
			for _, name := range []string{"m.h5", "m-h5py2.h5", "m.keras"} {
				g, kind, err := format.OpenWith(filepath.Join(dir, name), o)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if kind != "keras" || len(g.Nodes) != len(want.Nodes) {
					t.Errorf("%s: format %s, %d nodes, want keras, %d", name, kind, len(g.Nodes), len(want.Nodes))
				}
				sameValues(t, want, g, func(s string) string { return s })
			}
		})
	}
}

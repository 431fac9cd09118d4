// Package arch holds the test that keeps docs/architecture.md's picture and
// the code's imports in agreement.
package arch

import (
	"go/build"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/convscope/convscope/"

// allowed is docs/architecture.md's diagram as data: the internal packages
// each package may import (test files aside). A new import must be drawn
// there and added here; a part that stops importing one is fine.
var allowed = map[string][]string{
	"internal/graph":   nil,
	"internal/tensor":  nil,
	"internal/imageio": nil,
	"internal/testref": nil,
	// The hostile-input catalogue builds its hostile models with the ONNX
	// protobuf types and returns multi-file uploads as format.MemFS.
	"internal/badinput": {"internal/format", "internal/format/onnx"},
	"internal/engine":   {"internal/graph", "internal/tensor"},
	"internal/analyze":  {"internal/graph"},
	// Profiling runs a graph on the engine and reads the analysis' MACs.
	"internal/profile": {"internal/analyze", "internal/engine", "internal/graph"},
	"internal/format":  {"internal/graph"},
	// The adapters map their format to and from graph; onnx and tfjs (graph
	// models) fold constants with tensor's kernels on plain slices.
	"internal/format/caffe": {"internal/format", "internal/graph"},
	// tfjs also reads Keras .keras/.h5 files (the same Keras model
	// config), through the HDF5 reader, which is a library, not an adapter;
	// hdf5 decodes float16 with tensor.HalfToFloat.
	"internal/format/tfjs":   {"internal/format", "internal/format/hdf5", "internal/graph", "internal/tensor"},
	"internal/format/hdf5":   {"internal/format", "internal/tensor"},
	"internal/format/tflite": {"internal/format", "internal/graph"},
	"internal/format/onnx":   {"internal/format", "internal/graph", "internal/tensor"},
	// Training shares the engine's op→kernel mapping (engine.Activation,
	// engine.Geom) and evaluates with the engine (EvaluateEngine).
	"internal/train":   {"internal/engine", "internal/graph", "internal/tensor"},
	"internal/dataset": {"internal/imageio"},
	// Attribution maps run the inference graph forward and backward with
	// train's layers (a frozen Net).
	"internal/attrib": {"internal/graph", "internal/tensor", "internal/train"},
	// The default model is an embedded TF.js file.
	"internal/zoo": {"internal/format", "internal/format/tfjs", "internal/graph"},
	// Attribution runs train's layers; the training studio runs train.Fit on dataset's loaders.
	"internal/server": {"internal/analyze", "internal/attrib", "internal/dataset", "internal/engine", "internal/format", "internal/format/caffe",
		"internal/format/onnx", "internal/format/tfjs", "internal/format/tflite", "internal/graph", "internal/imageio",
		"internal/profile", "internal/server/httpx", "internal/tensor", "internal/train", "internal/zoo", "web"},
	// The server's HTTP types: net/http's, or under js/wasm (the static
	// site's engine) lite's, net/http's subset without the network.
	"internal/server/httpx":      {"internal/server/httpx/lite"},
	"internal/server/httpx/lite": nil,
	// The built UI (web/dist), embedded.
	"web": nil,
	// The static site (export-site) checks its models with the server, which
	// writes the page's bootstrap; its engine (cmd/convscope-wasm, built only
	// for js/wasm) is embedded by internal/site/engine.
	"internal/site":        {"internal/format", "internal/imageio", "internal/server", "internal/zoo"},
	"internal/site/engine": nil,
	"cmd/convscope": {"internal/analyze", "internal/attrib", "internal/dataset", "internal/engine", "internal/format",
		"internal/format/caffe", "internal/format/onnx", "internal/format/tfjs", "internal/format/tflite",
		"internal/graph", "internal/imageio", "internal/profile", "internal/server", "internal/server/httpx", "internal/site",
		"internal/site/engine", "internal/train", "internal/zoo", "web"},
	// The load test sends issue 15's hostile requests, built by badinput.
	"cmd/loadtest": {"internal/badinput", "internal/format"},
}

func TestImportsFollowTheDiagram(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, top := range []string{"internal", "cmd", "web"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			if d.Name() == "testdata" || d.Name() == "node_modules" || top == "web" && path != filepath.Join(root, top) {
				return filepath.SkipDir
			}
			pkg, err := build.ImportDir(path, 0)
			if _, none := err.(*build.NoGoError); none {
				return nil
			}
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			if len(pkg.GoFiles) == 0 { // test-only (this package)
				return nil
			}
			seen[rel] = true
			want, ok := allowed[rel]
			if !ok {
				t.Errorf("package %s is not in the diagram (docs/architecture.md and allowed)", rel)
				return nil
			}
			for _, imp := range pkg.Imports {
				p, ok := strings.CutPrefix(imp, module)
				if ok && !slices.Contains(want, p) {
					t.Errorf("%s imports %s, which the diagram does not show", rel, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(allowed)) {
		if !seen[p] {
			t.Errorf("the diagram lists %s, which does not exist", p)
		}
	}
}

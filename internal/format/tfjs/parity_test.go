package tfjs_test

import (
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
	"github.com/convscope/convscope/internal/testref"
)

// expected mirrors ../shared/reference/cnn-explainer/expected.json, written
// by TensorFlow.js 4.22 from the same model and pixels.
type expected struct {
	Classes []string `json:"classes"`
	Images  map[string]struct {
		PredictedIndex int       `json:"predictedIndex"`
		PredictedClass string    `json:"predictedClass"`
		Probabilities  []float64 `json:"probabilities"`
		Logits         []float64 `json:"logits"`
		Layers         []struct {
			Name  string  `json:"name"`
			Shape []int   `json:"shape"` // H, W, C
			Min   float64 `json:"min"`
			Max   float64 `json:"max"`
			Mean  float64 `json:"mean"`
		} `json:"layers"`
		Conv11Channel0 [][]float64 `json:"conv_1_1_channel0"` // 62 rows of 62
	} `json:"images"`
}

// pngCHW reads a PNG as CHW floats in [0,1], exactly as the reference did
// (pixels/255, no resize).
func pngCHW(t *testing.T, path string) []float32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float32, 3*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			for c, v := range []uint32{r, g, bl} {
				out[c*w*h+y*w+x] = float32(v>>8) / 255
			}
		}
	}
	return out
}

var _ image.Image // keep image imported for readers of pngCHW

func TestCNNExplainerParity(t *testing.T) {
	dir := testref.Dir(t, "cnn-explainer")
	g, _, err := format.Open(filepath.Join(dir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkCNNExplainer(t, dir, g, nil)
}

// checkCNNExplainer compares a graph of the CNN Explainer model with what
// TensorFlow.js computed (expected.json); rename maps a Keras layer name to
// the graph's value name (nil: the same).
func checkCNNExplainer(t *testing.T, dir string, g *graph.Graph, rename func(string) string) {
	if rename == nil {
		rename = func(s string) string { return s }
	}
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want expected
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	prog, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(want.Images))
	for n := range want.Images {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) != 10 {
		t.Fatalf("expected.json has %d images, want 10", len(names))
	}
	for _, name := range names {
		exp := want.Images[name]
		t.Run(name, func(t *testing.T) {
			vals, err := prog.Run(pngCHW(t, filepath.Join(dir, "images", name)))
			if err != nil {
				t.Fatal(err)
			}
			// The Keras layer "output" is Dense+softmax: its Dense node holds
			// the logits, its activation the probabilities.
			logits, probs := vals[rename("output")], vals[g.Outputs[0]]
			closeAll(t, "logits", logits.Data, exp.Logits, 1e-5)
			closeAll(t, "probabilities", probs.Data, exp.Probabilities, 1e-5)
			if got := argmax(probs.Data); got != exp.PredictedIndex {
				t.Errorf("predicted %d, want %d (%s)", got, exp.PredictedIndex, exp.PredictedClass)
			}
			for _, l := range exp.Layers {
				// A Keras layer's output is the value after its fused
				// activation: for "output", the probabilities.
				value := rename(l.Name)
				if l.Name == "output" {
					value = g.Outputs[0]
				}
				v, ok := vals[value]
				if !ok {
					t.Errorf("layer %s: no such value", l.Name)
					continue
				}
				if len(v.Shape) == 4 {
					hwc := []int{v.Shape[2], v.Shape[3], v.Shape[1]}
					if !graph.Shape(hwc).Equal(l.Shape) {
						t.Errorf("layer %s: shape (H,W,C) %v, want %v", l.Name, hwc, l.Shape)
					}
				}
				lo, hi, mean := tensor.MinMaxMean(v.Data)
				for _, c := range []struct {
					what      string
					got, want float64
				}{{"min", float64(lo), l.Min}, {"max", float64(hi), l.Max}, {"mean", mean, l.Mean}} {
					if math.Abs(c.got-c.want) > 1e-4 {
						t.Errorf("layer %s %s = %.7g, want %.7g", l.Name, c.what, c.got, c.want)
					}
				}
			}
			conv := vals[rename("conv_1_1")]
			var rows []float64
			for _, r := range exp.Conv11Channel0 {
				rows = append(rows, r...)
			}
			closeAll(t, "conv_1_1 channel 0", conv.Data[:62*62], rows, 1e-5)
		})
	}
}

func closeAll(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst, at := 0.0, -1
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); d > worst {
			worst, at = d, i
		}
	}
	if worst > tol {
		t.Errorf("%s: max error %.3g at %d (got %v, want %v), tolerance %g", what, worst, at, got[at], want[at], tol)
	}
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// Writing the reference model and reading it back gives bit-identical
// activations: the writer undoes exactly the layout changes of the reader.
func TestReferenceRoundTrip(t *testing.T) {
	dir := testref.Dir(t, "cnn-explainer")
	g, _, err := format.Open(filepath.Join(dir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := tfjs.Write(out, g); err != nil {
		t.Fatal(err)
	}
	back, _, err := format.Open(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, g, back)
}

package caffe_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/caffe"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/testref"
)

// num is an integer that expected.json may store as a number or a string.
type num int64

func (n *num) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	v, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("not an integer: %s", b)
		}
		v = int64(f)
	}
	*n = num(v)
	return nil
}

type expectedLayer struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Out  []num  `json:"out"`
}

type expectedNet struct {
	File        string          `json:"file"`
	BatchInFile num             `json:"batch_in_file"`
	Input       []num           `json:"input"`
	Params      num             `json:"params"`
	ConvFCMACs  num             `json:"conv_fc_macs_per_image"`
	Layers      []expectedLayer `json:"layers"`
}

// knownDeviations are entries of expected.json that convscope deliberately
// does not reproduce, with the reason.
var knownDeviations = map[string]string{
	"nin.prototxt/label": "Netscope shows the Data layer's label top as an 'implicit' blob with the data's shape [3,224,224]; " +
		"in Caffe the label blob is [N], and the deploy net reads no label, so convscope has no such value",
}

func loadExpected(t testing.TB, dir string) map[string]expectedNet {
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp map[string]expectedNet
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatalf("expected.json: %v", err)
	}
	return exp
}

// chw is a per-image shape as expected.json writes it: [C, H, W], a vector
// as [C, 1, 1].
func chw(s graph.Shape) []int64 {
	out := make([]int64, 0, 3)
	for _, d := range s {
		out = append(out, int64(d))
	}
	for len(out) < 3 {
		out = append(out, 1)
	}
	return out
}

func ints(ns []num) []int64 {
	out := make([]int64, len(ns))
	for i, n := range ns {
		out[i] = int64(n)
	}
	return out
}

// TestReferenceNetworks analyses every prototxt of the reference data and
// compares the totals and every listed layer with expected.json.
func TestReferenceNetworks(t *testing.T) {
	dir := testref.Dir(t, "caffe")
	exp := loadExpected(t, dir)
	files, err := filepath.Glob(filepath.Join(dir, "*.prototxt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no prototxt in %s (%v)", dir, err)
	}
	for _, f := range files {
		base := filepath.Base(f)
		if _, ok := exp[base]; !ok {
			t.Errorf("%s has no entry in expected.json", base)
		}
	}
	for base, want := range exp {
		t.Run(base, func(t *testing.T) {
			g, name, err := format.Open(filepath.Join(dir, base))
			if err != nil {
				t.Fatal(err)
			}
			if name != "caffe" {
				t.Fatalf("opened as %q, want caffe", name)
			}
			r, err := analyze.Analyze(g)
			if err != nil {
				t.Fatal(err)
			}
			if got := chw(r.Inputs[0].Shape); !slices.Equal(got, ints(want.Input)) {
				t.Errorf("input %v, want %v", got, ints(want.Input))
			}
			if r.Params != int64(want.Params) {
				t.Errorf("params %d, want %d", r.Params, want.Params)
			}
			var macs int64
			for _, l := range r.Layers {
				if l.Kind == "Conv" || l.Kind == "Dense" {
					macs += l.MACs
				}
			}
			if macs != int64(want.ConvFCMACs) {
				t.Errorf("conv+fc MACs per image %d, want %d", macs, want.ConvFCMACs)
			}
			byName := map[string]analyze.Layer{}
			values := map[string]graph.Shape{}
			for _, l := range r.Layers {
				byName[l.Name] = l
				for i, o := range l.Outputs {
					values[o] = l.OutputShapes[i]
				}
			}
			listed := map[string]bool{}
			for _, e := range want.Layers {
				listed[e.Name] = true
				key := base + "/" + e.Name
				var got []int64
				l, ok := byName[e.Name]
				switch {
				case ok && l.Kind == analyze.InputKind:
					// Netscope calls a network input "data" (or "Input" for
					// an Input layer); convscope calls every input "Input".
					if e.Type != "data" && e.Type != "Input" {
						t.Errorf("%s: input entry of type %q", e.Name, e.Type)
					}
					got = chw(l.OutputShapes[0])
				case ok:
					if l.Type != e.Type {
						t.Errorf("%s: type %q, want %q", e.Name, l.Type, e.Type)
					}
					got = chw(l.OutputShapes[0])
				case e.Type == "implicit":
					// Netscope's node for a blob not named after a layer
					// (YOLO's "result", the output of fc26).
					s, ok := values[e.Name]
					if !ok {
						if why, known := knownDeviations[key]; known {
							t.Logf("%s: not reproduced: %s", e.Name, why)
							continue
						}
						t.Errorf("%s: no value of that name", e.Name)
						continue
					}
					got = chw(s)
				default:
					t.Errorf("%s (%s): no such layer", e.Name, e.Type)
					continue
				}
				if !slices.Equal(got, ints(e.Out)) {
					t.Errorf("%s (%s): output %v, want %v", e.Name, e.Type, got, ints(e.Out))
				}
			}
			// Conversely every layer that is not in place is listed: the
			// importer names the output of an in-place layer after the
			// layer, never after a blob of the file.
			text, err := os.ReadFile(filepath.Join(dir, base))
			if err != nil {
				t.Fatal(err)
			}
			net, err := caffe.ParseText(text)
			if err != nil {
				t.Fatal(err)
			}
			blobs := map[string]bool{}
			for _, l := range net.Layer {
				for _, x := range l.Top {
					blobs[x] = true
				}
			}
			for _, l := range net.Layers {
				for _, x := range l.Top {
					blobs[x] = true
				}
			}
			for _, l := range r.Layers {
				if blobs[l.Outputs[0]] && !listed[l.Name] {
					t.Errorf("layer %s (%s) is not in expected.json", l.Name, l.Type)
				}
			}
		})
	}
}

func readReference(b *testing.B, names ...string) [][]byte {
	dir := testref.Dir(b, "caffe")
	if len(names) == 0 {
		files, err := filepath.Glob(filepath.Join(dir, "*.prototxt"))
		if err != nil || len(files) == 0 {
			b.Fatalf("no prototxt in %s", dir)
		}
		for _, f := range files {
			names = append(names, filepath.Base(f))
		}
	}
	var texts [][]byte
	for _, n := range names {
		t, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, t)
	}
	return texts
}

func parseAnalyze(b *testing.B, text []byte) *analyze.Report {
	g, err := caffe.Parse(text, nil)
	if err != nil {
		b.Fatal(err)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkAnalyzeResNet50 parses and analyses ResNet-50-deploy.prototxt.
func BenchmarkAnalyzeResNet50(b *testing.B) {
	text := readReference(b, "ResNet-50-deploy.prototxt")[0]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if r := parseAnalyze(b, text); r.Params != 25557096 {
			b.Fatalf("params %d", r.Params)
		}
	}
}

// BenchmarkAnalyzeAllReference parses and analyses every reference
// prototxt once per iteration.
func BenchmarkAnalyzeAllReference(b *testing.B) {
	texts := readReference(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			parseAnalyze(b, t)
		}
	}
}

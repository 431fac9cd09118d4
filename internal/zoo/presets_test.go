package zoo

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/testref"
)

var wantNames = []string{"alexnet", "caffenet", "vgg16", "vgg19", "googlenet", "resnet18", "resnet50",
	"resnet101", "resnet152", "squeezenet1.0", "squeezenet1.1", "mobilenetv1", "mobilenetv2", "densenet121",
	"inceptionv3", "inceptionv4", "inceptionresnetv2", "nin", "yolov1", "tinyvgg"}

func TestPresetNamesAndInfo(t *testing.T) {
	if got := PresetNames(); !slices.Equal(got, wantNames) {
		t.Fatalf("PresetNames() = %q\nwant %q", got, wantNames)
	}
	for _, name := range wantNames {
		info, ok := PresetInfo(name)
		if !ok || info.Name != name || info.Title == "" || info.Year == 0 || info.Description == "" ||
			info.Paper == "" || info.Source == "" || !strings.HasPrefix(info.URL, "https://") || len(info.Input) != 3 {
			t.Errorf("PresetInfo(%q) = %+v, %v: incomplete", name, info, ok)
		}
	}
	if _, ok := PresetInfo("lenet"); ok {
		t.Error("PresetInfo(lenet) found a preset")
	}
	_, err := Preset("lenet", false)
	if err == nil || !strings.Contains(err.Error(), `"lenet"`) || !strings.Contains(err.Error(), strings.Join(wantNames, ", ")) {
		t.Errorf("Preset(lenet) error %v: want the name and the list of presets", err)
	}
	if _, err := Preset(" VGG16 ", false); err != nil {
		t.Errorf("names are case-insensitive: %v", err)
	}
}

// docRow is one row of the table in docs/presets.md.
type docRow struct {
	input                      string
	params, macs               int64
	pubParams, pubMACs         float64
	exactParams, exactMACs     bool
	pubParamsText, pubMACsText string
}

var publishedRE = regexp.MustCompile(`^([0-9][0-9,]*(?:\.[0-9]+)?)\s*([KMG]?)\s*\((exact|rounded)\)$`)

func parsePublished(cell string) (float64, bool, error) {
	m := publishedRE.FindStringSubmatch(cell)
	if m == nil {
		return 0, false, fmt.Errorf("published figure %q is not «number [K|M|G] (exact|rounded)»", cell)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
	if err != nil {
		return 0, false, err
	}
	v *= map[string]float64{"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m[2]]
	return v, m[3] == "exact", nil
}

// readPresetTable parses the preset table of docs/presets.md.
func readPresetTable(t *testing.T) map[string]docRow {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(testref.Root(t), "docs", "presets.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]docRow{}
	in := false
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "| Preset | Source cited |") {
			in = true
			continue
		}
		if !in || strings.HasPrefix(line, "| ---") {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 7 {
			t.Fatalf("presets.md row has %d cells, want 7: %s", len(cells), line)
		}
		name := strings.Trim(cells[0], "`")
		var r docRow
		r.input = cells[2]
		if r.params, err = strconv.ParseInt(strings.ReplaceAll(cells[3], ",", ""), 10, 64); err != nil {
			t.Fatalf("%s: params %q: %v", name, cells[3], err)
		}
		if r.macs, err = strconv.ParseInt(strings.ReplaceAll(cells[4], ",", ""), 10, 64); err != nil {
			t.Fatalf("%s: MACs %q: %v", name, cells[4], err)
		}
		if r.pubParams, r.exactParams, err = parsePublished(cells[5]); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.pubMACs, r.exactMACs, err = parsePublished(cells[6]); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r.pubParamsText, r.pubMACsText = cells[5], cells[6]
		rows[name] = r
	}
	return rows
}

// checkFigure compares a count with a published figure: exactly, or
// within 0.5 % of a rounded one.
func checkFigure(t *testing.T, what string, got int64, pub float64, exact bool, text string) {
	t.Helper()
	dev := (float64(got) - pub) / pub
	switch {
	case exact && float64(got) != pub:
		t.Errorf("%s %d differs from the published %s", what, got, text)
	case !exact && math.Abs(dev) > 0.005:
		t.Errorf("%s %d is %+.2f %% from the published %s (limit 0.5 %%)", what, got, 100*dev, text)
	default:
		t.Logf("%s %d vs %s: %+.3f %%", what, got, text, 100*dev)
	}
}

// TestPresetsMatchPublished checks every preset against docs/presets.md:
// the documented counts are what the builders produce, and they match the
// cited figures.
func TestPresetsMatchPublished(t *testing.T) {
	rows := readPresetTable(t)
	if len(rows) != len(wantNames) {
		t.Errorf("presets.md lists %d presets, want %d", len(rows), len(wantNames))
	}
	for _, name := range wantNames {
		t.Run(name, func(t *testing.T) {
			r, ok := rows[name]
			if !ok {
				t.Fatal("missing from docs/presets.md")
			}
			g, err := Preset(name, false)
			if err != nil {
				t.Fatal(err)
			}
			if g.Name != name {
				t.Errorf("graph name %q", g.Name)
			}
			info, _ := PresetInfo(name)
			in := g.Inputs[0].Shape.PerImage()
			if !slices.Equal([]int(in), info.Input) {
				t.Errorf("input %v, info says %v", in, info.Input)
			}
			if want := fmt.Sprintf("%d×%d×%d", in[0], in[1], in[2]); r.input != want {
				t.Errorf("presets.md input %q, want %q", r.input, want)
			}
			params, macs, err := Count(g)
			if err != nil {
				t.Fatal(err)
			}
			if params != r.params || macs != r.macs {
				t.Errorf("built %d params, %d MACs; presets.md says %d, %d", params, macs, r.params, r.macs)
			}
			checkFigure(t, "params", params, r.pubParams, r.exactParams, r.pubParamsText)
			checkFigure(t, "MACs", macs, r.pubMACs, r.exactMACs, r.pubMACsText)
			for _, n := range g.Nodes {
				if n.Type == "" || n.Params != nil {
					t.Errorf("node %q: type %q, %d parameters in a structure-only build", n.Name, n.Type, len(n.Params))
				}
			}
		})
	}
}

// caffeRefs maps presets to the reference prototxt whose layer names they
// use.
var caffeRefs = map[string]string{
	"alexnet":       "bvlc_alexnet_deploy.prototxt",
	"vgg16":         "vgg16_deploy_from_netscope_preset.prototxt",
	"googlenet":     "bvlc_googlenet_deploy.prototxt",
	"squeezenet1.0": "squeezenet_v1.0_deploy.prototxt",
	"squeezenet1.1": "squeezenet_v1.1_deploy.prototxt",
	"inceptionv3":   "soeaver_inception_v3_deploy.prototxt",
	"nin":           "nin.prototxt",
	"yolov1":        "YOLO.prototxt",
}

type caffeExpected struct {
	Input  []int `json:"input"`
	Params int64 `json:"params"`
	MACs   int64 `json:"conv_fc_macs_per_image"`
	Layers []struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Out  []int  `json:"out"`
	} `json:"layers"`
}

// TestPresetsCaffeReference compares every layer's output shape and the
// totals with the Caffe reference of the definition a preset follows.
func TestPresetsCaffeReference(t *testing.T) {
	dir := testref.Dir(t, "caffe")
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var refs map[string]caffeExpected
	if err := json.Unmarshal(data, &refs); err != nil {
		t.Fatal(err)
	}
	notLayers := map[string]bool{"input": true, "data": true, "implicit": true, "softmax_loss": true, "accuracy": true}
	for _, name := range wantNames {
		file, ok := caffeRefs[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			ref, ok := refs[file]
			if !ok {
				t.Fatalf("expected.json has no %s", file)
			}
			g, err := Preset(name, false)
			if err != nil {
				t.Fatal(err)
			}
			shapes, err := g.InferShapes(1)
			if err != nil {
				t.Fatal(err)
			}
			if in := g.Inputs[0].Shape.PerImage(); !slices.Equal([]int(in), ref.Input) {
				t.Errorf("input %v, reference %v", in, ref.Input)
			}
			compared := 0
			for _, l := range ref.Layers {
				if notLayers[strings.ToLower(l.Type)] {
					continue
				}
				n := g.Node(l.Name)
				if n == nil {
					t.Errorf("no node named %q (%s)", l.Name, l.Type)
					continue
				}
				got := []int(shapes[n.Outputs[0]].PerImage())
				for len(got) < len(l.Out) {
					got = append(got, 1)
				}
				if !slices.Equal(got, l.Out) {
					t.Errorf("%s (%s): output %v, reference %v", l.Name, l.Type, got, l.Out)
				}
				compared++
			}
			params, macs, err := Count(g)
			if err != nil {
				t.Fatal(err)
			}
			if params != ref.Params || macs != ref.MACs {
				t.Errorf("%d params, %d MACs; reference %d, %d", params, macs, ref.Params, ref.MACs)
			}
			t.Logf("%d layers compared with %s", compared, file)
		})
	}
}

// TestTinyVGGMatchesCNNExplainer counts the original CNN Explainer model.
func TestTinyVGGMatchesCNNExplainer(t *testing.T) {
	ref, _, err := format.Open(filepath.Join(testref.Dir(t, "cnn-explainer"), "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := Preset("tinyvgg", false)
	if err != nil {
		t.Fatal(err)
	}
	rp, rm, err := Count(ref)
	if err != nil {
		t.Fatal(err)
	}
	p, m, err := Count(g)
	if err != nil {
		t.Fatal(err)
	}
	if p != rp || m != rm {
		t.Errorf("preset: %d params, %d MACs; CNN Explainer model: %d, %d", p, m, rp, rm)
	}
}

// TestPresetWeights builds presets with weights: complete, deterministic,
// counted like the structure, and runnable.
func TestPresetWeights(t *testing.T) {
	for _, name := range []string{"tinyvgg", "squeezenet1.1", "mobilenetv2"} {
		g, err := Preset(name, true)
		if err != nil {
			t.Fatal(err)
		}
		shapes, err := g.InferShapes(1)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.HasWeights(shapes); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		var sum int64
		for _, n := range g.Nodes {
			sum += n.ParamCount()
		}
		if params, _, _ := Count(g); sum != params {
			t.Errorf("%s: nodes hold %d learnable parameters, Count says %d", name, sum, params)
		}
		again, _ := Preset(name, true)
		for i, n := range g.Nodes {
			if w := n.Param("weight"); w != nil && !slices.Equal(w.Data, again.Nodes[i].Param("weight").Data) {
				t.Errorf("%s: %s weights differ between two builds", name, n.Name)
				break
			}
		}
	}
	if testing.Short() {
		return
	}
	g, err := Preset("mobilenetv2", true)
	if err != nil {
		t.Fatal(err)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 3*224*224)
	for i := range x {
		x[i] = float32(i%251)/251 - 0.5
	}
	out, err := p.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, v := range out[g.Outputs[0]].Data {
		total += float64(v)
	}
	if math.Abs(total-1) > 1e-3 {
		t.Errorf("mobilenetv2 probabilities sum to %g", total)
	}
}

// TestPresetTypes checks that Node.Type is a readable Caffe layer type.
func TestPresetTypes(t *testing.T) {
	caffe := map[string]bool{"Convolution": true, "Pooling": true, "InnerProduct": true, "BatchNorm": true,
		"Scale": true, "ReLU": true, "ReLU6": true, "LRN": true, "Concat": true, "Eltwise": true,
		"Dropout": true, "Softmax": true}
	for _, name := range wantNames {
		if name == "tinyvgg" {
			continue // keeps the Keras types of CNN Explainer
		}
		g, err := Preset(name, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range g.Nodes {
			if !caffe[n.Type] {
				t.Errorf("%s: node %q has type %q", name, n.Name, n.Type)
			}
			if p, ok := n.Op.(*graph.Pool); ok && !p.Global && p.CeilMode != (caffeRefs[name] != "" || name == "caffenet" || name == "vgg19") {
				t.Errorf("%s: %s rounds %s", name, n.Name, map[bool]string{true: "up", false: "down"}[p.CeilMode])
			}
		}
	}
}

// BenchmarkPresetBuild builds the largest preset's structure and infers
// its shapes, as the Scope does when a preset is opened.
func BenchmarkPresetBuild(b *testing.B) {
	for b.Loop() {
		g, err := Preset("inceptionresnetv2", false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := g.InferShapes(1); err != nil {
			b.Fatal(err)
		}
	}
}

// FillWeights gives a structure-only graph the presets' initialisation:
// He uniform weights within ±√(6/fan-in), zero biases, unit BatchNorm
// scales and variances; the graph then runs, and parameters it has stay.
func TestFillWeights(t *testing.T) {
	g, err := Preset("resnet18", false)
	if err != nil {
		t.Fatal(err)
	}
	filled, err := FillWeights(g, 7)
	if err != nil {
		t.Fatal(err)
	}
	shapes, err := g.InferShapes(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.HasWeights(shapes); err != nil {
		t.Fatalf("after FillWeights: %v", err)
	}
	count := 0
	for _, n := range g.Nodes {
		count += len(n.Params)
		for name, p := range n.Params {
			lo, hi := slices.Min(p.Data), slices.Max(p.Data)
			switch name {
			case "weight":
				fanIn := 1
				for _, d := range p.Shape[1:] {
					fanIn *= d
				}
				lim := float32(math.Sqrt(6 / float64(fanIn)))
				if lo < -lim || hi > lim || lo == hi {
					t.Errorf("%s weight in [%g, %g], want within ±%g and not constant", n.Name, lo, hi, lim)
				}
			case "scale", "var":
				if lo != 1 || hi != 1 {
					t.Errorf("%s %s in [%g, %g], want 1", n.Name, name, lo, hi)
				}
			default:
				if lo != 0 || hi != 0 {
					t.Errorf("%s %s in [%g, %g], want 0", n.Name, name, lo, hi)
				}
			}
		}
	}
	if filled != count || filled == 0 {
		t.Errorf("filled %d parameters, the graph has %d", filled, count)
	}
	conv1 := g.Node("conv1").Params["weight"].Data[0]
	if again, _ := FillWeights(g, 8); again != 0 || g.Node("conv1").Params["weight"].Data[0] != conv1 {
		t.Errorf("a second FillWeights filled %d parameters or changed conv1", again)
	}
	if _, err := engine.Compile(g, 1); err != nil {
		t.Errorf("compile after FillWeights: %v", err)
	}
}

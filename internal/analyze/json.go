package analyze

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/convscope/convscope/internal/graph"
)

// JSONReport is the JSON form of a Report: the one object that
// `convscope analyze --format json` prints and that the web app's Scope
// API (GET /api/presets/{name}, POST /api/analyze) answers with. Every
// number is per image. Both use JSON, so they cannot diverge.
type JSONReport struct {
	Name       string `json:"name"`
	Format     string `json:"format"`
	Input      []int  `json:"input"`
	Params     int64  `json:"params"`
	ParamBytes int64  `json:"param_bytes"`
	MACs       int64  `json:"macs"`
	// Count and Include are the counting convention of Ops (Convention):
	// "macs" or "flops", and the included categories of other arithmetic.
	Count               string   `json:"count"`
	Include             []string `json:"include"`
	Ops                 int64    `json:"ops"`
	Additions           int64    `json:"additions"`
	Comparisons         int64    `json:"comparisons"`
	Divisions           int64    `json:"divisions"`
	Exponentials        int64    `json:"exponentials"`
	ActivationBytes     int64    `json:"activation_bytes"`
	PeakActivationBytes int64    `json:"peak_activation_bytes"`
	PeakLayer           string   `json:"peak_layer"`
	// Unsupported names the operators convscope cannot infer or run
	// (Report.Unsupported).
	Unsupported []string `json:"unsupported,omitempty"`
	// Notes say how the import changed the model (Report.Notes).
	Notes  []string    `json:"notes,omitempty"`
	Layers []JSONLayer `json:"layers"`
}

// JSONLayer is one entry of JSONReport.Layers (a graph input or a node, in
// the order of Report.Layers).
type JSONLayer struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Kind   string   `json:"kind"`
	Inputs []string `json:"inputs"`
	Output []int    `json:"output"`
	Params int64    `json:"params"`
	MACs   int64    `json:"macs"`
	// BiasAdds are Layer.BiasAdds; Ops the layer's operations under the
	// report's convention.
	BiasAdds        int64 `json:"bias_adds"`
	Ops             int64 `json:"ops"`
	Additions       int64 `json:"additions"`
	Comparisons     int64 `json:"comparisons"`
	Divisions       int64 `json:"divisions"`
	Exponentials    int64 `json:"exponentials"`
	ParamBytes      int64 `json:"param_bytes"`
	ActivationBytes int64 `json:"activation_bytes"`
	// Traits are the operator's (graph.Traits; family "input" for a graph
	// input), for the UI's drawing.
	Traits graph.Traits `json:"traits"`
	// Unknown: the layer's output shape and cost are unknown (Output is
	// null), see Layer.Unknown.
	Unknown bool `json:"unknown,omitempty"`
}

// CHW writes a per-image shape as [C, H, W]; a vector is [C, 1, 1].
func CHW(s graph.Shape) []int {
	out := append([]int{}, s...)
	for len(out) < 3 {
		out = append(out, 1)
	}
	return out
}

// JSON converts r to its JSON form; format is the model's format name
// ("caffe", "onnx", "tfjs", "preset" …).
func JSON(r *Report, format string) JSONReport {
	o := JSONReport{
		Name: r.Name, Format: format, Params: r.Params, ParamBytes: r.ParamBytes, MACs: r.MACs,
		Additions: r.Cost.Additions, Comparisons: r.Cost.Comparisons, Divisions: r.Cost.Divisions,
		Exponentials: r.Cost.Exponentials, ActivationBytes: r.ActivationBytes,
		PeakActivationBytes: r.PeakActivationBytes, PeakLayer: r.PeakLayer,
		Unsupported: r.Unsupported, Notes: r.Notes, Layers: []JSONLayer{},
		Count: r.Convention.Unit(), Include: append([]string{}, r.Convention.Include...), Ops: r.Ops(),
	}
	if len(r.Inputs) > 0 {
		o.Input = CHW(r.Inputs[0].Shape)
	}
	for i, l := range r.Layers {
		al := JSONLayer{
			BiasAdds: l.BiasAdds, Ops: r.Convention.Ops(&r.Layers[i]),
			Name: l.Name, Type: l.Type, Kind: l.Kind, Traits: l.Traits, Inputs: append([]string{}, l.Inputs...),
			Params: l.Params, MACs: l.MACs, Additions: l.Cost.Additions, Comparisons: l.Cost.Comparisons,
			Divisions: l.Cost.Divisions, Exponentials: l.Cost.Exponentials,
			ParamBytes: l.ParamBytes, ActivationBytes: l.ActivationBytes, Unknown: l.Unknown,
		}
		if len(l.OutputShapes) > 0 && !l.Unknown {
			al.Output = CHW(l.OutputShapes[0])
		}
		o.Layers = append(o.Layers, al)
	}
	return o
}

// ParseCHW reads an input size "C,H,W" (also "CxHxW" or "C×H×W"), as given
// to convscope analyze --input and POST /api/analyze?input=.
func ParseCHW(s string) ([]int, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == 'x' || r == '×' || r == ' ' })
	if len(parts) != 3 {
		return nil, fmt.Errorf("want three sizes C,H,W")
	}
	dims := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v <= 0 || v > 1<<20 {
			return nil, fmt.Errorf("%q is not a size (1…%d)", p, 1<<20)
		}
		dims[i] = v
	}
	return dims, nil
}

package server

import (
	"encoding/json"
	"github.com/convscope/convscope/internal/imageio"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/graph"
)

// modelSummary is one entry of GET /api/models.
type modelSummary struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Format   string `json:"format"`
	File     string `json:"file"`
	Default  bool   `json:"default"`
	Runnable bool   `json:"runnable"`
	WhyNot   string `json:"not_runnable_reason,omitempty"`
	Input    []int  `json:"input,omitempty"` // [C, H, W] of the image input
	Classes  int    `json:"classes"`
	Layers   int    `json:"layers"`
	Params   int64  `json:"params"`
	// MACs are the multiply-accumulates of one image's run (the layers whose
	// shapes are known): the UI's measure of how costly a run is.
	MACs     int64    `json:"macs"`
	Examples []string `json:"examples"`
	// Preprocess is how an image becomes the model's input, every default
	// spelled out (docs/preprocessing.md).
	Preprocess imageio.Preprocess `json:"preprocess"`
	// Notes say how the import changed the model (graph.Notes: "dequantized",
	// "float16"); the UI shows them with the model's name.
	Notes []string `json:"notes,omitempty"`
}

// modelDetail is GET /api/models/{id}.
type modelDetail struct {
	modelSummary
	Labels       []string `json:"labels"`
	LabelsSource string   `json:"labels_source"`
	// LabelsI18n are the class names in other languages, by language tag,
	// from labels.<lang>.txt beside the model ({} when there are none).
	LabelsI18n  map[string][]string `json:"labels_i18n"`
	Inputs      []valueInfo         `json:"inputs"`
	Outputs     []string            `json:"outputs"`
	Logits      string              `json:"logits,omitempty"`
	Probs       string              `json:"probabilities,omitempty"`
	Nodes       []layerInfo         `json:"layers"`
	ExampleList []exampleRef        `json:"example_images"`
}

type valueInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"` // per image
}

type exampleRef struct {
	Name   string `json:"name"`
	URL    string `json:"url"`     // the image file
	RunURL string `json:"run_url"` // GET: the run result for it
}

type paramInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// layerInfo describes one node of the graph.
type layerInfo struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"` // as written in the model file
	Op         string         `json:"op"`   // canonical operator kind
	Traits     graph.Traits   `json:"traits"`
	Inputs     []string       `json:"inputs"` // [] for a constant, never null
	Outputs    []string       `json:"outputs"`
	Shape      []int          `json:"shape"` // per-image shape of the first output
	Params     []paramInfo    `json:"params"`
	ParamCount int64          `json:"param_count"`
	Attrs      map[string]any `json:"attrs"`
	Cost       graph.Cost     `json:"cost"`
}

func (m *model) summary() modelSummary {
	s := modelSummary{
		ID: m.id, Name: m.name, Format: m.format, File: m.file, Default: m.id == DefaultID,
		Runnable: m.runnable, WhyNot: m.whyNot, Classes: m.classes, Layers: len(m.g.Nodes),
		Examples: []string{}, Preprocess: m.pre.Normal(), Notes: m.g.Notes,
	}
	if m.runnable {
		s.Input = []int{m.input.c, m.input.h, m.input.w}
	}
	// As analyze counts them: a structure-only file (a prototxt without
	// weights) counts the parameters its layers would have.
	for _, n := range m.g.Nodes {
		s.Params += m.nodeParams(n)
		in, out := m.nodeShapes(n)
		if c, ok := nodeCost(n, in, out); ok {
			s.MACs += c.MACs
		}
	}
	for _, e := range m.examples {
		s.Examples = append(s.Examples, e.name)
	}
	return s
}

// nodeShapes are the shapes of n's inputs and outputs.
func (m *model) nodeShapes(n *graph.Node) (in, out []graph.Shape) {
	in = make([]graph.Shape, len(n.Inputs))
	for i, v := range n.Inputs {
		in[i] = m.shapes[v]
	}
	out = make([]graph.Shape, len(n.Outputs))
	for i, v := range n.Outputs {
		out[i] = m.shapes[v]
	}
	return in, out
}

// nodeCost is n's cost per image, when its shapes are known (not after an
// unsupported operator).
func nodeCost(n *graph.Node, in, out []graph.Shape) (graph.Cost, bool) {
	if !known(out) || !known(in) {
		return graph.Cost{}, false
	}
	return n.Op.Cost(in, out), true
}

func (m *model) detail() modelDetail {
	d := modelDetail{
		modelSummary: m.summary(), Labels: m.labels, LabelsSource: m.labelsSource,
		Outputs: m.g.Outputs, Logits: m.logits, Probs: m.probs,
		Nodes: []layerInfo{}, ExampleList: []exampleRef{},
	}
	if d.Labels == nil {
		d.Labels = []string{}
	}
	d.LabelsI18n = map[string][]string{}
	for lang, l := range m.g.LabelsI18n {
		d.LabelsI18n[lang] = l
	}
	for _, in := range m.g.Inputs {
		d.Inputs = append(d.Inputs, valueInfo{Name: in.Name, Shape: ints(m.shapes[in.Name].PerImage())})
	}
	for _, e := range m.examples {
		d.ExampleList = append(d.ExampleList, exampleRef{Name: e.name, URL: exampleURL(m.id, e.name), RunURL: exampleURL(m.id, e.name) + "/run"})
	}
	for _, n := range m.g.Nodes {
		in, out := m.nodeShapes(n)
		li := layerInfo{
			Name: n.Name, Type: n.Type, Op: n.Op.Kind(), Traits: n.Op.Traits(), Inputs: append([]string{}, n.Inputs...), Outputs: n.Outputs,
			Shape: ints(out[0].PerImage()), Params: []paramInfo{}, ParamCount: n.ParamCount(),
		}
		if c, ok := nodeCost(n, in, out); ok {
			li.Attrs, li.Cost = attrs(n.Op, in), c
		} else { // after an unsupported operator: shapes and cost unknown
			li.Attrs = attrs(n.Op, nil)
		}
		for _, p := range n.ParamNames() {
			li.Params = append(li.Params, paramInfo{Name: p, Shape: n.Params[p].Shape})
		}
		d.Nodes = append(d.Nodes, li)
	}
	return d
}

// known reports whether every shape is known (an unsupported operator's
// outputs, and what depends on them, have none).
func known(shapes []graph.Shape) bool {
	for _, s := range shapes {
		if s == nil {
			return false
		}
	}
	return true
}

// nodeParams counts a node's learnable parameters as analyze does: from its
// tensors, or from the shapes its operator expects when the file has none.
func (m *model) nodeParams(n *graph.Node) int64 {
	in := make([]graph.Shape, len(n.Inputs))
	for i, v := range n.Inputs {
		in[i] = m.shapes[v]
	}
	if !known(in) {
		return n.ParamCount()
	}
	learn, _, err := analyze.NodeParams(n, in)
	if err != nil {
		return n.ParamCount()
	}
	return learn
}

func ints(s graph.Shape) []int {
	if s == nil {
		return []int{}
	}
	return []int(s)
}

// attrs lists an operator's attributes with lower-case keys; sliding
// windows are given with their padding resolved for the actual input.
func attrs(op graph.Op, in []graph.Shape) map[string]any {
	win := func(w graph.Window) map[string]any {
		return map[string]any{"kernel": w.Kernel, "stride": w.Stride, "dilation": w.Dilation, "pads": w.Pads}
	}
	switch o := op.(type) {
	case *graph.Conv:
		a := map[string]any{"kernel": o.Kernel, "out_channels": o.OutChannels, "groups": max(1, o.Groups), "bias": o.Bias}
		if len(in) == 1 && len(in[0]) == 4 {
			if w, _, _, err := o.Window.Resolve(in[0][2], in[0][3], false); err == nil {
				a = mergeMaps(a, win(w))
			}
		}
		return a
	case *graph.Pool:
		a := map[string]any{"type": o.Type, "global": o.Global, "ceil_mode": o.CeilMode}
		if len(in) == 1 && len(in[0]) == 4 {
			if w, _, _, err := o.Resolve(in[0][2], in[0][3]); err == nil {
				a = mergeMaps(a, win(w))
			}
		}
		return a
	case *graph.Dense:
		return map[string]any{"units": o.Units, "bias": o.Bias}
	case *graph.Activation:
		return map[string]any{"func": o.Func, "alpha": num(o.Alpha), "beta": num(o.Beta)}
	case *graph.Softmax:
		return map[string]any{"axis": o.Axis, "log": o.Log}
	case *graph.Flatten:
		return map[string]any{"channels_last": o.ChannelsLast}
	}
	// Any other operator: its exported fields as encoding/json writes them.
	var a map[string]any
	if b, err := json.Marshal(op); err == nil {
		_ = json.Unmarshal(b, &a)
	}
	if a == nil {
		a = map[string]any{}
	}
	return a
}

func mergeMaps(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

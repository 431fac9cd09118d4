package analyze

import (
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/graph"
)

// BytesPerElem is the size of one activation or parameter value (float32).
const BytesPerElem = 4

// InputKind is the Kind (and Type) of the entries that describe graph
// inputs.
const InputKind = "Input"

// Layer is the analysis of one graph input or node, per image.
type Layer struct {
	Name string `json:"name"`
	// Type is the layer type as written in the source file (Node.Type);
	// "Input" for graph inputs.
	Type string `json:"type"`
	// Kind is the canonical operator (Op.Kind()); "Input" for graph inputs.
	Kind string `json:"kind"`
	// Traits are the operator's (Op.Traits()); graph.InputTraits for
	// graph inputs.
	Traits       graph.Traits  `json:"traits"`
	Inputs       []string      `json:"inputs"`
	Outputs      []string      `json:"outputs"`
	InputShapes  []graph.Shape `json:"input_shapes"`
	OutputShapes []graph.Shape `json:"output_shapes"`
	// Params counts learnable parameters (everything but BatchNorm's
	// "mean" and "var"); ParamBytes is the storage of all parameters,
	// statistics included.
	Params     int64 `json:"params"`
	ParamBytes int64 `json:"param_bytes"`
	// MACs are the multiply-accumulates of Conv, ConvTranspose, Dense and
	// MatMul; Cost holds them and the other arithmetic.
	MACs int64      `json:"macs"`
	Cost graph.Cost `json:"cost"`
	// BiasAdds are the bias additions of a Conv, ConvTranspose or Dense
	// layer with a bias: one per output element (not in Cost; counted when
	// a Convention includes "bias").
	BiasAdds int64 `json:"bias_adds,omitempty"`
	// ActivationElems and ActivationBytes are the sizes of the outputs.
	ActivationElems int64 `json:"activation_elems"`
	ActivationBytes int64 `json:"activation_bytes"`
	// Shared is set when the peak-memory simulation lets the first output
	// live in the first input's buffer (a view or an in-place update).
	Shared bool `json:"shared,omitempty"`
	// Op is the node's operator (nil for a graph input), for Diff.
	Op graph.Op `json:"-"`
	// Unknown is set for a layer whose shapes and cost cannot be known: an
	// operator convscope does not support (graph.Unknown) or one that reads
	// the output of such an operator. Its shapes are null, its cost and
	// activation sizes 0; its parameters are those the file gives it.
	Unknown bool `json:"unknown,omitempty"`
}

// Report is the static analysis of a graph for one image (batch 1).
type Report struct {
	Name string `json:"name"`
	// Inputs are the graph inputs with their per-image shapes.
	Inputs []graph.Value `json:"inputs"`
	// Layers lists the graph inputs, then every node in topological order.
	Layers          []Layer    `json:"layers"`
	Params          int64      `json:"params"`
	ParamBytes      int64      `json:"param_bytes"`
	MACs            int64      `json:"macs"`
	Cost            graph.Cost `json:"cost"`
	ActivationElems int64      `json:"activation_elems"`
	ActivationBytes int64      `json:"activation_bytes"`
	// PeakActivationBytes is the most activation memory alive at once in
	// a batch-1 forward pass that frees each value after its last use;
	// PeakLayer is the node being computed at that moment.
	PeakActivationBytes int64  `json:"peak_activation_bytes"`
	PeakLayer           string `json:"peak_layer"`
	// Unsupported lists the operators convscope cannot infer or run
	// (graph.Unsupported); when it is not empty, the totals but Params
	// leave out the unknown layers.
	Unsupported []string `json:"unsupported,omitempty"`
	// Notes say how the import changed the model (graph.Notes).
	Notes []string `json:"notes,omitempty"`
	// Convention is the counting convention of Ops (count.go); Analyze
	// leaves it at the default (MACs only), the caller sets it.
	Convention Convention `json:"-"`
}

// Analyze validates g (which sorts its nodes topologically) and computes
// its report for one image. Parameters are counted from the node's tensors
// when present, otherwise from Op.ParamShapes, so structure-only graphs are
// analysed too. g's inputs are not modified.
func Analyze(g *graph.Graph) (*Report, error) {
	if g == nil {
		return nil, fmt.Errorf("no graph")
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	// Per image: infer with a batch of 1 whatever batch the file states.
	one := *g
	one.Inputs = make([]graph.Value, len(g.Inputs))
	for i, in := range g.Inputs {
		s := append(graph.Shape(nil), in.Shape...)
		if len(s) > 0 {
			s[0] = 1
		}
		one.Inputs[i] = graph.Value{Name: in.Name, Shape: s}
	}
	shapes, err := one.InferPartial(1)
	if err != nil {
		return nil, err
	}
	r := &Report{Name: g.Name, Unsupported: g.Unsupported(), Notes: g.Notes}
	for _, in := range one.Inputs {
		s := in.Shape.PerImage()
		r.Inputs = append(r.Inputs, graph.Value{Name: in.Name, Shape: s})
		e := int64(s.Elems())
		r.Layers = append(r.Layers, Layer{
			Name: in.Name, Type: InputKind, Kind: InputKind, Traits: graph.InputTraits,
			Outputs: []string{in.Name}, OutputShapes: []graph.Shape{s},
			ActivationElems: e, ActivationBytes: e * BytesPerElem,
		})
	}
	for _, n := range g.Nodes {
		in := make([]graph.Shape, len(n.Inputs))
		for i, name := range n.Inputs {
			in[i] = shapes[name]
		}
		out := make([]graph.Shape, len(n.Outputs))
		for i, name := range n.Outputs {
			out[i] = shapes[name]
		}
		l := Layer{Name: n.Name, Type: n.Type, Kind: n.Op.Kind(), Traits: n.Op.Traits(), Inputs: n.Inputs, Outputs: n.Outputs, Op: n.Op}
		if l.Type == "" {
			l.Type = l.Kind
		}
		if _, known := shapes[n.Outputs[0]]; !known {
			l.Unknown = true
			l.InputShapes = make([]graph.Shape, len(in))
			for i, s := range in {
				if s != nil {
					l.InputShapes[i] = s.PerImage()
				}
			}
			l.OutputShapes = make([]graph.Shape, len(out))
			for name, t := range n.Params {
				e, _ := elems(t.Shape)
				l.ParamBytes += e * BytesPerElem
				if n.Learnable(name, e) {
					l.Params += e
				}
			}
			r.Layers = append(r.Layers, l)
			continue
		}
		for _, s := range in {
			l.InputShapes = append(l.InputShapes, s.PerImage())
		}
		for _, s := range out {
			l.OutputShapes = append(l.OutputShapes, s.PerImage())
			l.ActivationElems += int64(s.Elems())
		}
		l.ActivationBytes = l.ActivationElems * BytesPerElem
		if l.Params, l.ParamBytes, err = NodeParams(n, in); err != nil {
			return nil, err
		}
		l.Cost = n.Op.Cost(in, out)
		l.MACs = l.Cost.MACs
		l.BiasAdds = biasAdds(n, in, out)
		r.Layers = append(r.Layers, l)
	}
	for _, l := range r.Layers {
		r.Params += l.Params
		r.ParamBytes += l.ParamBytes
		r.Cost = r.Cost.Add(l.Cost)
		r.ActivationElems += l.ActivationElems
		r.ActivationBytes += l.ActivationBytes
	}
	r.MACs = r.Cost.MACs
	peak(g, shapes, r)
	return r, nil
}

// NodeParams counts a node's learnable parameters and the bytes of all its
// parameters, from its tensors or, when absent, the shapes its operator
// expects for the input shapes in (all known). The server's model list
// counts with it, so it agrees with the analysis.
func NodeParams(n *graph.Node, in []graph.Shape) (learn, bytes int64, err error) {
	want := n.Op.ParamShapes(in)
	seen := map[string]bool{}
	count := func(name string, s []int) error {
		e, ok := elems(s)
		if !ok {
			return graph.NodeErrorf(n.Name, "node %q (%s): parameter %q of shape %v has more than %d elements", n.Name, n.Type, name, graph.Shape(s), graph.DefaultLimits.MaxTensorElems)
		}
		bytes += e * BytesPerElem
		if n.Learnable(name, e) {
			learn += e
		}
		return nil
	}
	for name, t := range n.Params {
		seen[name] = true
		if err := count(name, t.Shape); err != nil {
			return 0, 0, err
		}
	}
	for name, s := range want {
		if seen[name] {
			continue
		}
		if err := count(name, s); err != nil {
			return 0, 0, err
		}
	}
	return learn, bytes, nil
}

// elems multiplies dimensions, failing past graph.DefaultLimits rather than
// overflowing.
func elems(s []int) (int64, bool) {
	n := int64(1)
	for _, d := range s {
		if d < 0 {
			return 0, false
		}
		if d > 0 && n > graph.DefaultLimits.MaxTensorElems/int64(d) {
			return 0, false
		}
		n *= int64(d)
	}
	return n, n <= graph.DefaultLimits.MaxTensorElems
}

// peak simulates the activation memory of a batch-1 forward pass in
// topological order (see the package documentation).
func peak(g *graph.Graph, shapes map[string]graph.Shape, r *Report) {
	const forever = math.MaxInt
	lastUse := map[string]int{}
	for _, in := range g.Inputs {
		lastUse[in.Name] = -1
	}
	for i, n := range g.Nodes {
		for _, o := range n.Outputs {
			lastUse[o] = i // a value nothing reads dies where it is made
		}
	}
	for i, n := range g.Nodes {
		for _, x := range n.Inputs {
			lastUse[x] = max(lastUse[x], i)
		}
	}
	for _, o := range g.Outputs {
		lastUse[o] = forever
	}
	bytesOf := func(v string) int64 {
		s, ok := shapes[v]
		if !ok {
			return 0 // unknown (counted as nothing)
		}
		return int64(s.Elems()) * BytesPerElem
	}

	type buffer struct {
		size int64
		end  int // step after which it is freed
	}
	var bufs []*buffer
	bufOf := map[string]*buffer{}
	var live int64
	alloc := func(v string, end int) {
		b := &buffer{size: bytesOf(v), end: end}
		bufs = append(bufs, b)
		bufOf[v] = b
		live += b.size
	}
	for _, in := range g.Inputs {
		alloc(in.Name, lastUse[in.Name])
	}
	r.PeakActivationBytes, r.PeakLayer = live, ""
	if len(g.Inputs) > 0 {
		r.PeakLayer = g.Inputs[0].Name
	}
	free := func(step int) {
		kept := bufs[:0]
		for _, b := range bufs {
			if b.end <= step {
				live -= b.size
				continue
			}
			kept = append(kept, b)
		}
		bufs = kept
	}
	free(-1) // inputs nothing reads
	layerIndex := len(g.Inputs)
	for i, n := range g.Nodes {
		for j, o := range n.Outputs {
			var share *buffer
			if j == 0 && len(n.Inputs) > 0 {
				x := n.Inputs[0]
				sameSize := bytesOf(x) == bytesOf(o)
				t := r.Layers[layerIndex+i].Traits
				switch {
				case t.View && sameSize:
					share = bufOf[x]
				case t.Elementwise && sameSize && lastUse[x] == i:
					share = bufOf[x]
				}
			}
			if share != nil {
				bufOf[o] = share
				share.end = max(share.end, lastUse[o])
				r.Layers[layerIndex+i].Shared = true
				continue
			}
			alloc(o, lastUse[o])
		}
		if live > r.PeakActivationBytes {
			r.PeakActivationBytes, r.PeakLayer = live, n.Name
		}
		free(i)
	}
}

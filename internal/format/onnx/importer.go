package onnx

import (
	"container/heap"
	"errors"
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// value is what the importer knows about one ONNX value.
type value struct {
	shape []int // import-time shape (a symbolic batch is 1)
	dt    TensorProto_DataType
	c     *Tensor // the value, when known at import time
	// live marks values that exist in the graph: graph inputs, node
	// outputs and constants that have been materialised as Const nodes.
	live  bool
	input bool // a declared graph input
	// batchDim marks runtime values whose first dimension is the model's
	// dynamic batch size (1 in shape).
	batchDim bool
	// unknown marks outputs of Unknown nodes (Options.Partial): their
	// shape is not known.
	unknown bool
	// reshaped marks constants a shape operator (Reshape, Unsqueeze,
	// Squeeze, Flatten) computed from a stored tensor: a weight brought
	// into shape for broadcasting (a one-channel bias), counted as a
	// parameter even when it has one element (scalarOperand).
	reshaped bool
}

type importer struct {
	opset  int64
	opts   Options
	g      *graph.Graph
	vals   map[string]*value
	names  *graph.Names    // value names in use (ONNX's and generated ones)
	nodes  *graph.Names    // node names in use
	used   map[string]bool // values read by some node or the graph outputs
	budget *format.Budget
	ext    externalReader
	gp     *GraphProto // for error messages
}

func importModel(m *ModelProto, opts Options) (*graph.Graph, error) {
	gp := m.GetGraph()
	imp := &importer{
		opset:  1,
		opts:   opts,
		g:      &graph.Graph{Name: gp.GetName()},
		vals:   map[string]*value{},
		names:  graph.NewNames("#"),
		nodes:  graph.NewNames("#"),
		used:   map[string]bool{},
		budget: opts.Budget,
		gp:     gp,
	}
	if imp.budget == nil {
		imp.budget = format.NewBudget(4*opts.MaxElems, "")
	}
	if opts.FS != nil {
		imp.ext = fsExternal(opts.FS, opts.Dir)
	}
	for _, os := range m.GetOpsetImport() {
		if d := os.GetDomain(); d == "" || d == "ai.onnx" {
			imp.opset = os.GetVersion()
		}
	}
	if len(gp.GetNode()) > graph.DefaultLimits.MaxNodes {
		return nil, fmt.Errorf("graph has %d nodes, more than the limit of %d", len(gp.GetNode()), graph.DefaultLimits.MaxNodes)
	}
	// Reserve every ONNX value name so generated names never clash.
	for _, in := range gp.GetInput() {
		imp.names.Add(in.GetName())
	}
	for _, t := range gp.GetInitializer() {
		imp.names.Add(t.GetName())
	}
	for _, n := range gp.GetNode() {
		for _, s := range n.GetInput() {
			imp.names.Add(s)
			imp.used[s] = true
		}
		for _, s := range n.GetOutput() {
			imp.names.Add(s)
		}
	}
	for _, o := range gp.GetOutput() {
		imp.used[o.GetName()] = true
	}
	if err := imp.initializers(gp); err != nil {
		return nil, err
	}
	if err := imp.inputs(gp); err != nil {
		return nil, err
	}
	for _, n := range topoOrder(gp) {
		if err := imp.node(n); err != nil {
			return nil, err
		}
	}
	for _, o := range gp.GetOutput() {
		name := o.GetName()
		v, ok := imp.vals[name]
		if !ok {
			return nil, fmt.Errorf("graph output %q is not computed by any node", name)
		}
		if !v.live {
			if err := imp.materialize(name, v); err != nil {
				return nil, err
			}
		}
		imp.g.Outputs = append(imp.g.Outputs, name)
	}
	if len(imp.g.Outputs) == 0 {
		return nil, errors.New("graph has no output")
	}
	if err := imp.g.Validate(); err != nil {
		return nil, err
	}
	infer := imp.g.InferShapes
	if opts.Partial {
		infer = imp.g.InferPartial
	}
	if _, err := infer(1); err != nil {
		return nil, err
	}
	return imp.g, nil
}

func (imp *importer) initializers(gp *GraphProto) error {
	for _, tp := range gp.GetInitializer() {
		t, err := decodeTensor(tp, imp.ext, imp.budget)
		if err != nil {
			return fmt.Errorf("initializer: %w", err)
		}
		tp.RawData = nil // let the collector free the bytes as we go
		imp.vals[tp.GetName()] = &value{shape: t.Shape, dt: t.Type, c: t}
	}
	return nil
}

// inputs declares the graph inputs that are not initializers.
func (imp *importer) inputs(gp *GraphProto) error {
	for _, in := range gp.GetInput() {
		name := in.GetName()
		if _, isInit := imp.vals[name]; isInit {
			continue
		}
		if name == "" {
			return errors.New("a graph input has no name")
		}
		tt := in.GetType().GetTensorType()
		if tt == nil {
			return &UnsupportedError{Node: name, Detail: "inputs that are not tensors (sequences, maps, optionals)"}
		}
		dt := TensorProto_DataType(tt.GetElemType())
		if elemSize(dt) == 0 {
			return &UnsupportedError{Node: name, Detail: fmt.Sprintf("element type %s", dt)}
		}
		declared := tt.GetShape().GetDim()
		shape, gshape := make([]int, len(declared)), make(graph.Shape, len(declared))
		override, hasOverride := imp.opts.Shapes[name]
		if hasOverride && len(override) != len(declared) && tt.Shape != nil {
			return fmt.Errorf("graph input %q has rank %d; the shape given for it, %v, has rank %d", name, len(declared), override, len(override))
		}
		if !hasOverride && tt.Shape != nil && len(declared) > 1 {
			// Free dimensions past the batch take the input size given
			// for the first input (format.Options.Input), or are refused
			// with a *format.FreeSizeError that says how to give one.
			decl := make(graph.Shape, len(declared))
			for i, dim := range declared {
				decl[i] = -1
				if v, ok := dim.GetValue().(*TensorShapeProto_Dimension_DimValue); ok && v.DimValue > 0 && v.DimValue <= math.MaxInt32 {
					decl[i] = int(v.DimValue)
				}
			}
			var size []int
			if len(imp.g.Inputs) == 0 {
				size = imp.opts.Input
			}
			filled, err := format.FillInput(name, decl, size)
			if err != nil {
				return err
			}
			override, hasOverride = filled, true
		}
		if hasOverride {
			shape, gshape = make([]int, len(override)), make(graph.Shape, len(override))
		} else if tt.Shape == nil {
			return fmt.Errorf("graph input %q declares no shape", name)
		}
		for i := range shape {
			d := int64(-1)
			if i < len(declared) {
				if v, ok := declared[i].GetValue().(*TensorShapeProto_Dimension_DimValue); ok {
					d = v.DimValue
				}
			}
			if hasOverride {
				if d >= 0 && int64(override[i]) != d {
					return fmt.Errorf("graph input %q: dimension %d is %d, the shape given for it says %d", name, i, d, override[i])
				}
				d = int64(override[i])
			}
			switch {
			case d < 0 && i == 0:
				shape[i], gshape[i] = 1, -1 // any batch size
			case d < 0:
				return fmt.Errorf("graph input %q: dimension %d is symbolic; give the input a fixed shape", name, i)
			case d > math.MaxInt32:
				return fmt.Errorf("graph input %q: dimension %d is too large (%d)", name, i, d)
			default:
				shape[i], gshape[i] = int(d), int(d)
			}
		}
		if _, _, err := elems(toInt64(shape)); err != nil {
			return fmt.Errorf("graph input %q: %w", name, err)
		}
		imp.vals[name] = &value{shape: shape, dt: dt, live: true, input: true, batchDim: len(gshape) > 0 && gshape[0] < 0}
		imp.g.Inputs = append(imp.g.Inputs, graph.Value{Name: name, Shape: gshape})
	}
	if len(imp.g.Inputs) == 0 {
		return errors.New("the model has no input to feed (every graph input is an initializer)")
	}
	return nil
}

func toInt64(s []int) []int64 {
	v := make([]int64, len(s))
	for i, d := range s {
		v[i] = int64(d)
	}
	return v
}

// materialize adds a Const node producing a static value.
func (imp *importer) materialize(name string, v *value) error {
	t := v.c
	if !t.IsFloat() { // Float32 converts: charge the copy
		if err := imp.budget.Take(4*int64(t.Len()), fmt.Sprintf("constant %q", name)); err != nil {
			return err
		}
	}
	if err := checkShape(t.Shape); err != nil {
		var u *UnsupportedError
		if errors.As(err, &u) {
			u.Node, u.Op = name, "Constant"
			return u
		}
		return fmt.Errorf("constant %q: %w", name, err)
	}
	n := &graph.Node{
		Name:    imp.nodeName(name),
		Type:    "Constant",
		Op:      &graph.Const{Shape: append(graph.Shape{}, t.Shape...), Weight: v.reshaped && t.Len() == 1},
		Outputs: []string{name},
		Params:  map[string]*graph.Tensor{"value": {Shape: append([]int{}, t.Shape...), Data: t.Float32()}},
	}
	imp.g.Nodes = append(imp.g.Nodes, n)
	v.live = true
	return nil
}

// checkShape refuses shapes the IR cannot hold: negative dimensions and
// tensors over the element limit. Empty (zero-size) tensors are fine.
func checkShape(s []int) error {
	for _, d := range s {
		if d < 0 {
			return fmt.Errorf("shape %v has a negative dimension", graph.Shape(s))
		}
	}
	if _, _, err := elems(toInt64(s)); err != nil {
		return err
	}
	return nil
}

// nodeName returns a unique node name based on base.
func (imp *importer) nodeName(base string) string {
	if base == "" {
		base = "node"
	}
	return imp.nodes.Unique(base)
}

// valueName returns an unused value name based on base.
func (imp *importer) valueName(base string) string { return imp.names.Unique(base) }

// ctx is the conversion of one ONNX node.
type ctx struct {
	imp   *importer
	n     *NodeProto
	op    string
	id    string // the node's name for messages: its name or first output
	base  string // the graph name of its main node
	attrs map[string]*AttributeProto
	// attrErr is the first error reading an attribute (attrs.go).
	attrErr error
}

func (imp *importer) node(n *NodeProto) error {
	c := &ctx{imp: imp, n: n, op: n.GetOpType(), attrs: map[string]*AttributeProto{}}
	c.id = n.GetName()
	if c.id == "" && len(n.GetOutput()) > 0 {
		c.id = n.GetOutput()[0]
	}
	c.base = c.id
	for _, a := range n.GetAttribute() {
		c.attrs[a.GetName()] = a
	}
	if len(n.GetOutput()) == 0 || n.GetOutput()[0] == "" {
		return graph.NodeErrorf(c.id, "node %q (%s) has no output", c.id, c.op)
	}
	for _, o := range n.GetOutput() {
		if o == "" {
			continue
		}
		if _, dup := imp.vals[o]; dup {
			return graph.NodeErrorf(c.id, "node %q (%s): value %q is defined twice", c.id, c.op, o)
		}
	}
	partial := imp.opts.Partial
	if d := n.GetDomain(); d != "" && d != "ai.onnx" {
		if partial {
			return imp.unknownNode(c, false)
		}
		return &UnsupportedError{Node: c.id, Op: d + "." + c.op}
	}
	conv, ok := converters[c.op]
	if partial && (!ok || c.readsUnknown()) {
		return imp.unknownNode(c, ok)
	}
	if !ok {
		return &UnsupportedError{Node: c.id, Op: c.op}
	}
	nodes := len(imp.g.Nodes)
	err := conv(c)
	if c.attrErr != nil {
		err = c.attrErr // the first problem, before the converter went on with a default
	}
	if err != nil {
		var u *UnsupportedError
		if errors.As(err, &u) {
			if partial && u.Op != "" {
				// Drop what the converter emitted before it gave up.
				imp.g.Nodes = imp.g.Nodes[:nodes]
				for _, o := range n.GetOutput() {
					delete(imp.vals, o)
				}
				return imp.unknownNode(c, false)
			}
			return err
		}
		return graph.NodeErrorf(c.id, "node %q (%s): %w", c.id, c.op, err)
	}
	switch c.op {
	case "Reshape", "Unsqueeze", "Squeeze", "Flatten":
		if v := imp.vals[c.out(0)]; v != nil && v.c != nil {
			v.reshaped = true
		}
	}
	for i, o := range n.GetOutput() {
		if o == "" || !imp.used[o] {
			continue
		}
		if _, ok := imp.vals[o]; !ok {
			return c.unsupported(fmt.Sprintf("output %d (%q) is not supported", i, o))
		}
	}
	return nil
}

func (c *ctx) unsupported(detail string) error {
	return &UnsupportedError{Node: c.id, Op: c.op, Detail: detail}
}

// nin is the number of inputs, counting absent optional ones ("").
func (c *ctx) nin() int { return len(c.n.GetInput()) }

// has reports whether optional input i is present.
func (c *ctx) has(i int) bool { return i < c.nin() && c.n.GetInput()[i] != "" }

func (c *ctx) inName(i int) string { return c.n.GetInput()[i] }

// in returns input i, which must be present.
func (c *ctx) in(i int) (*value, error) {
	if !c.has(i) {
		return nil, fmt.Errorf("input %d is missing", i)
	}
	v, ok := c.imp.vals[c.inName(i)]
	if !ok {
		if !c.imp.producedByNode(c.inName(i)) {
			return nil, fmt.Errorf("input %q is not a graph input, an initializer or the output of any node (a missing initializer?)", c.inName(i))
		}
		return nil, fmt.Errorf("input %q is not computed by any earlier node (nodes must be in topological order)", c.inName(i))
	}
	return v, nil
}

// producedByNode reports whether some node of the graph outputs name.
func (imp *importer) producedByNode(name string) bool {
	for _, n := range imp.gp.GetNode() {
		for _, o := range n.GetOutput() {
			if o == name {
				return true
			}
		}
	}
	return false
}

// out is the name of output i ("" when absent).
func (c *ctx) out(i int) string {
	if i < len(c.n.GetOutput()) {
		return c.n.GetOutput()[i]
	}
	return ""
}

// static returns input i's value when it is known at import time (nil
// otherwise, or when the input is absent). Known graph inputs are not
// folded here: see require.
func (c *ctx) static(i int) *Tensor {
	if !c.has(i) {
		return nil
	}
	if v, ok := c.imp.vals[c.inName(i)]; ok {
		return v.c
	}
	return nil
}

// require returns the value of input i, which the operator needs at import
// time: a constant, a folded subgraph or a graph input whose value was given
// in Options.Known.
func (c *ctx) require(i int, what string) (*Tensor, error) {
	v, err := c.in(i)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if v.c != nil {
		return v.c, nil
	}
	name := c.inName(i)
	if k, ok := c.imp.opts.Known[name]; ok && v.input && k != nil {
		if !equalShape(k.Shape, v.shape) {
			return nil, fmt.Errorf("%s: the value given for input %q has shape %v, the model declares %v", what, name, graph.Shape(k.Shape), graph.Shape(v.shape))
		}
		if k.Len() != shapeElems(k.Shape) {
			return nil, fmt.Errorf("%s: the value given for input %q has %d values for shape %v", what, name, k.Len(), graph.Shape(k.Shape))
		}
		v.c = k
		return k, nil
	}
	return nil, c.unsupported(fmt.Sprintf("%s (input %q) must be a constant", what, name))
}

func equalShape(a, b []int) bool { return graph.Shape(a).Equal(b) }

func shapeElems(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// live returns the graph value name of input i, adding a Const node when the
// input is a constant that is not yet in the graph.
func (c *ctx) live(i int) (string, error) {
	v, err := c.in(i)
	if err != nil {
		return "", err
	}
	return c.imp.liveName(c.inName(i), v)
}

func (imp *importer) liveName(name string, v *value) (string, error) {
	if !v.live {
		if err := imp.materialize(name, v); err != nil {
			return "", err
		}
	}
	return name, nil
}

// constant registers a new constant value (not yet in the graph) under a
// generated name and returns the name.
func (c *ctx) constant(base string, t *Tensor) string {
	name := c.imp.valueName(c.base + "/" + base)
	c.imp.vals[name] = &value{shape: t.Shape, dt: t.Type, c: t}
	return name
}

// setStatic defines output i as a value known at import time.
func (c *ctx) setStatic(i int, t *Tensor) error {
	name := c.out(i)
	if name == "" {
		return nil
	}
	c.imp.vals[name] = &value{shape: t.Shape, dt: t.Type, c: t}
	return nil
}

// emit adds a graph node. suffix distinguishes auxiliary nodes of one ONNX
// node ("" for the main one); outs are the value names it defines, dt their
// element type. It infers the output shapes and checks the parameters.
func (c *ctx) emit(suffix, typ string, op graph.Op, ins, outs []string, params map[string]*graph.Tensor, dt TensorProto_DataType) error {
	imp := c.imp
	shapes := make([]graph.Shape, len(ins))
	for i, name := range ins {
		v, ok := imp.vals[name]
		if !ok || !v.live {
			return fmt.Errorf("internal error: %q is not in the graph", name)
		}
		shapes[i] = v.shape
	}
	res, err := op.Infer(shapes)
	if err != nil {
		return err
	}
	if len(res) < len(outs) {
		return fmt.Errorf("internal error: %s gives %d outputs, want %d", op.Kind(), len(res), len(outs))
	}
	for i := range outs {
		if err := checkShape(res[i]); err != nil {
			var u *UnsupportedError
			if errors.As(err, &u) {
				return c.unsupported(u.Detail)
			}
			return err
		}
	}
	want := op.ParamShapes(shapes)
	for pname, w := range want {
		t, ok := params[pname]
		if !ok {
			return fmt.Errorf("internal error: no %s parameter", pname)
		}
		if !graph.Shape(t.Shape).Equal(w) {
			return fmt.Errorf("%s has shape %v, expected %v", pname, graph.Shape(t.Shape), w)
		}
	}
	name := c.base
	if suffix != "" {
		name += "/" + suffix
	}
	if typ == "" {
		typ = c.op
	}
	imp.g.Nodes = append(imp.g.Nodes, &graph.Node{
		Name: imp.nodeName(name), Type: typ, Op: op,
		Inputs: append([]string(nil), ins...), Outputs: append([]string(nil), outs...), Params: params,
	})
	batch := false
	if op.Traits().KeepsBatch {
		for i, name := range ins {
			v := imp.vals[name]
			// One input may change rank (Flatten, Dense); of several,
			// only a full-rank one carries the batch (not a broadcast
			// constant).
			batch = batch || (v.batchDim && (len(ins) == 1 || len(shapes[i]) == len(res[0])))
		}
	}
	for i, o := range outs {
		imp.vals[o] = &value{shape: res[i], dt: dt, live: true, batchDim: batch && len(res[i]) > 0}
	}
	return nil
}

// temp returns a fresh value name for an intermediate result.
func (c *ctx) temp(suffix string) string {
	return c.imp.valueName(c.base + "/" + suffix)
}

// topoOrder returns the graph's nodes so that each follows the producers of
// its inputs, keeping the file's order where it is free. ONNX requires
// sorted nodes, but onnxruntime and Netron accept unsorted files (a
// float16 conversion appends the Cast of the input after the nodes that
// read it). Inputs no node produces (graph inputs, initializers) are
// ready; nodes on a cycle or reading an unknown value keep their place at
// the end, for the importer to report.
func topoOrder(gp *GraphProto) []*NodeProto {
	nodes := gp.GetNode()
	producer := make(map[string]int, len(nodes))
	for i, n := range nodes {
		for _, o := range n.GetOutput() {
			if o != "" {
				if _, dup := producer[o]; !dup {
					producer[o] = i
				}
			}
		}
	}
	waiting := make([]int, len(nodes)) // unmet inputs
	readers := map[int][]int{}
	for i, n := range nodes {
		for _, in := range n.GetInput() {
			if p, ok := producer[in]; ok && in != "" && p != i {
				waiting[i]++
				readers[p] = append(readers[p], i)
			}
		}
	}
	sorted := true
	for i, n := range nodes {
		for _, in := range n.GetInput() {
			if p, ok := producer[in]; ok && p > i {
				sorted = false
			}
		}
	}
	if sorted {
		return nodes
	}
	// Kahn's algorithm, always taking the earliest ready node.
	out := make([]*NodeProto, 0, len(nodes))
	done := make([]bool, len(nodes))
	ready := &intHeap{}
	for i := range nodes {
		if waiting[i] == 0 {
			heap.Push(ready, i)
		}
	}
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		done[i] = true
		out = append(out, nodes[i])
		for _, r := range readers[i] {
			if waiting[r]--; waiting[r] == 0 {
				heap.Push(ready, r)
			}
		}
	}
	for i, n := range nodes {
		if !done[i] {
			out = append(out, n)
		}
	}
	return out
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

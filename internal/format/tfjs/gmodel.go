package tfjs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// MaxGraphNodes bounds the nodes of a graph model's GraphDef (constants
// included).
const MaxGraphNodes = 100000

// gval is a TensorFlow tensor during the import: a constant (c, in TF's
// layout) or a value of the IR (ir), whose TF shape is shape (batch
// counted as 1). A rank-4 IR value holds TF's NHWC tensor as NCHW.
type gval struct {
	ir      string
	c       *graph.Tensor
	s2b     *spaceToBatch // a SpaceToBatchND of ir, which only a convolution may read
	shape   graph.Shape
	unknown bool // produced by an unknown node: shape unknown
}

// gbuilder turns a GraphDef into the IR.
type gbuilder struct {
	g        graph.Graph
	weights  map[string]*graph.Tensor
	vals     map[string]*gval // by TF tensor name ("node" or "node:k")
	irShape  map[string]graph.Shape
	producer map[string]*graph.Node
	readers  map[string]int    // TF tensor → how many nodes read it
	readBy   map[string]*gNode // TF tensor → a node that reads it
	nodeBy   map[string]*gNode // TF node by name
	skip     map[string]bool   // nodes already converted with another (BatchToSpaceND)
	names    *graph.Names
	display  map[string]string // TF node name → readable name
	consts   map[string]string // cache of constants made IR values
	input    []int
	budget   *format.Budget
}

// errUnsupported marks a node convscope keeps as graph.Unknown: an op, or a
// form of one, the IR does not have.
type errUnsupported struct{ why string }

func (e *errUnsupported) Error() string { return e.why }

func unsupported(format string, a ...any) error {
	return &errUnsupported{fmt.Sprintf(format, a...)}
}

// loadGraphModel converts a graph model's topology with its weights (by
// node name, TF layout).
func loadGraphModel(raw json.RawMessage, sigOut []string, weights map[string]*graph.Tensor, o format.Options) (*graph.Graph, error) {
	var gd graphDef
	if err := json.Unmarshal(raw, &gd); err != nil {
		return nil, fmt.Errorf("modelTopology (a graph model's GraphDef): %w", err)
	}
	if len(gd.Node) == 0 {
		return nil, errors.New("the graph model has no nodes")
	}
	if len(gd.Node) > MaxGraphNodes {
		return nil, fmt.Errorf("the graph model has %d nodes, more than the limit of %d", len(gd.Node), MaxGraphNodes)
	}
	order, err := topoOrder(gd.Node)
	if err != nil {
		return nil, err
	}
	b := &gbuilder{weights: weights, vals: map[string]*gval{}, irShape: map[string]graph.Shape{},
		producer: map[string]*graph.Node{}, readers: map[string]int{}, readBy: map[string]*gNode{}, nodeBy: map[string]*gNode{}, skip: map[string]bool{}, names: graph.NewNames("_"),
		display: readableNames(gd.Node), consts: map[string]string{}, input: o.Input, budget: o.Budget}
	for i := range gd.Node {
		b.nodeBy[gd.Node[i].Name] = &gd.Node[i]
		for _, in := range gd.Node[i].Input {
			if !strings.HasPrefix(in, "^") {
				b.readers[tensorName(in)]++
				b.readBy[tensorName(in)] = &gd.Node[i]
			}
		}
	}
	for _, i := range order {
		n := &gd.Node[i]
		if err := b.node(n); err != nil {
			return nil, graph.NodeErrorf(b.display[n.Name], "node %q (%s): %w", n.Name, n.Op, err)
		}
	}
	if len(b.g.Inputs) == 0 {
		return nil, errors.New("the graph model has no input (Placeholder)")
	}
	// The outputs, as TF.js's GraphModel lists them: the signature's, else
	// the computed values no node reads, in file order.
	seen := map[string]bool{}
	outs := sigOut
	if len(outs) == 0 {
		for i := range gd.Node {
			n := &gd.Node[i]
			if b.readers[n.Name] == 0 && n.Op != "Const" && n.Op != "NoOp" && n.Op != "Placeholder" {
				outs = append(outs, n.Name)
			}
		}
	}
	for _, o := range outs {
		v := b.vals[tensorName(o)]
		if v == nil || v.ir == "" || seen[v.ir] {
			continue
		}
		seen[v.ir] = true
		b.g.Outputs = append(b.g.Outputs, v.ir)
	}
	if len(b.g.Outputs) == 0 {
		return nil, errors.New("the graph model computes no output")
	}
	fuseHardActivations(&b.g)
	if err := b.g.Validate(); err != nil {
		return nil, err
	}
	if _, err := b.g.InferPartial(1); err != nil {
		return nil, err
	}
	return &b.g, nil
}

// signatureOutputs lists the tensor names of a signature's outputs in
// the file's order (a JSON object's key order, which TF.js keeps).
func signatureOutputs(raw json.RawMessage) []string {
	var sig struct {
		Outputs json.RawMessage `json:"outputs"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &sig) != nil || len(sig.Outputs) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(sig.Outputs))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var names []string
	for dec.More() {
		if _, err := dec.Token(); err != nil { // the key
			return nil
		}
		var e struct {
			Name string `json:"name"`
		}
		if err := dec.Decode(&e); err != nil {
			return nil
		}
		if e.Name != "" {
			names = append(names, e.Name)
		}
	}
	return names
}

// tensorName normalises an input reference: "x:0" is "x".
func tensorName(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(s, "^"), ":0")
}

// nodeOf is the node name of a tensor reference ("x:1" → "x").
func nodeOf(s string) string {
	s = strings.TrimPrefix(s, "^")
	if i := strings.LastIndexByte(s, ':'); i > 0 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			return s[:i]
		}
	}
	return s
}

// topoOrder orders the nodes so that every node follows the ones it reads
// (control inputs included), keeping the file order where it can; a node
// reading a missing node, or a cycle (TF 1 control flow), is an error.
func topoOrder(nodes []gNode) ([]int, error) {
	idx := make(map[string]int, len(nodes))
	for i, n := range nodes {
		if n.Name == "" {
			return nil, fmt.Errorf("node %d has no name", i)
		}
		if _, dup := idx[n.Name]; dup {
			return nil, fmt.Errorf("two nodes are named %q", n.Name)
		}
		idx[n.Name] = i
	}
	state := make([]byte, len(nodes)) // 0 new, 1 on the stack, 2 done
	order := make([]int, 0, len(nodes))
	type frame struct{ i, next int }
	for start := range nodes {
		if state[start] != 0 {
			continue
		}
		stack := []frame{{start, 0}}
		state[start] = 1
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			n := &nodes[f.i]
			if f.next == len(n.Input) {
				state[f.i] = 2
				order = append(order, f.i)
				stack = stack[:len(stack)-1]
				continue
			}
			in := nodeOf(n.Input[f.next])
			f.next++
			j, ok := idx[in]
			if !ok {
				return nil, graph.NodeErrorf(n.Name, "node %q reads %q, which no node computes", n.Name, in)
			}
			switch state[j] {
			case 1:
				return nil, graph.NodeErrorf(n.Name, "the graph has a cycle through node %q (TensorFlow 1 control flow such as a while loop, which convscope does not read)", n.Name)
			case 0:
				state[j] = 1
				stack = append(stack, frame{j, 0})
			}
		}
	}
	return order, nil
}

// wrapperSegment matches the scopes a SavedModel and a TF-Hub KerasLayer
// wrap a network in.
var wrapperSegment = regexp.MustCompile(`^((Stateful)?PartitionedCall(_\d+)?|keras_layer(_\d+)?|predict)$`)

// opSegment matches the last scope segment TF gives an op inside a Keras
// layer ("MobilenetV2/Conv/Relu6", ".../project/BatchNorm/FusedBatchNormV3").
var opSegment = regexp.MustCompile(`^(Conv2D|Conv2D_\d+|BiasAdd|Relu|Relu6|Elu|Selu|Sigmoid|Tanh|LeakyRelu|Prelu|FusedBatchNorm(V[23])?|depthwise|MatMul|Softmax|Squeeze|Reshape|AvgPool|MaxPool|Mean|Pad|concat|add|Add|AddV2|mul|Mul|sub|Sub|truediv|Identity|BatchNorm|transpose|Transpose|ResizeBilinear|ResizeNearestNeighbor|ExpandDims|Maximum|Minimum|Sum|clip_by_value|concat|ConcatV2)$`)

// readableNames gives every node a short name: the TF scopes without the
// wrappers a SavedModel adds (StatefulPartitionedCall/…), without the
// scope all computed nodes share, and without the op's own trailing segment
// ("MobilenetV2/expanded_conv_1/depthwise", not
// ".../StatefulPartitionedCall/predict/MobilenetV2/expanded_conv_1/depthwise/depthwise").
func readableNames(nodes []gNode) map[string]string {
	segs := make([][]string, len(nodes))
	var common []string
	first := true
	for i, n := range nodes {
		var s []string
		for _, p := range strings.Split(n.Name, "/") {
			if !wrapperSegment.MatchString(p) && p != "" {
				s = append(s, p)
			}
		}
		if len(s) == 0 {
			s = []string{n.Name}
		}
		segs[i] = s
		if n.Op == "Const" || n.Op == "Placeholder" || n.Op == "NoOp" || passThrough[n.Op] || len(s) < 2 {
			continue
		}
		scope := s[:len(s)-1]
		if first {
			common, first = append([]string(nil), scope...), false
			continue
		}
		k := 0
		for k < len(common) && k < len(scope) && common[k] == scope[k] {
			k++
		}
		common = common[:k]
	}
	computed := func(n *gNode) bool {
		return n.Op != "Const" && n.Op != "Placeholder" && n.Op != "NoOp" && !passThrough[n.Op]
	}
	// Strip the shared scope; count the computed nodes of each scope.
	scopes := map[string]int{}
	for i, n := range nodes {
		s := segs[i]
		if n.Op != "Placeholder" && len(common) > 0 && len(s) > len(common) && strings.Join(s[:len(common)], "/") == strings.Join(common, "/") {
			segs[i] = s[len(common):]
		}
		if computed(&nodes[i]) {
			scopes[strings.Join(segs[i][:len(segs[i])-1], "/")]++
		}
	}
	out := make(map[string]string, len(nodes))
	for i, n := range nodes {
		s := segs[i]
		// A node alone in its scope is named after the scope (the Keras
		// layer), not after its op: ".../project/BatchNorm/FusedBatchNormV3"
		// is ".../project".
		if last := s[len(s)-1]; len(s) > 1 && computed(&nodes[i]) && scopes[strings.Join(s[:len(s)-1], "/")] == 1 &&
			(opSegment.MatchString(last) || strings.EqualFold(last, n.Op) || strings.EqualFold(last, strings.TrimPrefix(n.Op, "_Fused"))) {
			s = s[:len(s)-1]
			if len(s) > 1 && s[len(s)-1] == "BatchNorm" {
				s = s[:len(s)-1]
			}
		}
		out[n.Name] = strings.Join(s, "/")
	}
	return out
}

// in returns input i of n (not a control input).
func (b *gbuilder) in(n *gNode, i int) (*gval, error) {
	ins := b.dataInputs(n)
	if i >= len(ins) {
		return nil, fmt.Errorf("needs at least %d inputs, has %d", i+1, len(ins))
	}
	v := b.vals[tensorName(ins[i])]
	if v == nil {
		return nil, fmt.Errorf("input %q is not computed (an output the importer did not make)", ins[i])
	}
	return v, nil
}

func (b *gbuilder) dataInputs(n *gNode) []string {
	var out []string
	for _, in := range n.Input {
		if !strings.HasPrefix(in, "^") {
			out = append(out, in)
		}
	}
	return out
}

// constIn returns input i of n, which must be a constant.
func (b *gbuilder) constIn(n *gNode, i int) (*graph.Tensor, error) {
	v, err := b.in(n, i)
	if err != nil {
		return nil, err
	}
	if v.c == nil {
		return nil, unsupported("%s with a computed input %d (convscope needs a constant there)", n.Op, i)
	}
	return v.c, nil
}

func (b *gbuilder) setConst(name string, t *graph.Tensor) { b.vals[name] = &gval{c: t} }

// emit adds an IR node of base name (made unique) and returns its output.
func (b *gbuilder) emit(base, typ string, op graph.Op, inputs []string, params map[string]*graph.Tensor) (string, error) {
	name := b.names.Unique(base)
	n := &graph.Node{Name: name, Type: typ, Op: op, Inputs: inputs, Outputs: []string{name}, Params: params}
	ins := make([]graph.Shape, len(inputs))
	for i, in := range inputs {
		ins[i] = b.irShape[in]
	}
	outs, err := op.Infer(ins)
	if err != nil {
		return "", err
	}
	if want := op.ParamShapes(ins); want != nil {
		for k, s := range want {
			p := params[k]
			if p == nil {
				return "", fmt.Errorf("%s has no %s", typ, k)
			}
			if !graph.Shape(p.Shape).Equal(s) {
				return "", fmt.Errorf("%s: %s has shape %v, the op needs %v", typ, k, graph.Shape(p.Shape), s)
			}
		}
	}
	b.g.Nodes = append(b.g.Nodes, n)
	b.irShape[name] = outs[0]
	b.producer[name] = n
	return name, nil
}

// dyn records TF tensor name as the IR value ir.
func (b *gbuilder) dyn(name, ir string) {
	s := b.irShape[ir]
	b.vals[name] = &gval{ir: ir, shape: tfShape(s)}
}

// tfShape is the TF shape of an IR shape (NCHW → NHWC for rank 4).
func tfShape(s graph.Shape) graph.Shape {
	if len(s) == 4 {
		return graph.Shape{s[0], s[2], s[3], s[1]}
	}
	return append(graph.Shape(nil), s...)
}

// toNCHW is TF axis a of a rank-4 tensor in the IR.
var toNCHW = [4]int{0, 2, 3, 1}

// irAxis maps TF axis a (negative from the end) of a rank-r value to the IR.
func irAxis(a int64, r int) (int, error) {
	ax, err := graph.NormAxis(int(a), r)
	if err != nil {
		return 0, err
	}
	if r == 4 {
		return toNCHW[ax], nil
	}
	return ax, nil
}

// operand returns v as an IR value; a constant becomes a Const node, laid
// out to broadcast against a value of TF rank like (rank-4: NCHW).
func (b *gbuilder) operand(v *gval, like int, name string) (string, error) {
	if v.c == nil {
		return v.ir, nil
	}
	t := v.c
	key := fmt.Sprintf("%p/%d", t, like)
	if ir, ok := b.consts[key]; ok {
		return ir, nil
	}
	if like == 4 && len(t.Shape) <= 4 {
		s := make([]int, 4)
		for i := range s {
			s[i] = 1
		}
		copy(s[4-len(t.Shape):], t.Shape)
		var err error
		if t, err = b.transpose(&graph.Tensor{Shape: s, Data: t.Data}, []int{0, 3, 1, 2}); err != nil {
			return "", err
		}
	}
	ir, err := b.emit(name, "Const", &graph.Const{Shape: append(graph.Shape(nil), t.Shape...)}, nil, map[string]*graph.Tensor{"value": t})
	if err != nil {
		return "", err
	}
	b.consts[key] = ir
	return ir, nil
}

// transpose permutes a constant's dimensions into a copy, charged to the
// budget.
func (b *gbuilder) transpose(t *graph.Tensor, perm []int) (*graph.Tensor, error) {
	if err := b.budget.Take(4*int64(len(t.Data)), "a weight in the IR's layout"); err != nil {
		return nil, err
	}
	out := make([]int, len(perm))
	for i, p := range perm {
		out[i] = t.Shape[p]
	}
	d := make([]float32, len(t.Data))
	tensor.Transpose(d, t.Data, t.Shape, perm)
	return &graph.Tensor{Shape: out, Data: d}, nil
}

// tfOrdered reports whether an IR value of TF shape s holds its data in
// TF's order: not rank 4, or rank 4 with at most one of H, W, C above 1
// besides a trailing run that keeps the order.
func tfOrdered(s graph.Shape) bool {
	if len(s) != 4 {
		return true
	}
	last := -1
	for _, tfAxis := range []int{0, 3, 1, 2} { // NCHW order
		if s[tfAxis] == 1 {
			continue
		}
		if tfAxis < last {
			return false
		}
		last = tfAxis
	}
	return true
}

// reshape makes v (dynamic) the TF shape to, as IR value named name.
func (b *gbuilder) reshape(v *gval, to graph.Shape, name, typ string) (string, error) {
	if graph.Shape(v.shape).Elems() != to.Elems() {
		return "", fmt.Errorf("cannot reshape %v (%d values) to %v", v.shape, v.shape.Elems(), to)
	}
	x := v.ir
	if !tfOrdered(v.shape) {
		if len(to) == 2 && to[0] == v.shape[0] {
			// [N,H,W,C] → [N,H·W·C]: Keras's Flatten.
			return b.emit(name, typ, &graph.Flatten{ChannelsLast: true}, []string{x}, nil)
		}
		var err error
		if x, err = b.emit(name+"_nhwc", "Transpose", &graph.Transpose{Perm: []int{0, 2, 3, 1}}, []string{x}, nil); err != nil {
			return "", err
		}
	}
	if len(to) == 4 {
		nchw := graph.Shape{to[0], to[3], to[1], to[2]}
		if tfOrdered(to) {
			if graph.Shape(b.irShape[x]).Equal(nchw) {
				return x, nil
			}
			return b.emit(name, typ, &graph.Reshape{Shape: nchw}, []string{x}, nil)
		}
		r, err := b.emit(name+"_nhwc", typ, &graph.Reshape{Shape: to}, []string{x}, nil)
		if err != nil {
			return "", err
		}
		return b.emit(name, "Transpose", &graph.Transpose{Perm: []int{0, 3, 1, 2}}, []string{r}, nil)
	}
	if graph.Shape(b.irShape[x]).Equal(to) {
		return x, nil
	}
	return b.emit(name, typ, &graph.Reshape{Shape: to}, []string{x}, nil)
}

// node converts one TF node.
func (b *gbuilder) node(n *gNode) error {
	name := b.display[n.Name]
	if n.Op != "Placeholder" && n.Op != "Const" {
		anyUnknown := false
		for _, in := range b.dataInputs(n) {
			v := b.vals[tensorName(in)]
			if v == nil {
				return fmt.Errorf("reads %q, which is not computed", in)
			}
			anyUnknown = anyUnknown || v.unknown
		}
		if anyUnknown {
			return b.unknown(n, name, true, "")
		}
	}
	if b.skip[n.Name] {
		return nil
	}
	for _, in := range b.dataInputs(n) {
		if v := b.vals[tensorName(in)]; v.s2b != nil && !isConv(n.Op) {
			return b.unknown(n, name, false, "reads a SpaceToBatchND that convscope reads only as part of an atrous convolution")
		}
	}
	err := b.convert(n, name)
	var u *errUnsupported
	if errors.As(err, &u) {
		return b.unknown(n, name, false, u.why)
	}
	return err
}

// unknown keeps n as a graph.Unknown node: its computed inputs are its
// inputs, its float constants of more than one element its parameters
// (so the parameter count stays right); its outputs have unknown shapes.
func (b *gbuilder) unknown(n *gNode, name string, supported bool, why string) error {
	op := &graph.Unknown{Type: n.Op, Attrs: n.attrTexts(), Supported: supported}
	if why != "" {
		if op.Attrs == nil {
			op.Attrs = map[string]string{}
		}
		op.Attrs["convscope"] = why
	}
	node := &graph.Node{Name: b.names.Unique(name), Type: n.Op, Op: op}
	for i, in := range b.dataInputs(n) {
		v := b.vals[tensorName(in)]
		if v.c != nil {
			if len(v.c.Data) > 1 {
				if node.Params == nil {
					node.Params = map[string]*graph.Tensor{}
				}
				node.Params[fmt.Sprintf("input%d", i)] = v.c
			}
			continue
		}
		node.Inputs = append(node.Inputs, v.ir)
	}
	if len(node.Inputs) == 0 {
		if len(b.g.Inputs) == 0 {
			return fmt.Errorf("the graph model has no input (Placeholder) before this %s node", n.Op)
		}
		node.Inputs = []string{b.g.Inputs[0].Name}
	}
	node.Outputs = []string{node.Name}
	b.g.Nodes = append(b.g.Nodes, node)
	b.producer[node.Name] = node
	uv := &gval{ir: node.Name, unknown: true}
	b.vals[n.Name] = uv
	for k := 1; k < 8; k++ {
		b.vals[n.Name+":"+strconv.Itoa(k)] = uv
	}
	return nil
}

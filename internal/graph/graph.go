package graph

import (
	"errors"
	"fmt"
	"sort"
)

// Tensor is a dense float32 array in row-major order. Parameters of a node
// are Tensors.
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor returns a zero tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// Len is the number of elements the shape describes.
func (t *Tensor) Len() int { return Shape(t.Shape).Elems() }

// Shape is a tensor shape, batch first.
type Shape []int

// Elems is the product of the dimensions (1 for a scalar).
func (s Shape) Elems() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// PerImage drops the batch dimension.
func (s Shape) PerImage() Shape {
	if len(s) == 0 {
		return nil
	}
	return append(Shape(nil), s[1:]...)
}

// Equal reports whether two shapes are identical.
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

func (s Shape) String() string {
	b := []byte{'['}
	for i, d := range s {
		if i > 0 {
			b = append(b, ',', ' ')
		}
		b = fmt.Appendf(b, "%d", d)
	}
	return string(append(b, ']'))
}

// Value is a named graph input with its shape. A batch dimension of -1
// means "any batch size"; any other negative dimension is unknown and must be
// given (e.g. convscope analyze --input) before shapes can be inferred. A
// dimension of 0 is real: the tensor is empty.
type Value struct {
	Name  string
	Shape Shape
}

// Node applies one operator to its input values.
type Node struct {
	Name string
	// Type is the layer type as written in the source file ("Convolution",
	// "Conv2D", "Conv"); informational, shown to users. Op.Kind() is the
	// canonical operator name.
	Type    string
	Op      Op
	Inputs  []string
	Outputs []string
	Params  map[string]*Tensor
}

// Param returns the named parameter or nil.
func (n *Node) Param(name string) *Tensor {
	if n.Params == nil {
		return nil
	}
	return n.Params[name]
}

// ParamNames lists the node's parameter names in a stable order.
func (n *Node) ParamNames() []string {
	names := make([]string, 0, len(n.Params))
	for k := range n.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ParamCount is the number of learnable parameters of the node (see
// Learnable).
func (n *Node) ParamCount() int64 {
	var c int64
	for name, t := range n.Params {
		if n.Learnable(name, int64(t.Len())) {
			c += int64(t.Len())
		}
	}
	return c
}

// Learnable reports whether the node's parameter name, of elems elements,
// is a learned parameter: fixed statistics (BatchNorm mean and variance)
// are not, nor is the value of a scalar constant (an ONNX Constant 0.5 that
// a Mul reads is an attribute of that Mul, not a weight), unless the
// importer marks it as one (Const.Weight).
func (n *Node) Learnable(name string, elems int64) bool {
	if name == "mean" || name == "var" {
		return false
	}
	if c, ok := n.Op.(*Const); ok && elems <= 1 && !c.Weight {
		return false
	}
	return true
}

// Graph is a model: its inputs, nodes in topological order and outputs.
type Graph struct {
	Name    string
	Inputs  []Value
	Nodes   []*Node
	Outputs []string
	// Labels are the class names of the model's output, if known.
	Labels []string
	// LabelsI18n are translations of Labels by language tag (e.g. "zh-CN"),
	// from labels.<lang>.txt files beside the model; each has len(Labels)
	// names in the same order.
	LabelsI18n map[string][]string
	// Notes are keys saying how the importer changed the model so that
	// convscope can run it, for the model's description (GET /api/models
	// "notes"): NoteDequantized, NoteFloat16.
	Notes []string
}

// Keys of Graph.Notes.
const (
	// NoteDequantized: int8/uint8 weights (a quantized TFLite model) are
	// dequantized, f = scale·(q − zero point), and computed in float32,
	// so values differ slightly from the framework's integer arithmetic.
	NoteDequantized = "dequantized"
	// NoteFloat16: float16 weights are widened to float32 (exactly).
	NoteFloat16 = "float16"
)

// NoteText describes a note in English (the key itself when unknown).
func NoteText(key string) string {
	switch key {
	case NoteDequantized:
		return "int8/uint8 weights dequantized and computed in float32 (values differ slightly from the framework's integer arithmetic)"
	case NoteFloat16:
		return "float16 weights widened to float32"
	}
	return key
}

// Node returns the node with the given name or nil.
func (g *Graph) Node(name string) *Node {
	for _, n := range g.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Producers maps every value name to the node that produces it (nil for
// graph inputs).
func (g *Graph) Producers() map[string]*Node {
	m := make(map[string]*Node, len(g.Nodes)+len(g.Inputs))
	for _, in := range g.Inputs {
		m[in.Name] = nil
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			m[o] = n
		}
	}
	return m
}

// Limits bound what Validate and InferShapes accept, so that a hostile or
// broken model fails at load time instead of at allocation time.
type Limits struct {
	MaxNodes        int   // nodes in a graph
	MaxTensorElems  int64 // elements of any one value or parameter
	MaxTotalActElem int64 // elements of all values of one forward pass, per batch
}

// DefaultLimits are generous for real CNNs (VGG16's largest activation is 3.2M
// elements per image; Inception-ResNet-v2 has ~1,000 layers).
var DefaultLimits = Limits{
	MaxNodes:        20000,
	MaxTensorElems:  1 << 30,
	MaxTotalActElem: 2 << 30,
}

// Validate checks names, parameter presence, acyclicity and limits, and
// sorts Nodes topologically (stable with respect to the given order).
func (g *Graph) Validate() error {
	if len(g.Inputs) == 0 {
		return errors.New("graph has no input")
	}
	if len(g.Nodes) > DefaultLimits.MaxNodes {
		return fmt.Errorf("graph has %d nodes, more than the limit of %d", len(g.Nodes), DefaultLimits.MaxNodes)
	}
	produced := map[string]string{}
	for _, in := range g.Inputs {
		if in.Name == "" {
			return errors.New("graph input has no name")
		}
		if _, dup := produced[in.Name]; dup {
			return fmt.Errorf("graph input %q is declared twice", in.Name)
		}
		produced[in.Name] = "(input)"
	}
	names := map[string]bool{}
	for _, n := range g.Nodes {
		if n.Name == "" {
			return errors.New("a node has no name")
		}
		if names[n.Name] {
			return fmt.Errorf("two nodes are named %q", n.Name)
		}
		names[n.Name] = true
		if n.Op == nil {
			return NodeErrorf(n.Name, "node %q has no operator", n.Name)
		}
		if len(n.Outputs) == 0 {
			return NodeErrorf(n.Name, "node %q has no output", n.Name)
		}
		for _, o := range n.Outputs {
			if p, dup := produced[o]; dup {
				return NodeErrorf(n.Name, "value %q is produced by both %s and node %q", o, p, n.Name)
			}
			produced[o] = fmt.Sprintf("node %q", n.Name)
		}
		for name, t := range n.Params {
			if t == nil {
				return NodeErrorf(n.Name, "node %q: parameter %q is missing", n.Name, name)
			}
			if err := checkDims(t.Shape); err != nil {
				return NodeErrorf(n.Name, "node %q: parameter %q: %w", n.Name, name, err)
			}
			if len(t.Data) != t.Len() {
				return NodeErrorf(n.Name, "node %q: parameter %q has %d values but shape %v needs %d", n.Name, name, len(t.Data), Shape(t.Shape), t.Len())
			}
		}
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if _, ok := produced[in]; !ok {
				return NodeErrorf(n.Name, "node %q reads %q, which no node or input produces", n.Name, in)
			}
		}
	}
	for _, o := range g.Outputs {
		if _, ok := produced[o]; !ok {
			return fmt.Errorf("graph output %q is not produced by any node", o)
		}
	}
	return g.sortTopo()
}

// checkDims rejects negative dimensions and element counts over the limit
// without overflowing.
func checkDims(shape []int) error {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", Shape(shape))
		}
		if d > 0 && n > DefaultLimits.MaxTensorElems/int64(d) {
			return fmt.Errorf("shape %v has more than %d elements", Shape(shape), DefaultLimits.MaxTensorElems)
		}
		n *= int64(d)
	}
	return nil
}

// sortTopo orders g.Nodes so that every node follows the producers of its
// inputs, keeping the original order where it is free. It reports a cycle by
// naming a node on it.
func (g *Graph) sortTopo() error {
	producer := map[string]int{}
	for i, n := range g.Nodes {
		for _, o := range n.Outputs {
			producer[o] = i
		}
	}
	const (
		unseen = iota
		active
		done
	)
	state := make([]int, len(g.Nodes))
	order := make([]*Node, 0, len(g.Nodes))
	// Iterative DFS so that very deep graphs cannot overflow the stack.
	type frame struct{ node, next int }
	for root := range g.Nodes {
		if state[root] != unseen {
			continue
		}
		stack := []frame{{root, 0}}
		state[root] = active
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			n := g.Nodes[top.node]
			if top.next < len(n.Inputs) {
				in := n.Inputs[top.next]
				top.next++
				p, ok := producer[in]
				if !ok {
					continue // graph input
				}
				switch state[p] {
				case active:
					return NodeErrorf(g.Nodes[p].Name, "graph has a cycle through node %q (it depends on its own output %q)", g.Nodes[p].Name, in)
				case unseen:
					state[p] = active
					stack = append(stack, frame{p, 0})
				}
				continue
			}
			state[top.node] = done
			order = append(order, n)
			stack = stack[:len(stack)-1]
		}
	}
	g.Nodes = order
	return nil
}

// Consumers maps each value name to the nodes that read it.
func (g *Graph) Consumers() map[string][]*Node {
	m := map[string][]*Node{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			m[in] = append(m[in], n)
		}
	}
	return m
}

// Head describes a classifier's output: Logits is the value before the
// final softmax and Probs the softmax's output. When the graph does not end
// in a softmax over its classes, Probs is "" and Logits is the output value
// (callers apply a softmax themselves).
type Head struct {
	Logits, Probs string
}

// ClassifierHead finds the classifier head of the graph's first output.
func (g *Graph) ClassifierHead() Head {
	if len(g.Outputs) == 0 {
		return Head{}
	}
	out := g.Outputs[0]
	if p := g.Producers()[out]; p != nil && len(p.Inputs) == 1 {
		if s, ok := p.Op.(*Softmax); ok && !s.Log {
			return Head{Logits: p.Inputs[0], Probs: out}
		}
	}
	return Head{Logits: out}
}

// ClassNames returns the graph's labels, or "class 0" … "class n−1" when it
// has none or their number does not match n.
func (g *Graph) ClassNames(n int) []string {
	if len(g.Labels) == n {
		return g.Labels
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("class %d", i)
	}
	return names
}

package onnx

import (
	"fmt"
	"slices"
	"strings"

	"github.com/convscope/convscope/internal/graph"
)

// unknownNode keeps an ONNX node the importer cannot convert (an operator
// it does not know, an unsupported form of one, or any node that reads the
// output of such a node) as a graph.Unknown node (Options.Partial): its
// runtime inputs stay its inputs, its float initializers of more than one
// element become its parameters (so the model's parameter count stays
// right), and its outputs are values of unknown shape.
func (imp *importer) unknownNode(c *ctx, supported bool) error {
	typ := c.op
	if d := c.n.GetDomain(); d != "" && d != "ai.onnx" {
		typ = d + "." + typ
	}
	n := &graph.Node{Name: imp.nodeName(c.base), Type: typ, Op: &graph.Unknown{Type: typ, Attrs: attrTexts(c.n.GetAttribute()), Supported: supported}}
	for i := range c.n.GetInput() {
		if !c.has(i) {
			continue
		}
		v, err := c.in(i)
		if err != nil {
			return graph.NodeErrorf(c.id, "node %q (%s): %w", c.id, typ, err)
		}
		if v.c != nil && !v.live {
			if isWeight(c.op, i, v.c) {
				if n.Params == nil {
					n.Params = map[string]*graph.Tensor{}
				}
				key := c.inName(i)
				if c.op == "BatchNormalization" && (i == 3 || i == 4) {
					key = []string{"mean", "var"}[i-3] // statistics, not counted as learnable
				}
				n.Params[key] = param(v.c)
			}
			continue
		}
		n.Inputs = append(n.Inputs, c.inName(i))
	}
	if len(n.Inputs) == 0 {
		// A node must read something to be placed in the graph: it
		// hangs off the first graph input.
		n.Inputs = []string{imp.g.Inputs[0].Name}
	}
	for _, o := range c.n.GetOutput() {
		if o == "" {
			continue
		}
		n.Outputs = append(n.Outputs, o)
		imp.vals[o] = &value{live: true, unknown: true}
	}
	imp.g.Nodes = append(imp.g.Nodes, n)
	return nil
}

// readsUnknown reports whether the node reads a value of unknown shape.
func (c *ctx) readsUnknown() bool {
	for i := range c.n.GetInput() {
		if v, ok := c.imp.vals[c.inName(i)]; ok && c.has(i) && v.unknown {
			return true
		}
	}
	return false
}

// attrTexts renders attributes for display ("kernel_shape": "[3 3]").
func attrTexts(attrs []*AttributeProto) map[string]string {
	if len(attrs) == 0 {
		return nil
	}
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		var s string
		switch a.GetType() {
		case AttributeProto_INT:
			s = fmt.Sprint(a.GetI())
		case AttributeProto_FLOAT:
			s = fmt.Sprint(a.GetF())
		case AttributeProto_STRING:
			s = string(a.GetS())
		case AttributeProto_INTS:
			s = fmt.Sprint(a.GetInts())
		case AttributeProto_FLOATS:
			s = fmt.Sprint(a.GetFloats())
		case AttributeProto_STRINGS:
			parts := make([]string, len(a.GetStrings()))
			for i, b := range a.GetStrings() {
				parts[i] = string(b)
			}
			s = "[" + strings.Join(parts, " ") + "]"
		default:
			s = "(" + strings.ToLower(a.GetType().String()) + ")"
		}
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		m[a.GetName()] = s
	}
	return m
}

// zeroPoints are the inputs of the quantized operators that hold
// quantization parameters (scales, zero points), not weights.
var zeroPoints = map[string][]int{
	"ConvInteger": {2, 3}, "MatMulInteger": {2, 3},
	"QuantizeLinear": {1, 2}, "DequantizeLinear": {1, 2},
	"QLinearConv": {1, 2, 4, 5, 6, 7}, "QLinearMatMul": {1, 2, 4, 5, 6, 7},
}

// isWeight reports whether constant input i of an operator kept unknown is
// a weight, counted as parameters: a float tensor or an 8-bit integer one
// (quantized weights) of more than one element, not a quantization
// parameter. Integer tensors of other types are shapes and indices.
func isWeight(op string, i int, t *Tensor) bool {
	if t.Len() <= 1 || slices.Contains(zeroPoints[op], i) {
		return false
	}
	switch t.Type {
	case TensorProto_UINT8, TensorProto_INT8:
		return true
	}
	return t.IsFloat()
}

package tflite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// opCtx is one operator being converted.
type opCtx struct {
	b    *builder
	idx  int
	op   *Operator
	code opCode
	ins  []int // tensor indices; -1 for an absent optional input
	outs []int
}

// unsupportedForm is a converter's report that the operator is known but
// used in a form the IR cannot express: the node is kept as a
// graph.Unknown (the model still loads, not runnable).
type unsupportedForm struct{ why string }

func (e *unsupportedForm) Error() string { return e.why }

func unsupported(format string, a ...any) error {
	return &unsupportedForm{fmt.Sprintf(format, a...)}
}

type converter func(c *opCtx) error

// converters maps builtin operator codes to their converters;
// customConverters maps custom operators by name.
var (
	converters       map[int]converter
	customConverters = map[string]converter{
		// MediaPipe's transposed convolution with bias (its segmentation
		// models).
		"Convolution2DTransposeBias": func(c *opCtx) error { return c.transposeConv(true) },
	}
)

func init() {
	converters = map[int]converter{
		opCONV_2D:               (*opCtx).conv,
		opDEPTHWISE_CONV_2D:     (*opCtx).depthwise,
		opAVERAGE_POOL_2D:       func(c *opCtx) error { return c.pool(graph.AvgPool) },
		opMAX_POOL_2D:           func(c *opCtx) error { return c.pool(graph.MaxPool) },
		opADD:                   func(c *opCtx) error { return c.eltwise(graph.EltAdd) },
		opSUB:                   func(c *opCtx) error { return c.eltwise(graph.EltSub) },
		opMUL:                   func(c *opCtx) error { return c.eltwise(graph.EltMul) },
		opDIV:                   func(c *opCtx) error { return c.eltwise(graph.EltDiv) },
		opMAXIMUM:               func(c *opCtx) error { return c.eltwise(graph.EltMax) },
		opMINIMUM:               func(c *opCtx) error { return c.eltwise(graph.EltMin) },
		opCONCATENATION:         (*opCtx).concat,
		opRESHAPE:               (*opCtx).reshape,
		opSQUEEZE:               (*opCtx).reshape,
		opEXPAND_DIMS:           (*opCtx).reshape,
		opSOFTMAX:               func(c *opCtx) error { return c.softmax(false) },
		opLOG_SOFTMAX:           func(c *opCtx) error { return c.softmax(true) },
		opFULLY_CONNECTED:       (*opCtx).dense,
		opMEAN:                  (*opCtx).mean,
		opPAD:                   func(c *opCtx) error { return c.pad("constant") },
		opPADV2:                 func(c *opCtx) error { return c.pad("constant") },
		opMIRROR_PAD:            func(c *opCtx) error { return c.pad("reflect") },
		opRESIZE_BILINEAR:       func(c *opCtx) error { return c.resize("bilinear") },
		opRESIZE_NEAREST_NEIGHB: func(c *opCtx) error { return c.resize("nearest") },
		opQUANTIZE:              (*opCtx).passthrough,
		opDEQUANTIZE:            (*opCtx).passthrough,
		opRELU:                  func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Relu}) },
		opRELU6:                 func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Relu6}) },
		opRELU_N1_TO_1:          func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Clip, Alpha: -1, Beta: 1}) },
		opLOGISTIC:              func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Sigmoid}) },
		opTANH:                  func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Tanh}) },
		opHARD_SWISH:            func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.HardSwish}) },
		opELU:                   func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Elu, Alpha: 1}) },
		opEXP:                   func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Exp}) },
		opLOG:                   func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Log}) },
		opABS:                   func(c *opCtx) error { return c.activation(&graph.Activation{Func: graph.Abs}) },
		opLEAKY_RELU:            (*opCtx).leakyRelu,
		opPRELU:                 (*opCtx).prelu,
		opLOCAL_RESPONSE_NORM:   (*opCtx).lrn,
		opTRANSPOSE_CONV:        func(c *opCtx) error { return c.transposeConv(false) },
	}
}

// operator converts operator idx.
func (b *builder) operator(idx int, op *Operator, code opCode) error {
	ins, err := b.ints(op.InputsLength(), op.Inputs, "an operator's inputs")
	if err != nil {
		return err
	}
	outs, err := b.ints(op.OutputsLength(), op.Outputs, "an operator's outputs")
	if err != nil {
		return err
	}
	for _, t := range ins {
		if t < -1 || t >= len(b.tensors) {
			return fmt.Errorf("operator %d (%s) reads tensor %d of %d", idx, code.name, t, len(b.tensors))
		}
	}
	if len(outs) == 0 {
		return fmt.Errorf("operator %d (%s) has no output", idx, code.name)
	}
	for _, t := range outs {
		if t < 0 || t >= len(b.tensors) {
			return fmt.Errorf("operator %d (%s) writes tensor %d of %d", idx, code.name, t, len(b.tensors))
		}
		if _, done := b.vals[t]; done || b.isConst(t) {
			return fmt.Errorf("operator %d (%s) writes tensor %q, which is already a model input, a constant or another operator's output", idx, code.name, b.tensors[t].name)
		}
	}
	c := &opCtx{b: b, idx: idx, op: op, code: code, ins: ins, outs: outs}
	for _, t := range ins {
		if t < 0 || b.isConst(t) {
			continue
		}
		v, ok := b.vals[t]
		if !ok {
			return fmt.Errorf("operator %d (%s) reads tensor %q before any operator writes it", idx, code.name, b.tensors[t].name)
		}
		if v.unknown {
			return c.unknown(true, "")
		}
	}
	conv := converters[code.builtin]
	if code.builtin == opCUSTOM {
		conv = customConverters[code.custom]
	}
	if conv == nil {
		return c.unknown(false, "")
	}
	err = conv(c)
	var uf *unsupportedForm
	if errors.As(err, &uf) {
		return c.unknown(false, uf.why)
	}
	if err != nil {
		return graph.NodeErrorf(b.tensors[outs[0]].name, "operator %d (%s, output %q): %w", idx, code.name, b.tensors[outs[0]].name, err)
	}
	return nil
}

// unknown keeps the operator as a graph.Unknown node: its runtime inputs
// stay inputs, its float constants become parameters, its outputs have no
// known shape.
func (c *opCtx) unknown(supported bool, why string) error {
	b := c.b
	u := &graph.Unknown{Type: c.code.name, Supported: supported}
	if why != "" {
		u.Attrs = map[string]string{"unsupported": why}
	}
	out := b.tensors[c.outs[0]]
	n := &graph.Node{Name: b.names.Unique(out.name), Type: c.code.name, Op: u}
	for _, t := range c.ins {
		switch {
		case t < 0:
		case b.isConst(t):
			if !b.isWeight(t) {
				continue // an integer hyper-parameter: a shape, axes, paddings
			}
			if p, err := b.constant(t); err == nil {
				if n.Params == nil {
					n.Params = map[string]*graph.Tensor{}
				}
				n.Params[b.tensors[t].name] = p
			} else if err != nil && isBudget(err) {
				return err
			}
		default:
			n.Inputs = append(n.Inputs, b.vals[t].name)
		}
	}
	if len(n.Inputs) == 0 {
		n.Inputs = []string{b.g.Inputs[0].Name}
	}
	for _, t := range c.outs {
		name := b.vnames.Unique(b.tensors[t].name)
		n.Outputs = append(n.Outputs, name)
		b.vals[t] = &value{name: name, unknown: true}
	}
	b.g.Nodes = append(b.g.Nodes, n)
	return nil
}

// in returns input k as a runtime value. A constant becomes a Const node
// in the file's layout.
func (c *opCtx) in(k int) (*value, error) {
	if k >= len(c.ins) || c.ins[k] < 0 {
		return nil, fmt.Errorf("input %d is missing", k)
	}
	t := c.ins[k]
	if c.b.isConst(t) {
		name, err := c.b.constNode(t, false)
		if err != nil {
			return nil, err
		}
		return &value{name: name}, nil
	}
	return c.b.vals[t], nil
}

// shape is the file's shape of input k (NHWC for a map).
func (c *opCtx) shape(k int) []int {
	if k >= len(c.ins) || c.ins[k] < 0 {
		return nil
	}
	return c.b.tensors[c.ins[k]].shape
}

// weight returns constant input k, dequantized, in the file's layout.
func (c *opCtx) weight(k int) (*graph.Tensor, error) {
	if k >= len(c.ins) || c.ins[k] < 0 {
		return nil, fmt.Errorf("input %d is missing", k)
	}
	if !c.b.isConst(c.ins[k]) {
		return nil, unsupported("input %d (%s) is computed at run time, not a constant", k, c.b.tensors[c.ins[k]].name)
	}
	return c.b.constant(c.ins[k])
}

// optWeight is weight for an optional input: nil when absent.
func (c *opCtx) optWeight(k int) (*graph.Tensor, error) {
	if k >= len(c.ins) || c.ins[k] < 0 {
		return nil, nil
	}
	return c.weight(k)
}

// constNode returns the value name of a Const node holding constant tensor
// t, transposed to NCHW (padded to rank 4 first) when nchw is set.
func (b *builder) constNode(t int, nchw bool) (string, error) {
	key := t
	if nchw {
		key = -2 - t
	}
	if name, ok := b.consts[key]; ok {
		return name, nil
	}
	v, err := b.constant(t)
	if err != nil {
		return "", err
	}
	if nchw {
		if v, err = toNCHW(v); err != nil {
			return "", err
		}
	}
	tn := b.tensors[t].name
	name := b.vnames.Unique(tn)
	b.g.Nodes = append(b.g.Nodes, &graph.Node{Name: b.names.Unique(tn), Type: "constant", Op: &graph.Const{Shape: v.Shape},
		Outputs: []string{name}, Params: map[string]*graph.Tensor{"value": v}})
	b.consts[key] = name
	return name, nil
}

// toNCHW pads a tensor's shape to rank 4 with leading ones (NumPy
// broadcasting) and transposes it from NHWC to NCHW.
func toNCHW(t *graph.Tensor) (*graph.Tensor, error) {
	if len(t.Shape) > 4 {
		return nil, unsupported("a constant of rank %d combined with a map", len(t.Shape))
	}
	s := append(make([]int, 4-len(t.Shape)), t.Shape...)
	for i := 0; i < 4-len(t.Shape); i++ {
		s[i] = 1
	}
	n, h, w, ch := s[0], s[1], s[2], s[3]
	out := &graph.Tensor{Shape: []int{n, ch, h, w}, Data: make([]float32, len(t.Data))}
	if len(t.Data) == 0 {
		return out, nil // no loop over the other dimensions, however large
	}
	for a := 0; a < n; a++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				for k := 0; k < ch; k++ {
					out.Data[((a*ch+k)*h+y)*w+x] = t.Data[((a*h+y)*w+x)*ch+k]
				}
			}
		}
	}
	return out, nil
}

// nchwAxis maps an axis of a rank-4 NHWC tensor to the IR's NCHW.
func nchwAxis(a int) int { return [4]int{0, 2, 3, 1}[a] }

// emit adds the operator's node, and a node for its fused activation when
// it has one; the operator's first output tensor gets the result.
func (c *opCtx) emit(op graph.Op, inputs []string, params map[string]*graph.Tensor, nhwc bool, act ActivationFunctionType) error {
	b := c.b
	var actOp *graph.Activation
	switch act {
	case ActivationFunctionTypeNONE:
	case ActivationFunctionTypeRELU:
		actOp = &graph.Activation{Func: graph.Relu}
	case ActivationFunctionTypeRELU6:
		actOp = &graph.Activation{Func: graph.Relu6}
	case ActivationFunctionTypeRELU_N1_TO_1:
		actOp = &graph.Activation{Func: graph.Clip, Alpha: -1, Beta: 1}
	case ActivationFunctionTypeTANH:
		actOp = &graph.Activation{Func: graph.Tanh}
	default:
		return unsupported("fused activation %d", act)
	}
	t := c.outs[0]
	tn := b.tensors[t].name
	out := b.vnames.Unique(tn)
	n := &graph.Node{Name: b.names.Unique(tn), Type: c.code.name, Op: op, Inputs: inputs, Outputs: []string{out}, Params: params}
	if actOp != nil {
		an := EnumNamesActivationFunctionType[act]
		pre := b.vnames.Unique(tn + "/" + c.code.name)
		n.Outputs[0] = pre
		b.g.Nodes = append(b.g.Nodes, n, &graph.Node{Name: b.names.Unique(tn + "/" + an), Type: "fused " + an,
			Op: actOp, Inputs: []string{pre}, Outputs: []string{out}})
	} else {
		b.g.Nodes = append(b.g.Nodes, n)
	}
	b.vals[t] = &value{name: out, nhwc: nhwc}
	return nil
}

// mapIn returns input k, which must be a map (NHWC in the file).
func (c *opCtx) mapIn(k int) (*value, error) {
	v, err := c.in(k)
	if err != nil {
		return nil, err
	}
	if !v.nhwc {
		return nil, unsupported("input %d of shape %v is not a rank-4 NHWC map", k, c.shape(k))
	}
	return v, nil
}

func window(p Padding, sh, sw, kh, kw, dh, dw int32) (graph.Window, error) {
	w := graph.Window{Kernel: [2]int{int(kh), int(kw)}, Stride: [2]int{int(sh), int(sw)}, Dilation: [2]int{int(dh), int(dw)}}
	switch p {
	case PaddingSAME:
		w.AutoPad = graph.PadSameUpper
	case PaddingVALID:
		w.AutoPad = graph.PadValid
	default:
		return w, fmt.Errorf("unknown padding %d", p)
	}
	for _, v := range []int32{sh, sw, kh, kw, dh, dw} {
		if v <= 0 || v > 1<<16 {
			return w, fmt.Errorf("kernel %d×%d, stride %d×%d and dilation %d×%d must be positive", kh, kw, sh, sw, dh, dw)
		}
	}
	return w, nil
}

func (c *opCtx) conv() error {
	o := &Conv2DOptions{}
	x, w, err := c.filter(BuiltinOptionsConv2DOptions, o)
	if err != nil {
		return err
	}
	oc, kh, kw, ic := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	cin := c.shape(0)[3]
	if ic <= 0 || cin <= 0 || cin%ic != 0 || oc%(cin/ic) != 0 {
		return fmt.Errorf("the filter %v does not fit an input of %d channels", w.Shape, cin)
	}
	win, err := window(o.Padding(), o.StrideH(), o.StrideW(), int32(kh), int32(kw), o.DilationHFactor(), o.DilationWFactor())
	if err != nil {
		return err
	}
	// [out, kh, kw, in] → [out, in, kh, kw].
	wt := &graph.Tensor{Shape: []int{oc, ic, kh, kw}, Data: make([]float32, len(w.Data))}
	for a := 0; a < oc; a++ {
		for y := 0; y < kh; y++ {
			for x := 0; x < kw; x++ {
				for i := 0; i < ic; i++ {
					wt.Data[((a*ic+i)*kh+y)*kw+x] = w.Data[((a*kh+y)*kw+x)*ic+i]
				}
			}
		}
	}
	return c.convNode(x, win, oc, cin/ic, wt, o.FusedActivationFunction())
}

// needOptions reads the operator's options of type want into tab: an
// operator without them is an error.
func (c *opCtx) needOptions(want BuiltinOptions, tab interface {
	Init([]byte, flatbuffers.UOffsetT)
}) error {
	ok, err := options(c.op, want, tab, c.code.name)
	if err == nil && !ok {
		err = fmt.Errorf("%s has no options", c.code.name)
	}
	return err
}

// filter reads a convolution's options (type want, into tab), its input
// (a map) and its constant rank-4 filter, dequantized.
func (c *opCtx) filter(want BuiltinOptions, tab interface {
	Init([]byte, flatbuffers.UOffsetT)
}) (*value, *graph.Tensor, error) {
	x, err := c.mapIn(0)
	if err != nil {
		return nil, nil, err
	}
	w, err := c.weight(1)
	if err != nil {
		return nil, nil, err
	}
	if len(w.Shape) != 4 {
		return nil, nil, fmt.Errorf("the filter has shape %v, not rank 4", w.Shape)
	}
	if len(w.Data) == 0 {
		return nil, nil, fmt.Errorf("the filter of shape %v is empty", w.Shape)
	}
	return x, w, c.needOptions(want, tab)
}

func (c *opCtx) convNode(x *value, win graph.Window, oc, groups int, wt *graph.Tensor, act ActivationFunctionType) error {
	params, err := c.weightAndBias(wt, oc, 2)
	if err != nil {
		return err
	}
	op := &graph.Conv{Window: win, OutChannels: oc, Groups: groups, Bias: params["bias"] != nil}
	return c.emit(op, []string{x.name}, params, true, act)
}

// weightAndBias returns the parameters of a convolution or dense layer:
// the weight w and the optional bias (input k) of n values.
func (c *opCtx) weightAndBias(w *graph.Tensor, n, k int) (map[string]*graph.Tensor, error) {
	params := map[string]*graph.Tensor{"weight": w}
	bias, err := c.optWeight(k)
	if err != nil {
		return nil, err
	}
	if bias != nil {
		if len(bias.Data) != n {
			return nil, fmt.Errorf("the bias has %d values for %d outputs", len(bias.Data), n)
		}
		bias.Shape = []int{n}
		params["bias"] = bias
	}
	return params, nil
}

// step adds a node of one input and one output named after base (a helper
// node of the operator: a transpose, a flatten) and returns its output.
func (c *opCtx) step(base string, op graph.Op, input string) string {
	b := c.b
	name := b.vnames.Unique(base)
	b.g.Nodes = append(b.g.Nodes, &graph.Node{Name: b.names.Unique(base), Type: c.code.name, Op: op, Inputs: []string{input}, Outputs: []string{name}})
	return name
}

func (c *opCtx) depthwise() error {
	o := &DepthwiseConv2DOptions{}
	x, w, err := c.filter(BuiltinOptionsDepthwiseConv2DOptions, o)
	if err != nil {
		return err
	}
	if w.Shape[0] != 1 {
		return fmt.Errorf("the filter has shape %v, not [1, kh, kw, channels]", w.Shape)
	}
	kh, kw, oc := w.Shape[1], w.Shape[2], w.Shape[3]
	cin := c.shape(0)[3]
	if cin <= 0 || oc%cin != 0 {
		return fmt.Errorf("the filter %v does not fit an input of %d channels", w.Shape, cin)
	}
	win, err := window(o.Padding(), o.StrideH(), o.StrideW(), int32(kh), int32(kw), o.DilationHFactor(), o.DilationWFactor())
	if err != nil {
		return err
	}
	// [1, kh, kw, out] → [out, 1, kh, kw]; output channel c·M+m reads
	// input channel c, as in a grouped convolution with one group per
	// input channel.
	wt := &graph.Tensor{Shape: []int{oc, 1, kh, kw}, Data: make([]float32, len(w.Data))}
	for y := 0; y < kh; y++ {
		for x := 0; x < kw; x++ {
			for a := 0; a < oc; a++ {
				wt.Data[(a*kh+y)*kw+x] = w.Data[(y*kw+x)*oc+a]
			}
		}
	}
	return c.convNode(x, win, oc, cin, wt, o.FusedActivationFunction())
}

func (c *opCtx) pool(kind graph.PoolKind) error {
	x, err := c.mapIn(0)
	if err != nil {
		return err
	}
	o := &Pool2DOptions{}
	if err := c.needOptions(BuiltinOptionsPool2DOptions, o); err != nil {
		return err
	}
	win, err := window(o.Padding(), o.StrideH(), o.StrideW(), o.FilterHeight(), o.FilterWidth(), 1, 1)
	if err != nil {
		return err
	}
	// TFLite's average pooling divides by the cells inside the input
	// (SAME padding is not counted).
	return c.emit(&graph.Pool{Window: win, Type: kind}, []string{x.name}, nil, true, o.FusedActivationFunction())
}

// fusedOptions are the options of ADD, SUB, MUL and DIV: a fused
// activation only.
type fusedOptions interface {
	Init([]byte, flatbuffers.UOffsetT)
	FusedActivationFunction() ActivationFunctionType
}

// fusedTables gives each such operator its options table.
var fusedTables = map[int]struct {
	typ BuiltinOptions
	new func() fusedOptions
}{
	opADD: {BuiltinOptionsAddOptions, func() fusedOptions { return &AddOptions{} }},
	opSUB: {BuiltinOptionsSubOptions, func() fusedOptions { return &SubOptions{} }},
	opMUL: {BuiltinOptionsMulOptions, func() fusedOptions { return &MulOptions{} }},
	opDIV: {BuiltinOptionsDivOptions, func() fusedOptions { return &DivOptions{} }},
}

// fused reads the fused activation of an ADD, SUB, MUL or DIV (NONE for
// other element-wise operators, or without options).
func (c *opCtx) fused() (ActivationFunctionType, error) {
	tab, ok := fusedTables[c.code.builtin]
	if !ok {
		return ActivationFunctionTypeNONE, nil
	}
	o := tab.new()
	if ok, err := options(c.op, tab.typ, o, c.code.name); err != nil || !ok {
		return ActivationFunctionTypeNONE, err
	}
	return o.FusedActivationFunction(), nil
}

// operands returns the operator's inputs for an element-wise or
// concatenating op: when any runtime input is a map, every input is made
// NCHW (constants transposed, lower-rank runtime tensors reshaped to their
// broadcastable NCHW shape) and nhwc is true.
func (c *opCtx) operands() (names []string, nhwc bool, err error) {
	b := c.b
	for _, t := range c.ins {
		if t >= 0 && !b.isConst(t) && b.vals[t].nhwc {
			nhwc = true
		}
	}
	for k, t := range c.ins {
		if t < 0 {
			return nil, false, fmt.Errorf("input %d is missing", k)
		}
		switch {
		case b.isConst(t):
			name, err := b.constNode(t, nhwc)
			if err != nil {
				return nil, false, err
			}
			names = append(names, name)
		case nhwc && !b.vals[t].nhwc:
			s := b.tensors[t].shape
			if len(s) > 3 || slices.Contains(s, -1) {
				return nil, false, unsupported("input %d of shape %v combined with a map", k, s)
			}
			s4 := append(make([]int, 4-len(s)), s...)
			for i := 0; i < 4-len(s); i++ {
				s4[i] = 1
			}
			v := b.vals[t]
			names = append(names, c.step(v.name+"/nchw", &graph.Reshape{Shape: []int{s4[0], s4[3], s4[1], s4[2]}}, v.name))
		default:
			names = append(names, b.vals[t].name)
		}
	}
	return names, nhwc, nil
}

func (c *opCtx) eltwise(kind graph.EltwiseKind) error {
	if len(c.ins) != 2 {
		return fmt.Errorf("%s takes 2 inputs, got %d", c.code.name, len(c.ins))
	}
	act, err := c.fused()
	if err != nil {
		return err
	}
	names, nhwc, err := c.operands()
	if err != nil {
		return err
	}
	return c.emit(&graph.Eltwise{Type: kind}, names, nil, nhwc, act)
}

func (c *opCtx) concat() error {
	o := &ConcatenationOptions{}
	if err := c.needOptions(BuiltinOptionsConcatenationOptions, o); err != nil {
		return err
	}
	rank := len(c.b.tensors[c.outs[0]].shape)
	axis, err := graph.NormAxis(int(o.Axis()), rank)
	if err != nil {
		return err
	}
	names, nhwc, err := c.operands()
	if err != nil {
		return err
	}
	if nhwc {
		if rank != 4 {
			return unsupported("concatenation of rank %d", rank)
		}
		axis = nchwAxis(axis)
	}
	return c.emit(&graph.Concat{Axis: axis}, names, nil, nhwc, o.FusedActivationFunction())
}

// reshape converts RESHAPE, SQUEEZE and EXPAND_DIMS to the output tensor's
// shape: a map is brought to NHWC order first (unless it is 1×1) and a
// rank-4 result back to NCHW, so the values keep TFLite's order.
func (c *opCtx) reshape() error {
	b := c.b
	x, err := c.in(0)
	if err != nil {
		return err
	}
	in, out := c.shape(0), append([]int(nil), b.tensors[c.outs[0]].shape...)
	for i, d := range out {
		if d < 0 && i > 0 {
			return unsupported("the output shape %v is not fixed", out)
		}
	}
	if len(out) > 0 && len(in) > 0 && out[0] == in[0] {
		out[0] = 0 // the batch
	} else if len(out) > 0 && out[0] < 0 {
		return unsupported("a reshape that moves the batch dimension (%v to %v)", in, out)
	}
	tn := b.tensors[c.outs[0]].name
	cur := x.name
	if x.nhwc && !(in[1] == 1 && in[2] == 1) {
		cur = c.step(tn+"/to_nhwc", &graph.Transpose{Perm: []int{0, 2, 3, 1}}, cur)
	}
	if len(out) == 4 {
		if out[1] == 1 && out[2] == 1 {
			return c.emit(&graph.Reshape{Shape: []int{out[0], out[3], 1, 1}}, []string{cur}, nil, true, ActivationFunctionTypeNONE)
		}
		cur = c.step(tn+"/nhwc", &graph.Reshape{Shape: out}, cur)
		return c.emit(&graph.Transpose{Perm: []int{0, 3, 1, 2}}, []string{cur}, nil, true, ActivationFunctionTypeNONE)
	}
	return c.emit(&graph.Reshape{Shape: out}, []string{cur}, nil, false, ActivationFunctionTypeNONE)
}

func (c *opCtx) softmax(log bool) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if !log {
		o := &SoftmaxOptions{}
		if ok, err := options(c.op, BuiltinOptionsSoftmaxOptions, o, "SOFTMAX"); err != nil {
			return err
		} else if ok && o.Beta() != 1 {
			return unsupported("softmax with beta %g", o.Beta())
		}
	}
	axis := -1
	if x.nhwc {
		axis = 1
	}
	return c.emit(&graph.Softmax{Axis: axis, Log: log}, []string{x.name}, nil, x.nhwc, ActivationFunctionTypeNONE)
}

func (c *opCtx) dense() error {
	b := c.b
	x, err := c.in(0)
	if err != nil {
		return err
	}
	o := &FullyConnectedOptions{}
	if _, err := options(c.op, BuiltinOptionsFullyConnectedOptions, o, "FULLY_CONNECTED"); err != nil {
		return err
	}
	if o.WeightsFormat() != FullyConnectedOptionsWeightsFormatDEFAULT {
		return unsupported("shuffled weights")
	}
	w, err := c.weight(1)
	if err != nil {
		return err
	}
	if len(w.Shape) != 2 {
		return fmt.Errorf("the weights have shape %v, not [units, inputs]", w.Shape)
	}
	units, inputs := w.Shape[0], w.Shape[1]
	in := c.shape(0)
	if len(in) < 2 || in[0] < 0 {
		return unsupported("an input of shape %v", in)
	}
	if graph.Shape(in[1:]).Elems() != inputs {
		return unsupported("an input of shape %v for %d weights per unit (rows of a matrix)", in, inputs)
	}
	if o.KeepNumDims() && len(in) > 2 {
		return unsupported("keep_num_dims with an input of shape %v", in)
	}
	params, err := c.weightAndBias(w, units, 2)
	if err != nil {
		return err
	}
	cur := x.name
	if x.nhwc && !(in[1] == 1 && in[2] == 1) {
		cur = c.step(b.tensors[c.outs[0]].name+"/flatten", &graph.Flatten{ChannelsLast: true}, cur)
	}
	return c.emit(&graph.Dense{Units: units, Bias: params["bias"] != nil}, []string{cur}, params, false, o.FusedActivationFunction())
}

func (c *opCtx) mean() error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	axes, err := c.b.intConst(c.ins[1])
	if err != nil {
		return err
	}
	o := &ReducerOptions{}
	if _, err := options(c.op, BuiltinOptionsReducerOptions, o, "MEAN"); err != nil {
		return err
	}
	keep := o.KeepDims()
	rank := len(c.shape(0))
	set := make([]bool, rank)
	for _, a := range axes {
		n, err := graph.NormAxis(a, rank)
		if err != nil {
			return err
		}
		set[n] = true
	}
	if !x.nhwc {
		return c.emit(&graph.Reduce{Func: graph.ReduceMean, Axes: axes, KeepDims: keep}, []string{x.name}, nil, false, ActivationFunctionTypeNONE)
	}
	if !set[0] && set[1] && set[2] && !set[3] && keep {
		return c.emit(&graph.Pool{Type: graph.AvgPool, Global: true}, []string{x.name}, nil, true, ActivationFunctionTypeNONE)
	}
	var mapped []int
	for a := 0; a < 4; a++ {
		if set[a] {
			mapped = append(mapped, nchwAxis(a))
		}
	}
	if !keep {
		// The axes left must come in the same order in NHWC and NCHW:
		// channels and a spatial axis left together would swap.
		if !set[3] && (!set[1] || !set[2]) {
			return unsupported("a mean over axes %v of a map that keeps channels and a spatial axis", axes)
		}
	}
	slices.Sort(mapped)
	return c.emit(&graph.Reduce{Func: graph.ReduceMean, Axes: mapped, KeepDims: keep}, []string{x.name}, nil, keep, ActivationFunctionTypeNONE)
}

func (c *opCtx) pad(mode string) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	p, err := c.b.intConst(c.ins[1])
	if err != nil {
		return err
	}
	rank := len(c.shape(0))
	if len(p) != 2*rank {
		return fmt.Errorf("%d paddings for a rank-%d input", len(p), rank)
	}
	var value float32
	if c.code.builtin == opPADV2 && len(c.ins) > 2 && c.ins[2] >= 0 {
		v, err := c.weight(2)
		if err != nil {
			return err
		}
		if len(v.Data) != 1 {
			return fmt.Errorf("the padding value has %d entries", len(v.Data))
		}
		value = v.Data[0]
	}
	if mode == "reflect" {
		o := &MirrorPadOptions{}
		if _, err := options(c.op, BuiltinOptionsMirrorPadOptions, o, "MIRROR_PAD"); err != nil {
			return err
		}
		if o.Mode() != MirrorPadModeREFLECT {
			return unsupported("symmetric mirror padding")
		}
	}
	pads := make([]int, 2*rank)
	for d := 0; d < rank; d++ {
		to := d
		if x.nhwc {
			to = nchwAxis(d)
		}
		pads[to], pads[rank+to] = p[2*d], p[2*d+1]
	}
	return c.emit(&graph.Pad{Pads: pads, Mode: mode, Value: value}, []string{x.name}, nil, x.nhwc, ActivationFunctionTypeNONE)
}

func (c *opCtx) resize(mode string) error {
	x, err := c.mapIn(0)
	if err != nil {
		return err
	}
	size, err := c.b.intConst(c.ins[1])
	if err != nil {
		return err
	}
	if len(size) != 2 || size[0] <= 0 || size[1] <= 0 || size[0] > 1<<16 || size[1] > 1<<16 {
		return fmt.Errorf("the output size %v is not two positive sides", size)
	}
	r := &graph.Resize{OutH: size[0], OutW: size[1], Mode: mode}
	var align, half bool
	if mode == "bilinear" {
		o := &ResizeBilinearOptions{}
		if _, err := options(c.op, BuiltinOptionsResizeBilinearOptions, o, c.code.name); err != nil {
			return err
		}
		align, half = o.AlignCorners(), o.HalfPixelCenters()
	} else {
		o := &ResizeNearestNeighborOptions{}
		if _, err := options(c.op, BuiltinOptionsResizeNearestNeighborOptions, o, c.code.name); err != nil {
			return err
		}
		align, half = o.AlignCorners(), o.HalfPixelCenters()
	}
	switch {
	case align && half:
		return unsupported("align_corners and half_pixel_centers together")
	case align:
		r.AlignCorners = true
	case half && mode == "nearest":
		return unsupported("nearest-neighbour resizing with half-pixel centres")
	case !half && mode == "bilinear":
		r.Asymmetric = true
	}
	return c.emit(r, []string{x.name}, nil, true, ActivationFunctionTypeNONE)
}

// passthrough maps QUANTIZE and DEQUANTIZE: the IR computes in float32, so
// the output is the input (a dequantized constant stays a constant).
func (c *opCtx) passthrough() error {
	if len(c.ins) != 1 || len(c.outs) != 1 || c.ins[0] < 0 {
		return fmt.Errorf("%s takes one input and one output", c.code.name)
	}
	b := c.b
	t := c.ins[0]
	if b.isConst(t) {
		if b.tensors[t].alias >= 0 {
			t = b.tensors[t].alias
		}
		b.tensors[c.outs[0]].alias = t
		return nil
	}
	b.vals[c.outs[0]] = b.vals[t]
	return nil
}

func (c *opCtx) activation(a *graph.Activation) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	return c.emit(a, []string{x.name}, nil, x.nhwc, ActivationFunctionTypeNONE)
}

func (c *opCtx) leakyRelu() error {
	o := &LeakyReluOptions{}
	if _, err := options(c.op, BuiltinOptionsLeakyReluOptions, o, "LEAKY_RELU"); err != nil {
		return err
	}
	alpha := o.Alpha()
	if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) {
		return fmt.Errorf("alpha %s", strconv.FormatFloat(float64(alpha), 'g', -1, 32))
	}
	return c.activation(&graph.Activation{Func: graph.LeakyRelu, Alpha: alpha})
}

// prelu maps PRELU: x<0: alpha·x with alpha broadcast against x (NHWC),
// which the IR has per channel or shared. An alpha that varies over the
// spatial axes (Keras PReLU without shared_axes) is refused as a form.
func (c *opCtx) prelu() error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	a, err := c.weight(1)
	if err != nil {
		return err
	}
	if len(a.Data) == 0 {
		return fmt.Errorf("alpha of shape %v is empty", a.Shape)
	}
	in := c.shape(0)
	ch := in[len(in)-1]
	last := 1
	if len(a.Shape) > 0 {
		last = a.Shape[len(a.Shape)-1]
	}
	if last != 1 && last != ch {
		return fmt.Errorf("alpha of shape %v does not broadcast against %v", a.Shape, in)
	}
	// alpha must not vary over anything but its last (channel) axis.
	for i, v := range a.Data {
		if v != a.Data[i%last] {
			return unsupported("alpha of shape %v varies over the spatial axes", a.Shape)
		}
	}
	if !x.nhwc && len(in) != 2 {
		return unsupported("PRELU of a rank-%d input", len(in))
	}
	slope := &graph.Tensor{Shape: []int{last}, Data: append([]float32(nil), a.Data[:last]...)}
	return c.emit(&graph.PRelu{Shared: last == 1}, []string{x.name}, map[string]*graph.Tensor{"slope": slope}, x.nhwc, ActivationFunctionTypeNONE)
}

// transposeConv maps TRANSPOSE_CONV (inputs: the output shape, the filter
// [out, kh, kw, in], the input map, an optional bias) and MediaPipe's
// custom Convolution2DTransposeBias (input, filter, bias; its custom
// options are TFLite's C struct of transposed-convolution parameters:
// padding 1 SAME or 2 VALID, stride_w, stride_h, as int32). The output size
// is the output tensor's; the padding is TFLite's: SAME puts half of the
// excess (rounded down) before, VALID none (an output larger than the
// input's reach ends in bias only).
func (c *opCtx) transposeConv(custom bool) error {
	xi, wi, bi := 2, 1, 3
	var (
		pad    Padding
		sh, sw int32
		act    = ActivationFunctionTypeNONE
	)
	if custom {
		xi, wi, bi = 0, 1, 2
		opt := c.op.CustomOptionsBytes()
		if len(opt) < 12 {
			return fmt.Errorf("custom options of %d bytes, not the 12 of padding and strides", len(opt))
		}
		p := int32(binary.LittleEndian.Uint32(opt))
		sw, sh = int32(binary.LittleEndian.Uint32(opt[4:])), int32(binary.LittleEndian.Uint32(opt[8:]))
		switch p {
		case 1:
			pad = PaddingSAME
		case 2:
			pad = PaddingVALID
		default:
			return fmt.Errorf("padding %d (1 SAME, 2 VALID)", p)
		}
	} else {
		o := &TransposeConvOptions{}
		if err := c.needOptions(BuiltinOptionsTransposeConvOptions, o); err != nil {
			return err
		}
		pad, sw, sh, act = o.Padding(), o.StrideW(), o.StrideH(), o.FusedActivationFunction()
	}
	x, err := c.mapIn(xi)
	if err != nil {
		return err
	}
	w, err := c.weight(wi)
	if err != nil {
		return err
	}
	if len(w.Shape) != 4 || len(w.Data) == 0 {
		return fmt.Errorf("the filter has shape %v, not [out, kh, kw, in]", w.Shape)
	}
	oc, kh, kw, ic := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	in, out := c.shape(xi), c.b.tensors[c.outs[0]].shape
	if in[3] != ic {
		return fmt.Errorf("the filter %v does not fit an input of %d channels", w.Shape, in[3])
	}
	if len(out) != 4 || out[1] <= 0 || out[2] <= 0 || out[3] != oc {
		return unsupported("an output of shape %v for %d filters", out, oc)
	}
	win, err := window(pad, sh, sw, int32(kh), int32(kw), 1, 1)
	if err != nil {
		return err
	}
	win.AutoPad = graph.PadExplicit
	op := &graph.ConvTranspose{OutChannels: oc}
	for a, s := range [2]int{int(sh), int(sw)} {
		k, n, o := []int{kh, kw}[a], in[1+a], out[1+a]
		// The output size must be one whose convolution gives the input's
		// (as TensorFlow writes them); TFLite's kernels differ on others.
		if (pad == PaddingSAME && (o+s-1)/s != n) || (pad == PaddingVALID && (o-k+s)/s != n) {
			return unsupported("an output of %v for an input of %v (stride %d, kernel %d)", out, in, s, k)
		}
		total := (n-1)*s + k - o
		if total < 0 {
			op.OutputPad[a], total = -total, 0
		}
		if pad == PaddingSAME {
			win.Pads[a], win.Pads[a+2] = total/2, total-total/2
		} else {
			win.Pads[a+2] = total
		}
	}
	op.Window = win
	// [out, kh, kw, in] → [in, out, kh, kw].
	wt := &graph.Tensor{Shape: []int{ic, oc, kh, kw}, Data: make([]float32, len(w.Data))}
	for o := 0; o < oc; o++ {
		for y := 0; y < kh; y++ {
			for xx := 0; xx < kw; xx++ {
				for i := 0; i < ic; i++ {
					wt.Data[((i*oc+o)*kh+y)*kw+xx] = w.Data[((o*kh+y)*kw+xx)*ic+i]
				}
			}
		}
	}
	params, err := c.weightAndBias(wt, oc, bi)
	if err != nil {
		return err
	}
	op.Bias = params["bias"] != nil
	return c.emit(op, []string{x.name}, params, true, act)
}

// lrn maps LOCAL_RESPONSE_NORMALIZATION: x / (bias + alpha·Σx²)^beta over
// the channels within radius, which is graph.LRN over 2·radius+1 channels
// with its alpha divided by that size.
func (c *opCtx) lrn() error {
	x, err := c.mapIn(0)
	if err != nil {
		return err
	}
	o := &LocalResponseNormalizationOptions{}
	if err := c.needOptions(BuiltinOptionsLocalResponseNormalizationOptions, o); err != nil {
		return err
	}
	r := int(o.Radius())
	if r < 0 || r > 1<<16 {
		return fmt.Errorf("radius %d", r)
	}
	size := 2*r + 1
	return c.emit(&graph.LRN{Size: size, Alpha: o.Alpha() * float32(size), Beta: o.Beta(), Bias: o.Bias()}, []string{x.name}, nil, true, ActivationFunctionTypeNONE)
}

// isWeight reports whether constant tensor t holds weights: float data, or
// quantized integers.
func (b *builder) isWeight(t int) bool {
	ti := &b.tensors[t]
	if ti.alias >= 0 {
		ti = &b.tensors[ti.alias]
	}
	switch ti.typ {
	case TensorTypeFLOAT32, TensorTypeFLOAT16, TensorTypeFLOAT64:
		return true
	}
	return ti.quant != nil
}

func isBudget(err error) bool {
	var be *format.BudgetError
	return errors.As(err, &be)
}

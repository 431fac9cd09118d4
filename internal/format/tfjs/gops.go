package tfjs

import (
	"fmt"
	"math"
	"strings"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// graphActivations maps TF activation ops (and the lower-case names of
// fused_ops) to the IR's functions.
var graphActivations = map[string]graph.ActFunc{
	"Relu": graph.Relu, "Relu6": graph.Relu6, "Elu": graph.Elu, "Selu": graph.Selu,
	"Sigmoid": graph.Sigmoid, "Tanh": graph.Tanh, "LeakyRelu": graph.LeakyRelu,
	"Softplus": graph.Softplus, "Softsign": graph.Softsign, "Exp": graph.Exp, "Log": graph.Log,
	"Abs": graph.Abs, "Erf": graph.Erf,
}

var graphEltwise = map[string]graph.EltwiseKind{
	"Add": graph.EltAdd, "AddV2": graph.EltAdd, "BiasAdd": graph.EltAdd, "Sub": graph.EltSub,
	"Mul": graph.EltMul, "RealDiv": graph.EltDiv, "Div": graph.EltDiv, "Maximum": graph.EltMax,
	"Minimum": graph.EltMin, "AddN": graph.EltAdd,
}

// passThrough ops are the identity at inference.
var passThrough = map[string]bool{"Identity": true, "StopGradient": true, "Snapshot": true,
	"PreventGradient": true}

func (b *gbuilder) convert(n *gNode, name string) error {
	switch n.Op {
	case "Placeholder", "PlaceholderWithDefault":
		return b.placeholder(n, name)
	case "Const":
		t := b.weights[n.Name]
		if t == nil {
			if n.Attr["dtype"].Type == "DT_STRING" || n.Attr["dtype"].Type == "DT_BOOL" {
				return unsupported("a %s constant", n.Attr["dtype"].Type)
			}
			return fmt.Errorf("constant %q has no value in the weights manifest", n.Name)
		}
		b.setConst(n.Name, t)
		return nil
	case "NoOp":
		return nil
	}
	if passThrough[n.Op] {
		v, err := b.in(n, 0)
		if err != nil {
			return err
		}
		b.vals[n.Name] = v
		return nil
	}
	if folded, err := b.fold(n); folded || err != nil {
		return err
	}
	computed := false
	for i := range b.dataInputs(n) {
		v, err := b.in(n, i)
		if err != nil {
			return err
		}
		computed = computed || v.c == nil
	}
	if !computed {
		// Not folded, yet all its inputs are constants.
		return unsupported("%s of constants (convscope folds only shape arithmetic)", n.Op)
	}
	if n.Op == "Cast" {
		// A computed value cast to float is itself (inputs are float32
		// holding integers when the file says int32).
		if t := n.Attr["DstT"].Type; t != "DT_FLOAT" {
			return unsupported("Cast of a computed value to %s", t)
		}
		v, err := b.in(n, 0)
		if err != nil {
			return err
		}
		b.vals[n.Name] = v
		return nil
	}
	switch n.Op {
	case "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative":
		return b.conv(n, name)
	case "SpaceToBatchND":
		return b.spaceToBatch(n)
	case "MatMul", "_FusedMatMul":
		return b.matmul(n, name)
	case "MaxPool", "AvgPool":
		return b.pool(n, name)
	case "Mean", "Max", "Min", "Sum", "Prod":
		return b.reduce(n, name)
	case "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3":
		return b.batchNorm(n, name)
	case "Prelu":
		x, slope, err := b.inConst(n)
		if err != nil {
			return err
		}
		return b.prelu(n.Name, name, x, slope)
	case "Softmax", "LogSoftmax":
		x, err := b.in(n, 0)
		if err != nil {
			return err
		}
		axis, _ := irAxis(-1, len(x.shape))
		return b.set(n.Name, name, n.Op, &graph.Softmax{Axis: axis, Log: n.Op == "LogSoftmax"}, []string{x.ir}, nil)
	case "ConcatV2":
		return b.concat(n, name)
	case "Pad", "PadV2", "MirrorPad":
		return b.pad(n, name)
	case "Reshape", "Squeeze", "ExpandDims":
		return b.reshapeOp(n, name)
	case "Transpose":
		return b.transposeOp(n, name)
	case "ResizeBilinear", "ResizeNearestNeighbor":
		return b.resize(n, name)
	case "Square":
		x, err := b.in(n, 0)
		if err != nil {
			return err
		}
		return b.set(n.Name, name, n.Op, &graph.Eltwise{Type: graph.EltMul}, []string{x.ir, x.ir}, nil)
	case "Sqrt", "Rsqrt", "Reciprocal":
		x, err := b.in(n, 0)
		if err != nil {
			return err
		}
		exp := map[string]float32{"Sqrt": 0.5, "Rsqrt": -0.5, "Reciprocal": -1}[n.Op]
		return b.set(n.Name, name, n.Op, &graph.Power{Exponent: exp, Scale: 1}, []string{x.ir}, nil)
	}
	if f, ok := graphActivations[n.Op]; ok {
		x, err := b.in(n, 0)
		if err != nil {
			return err
		}
		return b.activation(n.Name, name, x.ir, f, n.float("alpha", 0.2))
	}
	if _, ok := graphEltwise[n.Op]; ok {
		return b.eltwise(n, name)
	}
	return unsupported("operator %s is not supported", n.Op)
}

func (b *gbuilder) placeholder(n *gNode, name string) error {
	if len(b.g.Inputs) > 0 {
		return unsupported("a second input (convscope reads models with one input)")
	}
	switch t := n.Attr["dtype"].Type; t {
	case "", "DT_FLOAT", "DT_INT32":
		// An int32 image input (pixels 0–255, cast by the model) is fed
		// as float32 holding the same integers.
	default:
		return unsupported("an input of type %s (convscope feeds float32 images)", t)
	}
	dims := shapeDims(n.Attr["shape"].Shape)
	if len(dims) == 0 {
		return fmt.Errorf("input %q has no shape", n.Name)
	}
	s := make(graph.Shape, len(dims))
	for i, d := range dims {
		switch {
		case i == 0:
			s[i] = -1
		case d <= 0:
			s[i] = -1
		case d > math.MaxInt32:
			return fmt.Errorf("input %q: dimension %d is too large", n.Name, d)
		default:
			s[i] = int(d)
		}
	}
	if len(s) == 4 {
		s = graph.Shape{-1, s[3], s[1], s[2]}
	}
	s, err := format.FillInput(name, s, b.input)
	if err != nil {
		return err
	}
	b.names.Add(name)
	b.g.Inputs = append(b.g.Inputs, graph.Value{Name: name, Shape: s})
	run := append(graph.Shape{1}, s[1:]...)
	for _, d := range run {
		if d <= 0 {
			return fmt.Errorf("input %q has shape %v", name, s)
		}
	}
	b.irShape[name] = run
	b.dyn(n.Name, name)
	return nil
}

// inConst returns n's input 0 and its constant input 1 (a filter, axes,
// paddings, a permutation, a size).
func (b *gbuilder) inConst(n *gNode) (*gval, *graph.Tensor, error) {
	x, err := b.in(n, 0)
	if err != nil {
		return nil, nil, err
	}
	c, err := b.constIn(n, 1)
	return x, c, err
}

// set emits an IR node and records its output as TF tensor tf.
func (b *gbuilder) set(tf, base, typ string, op graph.Op, inputs []string, params map[string]*graph.Tensor) error {
	out, err := b.emit(base, typ, op, inputs, params)
	if err != nil {
		return err
	}
	b.dyn(tf, out)
	return nil
}

// activation applies f to IR value x and records the result as tf.
func (b *gbuilder) activation(tf, name, x string, f graph.ActFunc, alpha float32) error {
	op := &graph.Activation{Func: f}
	switch f {
	case graph.LeakyRelu:
		op.Alpha = alpha
	case graph.Elu:
		op.Alpha = 1
	case graph.Selu:
		op.Alpha, op.Beta = 1.6732632423543772, 1.0507009873554805
	}
	return b.set(tf, name, string(f), op, []string{x}, nil)
}

func (b *gbuilder) prelu(tf, name string, x *gval, slope *graph.Tensor) error {
	c := 1
	if len(x.shape) > 0 {
		c = x.shape[len(x.shape)-1]
	}
	shared := len(slope.Data) == 1
	if !shared && len(slope.Data) != c {
		return unsupported("Prelu with a slope of shape %v on %v (convscope has one slope per channel)", graph.Shape(slope.Shape), x.shape)
	}
	if len(x.shape) != 4 && len(x.shape) != 2 && !shared {
		return unsupported("Prelu per channel on a rank-%d value", len(x.shape))
	}
	return b.set(tf, name, "Prelu", &graph.PRelu{Shared: shared}, []string{x.ir},
		map[string]*graph.Tensor{"slope": {Shape: []int{len(slope.Data)}, Data: slope.Data}})
}

// window reads strides, padding and dilations of a NHWC conv or pool.
func gWindow(n *gNode, kh, kw int) (graph.Window, error) {
	w := graph.Window{Kernel: [2]int{kh, kw}}
	if f := n.str("data_format", "NHWC"); f != "NHWC" {
		return w, unsupported("data_format %s", f)
	}
	st := n.ints("strides")
	if len(st) == 0 {
		st = []int64{1, 1, 1, 1}
	}
	if len(st) != 4 || st[0] != 1 || st[3] != 1 {
		return w, fmt.Errorf("strides %v (needs [1, h, w, 1])", st)
	}
	di := n.ints("dilations")
	if len(di) == 0 {
		di = []int64{1, 1, 1, 1}
	}
	if len(di) != 4 || di[0] != 1 || di[3] != 1 {
		return w, fmt.Errorf("dilations %v (needs [1, h, w, 1])", di)
	}
	for _, v := range []int64{st[1], st[2], di[1], di[2]} {
		if v < 1 || v > 1<<16 {
			return w, fmt.Errorf("strides %v / dilations %v out of range", st, di)
		}
	}
	w.Stride = [2]int{int(st[1]), int(st[2])}
	w.Dilation = [2]int{int(di[1]), int(di[2])}
	switch p := n.str("padding", "VALID"); p {
	case "SAME":
		w.AutoPad = graph.PadSameUpper
	case "VALID":
		w.AutoPad = graph.PadValid
	case "EXPLICIT":
		e := n.ints("explicit_paddings")
		if len(e) != 8 {
			return w, fmt.Errorf("explicit_paddings %v (needs 8 values)", e)
		}
		for _, v := range e {
			if v < 0 || v > 1<<16 {
				return w, fmt.Errorf("explicit_paddings %v out of range", e)
			}
		}
		if e[0] != 0 || e[1] != 0 || e[6] != 0 || e[7] != 0 {
			return w, unsupported("padding of the batch or channel axis %v", e)
		}
		w.Pads = [4]int{int(e[2]), int(e[4]), int(e[3]), int(e[5])}
	default:
		return w, fmt.Errorf("padding %q (SAME, VALID or EXPLICIT)", p)
	}
	return w, nil
}

// fused reads a _Fused* op's fused_ops: whether it adds a bias, and the
// activation after it ("" for none).
func fused(n *gNode) (bias bool, act string, err error) {
	ops := n.strs("fused_ops")
	if !strings.HasPrefix(n.Op, "_Fused") && n.Op != "FusedDepthwiseConv2dNative" {
		return false, "", nil
	}
	for i, o := range ops {
		switch {
		case i == 0 && o == "BiasAdd":
			bias = true
		case i == len(ops)-1 && act == "" && o != "BiasAdd":
			act = o
		default:
			return false, "", unsupported("fused_ops %v", ops)
		}
	}
	if act != "" && act != "Prelu" {
		if _, ok := graphActivations[act]; !ok {
			return false, "", unsupported("fused activation %s", act)
		}
	}
	return bias, act, nil
}

// afterFused applies a fused op's activation to the IR value out.
func (b *gbuilder) afterFused(n *gNode, name, out, act string, argBase int) error {
	switch act {
	case "":
		b.dyn(n.Name, out)
		return nil
	case "Prelu":
		slope, err := b.constIn(n, argBase+1)
		if err != nil {
			return err
		}
		v := &gval{ir: out, shape: tfShape(b.irShape[out])}
		return b.prelu(n.Name, name+"_prelu", v, slope)
	}
	return b.activation(n.Name, name+"_"+strings.ToLower(act), out, graphActivations[act], n.float("leakyrelu_alpha", 0.2))
}

func (b *gbuilder) conv(n *gNode, name string) error {
	x, err := b.in(n, 0)
	if err != nil {
		return err
	}
	if len(x.shape) != 4 {
		return fmt.Errorf("input has shape %v; a convolution needs [N, H, W, C]", x.shape)
	}
	f, err := b.constIn(n, 1)
	if err != nil {
		return err
	}
	if len(f.Shape) != 4 {
		return fmt.Errorf("filter has shape %v; needs [KH, KW, Cin, Cout]", graph.Shape(f.Shape))
	}
	kh, kw, ci, co := f.Shape[0], f.Shape[1], f.Shape[2], f.Shape[3]
	w, err := gWindow(n, kh, kw)
	if err != nil {
		return err
	}
	bias, act, err := fused(n)
	if err != nil {
		return err
	}
	var after *gNode // the BatchToSpaceND of an atrous convolution
	if x.s2b != nil {
		if after, err = b.atrous(n, x, &w, kh, kw); err != nil {
			return err
		}
	}
	c := x.shape[3]
	op := &graph.Conv{Window: w}
	var weight *graph.Tensor
	if strings.Contains(n.Op, "Depthwise") {
		// [KH, KW, C, M] → [C·M, 1, KH, KW]: output channel c·M + m.
		if ci != c {
			return fmt.Errorf("depthwise filter %v on %d channels", graph.Shape(f.Shape), c)
		}
		t, err := b.transpose(f, []int{2, 3, 0, 1})
		if err != nil {
			return err
		}
		weight = &graph.Tensor{Shape: []int{ci * co, 1, kh, kw}, Data: t.Data}
		op.OutChannels, op.Groups = ci*co, ci
	} else {
		if ci <= 0 || c%ci != 0 {
			return fmt.Errorf("filter %v on %d channels", graph.Shape(f.Shape), c)
		}
		if weight, err = b.transpose(f, []int{3, 2, 0, 1}); err != nil {
			return err
		}
		op.OutChannels, op.Groups = co, c/ci
	}
	op.Bias = bias
	if err := b.emitFused(n, name, strings.TrimPrefix(n.Op, "_"), op, x.ir, weight, op.OutChannels, act); err != nil {
		return err
	}
	if after != nil {
		b.vals[after.Name] = b.vals[n.Name]
		b.skip[after.Name] = true
	}
	return nil
}

func isConv(op string) bool {
	switch op {
	case "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative":
		return true
	}
	return false
}

// spaceToBatch is a SpaceToBatchND with a constant block [d, d] and
// paddings, TF 1's way of writing a dilated ("atrous") convolution:
// SpaceToBatchND → Conv2D → BatchToSpaceND.
type spaceToBatch struct {
	block int
	pads  [4]int // top, left, bottom, right
}

// spaceToBatch records a SpaceToBatchND of a map for the convolution that
// reads it (atrous).
func (b *gbuilder) spaceToBatch(n *gNode) error {
	x, bs, err := b.inConst(n)
	if err != nil {
		return err
	}
	ps, err := b.constIn(n, 2)
	if err != nil {
		return err
	}
	if x.c != nil || x.s2b != nil || len(x.shape) != 4 || len(bs.Data) != 2 || bs.Data[0] != bs.Data[1] || bs.Data[0] < 1 || bs.Data[0] > 1<<10 || len(ps.Data) != 4 {
		return unsupported("SpaceToBatchND other than of a map by a square block (atrous convolution)")
	}
	s := &spaceToBatch{block: int(bs.Data[0])}
	for i, k := range []int{0, 2, 1, 3} { // [[top, bottom], [left, right]]
		if ps.Data[k] < 0 || ps.Data[k] > 1<<16 {
			return fmt.Errorf("paddings %v out of range", ps.Data)
		}
		s.pads[i] = int(ps.Data[k])
	}
	b.vals[n.Name] = &gval{ir: x.ir, shape: x.shape, s2b: s}
	return nil
}

// atrous turns the window of a stride-1 convolution that reads a
// SpaceToBatchND into the dilated convolution on the original map, when
// its one reader is the BatchToSpaceND that undoes it: dilation = block,
// pads = the SpaceToBatchND's + the inner conv's (× block) − the crops.
// It returns that BatchToSpaceND.
func (b *gbuilder) atrous(n *gNode, x *gval, w *graph.Window, kh, kw int) (*gNode, error) {
	s := x.s2b
	after := b.readBy[n.Name]
	if b.readers[n.Name] != 1 || after == nil || after.Op != "BatchToSpaceND" || w.Stride != [2]int{1, 1} || w.Dilation != [2]int{1, 1} {
		return nil, unsupported("a convolution of a SpaceToBatchND not followed by its BatchToSpaceND")
	}
	ins := b.dataInputs(after)
	if len(ins) != 3 {
		return nil, fmt.Errorf("BatchToSpaceND needs 3 inputs")
	}
	bs, crops := b.weights[nodeOf(ins[1])], b.weights[nodeOf(ins[2])]
	if bs == nil || crops == nil || len(bs.Data) != 2 || int(bs.Data[0]) != s.block || int(bs.Data[1]) != s.block || len(crops.Data) != 4 {
		return nil, unsupported("BatchToSpaceND with a computed or other block than its SpaceToBatchND")
	}
	inner := [4]int{}
	switch w.AutoPad {
	case graph.PadSameUpper:
		inner = [4]int{(kh - 1) / 2, (kw - 1) / 2, kh - 1 - (kh-1)/2, kw - 1 - (kw-1)/2}
	case graph.PadExplicit:
		inner = w.Pads
	}
	for i, k := range []int{0, 2, 1, 3} {
		p := s.pads[i] + s.block*inner[i] - int(crops.Data[k])
		if p < 0 {
			return nil, unsupported("an atrous convolution whose crops exceed its padding")
		}
		w.Pads[i] = p
	}
	w.AutoPad = graph.PadExplicit
	w.Dilation = [2]int{s.block, s.block}
	return after, nil
}

// emitFused emits a convolution or dense layer of weight and units
// outputs, with the bias a fused op reads as its input 2 when op has one,
// and then its fused activation.
func (b *gbuilder) emitFused(n *gNode, name, typ string, op graph.Op, x string, weight *graph.Tensor, units int, act string) error {
	params := map[string]*graph.Tensor{"weight": weight}
	if _, ok := op.ParamShapes([]graph.Shape{b.irShape[x]})["bias"]; ok {
		bt, err := b.constIn(n, 2)
		if err != nil {
			return err
		}
		if len(bt.Data) != units {
			return fmt.Errorf("bias of %d values for %d outputs", len(bt.Data), units)
		}
		params["bias"] = &graph.Tensor{Shape: []int{units}, Data: bt.Data}
	}
	out, err := b.emit(name, typ, op, []string{x}, params)
	if err != nil {
		return err
	}
	return b.afterFused(n, name, out, act, 2)
}

func (b *gbuilder) matmul(n *gNode, name string) error {
	x, err := b.in(n, 0)
	if err != nil {
		return err
	}
	wv, err := b.in(n, 1)
	if err != nil {
		return err
	}
	if n.boolean("transpose_a") {
		return unsupported("MatMul with transpose_a")
	}
	bias, act, err := fused(n)
	if err != nil {
		return err
	}
	if wv.c == nil || len(x.shape) != 2 || len(wv.c.Shape) != 2 {
		if bias || act != "" || x.c != nil {
			return unsupported("a fused MatMul of two computed values")
		}
		if n.boolean("transpose_b") || len(x.shape) == 4 || len(wv.shape) == 4 {
			return unsupported("MatMul of a [N, H, W, C] value, or with transpose_b")
		}
		y, err := b.operand(wv, 0, b.display[nodeOf(b.dataInputs(n)[1])])
		if err != nil {
			return err
		}
		return b.set(n.Name, name, "MatMul", &graph.MatMul{}, []string{x.ir, y}, nil)
	}
	w := wv.c
	if !n.boolean("transpose_b") {
		if w, err = b.transpose(w, []int{1, 0}); err != nil { // [In, Out] → [Out, In]
			return err
		}
	}
	units, in := w.Shape[0], w.Shape[1]
	if in != x.shape[1] {
		return fmt.Errorf("weights %v for an input of %v", graph.Shape(wv.c.Shape), x.shape)
	}
	return b.emitFused(n, name, "MatMul", &graph.Dense{Units: units, Bias: bias}, x.ir, w, units, act)
}

func (b *gbuilder) pool(n *gNode, name string) error {
	x, err := b.in(n, 0)
	if err != nil {
		return err
	}
	if len(x.shape) != 4 {
		return fmt.Errorf("input has shape %v; pooling needs [N, H, W, C]", x.shape)
	}
	k := n.ints("ksize")
	if len(k) != 4 || k[0] != 1 || k[3] != 1 || k[1] < 1 || k[2] < 1 || k[1] > 1<<16 || k[2] > 1<<16 {
		return fmt.Errorf("ksize %v (needs [1, h, w, 1])", k)
	}
	w, err := gWindow(n, int(k[1]), int(k[2]))
	if err != nil {
		return err
	}
	kind := graph.MaxPool
	if n.Op == "AvgPool" {
		kind = graph.AvgPool
	}
	return b.set(n.Name, name, n.Op, &graph.Pool{Window: w, Type: kind}, []string{x.ir}, nil)
}

func (b *gbuilder) reduce(n *gNode, name string) error {
	x, at, err := b.inConst(n)
	if err != nil {
		return err
	}
	keep := n.boolean("keep_dims")
	r := len(x.shape)
	red := make([]bool, r)
	for _, a := range at.Data {
		ax, err := graph.NormAxis(int(a), r)
		if err != nil {
			return err
		}
		red[ax] = true
	}
	fn := map[string]graph.ReduceFunc{"Mean": graph.ReduceMean, "Max": graph.ReduceMax, "Min": graph.ReduceMin,
		"Sum": graph.ReduceSum, "Prod": graph.ReduceProd}[n.Op]
	if r == 4 && red[1] && red[2] && !red[0] && !red[3] && (n.Op == "Mean" || n.Op == "Max") {
		// Global pooling over H and W.
		kind := graph.AvgPool
		if n.Op == "Max" {
			kind = graph.MaxPool
		}
		base := name
		if !keep {
			base = name + "_pool"
		}
		out, err := b.emit(base, n.Op, &graph.Pool{Type: kind, Global: true}, []string{x.ir}, nil)
		if err != nil {
			return err
		}
		if !keep {
			if out, err = b.emit(name, "Flatten", &graph.Flatten{}, []string{out}, nil); err != nil {
				return err
			}
		}
		b.dyn(n.Name, out)
		return nil
	}
	var axes []int
	for i, on := range red {
		if on {
			ax, _ := irAxis(int64(i), r)
			axes = append(axes, ax)
		}
	}
	if r == 4 && !keep {
		// Dropping axes of an NCHW value leaves the others in IR order:
		// right only when that is TF's order.
		var rest graph.Shape
		for i, on := range red {
			if !on {
				rest = append(rest, i)
			}
		}
		for i := 1; i < len(rest); i++ {
			if toNCHW[rest[i]] < toNCHW[rest[i-1]] {
				return unsupported("%s over axes %v of a [N, H, W, C] value", n.Op, at.Data)
			}
		}
	}
	return b.set(n.Name, name, n.Op, &graph.Reduce{Func: fn, Axes: axes, KeepDims: keep}, []string{x.ir}, nil)
}

func (b *gbuilder) batchNorm(n *gNode, name string) error {
	x, err := b.in(n, 0)
	if err != nil {
		return err
	}
	if n.boolean("is_training") {
		return unsupported("batch normalisation in training mode")
	}
	if f := n.str("data_format", "NHWC"); f != "NHWC" {
		return unsupported("data_format %s", f)
	}
	c := x.shape[len(x.shape)-1]
	params := map[string]*graph.Tensor{}
	for i, k := range []string{"scale", "bias", "mean", "var"} {
		t, err := b.constIn(n, i+1)
		if err != nil {
			return err
		}
		if len(t.Data) != c {
			return fmt.Errorf("%s has %d values for %d channels", k, len(t.Data), c)
		}
		params[k] = &graph.Tensor{Shape: []int{c}, Data: t.Data}
	}
	return b.set(n.Name, name, n.Op, &graph.BatchNorm{Epsilon: n.float("epsilon", 1e-3)}, []string{x.ir}, params)
}

// eltwise converts a binary (or, AddN, n-ary) element-wise op. A
// constant per-channel addend right after a convolution or dense layer
// without bias becomes its bias.
func (b *gbuilder) eltwise(n *gNode, name string) error {
	ins := b.dataInputs(n)
	if len(ins) < 2 && n.Op != "AddN" {
		return fmt.Errorf("needs 2 inputs, has %d", len(ins))
	}
	vals := make([]*gval, len(ins))
	rank := 0
	for i := range ins {
		v, err := b.in(n, i)
		if err != nil {
			return err
		}
		vals[i] = v
		if v.c == nil {
			rank = max(rank, len(v.shape))
		}
	}
	kind := graphEltwise[n.Op]
	if len(vals) == 2 && (kind == graph.EltAdd || kind == graph.EltSub) && vals[0].c == nil && vals[1].c != nil {
		if done, err := b.foldBias(n, vals[0], vals[1].c, kind == graph.EltSub); done || err != nil {
			return err
		}
	}
	var irs []string
	for i, v := range vals {
		if v.c == nil && len(v.shape) != rank && (rank == 4 || len(v.shape) == 4) {
			return unsupported("%s of values of shapes %v and rank %d", n.Op, v.shape, rank)
		}
		ir, err := b.operand(v, rank, b.display[nodeOf(ins[i])])
		if err != nil {
			return err
		}
		irs = append(irs, ir)
	}
	return b.set(n.Name, name, n.Op, &graph.Eltwise{Type: kind}, irs, nil)
}

// foldBias makes x + c (or x − c) the bias of the convolution or dense
// layer that computes x, when c has one value per channel, that layer has
// no bias yet and nothing else reads x.
func (b *gbuilder) foldBias(n *gNode, x *gval, c *graph.Tensor, sub bool) (bool, error) {
	p := b.producer[x.ir]
	if p == nil || len(x.shape) == 0 || !b.soleReader(tensorName(b.dataInputs(n)[0])) {
		return false, nil
	}
	ch := x.shape[len(x.shape)-1]
	if len(c.Data) != ch || len(c.Shape) != 1 {
		return false, nil
	}
	data := append([]float32(nil), c.Data...)
	if sub {
		for i := range data {
			data[i] = -data[i]
		}
	}
	switch op := p.Op.(type) {
	case *graph.Conv:
		if op.Bias {
			return false, nil
		}
		op.Bias = true
	case *graph.Dense:
		if op.Bias {
			return false, nil
		}
		op.Bias = true
	default:
		return false, nil
	}
	p.Params["bias"] = &graph.Tensor{Shape: []int{ch}, Data: data}
	b.vals[n.Name] = x
	return true, nil
}

// soleReader reports whether TF tensor t has one reader and so has, back
// through the nodes that may pass their input on as is (Identity, Cast,
// Reshape, Transpose, an atrous BatchToSpaceND), every tensor it may be.
func (b *gbuilder) soleReader(t string) bool {
	for range 10000 {
		if b.readers[t] != 1 {
			return false
		}
		n := b.nodeBy[nodeOf(t)]
		if n == nil {
			return true
		}
		switch {
		case passThrough[n.Op], n.Op == "Cast", n.Op == "Reshape", n.Op == "Squeeze", n.Op == "ExpandDims", n.Op == "Transpose", n.Op == "BatchToSpaceND":
		default:
			return true
		}
		ins := b.dataInputs(n)
		if len(ins) == 0 {
			return true
		}
		t = tensorName(ins[0])
	}
	return false
}

func (b *gbuilder) concat(n *gNode, name string) error {
	ins := b.dataInputs(n)
	if len(ins) < 2 {
		return fmt.Errorf("ConcatV2 needs values and an axis")
	}
	at, err := b.constIn(n, len(ins)-1)
	if err != nil {
		return err
	}
	if len(at.Data) != 1 {
		return fmt.Errorf("axis %v is not one number", at.Data)
	}
	rank := 0
	for i := 0; i < len(ins)-1; i++ {
		v, _ := b.in(n, i)
		if v.c == nil {
			rank = len(v.shape)
		}
	}
	axis, err := irAxis(int64(at.Data[0]), rank)
	if err != nil {
		return err
	}
	var irs []string
	for i := 0; i < len(ins)-1; i++ {
		v, _ := b.in(n, i)
		if v.c != nil && len(v.c.Shape) != rank {
			return fmt.Errorf("a constant of shape %v joined to values of rank %d", graph.Shape(v.c.Shape), rank)
		}
		ir, err := b.operand(v, rank, b.display[nodeOf(ins[i])])
		if err != nil {
			return err
		}
		irs = append(irs, ir)
	}
	return b.set(n.Name, name, "ConcatV2", &graph.Concat{Axis: axis}, irs, nil)
}

func (b *gbuilder) pad(n *gNode, name string) error {
	x, p, err := b.inConst(n)
	if err != nil {
		return err
	}
	r := len(x.shape)
	if len(p.Data) != 2*r {
		return fmt.Errorf("paddings of shape %v for a rank-%d value", graph.Shape(p.Shape), r)
	}
	op := &graph.Pad{Pads: make([]int, 2*r), Mode: "constant"}
	for d := 0; d < r; d++ {
		ax, _ := irAxis(int64(d), r)
		for k := 0; k < 2; k++ {
			v := p.Data[2*d+k]
			if v < 0 || v > 1<<16 {
				return fmt.Errorf("paddings %v out of range", p.Data)
			}
			op.Pads[ax+k*r] = int(v)
		}
	}
	switch n.Op {
	case "PadV2":
		cv, err := b.constIn(n, 2)
		if err != nil {
			return err
		}
		if len(cv.Data) != 1 {
			return fmt.Errorf("constant_values %v is not one number", cv.Data)
		}
		op.Value = cv.Data[0]
	case "MirrorPad":
		if m := n.str("mode", "REFLECT"); m != "REFLECT" {
			return unsupported("MirrorPad mode %s", m)
		}
		op.Mode = "reflect"
	}
	return b.set(n.Name, name, n.Op, op, []string{x.ir}, nil)
}

// reshapeOp converts Reshape, Squeeze and ExpandDims of a computed value.
func (b *gbuilder) reshapeOp(n *gNode, name string) error {
	x, err := b.in(n, 0)
	if err != nil {
		return err
	}
	var to graph.Shape
	switch n.Op {
	case "Reshape":
		st, err := b.constIn(n, 1)
		if err != nil {
			return err
		}
		if to, err = reshapeTarget(x.shape, st.Data); err != nil {
			return err
		}
	case "Squeeze":
		to = squeezed(x.shape, n.ints("squeeze_dims"))
		if to == nil {
			return fmt.Errorf("squeeze_dims %v of shape %v", n.ints("squeeze_dims"), x.shape)
		}
	case "ExpandDims":
		at, err := b.constIn(n, 1)
		if err != nil {
			return err
		}
		if len(at.Data) != 1 {
			return fmt.Errorf("axis %v is not one number", at.Data)
		}
		a := int(at.Data[0])
		if a < 0 {
			a += len(x.shape) + 1
		}
		if a < 0 || a > len(x.shape) {
			return fmt.Errorf("axis %d out of range for %v", int(at.Data[0]), x.shape)
		}
		to = append(append(append(graph.Shape{}, x.shape[:a]...), 1), x.shape[a:]...)
	}
	out, err := b.reshape(x, to, name, n.Op)
	if err != nil {
		return err
	}
	b.dyn(n.Name, out)
	return nil
}

// reshapeTarget resolves a Reshape shape (with one -1) for an input shape.
func reshapeTarget(in graph.Shape, spec []float32) (graph.Shape, error) {
	if len(spec) > 8 {
		return nil, fmt.Errorf("reshape to rank %d", len(spec))
	}
	total := in.Elems()
	out := make(graph.Shape, len(spec))
	known, free := 1, -1
	for i, f := range spec {
		d := int(f)
		switch {
		case d == -1 && free < 0:
			free = i
			continue
		case d < 0 || float32(d) != f || d > total:
			return nil, fmt.Errorf("reshape of %v to %v", in, spec)
		}
		out[i] = d
		known *= d
	}
	if free >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("reshape of %v to %v", in, spec)
		}
		out[free] = total / known
	}
	if out.Elems() != total {
		return nil, fmt.Errorf("reshape of %v (%d values) to %v", in, total, spec)
	}
	return out, nil
}

// squeezed drops dims (all size-1 dims when none are given); nil when a
// dim is out of range or not 1.
func squeezed(s graph.Shape, dims []int64) graph.Shape {
	drop := make([]bool, len(s))
	if len(dims) == 0 {
		for i, d := range s {
			drop[i] = d == 1 && i > 0
		}
	}
	for _, d := range dims {
		a, err := graph.NormAxis(int(d), len(s))
		if err != nil || s[a] != 1 {
			return nil
		}
		drop[a] = true
	}
	var out graph.Shape
	for i, d := range s {
		if !drop[i] {
			out = append(out, d)
		}
	}
	return out
}

func (b *gbuilder) transposeOp(n *gNode, name string) error {
	x, pt, err := b.inConst(n)
	if err != nil {
		return err
	}
	r := len(x.shape)
	if len(pt.Data) != r {
		return fmt.Errorf("perm %v for a rank-%d value", pt.Data, r)
	}
	perm := make([]int, r)
	for i, p := range pt.Data {
		perm[i] = int(p)
	}
	if _, err := (&graph.Transpose{Perm: perm}).Resolve(r); err != nil {
		return err
	}
	// IR in: dim i is TF dim pin[i]; IR out: dim j is TF-out dim pout[j] =
	// TF-in dim perm[pout[j]].
	ident := func() []int {
		p := make([]int, r)
		for i := range p {
			p[i] = i
		}
		return p
	}
	pin, pout := ident(), ident()
	if r == 4 {
		pin, pout = []int{0, 3, 1, 2}, []int{0, 3, 1, 2}
	}
	inv := make([]int, r)
	for i, p := range pin {
		inv[p] = i
	}
	irPerm := make([]int, r)
	isIdent := true
	for j := range irPerm {
		irPerm[j] = inv[perm[pout[j]]]
		isIdent = isIdent && irPerm[j] == j
	}
	if isIdent {
		b.vals[n.Name] = &gval{ir: x.ir, shape: tfShape(b.irShape[x.ir])}
		return nil
	}
	return b.set(n.Name, name, "Transpose", &graph.Transpose{Perm: irPerm}, []string{x.ir}, nil)
}

func (b *gbuilder) resize(n *gNode, name string) error {
	x, st, err := b.inConst(n)
	if err != nil {
		return err
	}
	if len(x.shape) != 4 || len(st.Data) != 2 || st.Data[0] < 1 || st.Data[1] < 1 || st.Data[0] > 1<<16 || st.Data[1] > 1<<16 {
		return fmt.Errorf("resize of %v to %v", x.shape, st.Data)
	}
	align, half := n.boolean("align_corners"), n.boolean("half_pixel_centers")
	op := &graph.Resize{OutH: int(st.Data[0]), OutW: int(st.Data[1]), AlignCorners: align}
	if n.Op == "ResizeBilinear" {
		op.Mode = "bilinear"
		op.Asymmetric = !align && !half
	} else {
		op.Mode = "nearest"
		// Half-pixel centres pick floor((d + ½)·in/out), which is the IR's
		// floor(d·in/out) when out is a whole multiple of in (Keras's
		// UpSampling2D).
		whole := op.OutH%x.shape[1] == 0 && op.OutW%x.shape[2] == 0
		if align || (half && !whole) {
			return unsupported("ResizeNearestNeighbor with align_corners, or half_pixel_centers to a size that is not a whole multiple")
		}
	}
	return b.set(n.Name, name, n.Op, op, []string{x.ir}, nil)
}

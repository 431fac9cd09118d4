package onnx

import (
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/graph"
)

// converters maps an ONNX operator type to its conversion.
var converters map[string]func(*ctx) error

func init() {
	converters = map[string]func(*ctx) error{
		"Conv":                  convConv,
		"ConvTranspose":         convConvTranspose,
		"MaxPool":               func(c *ctx) error { return convPool(c, graph.MaxPool) },
		"AveragePool":           func(c *ctx) error { return convPool(c, graph.AvgPool) },
		"GlobalMaxPool":         func(c *ctx) error { return convGlobalPool(c, graph.MaxPool) },
		"GlobalAveragePool":     func(c *ctx) error { return convGlobalPool(c, graph.AvgPool) },
		"BatchNormalization":    convBatchNorm,
		"LRN":                   convLRN,
		"InstanceNormalization": convGroupNorm,
		"GroupNormalization":    convGroupNorm,
		"LayerNormalization":    convLayerNorm,
		"Relu":                  convActivation,
		"LeakyRelu":             convActivation,
		"Elu":                   convActivation,
		"Selu":                  convActivation,
		"Sigmoid":               convActivation,
		"Tanh":                  convActivation,
		"HardSigmoid":           convActivation,
		"Softplus":              convActivation,
		"HardSwish":             convActivation,
		"Mish":                  convActivation,
		"Softsign":              convActivation,
		"Exp":                   convActivation,
		"Log":                   convActivation,
		"Abs":                   convActivation,
		"Erf":                   convActivation,
		"Gelu":                  convGelu,
		"Clip":                  convClip,
		"PRelu":                 convPRelu,
		"Softmax":               convSoftmax,
		"LogSoftmax":            convSoftmax,
		"Gemm":                  convGemm,
		"MatMul":                convMatMul,
		"Dropout":               convDropout,
		"Identity":              convIdentity,
		"Flatten":               convFlatten,
		"Reshape":               convReshape,
		"Transpose":             convTranspose,
		"Concat":                convConcat,
		"Pad":                   convPad,
		"Constant":              convConstant,
		"ConstantOfShape":       convConstantOfShape,
		"Shape":                 convShape,
		"Size":                  convSize,
		"Gather":                convGather,
		"Unsqueeze":             convUnsqueeze,
		"Squeeze":               convSqueeze,
		"Cast":                  convCast,
		"Slice":                 convSlice,
		"Split":                 convSplit,
		"Add":                   convBinary,
		"Sub":                   convBinary,
		"Mul":                   convBinary,
		"Div":                   convBinary,
		"Pow":                   convPow,
		"Sum":                   convVariadic,
		"Max":                   convVariadic,
		"Min":                   convVariadic,
		"Mean":                  convVariadic,
		"Neg":                   convUnaryPower,
		"Sqrt":                  convUnaryPower,
		"Reciprocal":            convUnaryPower,
		"ReduceMean":            convReduce,
		"ReduceMax":             convReduce,
		"ReduceMin":             convReduce,
		"ReduceSum":             convReduce,
		"ReduceProd":            convReduce,
		"ReduceL1":              convReduce,
		"ReduceL2":              convReduce,
		"ReduceSumSquare":       convReduce,
		"ReduceLogSumExp":       convReduce,
		"Upsample":              convUpsample,
		"Expand":                convExpand,
		"DepthToSpace":          convDepthToSpace,
		"SpaceToDepth":          convDepthToSpace,
		"Where":                 convWhere,
		"Range":                 convRange,
		"Not":                   convNot,
		"Equal":                 convCompare,
		"Less":                  convCompare,
		"Greater":               convCompare,
		"LessOrEqual":           convCompare,
		"GreaterOrEqual":        convCompare,
		"And":                   convCompare,
		"Or":                    convCompare,
		"Resize":                convResize,
	}
}

// param converts a static float tensor into a node parameter, optionally
// with another shape of the same size.
func param(t *Tensor, shape ...int) *graph.Tensor {
	if shape == nil {
		shape = t.Shape
	}
	return &graph.Tensor{Shape: append([]int{}, shape...), Data: t.Float32()}
}

// spatialRank returns the number of spatial dimensions of an (N, C, ...)
// input that the IR's 2-D window operators can take: 2, or 1 (lowered
// through a reshape to height 1).
func (c *ctx) spatialRank(x *value) (int, error) {
	switch r := len(x.shape); r {
	case 3, 4:
		return r - 2, nil
	default:
		if r > 4 {
			return 0, c.unsupported(fmt.Sprintf("%d-D spatial input %v (only 1-D and 2-D)", r-2, graph.Shape(x.shape)))
		}
		return 0, fmt.Errorf("input of shape %v has no spatial dimension", graph.Shape(x.shape))
	}
}

// window reads kernel_shape, strides, dilations, pads and auto_pad for k
// spatial dimensions (1 or 2) into a 2-D window; 1-D windows get height 1.
func (c *ctx) window(k int, kernel []int) (graph.Window, error) {
	var w graph.Window
	if len(kernel) != k {
		return w, fmt.Errorf("kernel %v does not have %d spatial dimensions", kernel, k)
	}
	strides := c.ints("strides")
	dil := c.ints("dilations")
	pads := c.ints("pads")
	autoPad := c.str("auto_pad", "NOTSET")
	if strides == nil {
		strides = ones(k)
	}
	if dil == nil {
		dil = ones(k)
	}
	if pads == nil {
		pads = make([]int, 2*k)
	}
	if len(strides) != k || len(dil) != k || len(pads) != 2*k {
		return w, fmt.Errorf("strides %v, dilations %v and pads %v do not fit %d spatial dimensions", strides, dil, pads, k)
	}
	for i := 0; i < k; i++ {
		if kernel[i] <= 0 || strides[i] <= 0 || dil[i] <= 0 {
			return w, fmt.Errorf("kernel %v, strides %v and dilations %v must be positive", kernel, strides, dil)
		}
		if pads[i] < 0 || pads[i+k] < 0 {
			return w, fmt.Errorf("negative pads %v", pads)
		}
	}
	switch autoPad {
	case "NOTSET", "":
	case graph.PadSameUpper, graph.PadSameLower, graph.PadValid:
		w.AutoPad = autoPad
		pads = make([]int, 2*k)
	default:
		return w, fmt.Errorf("unknown auto_pad %q", autoPad)
	}
	if k == 2 {
		w.Kernel = [2]int{kernel[0], kernel[1]}
		w.Stride = [2]int{strides[0], strides[1]}
		w.Dilation = [2]int{dil[0], dil[1]}
		w.Pads = [4]int{pads[0], pads[1], pads[2], pads[3]}
	} else {
		w.Kernel = [2]int{1, kernel[0]}
		w.Stride = [2]int{1, strides[0]}
		w.Dilation = [2]int{1, dil[0]}
		w.Pads = [4]int{0, pads[0], 0, pads[1]}
	}
	return w, nil
}

func ones(k int) []int {
	s := make([]int, k)
	for i := range s {
		s[i] = 1
	}
	return s
}

// spatialOp emits op on input x (name xn), going through height 1 for 1-D
// inputs, and defines output 0.
func (c *ctx) spatialOp(x *value, xn string, k int, op graph.Op, params map[string]*graph.Tensor) error {
	if k == 2 {
		return c.emit("", "", op, []string{xn}, []string{c.out(0)}, params, x.dt)
	}
	in4, out4 := c.temp("2d"), c.temp("2d_out")
	if err := c.emit("to2d", "Reshape", &graph.Reshape{Shape: []int{0, 0, 1, -1}}, []string{xn}, []string{in4}, nil, x.dt); err != nil {
		return err
	}
	if err := c.emit("", "", op, []string{in4}, []string{out4}, params, x.dt); err != nil {
		return err
	}
	return c.emit("to1d", "Reshape", &graph.Reshape{Shape: []int{0, 0, -1}}, []string{out4}, []string{c.out(0)}, nil, x.dt)
}

// kernelAttr checks an optional kernel_shape attribute against the weight.
func (c *ctx) kernelAttr(kernel []int) error {
	ks := c.ints("kernel_shape")
	if ks == nil {
		return nil
	}
	if !equalShape(ks, kernel) {
		return fmt.Errorf("kernel_shape %v does not match the weight's kernel %v", ks, kernel)
	}
	return nil
}

func (c *ctx) floatParam(i int, what string) (*Tensor, error) {
	t, err := c.require(i, what)
	if err != nil {
		return nil, err
	}
	if !t.IsFloat() {
		return nil, fmt.Errorf("%s has element type %s, expected a float type", what, t.Type)
	}
	return t, nil
}

// convHead reads what Conv and ConvTranspose share: the input, its spatial
// rank k, the weight (rank k+2), the window and the group count. what
// names the operator in messages.
func convHead(c *ctx, what string) (x *value, k int, w *Tensor, kernel []int, win graph.Window, group int, err error) {
	if x, err = c.in(0); err != nil {
		return
	}
	if k, err = c.spatialRank(x); err != nil {
		return
	}
	if w, err = c.floatParam(1, "the weight"); err != nil {
		return
	}
	if len(w.Shape) != k+2 {
		err = fmt.Errorf("weight of shape %v does not fit a %d-D %s", graph.Shape(w.Shape), k, what)
		return
	}
	kernel = w.Shape[2:]
	if err = c.kernelAttr(kernel); err != nil {
		return
	}
	if win, err = c.window(k, kernel); err != nil {
		return
	}
	group = c.int("group", 1)
	return
}

func convConv(c *ctx) error {
	x, k, w, _, win, group, err := convHead(c, "convolution")
	if err != nil {
		return err
	}
	if group < 1 {
		return fmt.Errorf("group %d must be positive", group)
	}
	oc := w.Shape[0]
	if group > 1 && x.shape[1] != w.Shape[1]*group {
		return fmt.Errorf("weight %v with %d groups does not fit %d input channels", graph.Shape(w.Shape), group, x.shape[1])
	}
	params := map[string]*graph.Tensor{"weight": param(w, oc, w.Shape[1], win.Kernel[0], win.Kernel[1])}
	if c.has(2) {
		b, err := c.floatParam(2, "the bias")
		if err != nil {
			return err
		}
		if b.Len() != oc {
			return fmt.Errorf("bias of shape %v does not fit %d output channels", graph.Shape(b.Shape), oc)
		}
		params["bias"] = param(b, oc)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	op := &graph.Conv{Window: win, OutChannels: oc, Groups: group, Bias: params["bias"] != nil}
	return c.spatialOp(x, xn, k, op, params)
}

func convConvTranspose(c *ctx) error {
	x, k, w, kernel, win, group, err := convHead(c, "transposed convolution")
	if err != nil {
		return err
	}
	if group < 1 || w.Shape[0] != x.shape[1] {
		return fmt.Errorf("weight %v (group %d) does not fit %d input channels", graph.Shape(w.Shape), group, x.shape[1])
	}
	oc := w.Shape[1] * group
	outPad := c.ints("output_padding")
	if outPad == nil {
		outPad = make([]int, k)
	}
	outShape := c.ints("output_shape")
	if len(outShape) == k+2 {
		outShape = outShape[2:]
	}
	if len(outPad) != k || (outShape != nil && len(outShape) != k) {
		return fmt.Errorf("output_padding %v or output_shape %v does not fit %d spatial dimensions", outPad, outShape, k)
	}
	op := &graph.ConvTranspose{OutChannels: oc, Groups: group}
	// Resolve the padding: the IR takes explicit pads only.
	in := x.shape[2:]
	off := 2 - k // index of the first used window axis
	if outShape != nil || win.AutoPad == graph.PadSameUpper || win.AutoPad == graph.PadSameLower {
		for i := 0; i < k; i++ {
			a := off + i
			target := in[i] * win.Stride[a]
			if outShape != nil {
				target = outShape[i]
			}
			total := win.Stride[a]*(in[i]-1) + outPad[i] + (kernel[i]-1)*win.Dilation[a] + 1 - target
			// As ONNX's reference: half the total padding at each end,
			// the odd one at the end for SAME_UPPER, rounding down.
			half := floorDiv(total, 2)
			begin, end := total-half, half
			if win.AutoPad == graph.PadSameUpper {
				begin, end = half, total-half
			}
			if begin < 0 {
				return c.unsupported(fmt.Sprintf("output shape %v needs negative leading padding", outShape))
			}
			if end < 0 {
				// A negative end pad extends the output: that is
				// output padding.
				outPad[i] -= end
				end = 0
			}
			win.Pads[a], win.Pads[a+2] = begin, end
		}
	} else if win.AutoPad == graph.PadValid {
		win.Pads = [4]int{}
	}
	win.AutoPad = graph.PadExplicit
	op.Window = win
	if k == 2 {
		op.OutputPad = [2]int{outPad[0], outPad[1]}
	} else {
		op.OutputPad = [2]int{0, outPad[0]}
	}
	params := map[string]*graph.Tensor{"weight": param(w, w.Shape[0], w.Shape[1], win.Kernel[0], win.Kernel[1])}
	if c.has(2) {
		b, err := c.floatParam(2, "the bias")
		if err != nil {
			return err
		}
		if b.Len() != oc {
			return fmt.Errorf("bias of shape %v does not fit %d output channels", graph.Shape(b.Shape), oc)
		}
		params["bias"] = param(b, oc)
		op.Bias = true
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.spatialOp(x, xn, k, op, params)
}

// floorDiv divides rounding toward negative infinity, as Python's //.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func convPool(c *ctx, typ graph.PoolKind) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	k, err := c.spatialRank(x)
	if err != nil {
		return err
	}
	kernel := c.ints("kernel_shape")
	if kernel == nil {
		return fmt.Errorf("kernel_shape is missing")
	}
	win, err := c.window(k, kernel)
	if err != nil {
		return err
	}
	ceil := c.int("ceil_mode", 0)
	cip := c.int("count_include_pad", 0)
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	op := &graph.Pool{Window: win, Type: typ, CeilMode: ceil != 0, CountIncludePad: cip != 0}
	return c.spatialOp(x, xn, k, op, nil)
}

func convGlobalPool(c *ctx, typ graph.PoolKind) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	k, err := c.spatialRank(x)
	if err != nil {
		return err
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.spatialOp(x, xn, k, &graph.Pool{Type: typ, Global: true}, nil)
}

func convBatchNorm(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if len(x.shape) < 2 {
		return fmt.Errorf("input of shape %v has no channels", graph.Shape(x.shape))
	}
	if c.int("training_mode", 0) != 0 {
		return c.unsupported("training mode")
	}
	if c.int("spatial", 1) == 0 {
		return c.unsupported("per-activation statistics (spatial = 0)")
	}
	eps := c.float("epsilon", 1e-5)
	ch := x.shape[1]
	params := map[string]*graph.Tensor{}
	for i, name := range []string{"scale", "bias", "mean", "var"} {
		t, err := c.floatParam(i+1, "the "+name)
		if err != nil {
			return err
		}
		if t.Len() != ch {
			return fmt.Errorf("%s of shape %v does not fit %d channels", name, graph.Shape(t.Shape), ch)
		}
		params[name] = param(t, ch)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.BatchNorm{Epsilon: eps}, []string{xn}, []string{c.out(0)}, params, x.dt)
}

func convLRN(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	size := c.int("size", 0)
	alpha := c.float("alpha", 1e-4)
	beta := c.float("beta", 0.75)
	bias := c.float("bias", 1)
	k, err := c.spatialRank(x)
	if err != nil {
		return err
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.spatialOp(x, xn, k, &graph.LRN{Size: size, Alpha: alpha, Beta: beta, Bias: bias}, nil)
}

// activations: the IR function and the defaults of ONNX's alpha and beta
// (Selu's gamma is the IR's Beta).
var activations = map[string]struct {
	f           graph.ActFunc
	alpha, beta float32
	aName       string
	bName       string
}{
	"Relu":        {f: graph.Relu},
	"LeakyRelu":   {f: graph.LeakyRelu, alpha: 0.01, aName: "alpha"},
	"Elu":         {f: graph.Elu, alpha: 1, aName: "alpha"},
	"Selu":        {f: graph.Selu, alpha: 1.67326319217681884765625, beta: 1.05070102214813232421875, aName: "alpha", bName: "gamma"},
	"Sigmoid":     {f: graph.Sigmoid},
	"Tanh":        {f: graph.Tanh},
	"HardSigmoid": {f: graph.HardSigmoid, alpha: 0.2, beta: 0.5, aName: "alpha", bName: "beta"},
	"Softplus":    {f: graph.Softplus},
	"HardSwish":   {f: graph.HardSwish},
	"Mish":        {f: graph.Mish},
	"Softsign":    {f: graph.Softsign},
	"Exp":         {f: graph.Exp},
	"Log":         {f: graph.Log},
	"Abs":         {f: graph.Abs},
	"Erf":         {f: graph.Erf},
}

// convGelu maps Gelu (opset 20): approximate "none" (erf) or "tanh".
func convGelu(c *ctx) error {
	switch a := c.str("approximate", "none"); a {
	case "none":
		return c.unary(&graph.Activation{Func: graph.Gelu})
	case "tanh":
		return c.unary(&graph.Activation{Func: graph.GeluTanh})
	default:
		return fmt.Errorf("approximate %q is not none or tanh", a)
	}
}

func convActivation(c *ctx) error {
	a := activations[c.op]
	alpha, beta := a.alpha, a.beta
	if a.aName != "" {
		alpha = c.float(a.aName, alpha)
	}
	if a.bName != "" {
		beta = c.float(a.bName, beta)
	}
	return c.unary(&graph.Activation{Func: a.f, Alpha: alpha, Beta: beta})
}

// unary emits a one-input op on input 0 as output 0.
func (c *ctx) unary(op graph.Op) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if !isFloatType(x.dt) {
		return c.unsupported(fmt.Sprintf("element type %s (the engine computes in float32)", x.dt))
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", op, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func convClip(c *ctx) error {
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if c.imp.opset < 11 {
		lo = c.float("min", lo)
		hi = c.float("max", hi)
	} else {
		for i, p := range []*float32{&lo, &hi} {
			if !c.has(i + 1) {
				continue
			}
			t, err := c.require(i+1, []string{"the minimum", "the maximum"}[i])
			if err != nil {
				return err
			}
			if t.Len() != 1 {
				return fmt.Errorf("bound of shape %v is not a scalar", graph.Shape(t.Shape))
			}
			*p = float32(t.at(0))
		}
	}
	x, err := c.in(0)
	if err != nil {
		return err
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	// Clip is exact on integers, so integer inputs are fine.
	return c.emit("", "", &graph.Activation{Func: graph.Clip, Alpha: lo, Beta: hi}, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func convPRelu(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	if slope := c.static(1); slope != nil && slope.IsFloat() {
		if op, ok := preluFits(x.shape, slope.Shape, c.imp.opset); ok {
			ch := 1
			if !op.Shared {
				ch = x.shape[1]
			}
			return c.emit("", "", op, []string{xn}, []string{c.out(0)}, map[string]*graph.Tensor{"slope": param(slope, ch)}, x.dt)
		}
	}
	// General form: y = Relu(x) + slope·Min(x, 0), with broadcasting.
	sn, err := c.live(1)
	if err != nil {
		return err
	}
	pos, neg, scaled := c.temp("pos"), c.temp("neg"), c.temp("neg_scaled")
	zero := c.constant("zero", scalar(0))
	zn, err := c.imp.liveName(zero, c.imp.vals[zero])
	if err != nil {
		return err
	}
	if err := c.emit("pos", "Relu", &graph.Activation{Func: graph.Relu}, []string{xn}, []string{pos}, nil, x.dt); err != nil {
		return err
	}
	if err := c.emit("neg", "Min", &graph.Eltwise{Type: graph.EltMin}, []string{xn, zn}, []string{neg}, nil, x.dt); err != nil {
		return err
	}
	if err := c.emit("slope", "Mul", &graph.Eltwise{Type: graph.EltMul}, []string{neg, sn}, []string{scaled}, nil, x.dt); err != nil {
		return err
	}
	return c.emit("", "", &graph.Eltwise{Type: graph.EltAdd}, []string{pos, scaled}, []string{c.out(0)}, nil, x.dt)
}

// preluFits reports whether a slope of shape s applies to x as the IR's
// PRelu: one value, or one per channel (axis 1). Before opset 7 a 1-D slope
// of C values is per channel; from opset 7 the slope broadcasts NumPy-style
// (right-aligned) and must be [C, 1, ...].
func preluFits(x, s []int, opset int64) (*graph.PRelu, bool) {
	n := shapeElems(s)
	if n == 1 && len(s) <= len(x) {
		return &graph.PRelu{Shared: true}, true
	}
	if len(x) < 2 || n != x[1] {
		return nil, false
	}
	if opset < 7 && len(s) == 1 {
		return &graph.PRelu{}, true
	}
	if len(s) > len(x)-1 {
		return nil, false
	}
	// Right-aligned, the channel axis of x must be where s holds C.
	aligned := make([]int, len(x))
	for i := range aligned {
		aligned[i] = 1
	}
	copy(aligned[len(x)-len(s):], s)
	for i, d := range aligned {
		if (i == 1 && d != x[1]) || (i != 1 && d != 1) {
			return nil, false
		}
	}
	return &graph.PRelu{}, true
}

func convSoftmax(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	r := len(x.shape)
	def := -1
	if c.imp.opset < 13 {
		def = 1
	}
	axis := c.int("axis", def)
	if axis, err = graph.NormAxis(axis, r); err != nil {
		return err
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	log := c.op == "LogSoftmax"
	if c.imp.opset >= 13 || shapeElems(x.shape[axis+1:]) == 1 {
		return c.emit("", "", &graph.Softmax{Axis: axis, Log: log}, []string{xn}, []string{c.out(0)}, nil, x.dt)
	}
	// Before opset 13 the input is coerced to 2-D at axis and normalised
	// over everything from axis on.
	flat, sm := c.temp("2d"), c.temp("2d_out")
	inner := shapeElems(x.shape[axis:])
	if err := c.emit("to2d", "Reshape", &graph.Reshape{Shape: []int{-1, inner}}, []string{xn}, []string{flat}, nil, x.dt); err != nil {
		return err
	}
	if err := c.emit("", "", &graph.Softmax{Axis: 1, Log: log}, []string{flat}, []string{sm}, nil, x.dt); err != nil {
		return err
	}
	back := append([]int{-1}, x.shape[1:]...)
	return c.emit("restore", "Reshape", &graph.Reshape{Shape: back}, []string{sm}, []string{c.out(0)}, nil, x.dt)
}

func convGemm(c *ctx) error {
	alpha := c.float("alpha", 1)
	beta := c.float("beta", 1)
	transA := c.int("transA", 0)
	transB := c.int("transB", 0)
	a, err := c.in(0)
	if err != nil {
		return err
	}
	b, err := c.in(1)
	if err != nil {
		return err
	}
	if len(a.shape) != 2 || len(b.shape) != 2 {
		return fmt.Errorf("Gemm needs 2-D inputs, got %v and %v", graph.Shape(a.shape), graph.Shape(b.shape))
	}
	if !isFloatType(a.dt) || !isFloatType(b.dt) {
		return c.unsupported("integer matrices (the engine computes in float32)")
	}
	an, err := c.live(0)
	if err != nil {
		return err
	}
	if transA != 0 {
		t := c.temp("A_T")
		if err := c.emit("transA", "Transpose", &graph.Transpose{Perm: []int{1, 0}}, []string{an}, []string{t}, nil, a.dt); err != nil {
			return err
		}
		an = t
	}
	kA := a.shape[1]
	if transA != 0 {
		kA = a.shape[0]
	}
	var y0 string // the product alpha·A'·B'
	biasDone := false
	out := c.out(0)
	var cs *Tensor
	if c.has(2) {
		cs = c.static(2)
	}
	if bs := c.static(1); bs != nil {
		// Constant B: a Dense layer with weight alpha·B' stored [N, K].
		w := bs
		if transB == 0 {
			if w, err = c.imp.transposeStatic(bs, []int{1, 0}); err != nil {
				return err
			}
		}
		if alpha != 1 {
			if w, err = c.imp.scaled(w, alpha); err != nil {
				return err
			}
		}
		units, k := w.Shape[0], w.Shape[1]
		if k != kA {
			return fmt.Errorf("A' of %d columns and B' of %d rows do not multiply", kA, k)
		}
		params := map[string]*graph.Tensor{"weight": param(w)}
		if cs != nil && cs.IsFloat() && perColumn(cs.Shape, units) {
			bias := cs
			if cs.Len() == 1 && units != 1 {
				if bias, err = c.imp.fill(cs, []int{units}); err != nil {
					return err
				}
			}
			if beta != 1 {
				if bias, err = c.imp.scaled(bias, beta); err != nil {
					return err
				}
			}
			params["bias"] = param(bias, units)
			biasDone = true
		}
		y0 = out
		if c.has(2) && !biasDone {
			y0 = c.temp("product")
		}
		if err := c.emit("", "", &graph.Dense{Units: units, Bias: biasDone}, []string{an}, []string{y0}, params, a.dt); err != nil {
			return err
		}
	} else {
		bn, err := c.live(1)
		if err != nil {
			return err
		}
		if transB != 0 {
			t := c.temp("B_T")
			if err := c.emit("transB", "Transpose", &graph.Transpose{Perm: []int{1, 0}}, []string{bn}, []string{t}, nil, b.dt); err != nil {
				return err
			}
			bn = t
		}
		last := alpha == 1 && !c.has(2)
		y0 = out
		if !last {
			y0 = c.temp("product")
		}
		if err := c.emit("", "", &graph.MatMul{}, []string{an, bn}, []string{y0}, nil, a.dt); err != nil {
			return err
		}
		if alpha != 1 {
			k := c.constant("alpha", scalar(alpha))
			kn, err := c.imp.liveName(k, c.imp.vals[k])
			if err != nil {
				return err
			}
			next := out
			if c.has(2) {
				next = c.temp("scaled")
			}
			if err := c.emit("alpha", "Mul", &graph.Eltwise{Type: graph.EltMul}, []string{y0, kn}, []string{next}, nil, a.dt); err != nil {
				return err
			}
			y0 = next
		}
	}
	if !c.has(2) || biasDone {
		return nil
	}
	// C added after the product: beta·C, folded when C is constant.
	cv, err := c.in(2)
	if err != nil {
		return err
	}
	var cn string
	if cs != nil && beta != 1 {
		t, err := c.imp.scaled(cs, beta)
		if err != nil {
			return err
		}
		name := c.constant("C_scaled", t)
		if cn, err = c.imp.liveName(name, c.imp.vals[name]); err != nil {
			return err
		}
	} else {
		if cn, err = c.live(2); err != nil {
			return err
		}
		if beta != 1 {
			k := c.constant("beta", scalar(beta))
			kn, err := c.imp.liveName(k, c.imp.vals[k])
			if err != nil {
				return err
			}
			t := c.temp("C_scaled")
			if err := c.emit("beta", "Mul", &graph.Eltwise{Type: graph.EltMul}, []string{cn, kn}, []string{t}, nil, cv.dt); err != nil {
				return err
			}
			cn = t
		}
	}
	return c.emit("bias", "Add", &graph.Eltwise{Type: graph.EltAdd}, []string{y0, cn}, []string{out}, nil, a.dt)
}

// perColumn reports whether a C of shape s adds one value per output column
// of an [M, units] product: a scalar, [1], [units] or [1, units].
func perColumn(s []int, units int) bool {
	switch len(s) {
	case 0:
		return true
	case 1:
		return s[0] == 1 || s[0] == units
	case 2:
		return s[0] == 1 && (s[1] == 1 || s[1] == units)
	}
	return false
}

func convMatMul(c *ctx) error {
	a, err := c.in(0)
	if err != nil {
		return err
	}
	b, err := c.in(1)
	if err != nil {
		return err
	}
	if !isFloatType(a.dt) || !isFloatType(b.dt) {
		return c.unsupported("integer matrices (the engine computes in float32)")
	}
	an, err := c.live(0)
	if err != nil {
		return err
	}
	if bs := c.static(1); bs != nil && len(bs.Shape) == 2 && len(a.shape) == 2 {
		// x·B with a constant B is a Dense layer with weight Bᵀ.
		if a.shape[1] != bs.Shape[0] {
			return fmt.Errorf("MatMul of %v and %v: inner dimensions differ", graph.Shape(a.shape), graph.Shape(bs.Shape))
		}
		w, err := c.imp.transposeStatic(bs, []int{1, 0})
		if err != nil {
			return err
		}
		return c.emit("", "", &graph.Dense{Units: w.Shape[0]}, []string{an}, []string{c.out(0)}, map[string]*graph.Tensor{"weight": param(w)}, a.dt)
	}
	bn, err := c.live(1)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.MatMul{}, []string{an, bn}, []string{c.out(0)}, nil, a.dt)
}

func convDropout(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	ratio := float32(0.5)
	if c.imp.opset < 12 {
		ratio = c.float("ratio", 0.5)
	} else if r := c.static(1); r != nil && r.Len() == 1 {
		ratio = float32(r.at(0))
	}
	if c.has(2) {
		t, err := c.require(2, "training_mode")
		if err != nil {
			return err
		}
		if t.Len() != 1 || t.at(0) != 0 {
			return c.unsupported("training mode")
		}
	}
	if mask := c.out(1); mask != "" && c.imp.used[mask] {
		// At inference nothing is dropped: the mask is all true.
		ones, err := c.imp.fill(&Tensor{Type: TensorProto_BOOL, Ints: []int64{1}}, x.shape)
		if err != nil {
			return err
		}
		if err := c.setStatic(1, reshaped(ones, x.shape)); err != nil {
			return err
		}
	}
	if x.c != nil {
		return c.setStatic(0, x.c)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.Dropout{Ratio: ratio}, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func convIdentity(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if x.c != nil {
		return c.setStatic(0, x.c)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.Identity{}, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

package onnx

import (
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/graph"
)

var eltwiseKinds = map[string]struct {
	ir   graph.EltwiseKind
	fold binaryKind
}{
	"Add": {graph.EltAdd, binAdd}, "Sum": {graph.EltAdd, binAdd}, "Mean": {graph.EltAdd, binAdd},
	"Sub": {graph.EltSub, binSub}, "Mul": {graph.EltMul, binMul}, "Div": {graph.EltDiv, binDiv},
	"Max": {graph.EltMax, binMax}, "Min": {graph.EltMin, binMin},
}

// legacyBroadcast applies the broadcast and axis attributes of the binary
// operators before opset 7: with broadcast = 1, B's dimensions line up with
// A's starting at axis (by default, at the end). It returns B reshaped to
// A's rank so that NumPy broadcasting gives the same result.
func (c *ctx) legacyBroadcast(a, b *value, bName string) (*value, string, error) {
	if c.imp.opset >= 7 {
		return b, bName, nil
	}
	if c.int("broadcast", 0) == 0 {
		return b, bName, nil
	}
	ra, rb := len(a.shape), len(b.shape)
	axis := c.int("axis", ra-rb)
	if axis < 0 {
		axis += ra
	}
	if axis < 0 || axis+rb > ra {
		return nil, "", fmt.Errorf("cannot broadcast %v onto %v at axis %d", graph.Shape(b.shape), graph.Shape(a.shape), axis)
	}
	if axis+rb == ra {
		return b, bName, nil // the NumPy alignment already
	}
	shape := make([]int, ra)
	for i := range shape {
		shape[i] = 1
	}
	copy(shape[axis:], b.shape)
	// Drop the leading ones NumPy would add anyway.
	shape = shape[axis:]
	if b.c != nil {
		name := c.constant("B_aligned", reshaped(b.c, shape))
		return c.imp.vals[name], name, nil
	}
	name := c.temp("B_aligned")
	if err := c.emit("align", "Reshape", &graph.Reshape{Shape: shape}, []string{bName}, []string{name}, nil, b.dt); err != nil {
		return nil, "", err
	}
	return c.imp.vals[name], name, nil
}

func convBinary(c *ctx) error {
	if c.nin() != 2 {
		return fmt.Errorf("takes 2 inputs, got %d", c.nin())
	}
	a, err := c.in(0)
	if err != nil {
		return err
	}
	b, err := c.in(1)
	if err != nil {
		return err
	}
	b, bName, err := c.legacyBroadcast(a, b, c.inName(1))
	if err != nil {
		return err
	}
	return c.eltwise([]*value{a, b}, []string{c.inName(0), bName}, nil)
}

func convVariadic(c *ctx) error {
	if c.nin() == 0 {
		return fmt.Errorf("no inputs")
	}
	vals := make([]*value, c.nin())
	names := make([]string, c.nin())
	for i := range vals {
		v, err := c.in(i)
		if err != nil {
			return err
		}
		vals[i], names[i] = v, c.inName(i)
	}
	var coeffs []float32
	if c.op == "Mean" {
		coeffs = make([]float32, len(vals))
		for i := range coeffs {
			coeffs[i] = 1 / float32(len(vals))
		}
	}
	return c.eltwise(vals, names, coeffs)
}

// eltwise folds or emits an element-wise operation of values (named names
// in the value table).
func (c *ctx) eltwise(vals []*value, names []string, coeffs []float32) error {
	k := eltwiseKinds[c.op]
	allStatic := true
	for _, v := range vals {
		allStatic = allStatic && v.c != nil
	}
	if allStatic {
		acc := vals[0].c
		var err error
		for _, v := range vals[1:] {
			if acc, err = c.imp.binaryStatic(acc, v.c, k.fold); err != nil {
				return err
			}
		}
		if coeffs != nil {
			if acc, err = c.imp.scaled(acc, coeffs[0]); err != nil {
				return err
			}
		}
		return c.setStatic(0, acc)
	}
	dt := vals[0].dt
	for _, v := range vals {
		if !isFloatType(v.dt) {
			if k.ir == graph.EltMax || k.ir == graph.EltMin {
				continue // exact in float32
			}
			return c.unsupported(fmt.Sprintf("integer arithmetic on %s (the engine computes in float32)", v.dt))
		}
		dt = v.dt
	}
	if op := scalarOperand(k.ir, vals, coeffs); op != nil {
		x := 0
		if vals[0].c != nil {
			x = 1
		}
		xn, err := c.imp.liveName(names[x], vals[x])
		if err != nil {
			return err
		}
		return c.emit("", "", op, []string{xn}, []string{c.out(0)}, nil, dt)
	}
	live := make([]string, len(vals))
	for i, v := range vals {
		n, err := c.imp.liveName(names[i], v)
		if err != nil {
			return err
		}
		live[i] = n
	}
	return c.emit("", "", &graph.Eltwise{Type: k.ir, Coeffs: coeffs}, live, []string{c.out(0)}, nil, dt)
}

func convPow(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	e, err := c.in(1)
	if err != nil {
		return err
	}
	if x.c != nil && e.c != nil {
		t, err := c.imp.binaryStatic(x.c, e.c, binPow)
		if err != nil {
			return err
		}
		return c.setStatic(0, t)
	}
	if e.c == nil || e.c.Len() != 1 || len(e.shape) > len(x.shape) {
		return c.unsupported("an exponent that is not a constant scalar")
	}
	return c.unary(&graph.Power{Exponent: float32(e.c.at(0)), Scale: 1})
}

// convUnaryPower maps Neg, Sqrt and Reciprocal to the IR's Power.
func convUnaryPower(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	var op graph.Power
	var f func(float64) float64
	switch c.op {
	case "Neg":
		op, f = graph.Power{Exponent: 1, Scale: -1}, func(v float64) float64 { return -v }
	case "Sqrt":
		op, f = graph.Power{Exponent: 0.5, Scale: 1}, math.Sqrt
	case "Reciprocal":
		op, f = graph.Power{Exponent: -1, Scale: 1}, func(v float64) float64 { return 1 / v }
	}
	if x.c != nil {
		t, err := c.imp.newTensor(x.c.Type, x.c.Shape)
		if err != nil {
			return err
		}
		for i := 0; i < t.Len(); i++ {
			t.set(i, f(x.c.at(i)))
		}
		return c.setStatic(0, t)
	}
	return c.unary(&op)
}

// reduceFuncs maps the ONNX reductions to the IR's.
var reduceFuncs = map[string]graph.ReduceFunc{
	"ReduceMean": graph.ReduceMean, "ReduceMax": graph.ReduceMax, "ReduceMin": graph.ReduceMin,
	"ReduceSum": graph.ReduceSum, "ReduceProd": graph.ReduceProd, "ReduceL1": graph.ReduceL1,
	"ReduceL2": graph.ReduceL2, "ReduceSumSquare": graph.ReduceSumSquare, "ReduceLogSumExp": graph.ReduceLogSumExp,
}

// convReduce maps the ONNX reductions. ReduceMean and ReduceMax over the
// spatial axes of an (N, C, H, W) map are global pooling (drawn and
// explained as such); every other reduction, over any axes of a tensor of
// any rank, is the IR's Reduce.
func convReduce(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	var axes []int
	// ReduceSum takes its axes as an input from opset 13, the others from 18.
	if c.imp.opset < 18 && !(c.op == "ReduceSum" && c.imp.opset >= 13) {
		axes = c.ints("axes")
	} else if c.has(1) {
		axes, err = c.intsInput(1, "the axes")
	}
	if err != nil {
		return err
	}
	if !isFloatType(x.dt) {
		return c.unsupported(fmt.Sprintf("element type %s (the engine computes in float32)", x.dt))
	}
	keep := c.int("keepdims", 1)
	r := len(x.shape)
	if len(axes) == 0 && c.int("noop_with_empty_axes", 0) != 0 {
		return c.unary(&graph.Identity{})
	}
	set := map[int]bool{}
	norm := make([]int, 0, len(axes))
	for _, a := range axes {
		ax, err := graph.NormAxis(a, r)
		if err != nil {
			return err
		}
		set[ax] = true
		norm = append(norm, ax)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	pool := map[string]graph.PoolKind{"ReduceMean": graph.AvgPool, "ReduceMax": graph.MaxPool}
	if typ, ok := pool[c.op]; ok && r == 4 && len(set) == 2 && set[2] && set[3] {
		if keep != 0 {
			return c.emit("", "", &graph.Pool{Type: typ, Global: true}, []string{xn}, []string{c.out(0)}, nil, x.dt)
		}
		t := c.temp("pooled")
		if err := c.emit("", "", &graph.Pool{Type: typ, Global: true}, []string{xn}, []string{t}, nil, x.dt); err != nil {
			return err
		}
		return c.emit("squeeze", "Reshape", &graph.Reshape{Shape: []int{0, 0}}, []string{t}, []string{c.out(0)}, nil, x.dt)
	}
	return c.emit("", "", &graph.Reduce{Func: reduceFuncs[c.op], Axes: norm, KeepDims: keep != 0}, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

// resize emits an IR Resize of input 0 with per-axis scales or sizes of an
// NCHW input (the batch and channel factors must be 1).
func (c *ctx) resize(scales []float64, sizes []int, mode string, align bool) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if len(x.shape) != 4 {
		return c.unsupported(fmt.Sprintf("resizing a rank-%d input (only NCHW)", len(x.shape)))
	}
	op := &graph.Resize{Mode: mode, AlignCorners: align}
	if mode == "bilinear_asymmetric" {
		op.Mode, op.Asymmetric = "bilinear", true
	}
	switch {
	case sizes != nil:
		if len(sizes) != 4 || sizes[0] != x.shape[0] || sizes[1] != x.shape[1] {
			return c.unsupported(fmt.Sprintf("sizes %v (only the spatial size may change)", sizes))
		}
		op.OutH, op.OutW = sizes[2], sizes[3]
	case len(scales) == 4:
		if scales[0] != 1 || scales[1] != 1 {
			return c.unsupported(fmt.Sprintf("scales %v (only the spatial size may change)", scales))
		}
		op.Scale = [2]float32{float32(scales[2]), float32(scales[3])}
		// Output size floor(in·scale), computed in float64 as ONNX does.
		op.OutH, op.OutW = int(math.Floor(float64(x.shape[2])*scales[2])), int(math.Floor(float64(x.shape[3])*scales[3]))
		if !align && mode == "nearest" {
			op.OutH, op.OutW = 0, 0 // keep the scale: nearest samples at dst/scale
			if float64(int(float32(x.shape[2])*op.Scale[0])) != math.Floor(float64(x.shape[2])*scales[2]) {
				return c.unsupported(fmt.Sprintf("scales %v", scales))
			}
		}
	default:
		return fmt.Errorf("needs 4 scales or sizes, got %v", scales)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", op, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func floats64(t *Tensor) []float64 {
	v := make([]float64, t.Len())
	for i := range v {
		v[i] = t.at(i)
	}
	return v
}

func convUpsample(c *ctx) error {
	mode := c.str("mode", "nearest")
	if mode != "nearest" {
		return c.unsupported(fmt.Sprintf("mode %q", mode))
	}
	var scales []float64
	if c.imp.opset < 9 {
		f := c.floats("scales")
		for _, v := range f {
			scales = append(scales, float64(v))
		}
	} else {
		t, err := c.require(1, "the scales")
		if err != nil {
			return err
		}
		scales = floats64(t)
	}
	return c.resize(scales, nil, "nearest", false)
}

func convResize(c *ctx) error {
	mode := c.str("mode", "nearest")
	coord := c.str("coordinate_transformation_mode", "half_pixel")
	nearest := c.str("nearest_mode", "round_prefer_floor")
	scalesAt, sizesAt := 2, 3
	if c.imp.opset < 11 {
		coord, nearest, scalesAt, sizesAt = "asymmetric", "floor", 1, -1
	}
	var scales []float64
	var sizes []int
	if c.has(scalesAt) {
		t, err := c.require(scalesAt, "the scales")
		if err != nil {
			return err
		}
		scales = floats64(t)
	}
	if sizesAt > 0 && c.has(sizesAt) {
		var err error
		if sizes, err = c.intsInput(sizesAt, "the sizes"); err != nil {
			return err
		}
	}
	if len(scales) == 0 && sizes == nil {
		return fmt.Errorf("neither scales nor sizes are given")
	}
	switch {
	case mode == "nearest" && coord == "asymmetric" && nearest == "floor":
		return c.resize(scales, sizes, "nearest", false)
	case mode == "linear" && coord == "align_corners":
		return c.resize(scales, sizes, "bilinear", true)
	case mode == "linear" && (coord == "half_pixel" || coord == "pytorch_half_pixel"):
		return c.resize(scales, sizes, "bilinear", false)
	case mode == "linear" && coord == "asymmetric":
		return c.resize(scales, sizes, "bilinear_asymmetric", false)
	case mode == "nearest" && c.integerUpscale(scales, sizes) &&
		((coord == "half_pixel" || coord == "pytorch_half_pixel") && (nearest == "round_prefer_floor" || nearest == "round_prefer_ceil") ||
			coord == "tf_half_pixel_for_nn" && nearest == "floor"):
		// For an integer factor s, output x = k·s + j samples
		// k + (j + 1/2)/s − 1/2 (half pixel) or k + (j + 1/2)/s (TF),
		// which round (floor) to k: the asymmetric floor sampling.
		return c.resize(scales, sizes, "nearest", false)
	}
	return c.unsupported(fmt.Sprintf("mode %q with coordinate_transformation_mode %q and nearest_mode %q", mode, coord, nearest))
}

// scalarOperand folds a binary operation of a runtime value and a constant
// float scalar (x·0.5, x + 1, 6 − x, max(x, 0)) into a one-input operator
// that carries the scalar as an attribute — so that the scalar is neither a
// layer of its own nor counted as a parameter (and the engine scales in
// one pass instead of broadcasting). It returns nil when the operation is
// not of that form, or when the scalar is a stored weight reshaped for
// broadcasting (value.reshaped: the bias of a one-channel convolution in
// a quantized export). Division by s multiplies by 1/s (within an ulp).
func scalarOperand(k graph.EltwiseKind, vals []*value, coeffs []float32) graph.Op {
	if len(vals) != 2 || coeffs != nil || (vals[0].c == nil) == (vals[1].c == nil) {
		return nil
	}
	x, sc, first := vals[0], vals[1], false
	if x.c != nil {
		x, sc, first = vals[1], vals[0], true
	}
	if !sc.c.IsFloat() || !isFloatType(x.dt) || sc.c.Len() != 1 || len(sc.shape) > len(x.shape) || sc.reshaped {
		return nil
	}
	v := float32(sc.c.at(0))
	inf := float32(math.Inf(1))
	switch k {
	case graph.EltAdd:
		return &graph.Power{Exponent: 1, Scale: 1, Shift: v}
	case graph.EltMul:
		return &graph.Power{Exponent: 1, Scale: v}
	case graph.EltSub:
		if first { // s − x
			return &graph.Power{Exponent: 1, Scale: -1, Shift: v}
		}
		return &graph.Power{Exponent: 1, Scale: 1, Shift: -v}
	case graph.EltDiv:
		if first || v == 0 {
			return nil
		}
		return &graph.Power{Exponent: 1, Scale: 1 / v}
	case graph.EltMax:
		return &graph.Activation{Func: graph.Clip, Alpha: v, Beta: inf}
	case graph.EltMin:
		return &graph.Activation{Func: graph.Clip, Alpha: -inf, Beta: v}
	}
	return nil
}

// integerUpscale reports whether scales (or sizes) enlarge the spatial
// axes of input 0 by whole factors.
func (c *ctx) integerUpscale(scales []float64, sizes []int) bool {
	x, err := c.in(0)
	if err != nil || len(x.shape) != 4 {
		return false
	}
	for i := 2; i < 4; i++ {
		switch {
		case sizes != nil:
			if len(sizes) != 4 || x.shape[i] == 0 || sizes[i]%x.shape[i] != 0 {
				return false
			}
		case len(scales) == 4:
			if s := scales[i]; s < 1 || s != math.Trunc(s) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

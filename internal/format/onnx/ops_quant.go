package onnx

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// The quantized operators of dynamically quantized exports
// (onnxruntime.quantization.quantize_dynamic): DynamicQuantizeLinear
// quantizes an activation to uint8, ConvInteger convolves it with 8-bit
// weights, a Cast and Muls by the two scales bring the int32 result back
// to float. The engine computes in float32: 8-bit values and their
// differences are exact there, and the int32 sums of ConvInteger are
// rounded only once they pass 2^24.
func init() {
	converters["DynamicQuantizeLinear"] = convDynamicQuantize
	converters["ConvInteger"] = convConvInteger
	converters["MatMulInteger"] = convMatMulInteger
	converters["QuantizeLinear"] = convQuantizeLinear
	converters["DequantizeLinear"] = convDequantizeLinear
}

// qparams reads the static scale (input 1) and zero point (input 2,
// optional: 0 of uint8) of QuantizeLinear / DequantizeLinear, and their
// axis (per-axis when the scale has more than one value). The zero
// point's type sets the range [lo, hi] of the quantized values.
func qparams(c *ctx, x *value) (scale, zero []float32, axis int, lo, hi float32, err error) {
	s, err := c.require(1, "the scale")
	if err != nil {
		return
	}
	if !s.IsFloat() {
		err = fmt.Errorf("the scale has element type %s, expected a float type", s.Type)
		return
	}
	if c.int("block_size", 0) != 0 {
		err = c.unsupported("blocked quantization (block_size)")
		return
	}
	scale = s.Float32()
	zero = make([]float32, len(scale))
	dt := TensorProto_UINT8
	if c.has(2) {
		z, zerr := c.require(2, "the zero point")
		if zerr != nil {
			return nil, nil, 0, 0, 0, zerr
		}
		if z.Len() != len(scale) {
			err = fmt.Errorf("zero point of shape %v does not match the scale's %v", graph.Shape(z.Shape), graph.Shape(s.Shape))
			return
		}
		zero, dt = z.Float32(), z.Type
	}
	switch dt {
	case TensorProto_UINT8:
		lo, hi = 0, 255
	case TensorProto_INT8:
		lo, hi = -128, 127
	case TensorProto_INT32:
		lo, hi = -2147483648, 2147483647
	default:
		err = c.unsupported(fmt.Sprintf("quantized type %s", dt))
		return
	}
	axis = c.int("axis", 1)
	if len(scale) > 1 {
		if axis < 0 {
			axis += len(x.shape)
		}
		if axis < 0 || axis >= len(x.shape) || x.shape[axis] != len(scale) || len(s.Shape) != 1 {
			err = fmt.Errorf("per-axis scale of shape %v does not fit axis %d of shape %v", graph.Shape(s.Shape), c.int("axis", 1), graph.Shape(x.shape))
		}
	}
	return
}

// axisIndex returns, for element i of a tensor of shape, its index along
// axis (0 for a per-tensor parameter of n = 1 values).
func axisIndex(i int, shape []int, axis, n int) int {
	if n == 1 {
		return 0
	}
	inner := 1
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	return i / inner % n
}

// convQuantizeLinear: y = saturate(round(x / scale) + zero point), folded
// for a constant x; at run time per tensor (graph.Quantize).
func convQuantizeLinear(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	scale, zero, axis, lo, hi, err := qparams(c, x)
	if err != nil {
		return err
	}
	dt := TensorProto_UINT8
	if c.has(2) {
		dt = c.imp.vals[c.inName(2)].dt
	}
	if x.c != nil {
		t, err := c.imp.newTensor(dt, x.shape)
		if err != nil {
			return err
		}
		xs, q := x.c.Float32(), []float32{0}
		for i := range xs {
			k := axisIndex(i, x.shape, axis, len(scale))
			tensor.QuantizeLinear(q, xs[i:i+1], scale[k], zero[k], lo, hi)
			t.set(i, float64(q[0]))
		}
		return c.setStatic(0, t)
	}
	if len(scale) != 1 {
		return c.unsupported("per-axis quantization of a runtime tensor")
	}
	if !(scale[0] > 0) {
		return fmt.Errorf("scale %g must be positive", scale[0])
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.Quantize{Scale: scale[0], Zero: zero[0], Lo: lo, Hi: hi}, []string{xn}, []string{c.out(0)}, nil, dt)
}

// convDequantizeLinear: y = (x − zero point)·scale, folded for a constant
// x (quantized weights: counted as the file stores them); at run time per
// tensor as a subtraction and a product (Power), each rounded once, as the
// definition reads.
func convDequantizeLinear(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	scale, zero, axis, _, _, err := qparams(c, x)
	if err != nil {
		return err
	}
	if x.c != nil {
		t, err := c.imp.newTensor(TensorProto_FLOAT, x.shape)
		if err != nil {
			return err
		}
		for i, v := range x.c.Float32() {
			k := axisIndex(i, x.shape, axis, len(scale))
			t.Floats[i] = (v - zero[k]) * scale[k]
		}
		return c.setStatic(0, t)
	}
	if len(scale) != 1 {
		return c.unsupported("per-axis dequantization of a runtime tensor")
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	if zero[0] != 0 {
		centered := c.temp("centered")
		if err := c.emit("zero_point", "Sub", &graph.Power{Exponent: 1, Scale: 1, Shift: -zero[0]}, []string{xn}, []string{centered}, nil, TensorProto_FLOAT); err != nil {
			return err
		}
		xn = centered
	}
	return c.emit("", "", &graph.Power{Exponent: 1, Scale: scale[0]}, []string{xn}, []string{c.out(0)}, nil, TensorProto_FLOAT)
}

func convDynamicQuantize(c *ctx) error {
	if _, err := c.in(0); err != nil {
		return err
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	outs := make([]string, 3)
	for i := range outs {
		if outs[i] = c.out(i); outs[i] == "" {
			outs[i] = c.temp([]string{"y", "scale", "zero_point"}[i])
		}
	}
	if err := c.emit("", "", &graph.DynamicQuantize{}, []string{xn}, outs, nil, TensorProto_UINT8); err != nil {
		return err
	}
	c.imp.vals[outs[1]].dt = TensorProto_FLOAT
	return nil
}

// convConvInteger maps ConvInteger(x, w, x_zero_point, w_zero_point) to
// Conv(x − x_zero_point) with the weight w − w_zero_point (per tensor or
// per output channel), folded at import. The weights are counted as the
// file stores them, one parameter an 8-bit value.
func convConvInteger(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	k, err := c.spatialRank(x)
	if err != nil {
		return err
	}
	w, err := c.require(1, "the weight")
	if err != nil {
		return err
	}
	if w.Type != TensorProto_UINT8 && w.Type != TensorProto_INT8 {
		return fmt.Errorf("the weight has element type %s, expected uint8 or int8", w.Type)
	}
	if len(w.Shape) != k+2 {
		return fmt.Errorf("weight of shape %v does not fit a %d-D convolution", graph.Shape(w.Shape), k)
	}
	kernel := w.Shape[2:]
	if err := c.kernelAttr(kernel); err != nil {
		return err
	}
	win, err := c.window(k, kernel)
	if err != nil {
		return err
	}
	group := c.int("group", 1)
	oc := w.Shape[0]
	if group < 1 || x.shape[1] != w.Shape[1]*group || oc%group != 0 {
		return fmt.Errorf("weight %v with %d groups does not fit %d input channels", graph.Shape(w.Shape), group, x.shape[1])
	}
	weight := param(w, oc, w.Shape[1], win.Kernel[0], win.Kernel[1])
	if c.has(3) {
		wz, err := c.require(3, "the weight's zero point")
		if err != nil {
			return err
		}
		if n := wz.Len(); n != 1 && n != oc {
			return fmt.Errorf("weight zero point of shape %v is neither one value nor one per output channel (%d)", graph.Shape(wz.Shape), oc)
		}
		per := weight.Len() / oc
		for i := range weight.Data {
			weight.Data[i] -= float32(wz.at(min(i/per, wz.Len()-1)))
		}
	}
	xn, err := c.centered(2)
	if err != nil {
		return err
	}
	op := &graph.Conv{Window: win, OutChannels: oc, Groups: group}
	return c.spatialOp(&value{shape: x.shape, dt: TensorProto_INT32}, xn, k, op, map[string]*graph.Tensor{"weight": weight})
}

// centered returns the graph value of input 0 minus the zero point of
// input zi (ConvInteger, MatMulInteger): one value, at run time or
// constant; input 0 itself when the zero point is absent or 0.
func (c *ctx) centered(zi int) (string, error) {
	xn, err := c.live(0)
	if err != nil || !c.has(zi) {
		return xn, err
	}
	z, err := c.in(zi)
	if err != nil {
		return "", err
	}
	if shapeElems(z.shape) != 1 {
		return "", c.unsupported(fmt.Sprintf("an input zero point of shape %v (only one value)", graph.Shape(z.shape)))
	}
	if z.c != nil && z.c.at(0) == 0 {
		return xn, nil
	}
	zn, err := c.live(zi)
	if err != nil {
		return "", err
	}
	shifted := c.temp("centered")
	err = c.emit("zero_point", "Sub", &graph.Eltwise{Type: graph.EltSub}, []string{xn, zn}, []string{shifted}, nil, TensorProto_INT32)
	return shifted, err
}

// convMatMulInteger maps MatMulInteger(A, B, a_zero_point, b_zero_point)
// with a constant 8-bit B to a product of A − a_zero_point with B −
// b_zero_point (per tensor or per column), folded: a Dense layer for a
// matrix A, else MatMul with the folded B as a constant.
func convMatMulInteger(c *ctx) error {
	a, err := c.in(0)
	if err != nil {
		return err
	}
	b, err := c.require(1, "B")
	if err != nil {
		return err
	}
	if b.Type != TensorProto_UINT8 && b.Type != TensorProto_INT8 || len(b.Shape) != 2 {
		return c.unsupported(fmt.Sprintf("B of type %s and shape %v (an 8-bit matrix only)", b.Type, graph.Shape(b.Shape)))
	}
	k, n := b.Shape[0], b.Shape[1]
	if len(a.shape) < 2 || a.shape[len(a.shape)-1] != k {
		return fmt.Errorf("MatMulInteger of %v and %v: inner dimensions differ", graph.Shape(a.shape), graph.Shape(b.Shape))
	}
	bz := []float32{0}
	if c.has(3) {
		z, err := c.require(3, "B's zero point")
		if err != nil {
			return err
		}
		if bz = z.Float32(); len(bz) != 1 && len(bz) != n {
			return fmt.Errorf("B's zero point of shape %v is neither one value nor one per column (%d)", graph.Shape(z.Shape), n)
		}
	}
	bf := b.Float32()
	an, err := c.centered(2)
	if err != nil {
		return err
	}
	if len(a.shape) == 2 { // a Dense layer: weight (B − zero)ᵀ
		w := graph.NewTensor(n, k)
		for i := range k {
			for j := range n {
				w.Data[j*k+i] = bf[i*n+j] - bz[min(j, len(bz)-1)]
			}
		}
		return c.emit("", "", &graph.Dense{Units: n}, []string{an}, []string{c.out(0)}, map[string]*graph.Tensor{"weight": w}, TensorProto_INT32)
	}
	bt, err := c.imp.newTensor(TensorProto_FLOAT, b.Shape)
	if err != nil {
		return err
	}
	for i, v := range bf {
		bt.Floats[i] = v - bz[min(i%n, len(bz)-1)]
	}
	name := c.constant("B", bt)
	bn, err := c.imp.liveName(name, c.imp.vals[name])
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.MatMul{}, []string{an, bn}, []string{c.out(0)}, nil, TensorProto_INT32)
}

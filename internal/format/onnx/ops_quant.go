package onnx

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
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
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	if c.has(2) {
		z, err := c.in(2)
		if err != nil {
			return err
		}
		if shapeElems(z.shape) != 1 {
			return c.unsupported(fmt.Sprintf("an input zero point of shape %v (only one value)", graph.Shape(z.shape)))
		}
		if z.c == nil || z.c.at(0) != 0 {
			zn, err := c.live(2)
			if err != nil {
				return err
			}
			shifted := c.temp("centered")
			if err := c.emit("zero_point", "Sub", &graph.Eltwise{Type: graph.EltSub}, []string{xn, zn}, []string{shifted}, nil, TensorProto_INT32); err != nil {
				return err
			}
			xn = shifted
		}
	}
	op := &graph.Conv{Window: win, OutChannels: oc, Groups: group}
	return c.spatialOp(&value{shape: x.shape, dt: TensorProto_INT32}, xn, k, op, map[string]*graph.Tensor{"weight": weight})
}

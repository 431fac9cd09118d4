package engine

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// planConst makes the node's output share its "value" parameter: the
// graph's parameters are never written, and nor are the values Run returns.
var _ = registerSource((*Program).planConst)

func (p *Program) planConst(n *graph.Node, _ *graph.Const) (func(), error) {
	v := n.Param("value")
	if v == nil {
		return nil, fmt.Errorf("constant has no value")
	}
	shape := p.Shapes[n.Outputs[0]]
	if len(v.Data) != tensor.Numel(shape) {
		return nil, fmt.Errorf("constant has %d values for shape %v", len(v.Data), shape)
	}
	p.vals[n.Outputs[0]] = &graph.Tensor{Shape: shape, Data: v.Data}
	return nil, nil
}

// maxDeconvScratch bounds the column matrix of a transposed convolution
// (64 MiB); bigger ones use the scatter kernel, which needs none.
const maxDeconvScratch = 1 << 24

var _ = register((*Program).planConvTranspose)

func (p *Program) planConvTranspose(n *graph.Node, op *graph.ConvTranspose) (func(), error) {
	x := p.vals[n.Inputs[0]]
	xs := x.Shape
	y := p.out(n, 0)
	win := op.Window
	for i := 0; i < 2; i++ {
		win.Stride[i] = max(1, win.Stride[i])
		win.Dilation[i] = max(1, win.Dilation[i])
	}
	ys := y.Shape
	g := Geom(xs, win, op.OutChannels, ys[2], ys[3])
	g.Groups = max(1, op.Groups)
	w, b := data(n.Param("weight")), data(n.Param("bias"))
	if size := tensor.ConvTransposeScratch(g); size <= maxDeconvScratch {
		scratch := p.scratch(size)
		return func() { tensor.ConvTranspose2DGemm(y.Data, x.Data, w, b, scratch, g) }, nil
	}
	return func() { tensor.ConvTranspose2D(y.Data, x.Data, w, b, g) }, nil
}

// channels views a shape as [N, C, plane].
func channels(s []int) (n, c, plane int) {
	switch len(s) {
	case 0:
		return 1, 1, 1
	case 1:
		return 1, 1, s[0]
	}
	return s[0], s[1], tensor.Numel(s[2:])
}

var _ = register((*Program).planPRelu)

func (p *Program) planPRelu(n *graph.Node, _ *graph.PRelu) (func(), error) {
	x := p.vals[n.Inputs[0]]
	y := p.out(n, 0)
	slope := data(n.Param("slope"))
	nn, c, plane := channels(x.Shape)
	if len(slope) != 1 && len(slope) != c {
		return nil, fmt.Errorf("PRelu has %d slopes for %d channels", len(slope), c)
	}
	return func() { tensor.PRelu(y.Data, x.Data, slope, nn, c, plane) }, nil
}

var _ = register((*Program).planAffine)

func (p *Program) planAffine(n *graph.Node, op *graph.Affine) (func(), error) {
	x := p.vals[n.Inputs[0]]
	y := p.out(n, 0)
	var scale, bias []float32
	if !op.NoScale {
		scale = data(n.Param("scale"))
	}
	if op.Bias {
		bias = data(n.Param("bias"))
	}
	nn, c, plane := channels(x.Shape)
	return func() { tensor.Affine(y.Data, x.Data, scale, bias, nn, c, plane) }, nil
}

var _ = register((*Program).planTranspose)

func (p *Program) planTranspose(n *graph.Node, op *graph.Transpose) (func(), error) {
	x := p.vals[n.Inputs[0]]
	perm, err := op.Resolve(len(x.Shape))
	if err != nil {
		return nil, err
	}
	y := p.out(n, 0)
	return func() { tensor.Transpose(y.Data, x.Data, x.Shape, perm) }, nil
}

var padModes = map[string]tensor.PadMode{
	"": tensor.PadConstant, "constant": tensor.PadConstant,
	"reflect": tensor.PadReflect, "edge": tensor.PadEdge,
}

var _ = register((*Program).planPad)

func (p *Program) planPad(n *graph.Node, op *graph.Pad) (func(), error) {
	x := p.vals[n.Inputs[0]]
	mode, ok := padModes[op.Mode]
	if !ok {
		return nil, fmt.Errorf("the engine has no pad mode %q", op.Mode)
	}
	r := len(x.Shape)
	if mode == tensor.PadReflect {
		for d := 0; d < r; d++ {
			if op.Pads[d] >= x.Shape[d] || op.Pads[d+r] >= x.Shape[d] {
				return nil, fmt.Errorf("reflect padding %v is not smaller than dimension %d of %v", op.Pads, d, x.Shape)
			}
		}
	}
	y := p.out(n, 0)
	pads := append([]int(nil), op.Pads...)
	return func() { tensor.Pad(y.Data, x.Data, x.Shape, pads, mode, op.Value) }, nil
}

var _ = register((*Program).planSlice)

func (p *Program) planSlice(n *graph.Node, op *graph.Slice) (func(), error) {
	x := p.vals[n.Inputs[0]]
	xs := x.Shape
	axis, err := graph.NormAxis(op.Axis, len(xs))
	if err != nil {
		return nil, err
	}
	bounds, err := op.Bounds(xs[axis])
	if err != nil {
		return nil, err
	}
	if len(n.Outputs) < len(bounds) {
		bounds = bounds[:len(n.Outputs)]
	}
	dsts := make([][]float32, len(bounds))
	for i := range bounds {
		dsts[i] = p.out(n, i).Data
	}
	outer, inner := tensor.Numel(xs[:axis]), tensor.Numel(xs[axis+1:])
	return func() { tensor.SplitAxis(dsts, x.Data, outer, xs[axis], inner, bounds) }, nil
}

var _ = register((*Program).planCrop)

func (p *Program) planCrop(n *graph.Node, op *graph.Crop) (func(), error) {
	x := p.vals[n.Inputs[0]]
	axis, err := graph.NormAxis(op.Axis, len(x.Shape))
	if err != nil {
		return nil, err
	}
	y := p.out(n, 0)
	offsets := make([]int, len(x.Shape))
	for d := axis; d < len(offsets); d++ {
		offsets[d] = op.Offset(d, axis)
	}
	return func() { tensor.Crop(y.Data, x.Data, x.Shape, y.Shape, offsets) }, nil
}

var _ = register((*Program).planResize)

func (p *Program) planResize(n *graph.Node, op *graph.Resize) (func(), error) {
	x := p.vals[n.Inputs[0]]
	xs := x.Shape
	y := p.out(n, 0)
	oh, ow := y.Shape[2], y.Shape[3]
	// The input distance per output step: 1/scale when the size came from
	// the scale factor (ONNX Upsample samples at dst/scale), else in/out.
	rh, rw := float32(xs[2])/float32(oh), float32(xs[3])/float32(ow)
	if op.OutH == 0 && op.OutW == 0 && op.Scale[0] > 0 && op.Scale[1] > 0 &&
		oh == int(float32(xs[2])*op.Scale[0]) && ow == int(float32(xs[3])*op.Scale[1]) {
		rh, rw = 1/op.Scale[0], 1/op.Scale[1]
	}
	mode := tensor.ResizeNearest
	if op.Mode == "bilinear" {
		mode = tensor.ResizeBilinear
		if op.Asymmetric {
			mode = tensor.ResizeBilinearAsymmetric
		}
	}
	align := op.AlignCorners
	return func() {
		tensor.Resize(y.Data, x.Data, xs[0]*xs[1], xs[2], xs[3], oh, ow, mode, align, rh, rw)
	}, nil
}

var _ = register((*Program).planMatMul)

func (p *Program) planMatMul(n *graph.Node, _ *graph.MatMul) (func(), error) {
	a, b := p.vals[n.Inputs[0]], p.vals[n.Inputs[1]]
	y := p.out(n, 0)
	return func() { tensor.MatMul(y.Data, a.Data, a.Shape, b.Data, b.Shape, y.Shape) }, nil
}

var _ = register((*Program).planDepthToSpace)

func (p *Program) planDepthToSpace(n *graph.Node, op *graph.DepthToSpace) (func(), error) {
	x := p.vals[n.Inputs[0]]
	if len(x.Shape) != 4 {
		return nil, fmt.Errorf("input of shape %v is not N×C×H×W", graph.Shape(x.Shape))
	}
	y := p.out(n, 0)
	s := x.Shape
	return func() { tensor.DepthToSpace(y.Data, x.Data, s[0], s[1], s[2], s[3], op.Block, op.CRD) }, nil
}

var _ = register((*Program).planDynamicQuantize)

func (p *Program) planDynamicQuantize(n *graph.Node, _ *graph.DynamicQuantize) (func(), error) {
	x := p.vals[n.Inputs[0]]
	if len(n.Outputs) != 3 {
		return nil, fmt.Errorf("DynamicQuantizeLinear has %d outputs, want 3 (y, scale, zero point)", len(n.Outputs))
	}
	y, scale, zero := p.out(n, 0), p.out(n, 1), p.out(n, 2)
	return func() { scale.Data[0], zero.Data[0] = tensor.DynamicQuantize(y.Data, x.Data) }, nil
}

var _ = register((*Program).planQuantize)

func (p *Program) planQuantize(n *graph.Node, op *graph.Quantize) (func(), error) {
	x, y := p.in(n, 0), p.out(n, 0)
	return func() { tensor.QuantizeLinear(y.Data, x.Data, op.Scale, op.Zero, op.Lo, op.Hi) }, nil
}

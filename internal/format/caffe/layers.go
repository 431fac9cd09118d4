package caffe

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/graph"
)

// converted is how one compute layer maps to the IR.
type converted struct {
	op               graph.Op
	inputs           int  // bottoms the op takes; -1: one or more
	outputs          int  // tops the op produces; 0: as many as the layer has
	split            bool // one Identity node per top
	dropExtraBottoms bool // ignore bottoms past inputs (the label of a loss)
}

// unsupported are Caffe layer types convscope knows but cannot represent.
var unsupported = map[string]string{
	"absval": "AbsVal", "argmax": "ArgMax", "bnll": "BNLL", "exp": "Exp", "log": "Log",
	"threshold": "Threshold", "mvn": "MVN", "embed": "Embed", "tile": "Tile",
	"reduction": "Reduction", "spp": "SPP", "im2col": "Im2col", "lstm": "LSTM",
	"rnn": "RNN", "recurrent": "Recurrent", "parameter": "Parameter", "python": "Python",
	"clip": "Clip", "swish": "Swish", "filter": "Filter", "batchreindex": "BatchReindex",
}

func one(op graph.Op) (converted, error) { return converted{op: op, inputs: 1, outputs: 1}, nil }

// convert maps a compute layer (not an input, loss or accuracy layer) to an
// operator.
func convert(l *layer) (converted, error) {
	p := l.p
	switch l.kind {
	case "convolution":
		cp, win, out, groups, err := convParams(p)
		if err != nil {
			return converted{}, err
		}
		return one(&graph.Conv{Window: win, OutChannels: out, Groups: groups, Bias: cp.GetBiasTerm()})
	case "deconvolution":
		cp, win, out, groups, err := convParams(p)
		if err != nil {
			return converted{}, err
		}
		return one(&graph.ConvTranspose{Window: win, OutChannels: out, Groups: groups, Bias: cp.GetBiasTerm()})
	case "pooling":
		pp := p.GetPoolingParam()
		if pp == nil {
			pp = &PoolingParameter{}
		}
		op := &graph.Pool{CeilMode: pp.GetRoundMode() == PoolingParameter_CEIL, CountIncludePad: true}
		switch pp.GetPool() {
		case PoolingParameter_MAX:
			op.Type = graph.MaxPool
		case PoolingParameter_AVE:
			op.Type = graph.AvgPool
		default:
			return converted{}, fmt.Errorf("pooling method %s is not supported (MAX, AVE)", pp.GetPool())
		}
		if pp.GetGlobalPooling() {
			op.Global = true
			if len(pp.GetPad()) > 0 && pp.GetPad()[0] != 0 || pp.GetPadH() != 0 || pp.GetPadW() != 0 {
				return converted{}, fmt.Errorf("global pooling with padding is not supported")
			}
			return one(op)
		}
		win, err := window(pp.GetKernelSize(), pp.KernelH, pp.KernelW, pp.GetPad(), pp.PadH, pp.PadW,
			pp.GetStride(), pp.StrideH, pp.StrideW, nil)
		if err != nil {
			return converted{}, err
		}
		if win.Pads[0] >= win.Kernel[0] || win.Pads[1] >= win.Kernel[1] {
			return converted{}, fmt.Errorf("pooling pad %v must be smaller than the kernel %v", win.Pads[:2], win.Kernel)
		}
		op.Window = win
		return one(op)
	case "innerproduct":
		ip := p.GetInnerProductParam()
		if ip == nil {
			return converted{}, fmt.Errorf("inner_product_param is missing")
		}
		if ip.GetAxis() != 1 {
			return converted{}, fmt.Errorf("InnerProduct over axis %d is not supported (only axis 1)", ip.GetAxis())
		}
		units, err := dim(uint64(ip.GetNumOutput()), "num_output")
		if err != nil {
			return converted{}, err
		}
		if units == 0 {
			return converted{}, fmt.Errorf("num_output must be positive")
		}
		return one(&graph.Dense{Units: units, Bias: ip.GetBiasTerm()})
	case "relu":
		s := p.GetReluParam().GetNegativeSlope()
		if !isFinite(s) {
			return converted{}, fmt.Errorf("negative_slope %v is not finite", s)
		}
		if s != 0 {
			return one(&graph.Activation{Func: graph.LeakyRelu, Alpha: s})
		}
		return one(&graph.Activation{Func: graph.Relu})
	case "prelu":
		return one(&graph.PRelu{Shared: p.GetPreluParam().GetChannelShared()})
	case "elu":
		return one(&graph.Activation{Func: graph.Elu, Alpha: p.GetEluParam().GetAlpha()})
	case "sigmoid":
		return one(&graph.Activation{Func: graph.Sigmoid})
	case "tanh":
		return one(&graph.Activation{Func: graph.Tanh})
	case "batchnorm":
		eps := p.GetBatchNormParam().GetEps()
		if !isFinite(eps) || eps < 0 {
			return converted{}, fmt.Errorf("eps %v must be a non-negative number", eps)
		}
		return one(&graph.BatchNorm{Epsilon: eps, NoAffine: true})
	case "scale":
		sp := p.GetScaleParam()
		if len(l.bottoms) == 2 {
			if sp.GetBiasTerm() {
				return converted{}, fmt.Errorf("Scale by a second bottom with bias_term is not supported")
			}
			return converted{op: &graph.Eltwise{Type: graph.EltMul}, inputs: 2, outputs: 1}, nil
		}
		if sp.GetAxis() != 1 || sp.GetNumAxes() != 1 {
			return converted{}, fmt.Errorf("Scale over axis %d with num_axes %d is not supported (only per channel: axis 1, num_axes 1)", sp.GetAxis(), sp.GetNumAxes())
		}
		return one(&graph.Affine{Bias: sp.GetBiasTerm()})
	case "bias":
		bp := p.GetBiasParam()
		if len(l.bottoms) == 2 {
			return converted{op: &graph.Eltwise{Type: graph.EltAdd}, inputs: 2, outputs: 1}, nil
		}
		if bp.GetAxis() != 1 || bp.GetNumAxes() != 1 {
			return converted{}, fmt.Errorf("Bias over axis %d with num_axes %d is not supported (only per channel: axis 1, num_axes 1)", bp.GetAxis(), bp.GetNumAxes())
		}
		return one(&graph.Affine{NoScale: true, Bias: true})
	case "lrn":
		lp := p.GetLrnParam()
		if lp.GetNormRegion() != LRNParameter_ACROSS_CHANNELS {
			return converted{}, fmt.Errorf("LRN norm_region %s is not supported (only ACROSS_CHANNELS)", lp.GetNormRegion())
		}
		size, err := dim(uint64(lp.GetLocalSize()), "local_size")
		if err != nil {
			return converted{}, err
		}
		return one(&graph.LRN{Size: size, Alpha: lp.GetAlpha(), Beta: lp.GetBeta(), Bias: lp.GetK()})
	case "dropout":
		return one(&graph.Dropout{Ratio: p.GetDropoutParam().GetDropoutRatio()})
	case "softmax":
		return one(&graph.Softmax{Axis: int(p.GetSoftmaxParam().GetAxis())})
	case "softmaxwithloss", "softmaxloss":
		return converted{op: &graph.Softmax{Axis: int(p.GetSoftmaxParam().GetAxis())}, inputs: 1, outputs: 1, dropExtraBottoms: true}, nil
	case "concat":
		cp := p.GetConcatParam()
		if cp == nil {
			cp = &ConcatParameter{}
		}
		axis := int(cp.GetAxis())
		if cp.ConcatDim != nil && cp.Axis == nil {
			axis = int(cp.GetConcatDim())
		}
		return converted{op: &graph.Concat{Axis: axis}, inputs: -1, outputs: 1}, nil
	case "eltwise":
		ep := p.GetEltwiseParam()
		op := &graph.Eltwise{}
		switch ep.GetOperation() {
		case EltwiseParameter_SUM:
			op.Type = graph.EltAdd
			op.Coeffs = ep.GetCoeff()
		case EltwiseParameter_PROD:
			op.Type = graph.EltMul
		case EltwiseParameter_MAX:
			op.Type = graph.EltMax
		default:
			return converted{}, fmt.Errorf("Eltwise operation %s is not supported", ep.GetOperation())
		}
		if len(ep.GetCoeff()) > 0 && op.Type != graph.EltAdd {
			return converted{}, fmt.Errorf("Eltwise coeff applies only to SUM")
		}
		return converted{op: op, inputs: -1, outputs: 1}, nil
	case "flatten":
		fp := p.GetFlattenParam()
		axis, end := fp.GetAxis(), fp.GetEndAxis()
		if end != -1 || axis < 0 {
			return converted{}, fmt.Errorf("Flatten from axis %d to %d is not supported (only to the last axis, end_axis -1)", axis, end)
		}
		if axis > 8 {
			return converted{}, fmt.Errorf("Flatten axis %d is out of range", axis)
		}
		if axis == 1 {
			return one(&graph.Flatten{Axis: 1})
		}
		shape := make([]int, axis+1)
		shape[axis] = -1
		return one(&graph.Reshape{Shape: shape})
	case "reshape":
		rp := p.GetReshapeParam()
		if rp.GetShape() == nil {
			return converted{}, fmt.Errorf("reshape_param shape is missing")
		}
		axis, numAxes := rp.GetAxis(), rp.GetNumAxes()
		if axis < 0 || axis > 8 || numAxes != -1 {
			return converted{}, fmt.Errorf("Reshape with axis %d and num_axes %d is not supported (only axis ≥ 0 with num_axes -1)", axis, numAxes)
		}
		dims := rp.GetShape().GetDim()
		if len(dims) > 8 {
			return converted{}, fmt.Errorf("Reshape to %d dimensions is not supported", len(dims))
		}
		shape := make([]int, int(axis), int(axis)+len(dims))
		for _, d := range dims {
			if d < -1 || d > maxDim {
				return converted{}, fmt.Errorf("Reshape dimension %d is invalid", d)
			}
			shape = append(shape, int(d))
		}
		return one(&graph.Reshape{Shape: shape})
	case "slice":
		sp := p.GetSliceParam()
		if sp == nil {
			sp = &SliceParameter{}
		}
		axis := int(sp.GetAxis())
		if sp.SliceDim != nil && sp.Axis == nil {
			axis = int(sp.GetSliceDim())
		}
		var points []int
		for _, pt := range sp.GetSlicePoint() {
			v, err := dim(uint64(pt), "slice_point")
			if err != nil {
				return converted{}, err
			}
			points = append(points, v)
		}
		if len(points) > 0 && len(points) != len(l.tops)-1 {
			return converted{}, fmt.Errorf("%d slice points for %d tops (needs %d)", len(points), len(l.tops), len(l.tops)-1)
		}
		if len(l.tops) == 0 {
			return converted{}, fmt.Errorf("has no top")
		}
		return converted{op: &graph.Slice{Axis: axis, Points: points, Parts: len(l.tops)}, inputs: 1}, nil
	case "split":
		if len(l.tops) == 0 {
			return converted{}, fmt.Errorf("has no top")
		}
		return converted{split: true, inputs: 1}, nil
	case "crop":
		cp := p.GetCropParam()
		var offs []int
		for _, o := range cp.GetOffset() {
			v, err := dim(uint64(o), "offset")
			if err != nil {
				return converted{}, err
			}
			offs = append(offs, v)
		}
		return converted{op: &graph.Crop{Axis: int(cp.GetAxis()), Offsets: offs}, inputs: 2, outputs: 1}, nil
	case "normalize": // SSD
		np := p.GetNormParam()
		if np == nil {
			np = &NormalizeParameter{}
		}
		return one(&graph.L2Norm{AcrossSpatial: np.GetAcrossSpatial(), ChannelShared: np.GetChannelShared(), Epsilon: np.GetEps()})
	case "priorbox": // SSD
		pp := p.GetPriorBoxParam()
		if pp == nil {
			return converted{}, fmt.Errorf("prior_box_param is missing")
		}
		op := &graph.PriorBox{MinSizes: pp.GetMinSize(), MaxSizes: pp.GetMaxSize(), AspectRatios: pp.GetAspectRatio(), Flip: pp.GetFlip(), Clip: pp.GetClip()}
		return converted{op: op, inputs: 2, outputs: 1}, nil
	case "detectionoutput": // SSD
		dp := p.GetDetectionOutputParam()
		if dp == nil {
			return converted{}, fmt.Errorf("detection_output_param is missing")
		}
		op := &graph.DetectionOutput{NumClasses: int(min(dp.GetNumClasses(), maxDim)), KeepTopK: int(dp.GetKeepTopK()), TopK: int(dp.GetNmsParam().GetTopK())}
		return converted{op: op, inputs: 3, outputs: 1}, nil
	case "permute":
		order := p.GetPermuteParam().GetOrder()
		if len(order) > 8 {
			return converted{}, fmt.Errorf("Permute order %v has more than 8 axes", order)
		}
		perm := make([]int, 0, 4)
		seen := map[int]bool{}
		for _, o := range order {
			if o > 8 {
				return converted{}, fmt.Errorf("Permute order %v names an axis out of range", order)
			}
			perm = append(perm, int(o))
			seen[int(o)] = true
		}
		// Caffe appends the axes not listed in their order; blobs of
		// feature maps have 4.
		for a := 0; len(perm) < 4; a++ {
			if !seen[a] {
				perm = append(perm, a)
			}
		}
		return one(&graph.Transpose{Perm: perm})
	case "power":
		pp := p.GetPowerParam()
		return one(&graph.Power{Exponent: pp.GetPower(), Scale: pp.GetScale(), Shift: pp.GetShift()})
	case "interp":
		ip := p.GetInterpParam()
		if ip == nil {
			ip = &InterpParameter{}
		}
		if len(l.bottoms) != 1 {
			return converted{}, fmt.Errorf("Interp to the size of a second bottom is not supported")
		}
		if ip.GetPadBeg() != 0 || ip.GetPadEnd() != 0 {
			return converted{}, fmt.Errorf("Interp with pad_beg/pad_end is not supported")
		}
		op := &graph.Resize{Mode: "bilinear", AlignCorners: true}
		switch {
		case ip.ZoomFactor != nil || ip.ShrinkFactor != nil:
			if ip.ZoomFactor != nil {
				if ip.GetZoomFactor() < 1 || ip.GetZoomFactor() > 1e4 {
					return converted{}, fmt.Errorf("zoom_factor %d must be in 1..10000", ip.GetZoomFactor())
				}
				op.Zoom = int(ip.GetZoomFactor())
			}
			if ip.ShrinkFactor != nil {
				if ip.GetShrinkFactor() < 1 || ip.GetShrinkFactor() > 1e4 {
					return converted{}, fmt.Errorf("shrink_factor %d must be in 1..10000", ip.GetShrinkFactor())
				}
				op.Shrink = int(ip.GetShrinkFactor())
			}
		case ip.Height != nil && ip.Width != nil:
			if ip.GetHeight() <= 0 || ip.GetWidth() <= 0 || ip.GetHeight() > maxDim || ip.GetWidth() > maxDim {
				return converted{}, fmt.Errorf("Interp size %d×%d is invalid", ip.GetHeight(), ip.GetWidth())
			}
			op.OutH, op.OutW = int(ip.GetHeight()), int(ip.GetWidth())
		default:
			return converted{}, fmt.Errorf("interp_param needs zoom_factor, shrink_factor or height and width")
		}
		return one(op)
	case "upsample":
		up := p.GetUpsampleParam()
		if up == nil {
			up = &UpsampleParameter{}
		}
		if len(l.bottoms) != 1 {
			return converted{}, fmt.Errorf("Upsample with a mask bottom (max unpooling) is not supported")
		}
		if up.GetPadOutH() || up.GetPadOutW() {
			return converted{}, fmt.Errorf("Upsample pad_out_h/pad_out_w is not supported")
		}
		op := &graph.Resize{Mode: "nearest"}
		if up.UpsampleH != nil || up.UpsampleW != nil {
			h, err := dim(uint64(up.GetUpsampleH()), "upsample_h")
			if err != nil {
				return converted{}, err
			}
			w, err := dim(uint64(up.GetUpsampleW()), "upsample_w")
			if err != nil {
				return converted{}, err
			}
			if h == 0 || w == 0 {
				return converted{}, fmt.Errorf("Upsample needs both upsample_h and upsample_w")
			}
			op.OutH, op.OutW = h, w
			return one(op)
		}
		sh, sw := up.GetScale(), up.GetScale()
		if up.ScaleH != nil {
			sh = up.GetScaleH()
		}
		if up.ScaleW != nil {
			sw = up.GetScaleW()
		}
		if sh == 0 || sw == 0 || sh > 1e4 || sw > 1e4 {
			return converted{}, fmt.Errorf("Upsample scale %d×%d must be in 1..10000", sh, sw)
		}
		op.Scale = [2]float32{float32(sh), float32(sw)}
		return one(op)
	}
	if l.typ == "" {
		return converted{}, fmt.Errorf("the layer has no type")
	}
	// A layer type convscope cannot represent (a known one it does not
	// support, or one it does not know: a custom layer of a Caffe fork)
	// is kept for viewing; shape inference and the engine stop at it.
	typ := l.typ
	if name, ok := unsupported[l.kind]; ok {
		typ = name
	}
	return converted{op: &graph.Unknown{Type: typ, Attrs: layerAttrs(l.p)}, inputs: -1}, nil
}

// layerAttrs renders a layer's parameters (without its identity and blobs)
// as prototxt text, for an Unknown node's display.
func layerAttrs(p *LayerParameter) map[string]string {
	if p == nil {
		return nil
	}
	c := proto.Clone(p).(*LayerParameter)
	c.Name, c.Type, c.Bottom, c.Top, c.Blobs, c.Include, c.Exclude, c.Phase = nil, nil, nil, nil, nil, nil, nil, nil
	text := strings.TrimSpace(prototext.MarshalOptions{}.Format(c))
	if text == "" {
		return nil
	}
	if len(text) > 500 {
		text = text[:500] + "…"
	}
	return map[string]string{"params": text}
}

// convCounts reads num_output and group.
func convCounts(cp *ConvolutionParameter) (out, groups int, err error) {
	if cp.GetAxis() != 1 {
		return 0, 0, fmt.Errorf("convolution over axis %d is not supported (only axis 1)", cp.GetAxis())
	}
	if out, err = dim(uint64(cp.GetNumOutput()), "num_output"); err != nil {
		return 0, 0, err
	}
	if out == 0 {
		return 0, 0, fmt.Errorf("num_output must be positive")
	}
	if groups, err = dim(uint64(cp.GetGroup()), "group"); err != nil {
		return 0, 0, err
	}
	if groups == 0 {
		return 0, 0, fmt.Errorf("group must be positive")
	}
	return out, groups, nil
}

// window reads Caffe's sliding-window geometry: a repeated field (one value
// for both axes or one per axis) or its _h/_w forms, which win when set.
func window(kernel []uint32, kh, kw *uint32, pad []uint32, ph, pw *uint32, stride []uint32, sh, sw *uint32, dilation []uint32) (graph.Window, error) {
	var w graph.Window
	pair := func(what string, rep []uint32, h, wd *uint32, def int) ([2]int, error) {
		if h != nil || wd != nil {
			if h == nil || wd == nil {
				return [2]int{}, fmt.Errorf("%s_h and %s_w must be given together", what, what)
			}
			a, err := dim(uint64(*h), what+"_h")
			if err != nil {
				return [2]int{}, err
			}
			b, err := dim(uint64(*wd), what+"_w")
			return [2]int{a, b}, err
		}
		switch len(rep) {
		case 0:
			return [2]int{def, def}, nil
		case 1:
			a, err := dim(uint64(rep[0]), what)
			return [2]int{a, a}, err
		case 2:
			a, err := dim(uint64(rep[0]), what)
			if err != nil {
				return [2]int{}, err
			}
			b, err := dim(uint64(rep[1]), what)
			return [2]int{a, b}, err
		}
		return [2]int{}, fmt.Errorf("%s has %d values: only 2-D windows are supported", what, len(rep))
	}
	k, err := pair("kernel", kernel, kh, kw, 0)
	if err != nil {
		return w, err
	}
	if k[0] == 0 || k[1] == 0 {
		return w, fmt.Errorf("kernel size %v must be given and positive", k)
	}
	// Caffe's names are pad_h/pad_w, kernel_h/kernel_w, stride_h/stride_w.
	p, err := pair("pad", pad, ph, pw, 0)
	if err != nil {
		return w, err
	}
	s, err := pair("stride", stride, sh, sw, 1)
	if err != nil {
		return w, err
	}
	if s[0] == 0 || s[1] == 0 {
		return w, fmt.Errorf("stride %v must be positive", s)
	}
	d, err := pair("dilation", dilation, nil, nil, 1)
	if err != nil {
		return w, err
	}
	if d[0] == 0 || d[1] == 0 {
		return w, fmt.Errorf("dilation %v must be positive", d)
	}
	w.Kernel, w.Stride, w.Dilation = k, s, d
	w.Pads = [4]int{p[0], p[1], p[0], p[1]}
	return w, nil
}

// convParams reads the convolution_param that Convolution and
// Deconvolution share: the window, output channels and groups.
func convParams(p *LayerParameter) (cp *ConvolutionParameter, win graph.Window, out, groups int, err error) {
	if cp = p.GetConvolutionParam(); cp == nil {
		return nil, win, 0, 0, fmt.Errorf("convolution_param is missing")
	}
	win, err = window(cp.GetKernelSize(), cp.KernelH, cp.KernelW, cp.GetPad(), cp.PadH, cp.PadW,
		cp.GetStride(), cp.StrideH, cp.StrideW, cp.GetDilation())
	if err != nil {
		return nil, win, 0, 0, err
	}
	out, groups, err = convCounts(cp)
	return cp, win, out, groups, err
}

package tfjs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"github.com/convscope/convscope/internal/graph"
)

// layerExt converts the Keras layers added for real exports (super
// resolution, segmentation, preprocessing). A class it does not know, or a
// form of one it does not support, is kept as an Unknown node.
func (b *builder) layerExt(l kLayer, node *graph.Node, r int) error {
	c := l.Config
	name := c.Name
	unsupported := func() error { return b.unknownLayer(name, node, false) }
	var out string
	switch l.ClassName {
	case "UpSampling2D":
		if r != 4 {
			return fmt.Errorf("needs a 4-D input, got rank %d", r)
		}
		s := c.Size.get(2)
		op := &graph.Resize{Mode: "nearest", Scale: [2]float32{float32(s[0]), float32(s[1])}}
		switch c.Interpolation {
		case "", "nearest":
		case "bilinear": // TF.js resizeBilinear samples at dst/scale
			op.Mode, op.Asymmetric = "bilinear", true
		default:
			return unsupported()
		}
		node.Op = op
		out = b.add(node, 4)
	case "Rescaling": // x·scale + offset
		var scale float32
		if err := json.Unmarshal(c.Scale, &scale); err != nil {
			return unsupported() // a scale per channel
		}
		node.Op = &graph.Power{Exponent: 1, Scale: scale, Shift: c.Offset}
		out = b.add(node, r)
	case "Cropping2D":
		if r != 4 {
			return fmt.Errorf("needs a 4-D input, got rank %d", r)
		}
		var crop [4]int // top, bottom, left, right
		if err := zeroPadding(c.Cropping, &crop); err != nil {
			return fmt.Errorf("cropping %s: %w", c.Cropping, err)
		}
		// A crop is a negative padding.
		node.Op = &graph.Pad{Pads: []int{0, 0, -crop[0], -crop[2], 0, 0, -crop[1], -crop[3]}, Mode: "constant"}
		out = b.add(node, 4)
	case "Conv2DTranspose":
		return b.conv2DTranspose(l, node, r)
	case "SeparableConv2D":
		return b.separableConv2D(l, node, r)
	case "Permute":
		perm := []int{0}
		for _, d := range c.Dims {
			perm = append(perm, d)
		}
		if len(perm) != r {
			return fmt.Errorf("dims %v do not permute a rank-%d input", c.Dims, r)
		}
		if r == 4 { // the IR holds the NHWC tensor as NCHW
			q1, q2 := []int{0, 2, 3, 1}, []int{0, 3, 1, 2}
			p := make([]int, 4)
			for i := range p {
				p[i] = q1[perm[q2[i]]]
			}
			perm = p
		}
		node.Op = &graph.Transpose{Perm: perm}
		out = b.add(node, r)
	case "Reshape":
		return b.reshape(l, node, r)
	case "LayerNormalization":
		axis, err := channelAxis(c.Axis, r)
		if err != nil {
			return unsupported() // several axes
		}
		eps := float32(1e-3)
		if c.Epsilon != nil {
			eps = *c.Epsilon
		}
		gamma, beta := b.weight(name, "gamma"), b.weight(name, "beta")
		node.Op = &graph.LayerNorm{Axes: []int{axis}, Epsilon: eps, NoScale: gamma == nil, NoBias: beta == nil}
		node.Params = map[string]*graph.Tensor{}
		if gamma != nil {
			node.Params["scale"] = gamma
		}
		if beta != nil {
			node.Params["bias"] = beta
		}
		out = b.add(node, r)
	case "Normalization": // (x − mean)/√variance per channel, fixed statistics
		axis, err := channelAxis(c.Axis, r)
		mean, vr := b.weight(name, "mean"), b.weight(name, "variance")
		b.weight(name, "count")
		if err != nil || axis != 1 || mean == nil || vr == nil {
			return unsupported()
		}
		ch := mean.Len()
		node.Op = &graph.BatchNorm{NoScale: true, NoBias: true}
		node.Params = map[string]*graph.Tensor{"mean": {Shape: []int{ch}, Data: mean.Data}, "var": {Shape: []int{ch}, Data: vr.Data}}
		out = b.add(node, r)
	default:
		op, ok, err := customLayer(l.ClassName, c, r)
		if err != nil {
			return err
		}
		if !ok {
			return unsupported()
		}
		node.Op = op
		out = b.add(node, r)
	}
	b.values[name] = out
	return nil
}

// pixelShuffleClass is UpscalerJS's custom layer class name PixelShuffle<k>x.
var pixelShuffleClass = regexp.MustCompile(`^PixelShuffle([1-9][0-9]?)x$`)

// customLayer maps the custom layer classes of public TF.js packages whose
// semantics are an IR op. Their code is not in the model file (the
// package registers the class with tf.serialization.registerClass), so
// each entry follows the package's source:
//
//   - MultiplyBeta (UpscalerJS ESRGAN RRDN models,
//     packages/shared/src/esrgan/esrgan.ts): tf.mul(x, 0.2); the config
//     stores the same beta, read when present.
//   - PixelShuffle<k>x (same file): tf.depthToSpace(x, k, 'NHWC'), i.e.
//     DepthToSpace in TensorFlow's (DCR) channel order; the config's scale,
//     when present, must be k.
func customLayer(class string, c layerConfig, r int) (graph.Op, bool, error) {
	switch {
	case class == "MultiplyBeta":
		beta := float32(0.2)
		if c.Beta != nil {
			beta = *c.Beta
		}
		return &graph.Power{Exponent: 1, Scale: beta}, true, nil
	case pixelShuffleClass.MatchString(class):
		k, _ := strconv.Atoi(pixelShuffleClass.FindStringSubmatch(class)[1])
		if len(c.Scale) > 0 {
			var s int
			if err := json.Unmarshal(c.Scale, &s); err != nil || s != k {
				return nil, false, fmt.Errorf("scale %s does not match the class's factor %d", c.Scale, k)
			}
		}
		if r != 4 {
			return nil, false, fmt.Errorf("needs a 4-D input, got rank %d", r)
		}
		return &graph.DepthToSpace{Block: k}, true, nil
	}
	return nil, false, nil
}

// conv2DTranspose: the kernel is [kh, kw, out, in]; "same" padding gives
// in·stride, cropping max(k − s, 0) with the smaller half first (TF).
func (b *builder) conv2DTranspose(l kLayer, node *graph.Node, r int) error {
	c := l.Config
	if r != 4 {
		return fmt.Errorf("needs a 4-D input, got rank %d", r)
	}
	k := b.weight(c.Name, "kernel")
	if k == nil || len(k.Shape) != 4 {
		return fmt.Errorf("missing or malformed kernel weights")
	}
	if d := c.DilationRate.get(1); d != [2]int{1, 1} {
		return b.unknownLayer(c.Name, node, false)
	}
	kh, kw, co, ci := k.Shape[0], k.Shape[1], k.Shape[2], k.Shape[3]
	w := graph.NewTensor(ci, co, kh, kw)
	for y := 0; y < kh; y++ {
		for x := 0; x < kw; x++ {
			for o := 0; o < co; o++ {
				for i := 0; i < ci; i++ {
					w.Data[((i*co+o)*kh+y)*kw+x] = k.Data[((y*kw+x)*co+o)*ci+i]
				}
			}
		}
	}
	s := c.Strides.get(1)
	op := &graph.ConvTranspose{Window: graph.Window{Kernel: [2]int{kh, kw}, Stride: s}, OutChannels: co}
	var pad string
	if len(c.Padding) > 0 {
		if err := json.Unmarshal(c.Padding, &pad); err != nil {
			return fmt.Errorf("padding %s is not supported", c.Padding)
		}
	}
	switch pad {
	case "", "valid":
	case "same":
		for i, kk := range []int{kh, kw} {
			total := max(kk-s[i], 0)
			op.Pads[i], op.Pads[i+2] = total/2, total-total/2
		}
	default:
		return fmt.Errorf("padding %q is not supported", pad)
	}
	if len(c.OutputPadding) > 0 {
		op.OutputPad = c.OutputPadding.get(0)
	}
	node.Op, node.Params = op, map[string]*graph.Tensor{"weight": w}
	if c.UseBias == nil || *c.UseBias {
		bias := b.weight(c.Name, "bias")
		if bias == nil {
			return fmt.Errorf("missing bias weights")
		}
		op.Bias = true
		node.Params["bias"] = bias
	}
	out := b.add(node, 4)
	return b.activation(c.Name, out, c.Activation, 4)
}

// separableConv2D is a depthwise convolution (depth_multiplier filters per
// channel, no bias) followed by a 1×1 convolution with the bias.
func (b *builder) separableConv2D(l kLayer, node *graph.Node, r int) error {
	c := l.Config
	if r != 4 {
		return fmt.Errorf("needs a 4-D input, got rank %d", r)
	}
	dk, pk := b.weight(c.Name, "depthwise_kernel"), b.weight(c.Name, "pointwise_kernel")
	if dk == nil || pk == nil || len(dk.Shape) != 4 || len(pk.Shape) != 4 {
		return fmt.Errorf("missing or malformed depthwise_kernel or pointwise_kernel weights")
	}
	win, err := window(c, c.KernelSize.get(1))
	if err != nil {
		return err
	}
	cin, mult := dk.Shape[2], dk.Shape[3]
	node.Name = b.unique(c.Name + "_depthwise")
	node.Op = &graph.Conv{Window: win, Groups: cin, OutChannels: cin * mult}
	node.Params = map[string]*graph.Tensor{"weight": depthwiseToOIHW(dk)}
	dw := b.add(node, 4)
	pw := &graph.Node{Name: b.unique(c.Name), Type: l.ClassName, Inputs: []string{dw},
		Op:     &graph.Conv{Window: graph.Window{Kernel: [2]int{1, 1}}, OutChannels: pk.Shape[3]},
		Params: map[string]*graph.Tensor{"weight": hwioToOIHW(pk)}}
	if c.UseBias == nil || *c.UseBias {
		bias := b.weight(c.Name, "bias")
		if bias == nil {
			return fmt.Errorf("missing bias weights")
		}
		pw.Op.(*graph.Conv).Bias = true
		pw.Params["bias"] = bias
	}
	out := b.add(pw, 4)
	return b.activation(c.Name, out, c.Activation, 4)
}

// reshape reshapes in Keras's (channels-last) order: a 4-D input is moved
// to NHWC first, a 4-D result back to NCHW.
func (b *builder) reshape(l kLayer, node *graph.Node, r int) error {
	c := l.Config
	x := node.Inputs[0]
	if r == 4 {
		t := &graph.Node{Name: b.unique(c.Name + "_nhwc"), Type: l.ClassName, Op: &graph.Transpose{Perm: []int{0, 2, 3, 1}}, Inputs: []string{x}}
		x = b.add(t, 4)
	}
	shape := append([]int{0}, c.TargetShape...)
	or := len(shape)
	if or == 4 {
		t := &graph.Node{Name: b.unique(c.Name + "_nhwc"), Type: l.ClassName, Op: &graph.Reshape{Shape: shape}, Inputs: []string{x}}
		y := b.add(t, 4)
		node.Inputs = []string{y}
		node.Op = &graph.Transpose{Perm: []int{0, 3, 1, 2}}
	} else {
		node.Inputs = []string{x}
		node.Op = &graph.Reshape{Shape: shape}
	}
	b.values[c.Name] = b.add(node, or)
	return nil
}

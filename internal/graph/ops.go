package graph

import (
	"fmt"
)

// Op is one operator: its attributes, its shape rule, the parameters it
// expects, its cost and its traits. Every op has a pointer receiver, so a
// type switch or a registry names each op by one type (*Conv, *Identity).
// The engine finds an op's kernel by its type (engine.register).
type Op interface {
	// Kind is the canonical operator name ("Conv", "Pool", "Relu", …).
	Kind() string
	// Infer returns the output shapes for the given input shapes (batch
	// first) or an error naming the problem.
	Infer(in []Shape) ([]Shape, error)
	// ParamShapes returns the shapes of the parameters the op needs for
	// these input shapes. Optional parameters (a disabled bias) are absent.
	ParamShapes(in []Shape) map[string]Shape
	// Cost counts the arithmetic of one forward pass for these shapes.
	Cost(in, out []Shape) Cost
	// Traits are the facts about the op that its users need without
	// knowing it (traits.go).
	Traits() Traits
}

// Cost is the arithmetic of one forward pass of a node. MACs are
// multiply-accumulates (conv, deconv, dense, matmul); the other counts are
// reported separately and are not included in MACs.
type Cost struct {
	MACs         int64 `json:"macs"`
	Additions    int64 `json:"additions,omitempty"`
	Comparisons  int64 `json:"comparisons,omitempty"`
	Divisions    int64 `json:"divisions,omitempty"`
	Exponentials int64 `json:"exponentials,omitempty"`
}

// Add returns the element-wise sum of two costs.
func (c Cost) Add(o Cost) Cost {
	return Cost{c.MACs + o.MACs, c.Additions + o.Additions, c.Comparisons + o.Comparisons, c.Divisions + o.Divisions, c.Exponentials + o.Exponentials}
}

// Auto-padding modes, as in ONNX. SAME_UPPER is TensorFlow's "same" (the
// extra pad goes at the end).
const (
	PadExplicit  = ""
	PadSameUpper = "SAME_UPPER"
	PadSameLower = "SAME_LOWER"
	PadValid     = "VALID"
)

// Window holds the sliding-window geometry shared by Conv and Pool.
type Window struct {
	Kernel   [2]int // height, width
	Stride   [2]int // default 1
	Dilation [2]int // default 1
	Pads     [4]int // top, left, bottom, right
	AutoPad  string // PadExplicit, PadSameUpper, PadSameLower or PadValid
}

func (w Window) norm() Window {
	for i := 0; i < 2; i++ {
		if w.Stride[i] == 0 {
			w.Stride[i] = 1
		}
		if w.Dilation[i] == 0 {
			w.Dilation[i] = 1
		}
	}
	return w
}

func (w Window) check() error {
	for i := 0; i < 2; i++ {
		if w.Kernel[i] <= 0 || w.Stride[i] <= 0 || w.Dilation[i] <= 0 {
			return fmt.Errorf("kernel %v, stride %v and dilation %v must be positive", w.Kernel, w.Stride, w.Dilation)
		}
		if w.Pads[i] < 0 || w.Pads[i+2] < 0 {
			return fmt.Errorf("negative padding %v", w.Pads)
		}
	}
	return nil
}

// Resolve returns the window with AutoPad turned into explicit pads for an
// input of h×w, and the output size. ceil selects ceiling rounding (Caffe
// pooling, ONNX ceil_mode), in which a last window that would start in the
// end padding is dropped.
func (w Window) Resolve(h, wd int, ceil bool) (Window, int, int, error) {
	w = w.norm()
	if err := w.check(); err != nil {
		return w, 0, 0, err
	}
	in := [2]int{h, wd}
	var out [2]int
	for i := 0; i < 2; i++ {
		ext := w.Dilation[i]*(w.Kernel[i]-1) + 1
		switch w.AutoPad {
		case PadSameUpper, PadSameLower:
			out[i] = (in[i] + w.Stride[i] - 1) / w.Stride[i]
			total := max(0, (out[i]-1)*w.Stride[i]+ext-in[i])
			small, big := total/2, total-total/2
			if w.AutoPad == PadSameUpper {
				w.Pads[i], w.Pads[i+2] = small, big
			} else {
				w.Pads[i], w.Pads[i+2] = big, small
			}
			continue
		case PadValid:
			w.Pads[i], w.Pads[i+2] = 0, 0
		case PadExplicit:
		default:
			return w, 0, 0, fmt.Errorf("unknown auto padding %q", w.AutoPad)
		}
		span := in[i] + w.Pads[i] + w.Pads[i+2] - ext
		if span < 0 {
			return w, 0, 0, fmt.Errorf("window of %d (kernel %d, dilation %d) is larger than the padded input of %d", ext, w.Kernel[i], w.Dilation[i], in[i]+w.Pads[i]+w.Pads[i+2])
		}
		if ceil {
			out[i] = (span+w.Stride[i]-1)/w.Stride[i] + 1
			if (out[i]-1)*w.Stride[i] >= in[i]+w.Pads[i] {
				out[i]--
			}
		} else {
			out[i] = span/w.Stride[i] + 1
		}
	}
	w.AutoPad = PadExplicit
	return w, out[0], out[1], nil
}

func need(in []Shape, n int, rank int, kind string) error {
	if len(in) != n {
		return fmt.Errorf("%s takes %d input(s), got %d", kind, n, len(in))
	}
	if rank > 0 && len(in[0]) != rank {
		return fmt.Errorf("%s needs a rank-%d input (N, C, H, W), got shape %v", kind, rank, in[0])
	}
	return nil
}

// Conv is a 2-D convolution (cross-correlation, as in every framework).
// Parameters: "weight" [OutChannels, C/Groups, KH, KW]; "bias" [OutChannels]
// when Bias is set.
type Conv struct {
	Window
	OutChannels int
	Groups      int // default 1; C for depthwise
	Bias        bool
}

func (c *Conv) Kind() string { return "Conv" }

func (c *Conv) groups() int { return max(1, c.Groups) }

func (c *Conv) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 4, "Conv"); err != nil {
		return nil, err
	}
	g := c.groups()
	if c.OutChannels <= 0 {
		return nil, fmt.Errorf("Conv has %d output channels", c.OutChannels)
	}
	if in[0][1]%g != 0 || c.OutChannels%g != 0 {
		return nil, fmt.Errorf("Conv groups %d do not divide input channels %d and output channels %d", g, in[0][1], c.OutChannels)
	}
	_, oh, ow, err := c.Window.Resolve(in[0][2], in[0][3], false)
	if err != nil {
		return nil, fmt.Errorf("Conv: %w", err)
	}
	return []Shape{{in[0][0], c.OutChannels, oh, ow}}, nil
}

func (c *Conv) ParamShapes(in []Shape) map[string]Shape {
	k := c.Window.norm().Kernel
	m := map[string]Shape{"weight": {c.OutChannels, in[0][1] / c.groups(), k[0], k[1]}}
	if c.Bias {
		m["bias"] = Shape{c.OutChannels}
	}
	return m
}

func (c *Conv) Cost(in, out []Shape) Cost {
	k := c.Window.Kernel
	perOut := int64(in[0][1]/c.groups()) * int64(k[0]*k[1])
	return Cost{MACs: int64(out[0].Elems()) * perOut}
}

// PoolKind selects max or average pooling.
type PoolKind string

const (
	MaxPool PoolKind = "max"
	AvgPool PoolKind = "avg"
)

// Pool is max or average pooling over spatial windows, or over the whole
// map when Global is set. CeilMode rounds the output size up (Caffe,
// ONNX ceil_mode). CountIncludePad makes average pooling divide by the full
// window size including padding (Caffe's behaviour, ONNX
// count_include_pad); otherwise only real input cells are counted. Caffe
// additionally clips its divisor window at input+pad; that is
// CountIncludePad with the window clipped to the padded input, which is what
// the engine does.
type Pool struct {
	Window
	Type            PoolKind
	Global          bool
	CeilMode        bool
	CountIncludePad bool
}

func (p *Pool) Kind() string {
	if p.Global {
		if p.Type == AvgPool {
			return "GlobalAveragePool"
		}
		return "GlobalMaxPool"
	}
	if p.Type == AvgPool {
		return "AveragePool"
	}
	return "MaxPool"
}

// Resolve returns the window actually applied to an h×w input.
func (p *Pool) Resolve(h, w int) (Window, int, int, error) {
	if p.Global {
		return Window{Kernel: [2]int{h, w}, Stride: [2]int{1, 1}, Dilation: [2]int{1, 1}}, 1, 1, nil
	}
	return p.Window.Resolve(h, w, p.CeilMode)
}

func (p *Pool) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 4, p.Kind()); err != nil {
		return nil, err
	}
	if p.Type != MaxPool && p.Type != AvgPool {
		return nil, fmt.Errorf("unknown pooling type %q", p.Type)
	}
	_, oh, ow, err := p.Resolve(in[0][2], in[0][3])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.Kind(), err)
	}
	return []Shape{{in[0][0], in[0][1], oh, ow}}, nil
}

func (p *Pool) ParamShapes([]Shape) map[string]Shape { return nil }

func (p *Pool) Cost(in, out []Shape) Cost {
	win, _, _, _ := p.Resolve(in[0][2], in[0][3])
	k := int64(win.Kernel[0] * win.Kernel[1])
	n := int64(out[0].Elems())
	if p.Type == MaxPool {
		return Cost{Comparisons: n * (k - 1)}
	}
	return Cost{Additions: n * (k - 1), Divisions: n}
}

// ActFunc names an element-wise activation.
type ActFunc string

const (
	Relu        ActFunc = "Relu"
	LeakyRelu   ActFunc = "LeakyRelu"   // x<0: Alpha·x
	Sigmoid     ActFunc = "Sigmoid"     // 1/(1+e^-x)
	Tanh        ActFunc = "Tanh"        //
	Elu         ActFunc = "Elu"         // x<0: Alpha·(e^x − 1)
	Selu        ActFunc = "Selu"        // Beta·(x>0 ? x : Alpha·(e^x − 1)); Alpha, Beta as in ONNX alpha, gamma
	Clip        ActFunc = "Clip"        // min(max(x, Alpha), Beta)
	Softplus    ActFunc = "Softplus"    // ln(1+e^x)
	HardSigmoid ActFunc = "HardSigmoid" // max(0, min(1, Alpha·x + Beta))
	Relu6       ActFunc = "Relu6"       // min(max(x, 0), 6)
	HardSwish   ActFunc = "HardSwish"   // x·min(max(x/6 + 1/2, 0), 1)
	Gelu        ActFunc = "Gelu"        // x·Φ(x) (erf); GeluTanh: its tanh approximation
	GeluTanh    ActFunc = "GeluTanh"    // x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
	Mish        ActFunc = "Mish"        // x·tanh(ln(1 + eˣ))
	Swish       ActFunc = "Swish"       // x·σ(x) (SiLU)
	Softsign    ActFunc = "Softsign"    // x/(1 + |x|)
	Exp         ActFunc = "Exp"         // eˣ
	Log         ActFunc = "Log"         // ln x
	Abs         ActFunc = "Abs"         // |x|
	Erf         ActFunc = "Erf"         // the error function (Gelu as exported before ONNX opset 20)
)

// Activation applies an element-wise function; the output has the input's
// shape.
type Activation struct {
	Func        ActFunc
	Alpha, Beta float32
}

func (a *Activation) Kind() string { return string(a.Func) }

func (a *Activation) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, a.Kind()); err != nil {
		return nil, err
	}
	switch a.Func {
	case Relu, LeakyRelu, Sigmoid, Tanh, Elu, Selu, Clip, Softplus, HardSigmoid, Relu6,
		HardSwish, Gelu, GeluTanh, Mish, Swish, Softsign, Exp, Log, Abs, Erf:
	default:
		return nil, fmt.Errorf("unknown activation %q", a.Func)
	}
	return []Shape{in[0]}, nil
}

func (a *Activation) ParamShapes([]Shape) map[string]Shape { return nil }

func (a *Activation) Cost(in, out []Shape) Cost {
	n := int64(out[0].Elems())
	switch a.Func {
	case Relu, LeakyRelu, Clip, Relu6, HardSigmoid:
		return Cost{Comparisons: n}
	case Sigmoid, Tanh, Elu, Selu, Softplus, Gelu, GeluTanh, Swish, Exp, Log, Erf:
		return Cost{Exponentials: n}
	case Abs:
		return Cost{Comparisons: n}
	case Mish: // a softplus and a tanh
		return Cost{Exponentials: 2 * n}
	case HardSwish:
		return Cost{Comparisons: 2 * n}
	case Softsign:
		return Cost{Divisions: n}
	}
	return Cost{}
}

// Softmax normalises exp(x) along Axis (negative counts from the end; 1 =
// channels). Log selects log-softmax.
type Softmax struct {
	Axis int
	Log  bool
}

func (s *Softmax) Kind() string {
	if s.Log {
		return "LogSoftmax"
	}
	return "Softmax"
}

func (s *Softmax) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, s.Kind()); err != nil {
		return nil, err
	}
	if _, err := NormAxis(s.Axis, len(in[0])); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Kind(), err)
	}
	return []Shape{in[0]}, nil
}

func (s *Softmax) ParamShapes([]Shape) map[string]Shape { return nil }

func (s *Softmax) Cost(in, out []Shape) Cost {
	n := int64(out[0].Elems())
	return Cost{Exponentials: n, Additions: n, Divisions: n}
}

// NormAxis maps a possibly negative axis into [0, rank).
func NormAxis(axis, rank int) (int, error) {
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return 0, fmt.Errorf("axis %d is out of range for rank %d", axis, rank)
	}
	return axis, nil
}

// Flatten reshapes to [prod(dims[:Axis]), prod(dims[Axis:])]. Axis 0 means 1
// (keep the batch). ChannelsLast flattens an NCHW map in (row, column,
// channel) order, as Keras's Flatten does on its NHWC tensors, so that a
// Keras Dense layer that follows keeps its weights unchanged.
type Flatten struct {
	Axis         int
	ChannelsLast bool
}

func (f *Flatten) Kind() string { return "Flatten" }

func (f *Flatten) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "Flatten"); err != nil {
		return nil, err
	}
	axis := f.Axis
	if axis == 0 {
		axis = 1
	}
	// A negative axis counts from the end as in ONNX and Caffe (-1 is the
	// last axis); axis may equal the rank.
	if axis < 0 {
		axis += len(in[0])
	}
	if axis < 0 || axis > len(in[0]) {
		return nil, fmt.Errorf("Flatten: axis %d is out of range for rank %d", f.Axis, len(in[0]))
	}
	if f.ChannelsLast && (len(in[0]) != 4 || axis != 1) {
		return nil, fmt.Errorf("Flatten in channels-last order needs an (N, C, H, W) input flattened from axis 1, got %v", in[0])
	}
	return []Shape{{Shape(in[0][:axis]).Elems(), Shape(in[0][axis:]).Elems()}}, nil
}

func (f *Flatten) ParamShapes([]Shape) map[string]Shape { return nil }
func (f *Flatten) Cost(in, out []Shape) Cost            { return Cost{} }

// Dense is a fully connected layer (Caffe InnerProduct, Keras Dense, ONNX
// Gemm with constant B). The input is flattened from axis 1 in NCHW order.
// Parameters: "weight" [Units, In]; "bias" [Units] when Bias is set.
type Dense struct {
	Units int
	Bias  bool
}

func (d *Dense) Kind() string { return "Dense" }

func (d *Dense) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "Dense"); err != nil {
		return nil, err
	}
	if len(in[0]) < 2 {
		return nil, fmt.Errorf("Dense needs a batched input, got %v", in[0])
	}
	if d.Units <= 0 {
		return nil, fmt.Errorf("Dense has %d units", d.Units)
	}
	return []Shape{{in[0][0], d.Units}}, nil
}

func (d *Dense) ParamShapes(in []Shape) map[string]Shape {
	m := map[string]Shape{"weight": {d.Units, in[0].PerImage().Elems()}}
	if d.Bias {
		m["bias"] = Shape{d.Units}
	}
	return m
}

func (d *Dense) Cost(in, out []Shape) Cost {
	return Cost{MACs: int64(out[0].Elems()) * int64(in[0].PerImage().Elems())}
}

// BatchNorm normalises each channel (axis 1) with fixed statistics:
// y = scale·(x − mean)/sqrt(var + Epsilon) + bias.
// Parameters: "scale", "bias", "mean", "var", each [C]. NoAffine drops the
// learned "scale" and "bias" (scale 1, bias 0): Caffe's BatchNorm layer,
// whose affine part is a separate Scale layer. NoScale drops only "scale"
// (Keras scale: false), NoBias only "bias" (Keras center: false).
type BatchNorm struct {
	Epsilon  float32
	NoAffine bool
	NoScale  bool
	NoBias   bool
}

func (b *BatchNorm) Kind() string { return "BatchNorm" }

func (b *BatchNorm) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "BatchNorm"); err != nil {
		return nil, err
	}
	if len(in[0]) < 2 {
		return nil, fmt.Errorf("BatchNorm needs an input with channels, got %v", in[0])
	}
	return []Shape{in[0]}, nil
}

func (b *BatchNorm) ParamShapes(in []Shape) map[string]Shape {
	c := Shape{in[0][1]}
	m := map[string]Shape{"mean": c, "var": c}
	if !b.NoAffine && !b.NoScale {
		m["scale"] = c
	}
	if !b.NoAffine && !b.NoBias {
		m["bias"] = c
	}
	return m
}

func (b *BatchNorm) Cost(in, out []Shape) Cost {
	n := int64(out[0].Elems())
	return Cost{Additions: n, Divisions: n}
}

// EltwiseKind selects the element-wise binary operation.
type EltwiseKind string

const (
	EltAdd EltwiseKind = "Add"
	EltSub EltwiseKind = "Sub"
	EltMul EltwiseKind = "Mul"
	EltDiv EltwiseKind = "Div"
	EltMax EltwiseKind = "Max"
	EltMin EltwiseKind = "Min"
)

// Eltwise combines two or more inputs element-wise with NumPy broadcasting.
// Coeffs, when set (Caffe Eltwise SUM coeff), weight each input of an Add.
type Eltwise struct {
	Type   EltwiseKind
	Coeffs []float32
}

func (e *Eltwise) Kind() string { return string(e.Type) }

func (e *Eltwise) Infer(in []Shape) ([]Shape, error) {
	if len(in) < 1 {
		return nil, fmt.Errorf("%s needs at least one input", e.Type)
	}
	switch e.Type {
	case EltAdd, EltSub, EltMul, EltDiv, EltMax, EltMin:
	default:
		return nil, fmt.Errorf("unknown element-wise operation %q", e.Type)
	}
	if len(e.Coeffs) > 0 && len(e.Coeffs) != len(in) {
		return nil, fmt.Errorf("%s has %d coefficients for %d inputs", e.Type, len(e.Coeffs), len(in))
	}
	out := in[0]
	for _, s := range in[1:] {
		b, err := Broadcast(out, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Type, err)
		}
		out = b
	}
	return []Shape{out}, nil
}

func (e *Eltwise) ParamShapes([]Shape) map[string]Shape { return nil }

func (e *Eltwise) Cost(in, out []Shape) Cost {
	n := int64(out[0].Elems()) * int64(len(in)-1)
	switch e.Type {
	case EltMax, EltMin:
		return Cost{Comparisons: n}
	case EltDiv:
		return Cost{Divisions: n}
	}
	return Cost{Additions: n}
}

// Broadcast returns the NumPy broadcast of two shapes.
func Broadcast(a, b Shape) (Shape, error) {
	n := max(len(a), len(b))
	out := make(Shape, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// Concat joins its inputs along Axis (1 = channels).
type Concat struct {
	Axis int
}

func (c *Concat) Kind() string { return "Concat" }

func (c *Concat) Infer(in []Shape) ([]Shape, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("Concat needs at least one input")
	}
	axis, err := NormAxis(c.Axis, len(in[0]))
	if err != nil {
		return nil, fmt.Errorf("Concat: %w", err)
	}
	out := append(Shape(nil), in[0]...)
	for _, s := range in[1:] {
		if len(s) != len(out) {
			return nil, fmt.Errorf("Concat of shapes %v and %v: ranks differ", in[0], s)
		}
		for d := range s {
			if d == axis {
				continue
			}
			if s[d] != out[d] {
				return nil, fmt.Errorf("Concat along axis %d of shapes %v and %v: dimension %d differs", axis, in[0], s, d)
			}
		}
		out[axis] += s[axis]
	}
	return []Shape{out}, nil
}

func (c *Concat) ParamShapes([]Shape) map[string]Shape { return nil }
func (c *Concat) Cost(in, out []Shape) Cost            { return Cost{} }

// Dropout is the identity at inference.
type Dropout struct {
	Ratio float32
}

func (d *Dropout) Kind() string { return "Dropout" }
func (d *Dropout) Infer(in []Shape) ([]Shape, error) {
	if len(in) < 1 {
		return nil, fmt.Errorf("Dropout needs an input")
	}
	return []Shape{in[0]}, nil
}
func (d *Dropout) ParamShapes([]Shape) map[string]Shape { return nil }
func (d *Dropout) Cost(in, out []Shape) Cost            { return Cost{} }

// Identity passes its input through.
type Identity struct{}

func (*Identity) Kind() string { return "Identity" }
func (*Identity) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "Identity"); err != nil {
		return nil, err
	}
	return []Shape{in[0]}, nil
}
func (*Identity) ParamShapes([]Shape) map[string]Shape { return nil }
func (*Identity) Cost(in, out []Shape) Cost            { return Cost{} }

// LRN is local response normalisation across channels (AlexNet, GoogLeNet):
// y = x / (Bias + Alpha/Size · Σ x²)^Beta over Size neighbouring channels.
type LRN struct {
	Size              int
	Alpha, Beta, Bias float32
}

func (l *LRN) Kind() string { return "LRN" }
func (l *LRN) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 4, "LRN"); err != nil {
		return nil, err
	}
	if l.Size <= 0 {
		return nil, fmt.Errorf("LRN size %d must be positive", l.Size)
	}
	return []Shape{in[0]}, nil
}
func (l *LRN) ParamShapes([]Shape) map[string]Shape { return nil }
func (l *LRN) Cost(in, out []Shape) Cost {
	n := int64(out[0].Elems())
	return Cost{Additions: n * int64(l.Size), Divisions: n, Exponentials: n}
}

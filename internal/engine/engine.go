package engine

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// Program is a graph planned for one batch size.
type Program struct {
	Graph  *graph.Graph
	Batch  int
	Shapes map[string]graph.Shape
	// Values lists every value in the order it is computed: graph inputs
	// first, then each node's outputs.
	Values []string

	vals  map[string]*graph.Tensor
	steps []func()
	// convs holds each convolution by its output's name until an
	// activation that reads the output is fused into it.
	convs map[string]*tensor.Conv
	bufs  *buffers // CompileFinal: recycled storage; nil keeps every value
	// readers counts the node inputs that read each value.
	readers map[string]int
	// made holds the index of the node that computes each value (graph
	// inputs have none).
	made map[string]int
	tmp  []float32 // scratch shared by the steps (see scratch)
}

// Compile plans g for the given batch size (≤ 0 means 1). Every value
// keeps its own buffer, as the Explainer shows them all.
func Compile(g *graph.Graph, batch int) (*Program, error) { return compile(g, batch, false, nil) }

// CompileFinal is Compile for callers that need only the graph's outputs
// (prediction, profiling): a value's buffer is reused once its last reader
// has run, and an activation fused into a convolution overwrites the
// convolution's output. Run's map then holds valid data only for the
// graph's inputs and outputs.
func CompileFinal(g *graph.Graph, batch int) (*Program, error) { return CompileKeep(g, batch, nil) }

// CompileKeep is CompileFinal keeping, besides the graph's outputs, the
// values named in keep (e.g. the logits before a final softmax).
func CompileKeep(g *graph.Graph, batch int, keep []string) (*Program, error) {
	return compile(g, batch, true, keep)
}

func compile(g *graph.Graph, batch int, final bool, keep []string) (*Program, error) {
	if batch <= 0 {
		batch = 1
	}
	shapes, err := g.InferShapes(batch)
	if err != nil {
		return nil, err
	}
	if err := g.HasWeights(shapes); err != nil {
		return nil, err
	}
	p := &Program{Graph: g, Batch: batch, Shapes: shapes, vals: map[string]*graph.Tensor{}, convs: map[string]*tensor.Conv{}}
	for _, in := range g.Inputs {
		p.vals[in.Name] = graph.NewTensor(shapes[in.Name]...)
		p.Values = append(p.Values, in.Name)
	}
	p.readers, p.made = map[string]int{}, map[string]int{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			p.readers[in]++
		}
	}
	if final {
		keep = append(slices.Clone(g.Outputs), keep...)
		p.bufs = newBuffers(g, keep)
	}
	for i, n := range g.Nodes {
		step, err := p.plan(n)
		if err != nil {
			return nil, graph.NodeErrorf(n.Name, "node %q (%s): %w", n.Name, n.Type, err)
		}
		p.steps = append(p.steps, step)
		p.Values = append(p.Values, n.Outputs...)
		for _, out := range n.Outputs {
			p.made[out] = i
		}
		if p.bufs != nil {
			for _, out := range n.Outputs {
				if slices.Contains(keep, out) {
					p.bufs.pin(out)
				}
			}
			p.bufs.done(i, n)
		}
	}
	return p, nil
}

// Run copies the inputs (one per graph input, in order, each with exactly
// the planned number of elements) and computes every value. The returned map
// holds every value by name and is valid until the next Run.
func (p *Program) Run(inputs ...[]float32) (map[string]*graph.Tensor, error) {
	if err := p.load(inputs); err != nil {
		return nil, err
	}
	for _, s := range p.steps {
		if s != nil {
			s()
		}
	}
	return p.vals, nil
}

// load checks and copies the inputs.
func (p *Program) load(inputs [][]float32) error {
	if len(inputs) != len(p.Graph.Inputs) {
		return fmt.Errorf("model has %d input(s), got %d", len(p.Graph.Inputs), len(inputs))
	}
	for i, in := range p.Graph.Inputs {
		dst := p.vals[in.Name]
		if len(inputs[i]) != len(dst.Data) {
			return fmt.Errorf("input %q needs %d values (shape %v), got %d", in.Name, len(dst.Data), graph.Shape(dst.Shape), len(inputs[i]))
		}
		copy(dst.Data, inputs[i])
	}
	return nil
}

// RunTimed is Run that also records in times[i] (len(times) ≥ the number
// of graph nodes) how long the step of node i took; a node fused into an
// earlier one (an activation, a residual add) takes no time of its own.
func (p *Program) RunTimed(times []time.Duration, inputs ...[]float32) (map[string]*graph.Tensor, error) {
	if len(times) < len(p.steps) {
		return nil, fmt.Errorf("%d step times for %d nodes", len(times), len(p.steps))
	}
	if err := p.load(inputs); err != nil {
		return nil, err
	}
	for i, s := range p.steps {
		if s == nil {
			times[i] = 0
			continue
		}
		t0 := time.Now()
		s()
		times[i] = time.Since(t0)
	}
	return p.vals, nil
}

// Value returns the buffer of a value (nil if unknown).
func (p *Program) Value(name string) *graph.Tensor { return p.vals[name] }

// out allocates the buffer of a node's i-th output.
func (p *Program) out(n *graph.Node, i int) *graph.Tensor {
	name, shape := n.Outputs[i], p.Shapes[n.Outputs[i]]
	var t *graph.Tensor
	if p.bufs != nil {
		t = &graph.Tensor{Shape: shape, Data: p.bufs.take(name, tensor.Numel(shape))}
		clear(t.Data) // as graph.NewTensor: a recycled buffer holds old values
	} else {
		t = graph.NewTensor(shape...)
	}
	p.vals[name] = t
	return t
}

// scratch returns a temporary buffer of n elements. Steps run one after
// another, so they share one buffer, sized for the largest request.
func (p *Program) scratch(n int) []float32 {
	if n > len(p.tmp) {
		p.tmp = make([]float32, n)
	}
	return p.tmp[:n]
}

// alias makes a node's output share its first input's data.
func (p *Program) alias(n *graph.Node) func() {
	src := p.vals[n.Inputs[0]]
	p.vals[n.Outputs[0]] = &graph.Tensor{Shape: p.Shapes[n.Outputs[0]], Data: src.Data}
	if p.bufs != nil {
		p.bufs.share(n.Outputs[0], n.Inputs[0])
	}
	return nil
}

func data(t *graph.Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.Data
}

// planner plans one node: it allocates the node's outputs and returns the
// step that computes them (nil: nothing to do at run time, e.g. a view or
// a node fused into an earlier one). source marks an operator without inputs.
type planner struct {
	plan   func(p *Program, n *graph.Node) (func(), error)
	source bool
}

// planners holds the planner of every operator type the engine runs,
// filled by the register calls next to each planner: adding an operator
// adds its planner and one register line, and no list elsewhere.
var planners = map[reflect.Type]planner{}

// register makes plan the planner of op type T (a pointer type: every
// graph.Op has pointer receivers). It returns true so that it can stand
// next to the planner as `var _ = register(...)`.
func register[T graph.Op](plan func(p *Program, n *graph.Node, op T) (func(), error)) bool {
	return add(plan, false)
}

// registerSource is register for an operator that reads no input (a
// constant).
func registerSource[T graph.Op](plan func(p *Program, n *graph.Node, op T) (func(), error)) bool {
	return add(plan, true)
}

func add[T graph.Op](plan func(p *Program, n *graph.Node, op T) (func(), error), source bool) bool {
	t := reflect.TypeFor[T]()
	if _, dup := planners[t]; dup {
		panic("engine: two planners for " + t.String())
	}
	planners[t] = planner{
		plan:   func(p *Program, n *graph.Node) (func(), error) { return plan(p, n, n.Op.(T)) },
		source: source,
	}
	return true
}

func (p *Program) plan(n *graph.Node) (func(), error) {
	pl, ok := planners[reflect.TypeOf(n.Op)]
	if len(n.Inputs) == 0 && !pl.source {
		return nil, fmt.Errorf("no input")
	}
	if !ok {
		return nil, fmt.Errorf("the engine does not support operator %s", n.Op.Kind())
	}
	return pl.plan(p, n)
}

// in is the buffer of a node's i-th input.
func (p *Program) in(n *graph.Node, i int) *graph.Tensor { return p.vals[n.Inputs[i]] }

var _ = register((*Program).planConv)

func (p *Program) planConv(n *graph.Node, op *graph.Conv) (func(), error) {
	x := p.in(n, 0)
	xs := x.Shape
	win, oh, ow, err := op.Window.Resolve(xs[2], xs[3], false)
	if err != nil {
		return nil, err
	}
	y := p.out(n, 0)
	g := Geom(xs, win, op.OutChannels, oh, ow)
	g.Groups = max(1, op.Groups)
	// Weights are packed once here; depthwise convolutions take their own
	// kernel.
	c := tensor.NewConv(data(n.Param("weight")), data(n.Param("bias")), g)
	p.convs[n.Outputs[0]] = c
	scratch := p.scratch(c.Scratch())
	return func() { c.Run(y.Data, x.Data, scratch) }, nil
}

var _ = register((*Program).planPool)

func (p *Program) planPool(n *graph.Node, op *graph.Pool) (func(), error) {
	x := p.in(n, 0)
	xs := x.Shape
	win, oh, ow, err := op.Resolve(xs[2], xs[3])
	if err != nil {
		return nil, err
	}
	y := p.out(n, 0)
	g := Geom(xs, win, xs[1], oh, ow)
	if op.Type == graph.MaxPool {
		return func() { tensor.MaxPool2D(y.Data, x.Data, nil, g) }, nil
	}
	inclPad := op.CountIncludePad
	pb, pr := win.Pads[2], win.Pads[3]
	return func() { tensor.AvgPool2D(y.Data, x.Data, g, inclPad, pb, pr) }, nil
}

var _ = register((*Program).planActivation)

func (p *Program) planActivation(n *graph.Node, op *graph.Activation) (func(), error) {
	f, alpha, beta, ok := Activation(op)
	if !ok {
		return nil, fmt.Errorf("the engine has no activation %q", op.Func)
	}
	if c := p.convs[n.Inputs[0]]; c != nil && p.bufs != nil && p.bufs.fusesInPlace(n.Inputs[0]) {
		// Only the activation is needed: the convolution overwrites its
		// output with it, tile by tile.
		delete(p.convs, n.Inputs[0])
		x := p.in(n, 0)
		p.vals[n.Outputs[0]] = &graph.Tensor{Shape: p.Shapes[n.Outputs[0]], Data: x.Data}
		p.bufs.share(n.Outputs[0], n.Inputs[0])
		c.Fuse(x.Data, f, alpha, beta, false)
		return nil, nil
	}
	x, y := p.in(n, 0), p.out(n, 0)
	if c := p.convs[n.Inputs[0]]; c != nil {
		// The convolution writes both its output and this activation,
		// part by part while each is in cache (the Explainer shows both).
		delete(p.convs, n.Inputs[0])
		c.Fuse(y.Data, f, alpha, beta, p.readers[n.Inputs[0]] == 1)
		return nil, nil
	}
	return func() { tensor.Apply(y.Data, x.Data, f, alpha, beta) }, nil
}

var _ = register((*Program).planSoftmax)

func (p *Program) planSoftmax(n *graph.Node, op *graph.Softmax) (func(), error) {
	x := p.in(n, 0)
	xs := x.Shape
	axis, err := graph.NormAxis(op.Axis, len(xs))
	if err != nil {
		return nil, err
	}
	outer, inner := tensor.Numel(xs[:axis]), tensor.Numel(xs[axis+1:])
	y, log := p.out(n, 0), op.Log
	return func() { tensor.Softmax(y.Data, x.Data, outer, xs[axis], inner, log) }, nil
}

var _ = register((*Program).planFlatten)

func (p *Program) planFlatten(n *graph.Node, op *graph.Flatten) (func(), error) {
	if !op.ChannelsLast {
		return p.alias(n), nil
	}
	x := p.in(n, 0)
	xs := x.Shape
	y := p.out(n, 0)
	return func() { tensor.ToChannelsLast(y.Data, x.Data, xs[0], xs[1], xs[2], xs[3]) }, nil
}

var _ = register((*Program).planDense)

func (p *Program) planDense(n *graph.Node, op *graph.Dense) (func(), error) {
	x := p.in(n, 0)
	xs := x.Shape
	y := p.out(n, 0)
	in := tensor.Numel(xs[1:])
	w, b := data(n.Param("weight")), data(n.Param("bias"))
	return func() { tensor.DenseFast(y.Data, x.Data, w, b, xs[0], in, op.Units) }, nil
}

var _ = register((*Program).planBatchNorm)

func (p *Program) planBatchNorm(n *graph.Node, op *graph.BatchNorm) (func(), error) {
	x := p.in(n, 0)
	xs := x.Shape
	y := p.out(n, 0)
	plane := tensor.Numel(xs[2:])
	s, b, m, v := data(n.Param("scale")), data(n.Param("bias")), data(n.Param("mean")), data(n.Param("var"))
	// Without the affine part (Caffe BatchNorm) or a part of it (Keras
	// scale: false, center: false): scale 1, bias 0.
	if s == nil {
		s = make([]float32, xs[1])
		for i := range s {
			s[i] = 1
		}
	}
	if b == nil {
		b = make([]float32, xs[1])
	}
	return func() { tensor.BatchNorm(y.Data, x.Data, s, b, m, v, xs[0], xs[1], plane, op.Epsilon) }, nil
}

var _ = register((*Program).planLRN)

func (p *Program) planLRN(n *graph.Node, op *graph.LRN) (func(), error) {
	x := p.in(n, 0)
	xs := x.Shape
	y := p.out(n, 0)
	plane := tensor.Numel(xs[2:])
	return func() {
		tensor.LRN(y.Data, x.Data, xs[0], xs[1], plane, op.Size, op.Alpha, op.Beta, op.Bias)
	}, nil
}

var _ = register((*Program).planConcat)

func (p *Program) planConcat(n *graph.Node, op *graph.Concat) (func(), error) {
	xs := p.in(n, 0).Shape
	y := p.out(n, 0)
	axis, err := graph.NormAxis(op.Axis, len(xs))
	if err != nil {
		return nil, err
	}
	outer, inner := tensor.Numel(xs[:axis]), tensor.Numel(xs[axis+1:])
	srcs := make([][]float32, len(n.Inputs))
	sizes := make([]int, len(n.Inputs))
	for i, name := range n.Inputs {
		t := p.vals[name]
		srcs[i], sizes[i] = t.Data, t.Shape[axis]*inner
	}
	return func() { tensor.Concat(y.Data, srcs, outer, sizes) }, nil
}

// Views: the output shares the input's data.
var (
	_ = register(func(p *Program, n *graph.Node, _ *graph.Dropout) (func(), error) { return p.alias(n), nil })
	_ = register(func(p *Program, n *graph.Node, _ *graph.Identity) (func(), error) { return p.alias(n), nil })
	_ = register(func(p *Program, n *graph.Node, _ *graph.Reshape) (func(), error) { return p.alias(n), nil })
)

var _ = register((*Program).planPower)

func (p *Program) planPower(n *graph.Node, op *graph.Power) (func(), error) {
	x, y := p.in(n, 0), p.out(n, 0)
	return func() { tensor.Power(y.Data, x.Data, op.Exponent, op.Scale, op.Shift) }, nil
}

// Activation maps an activation node to its tensor kernel and parameters
// (the training code uses the same mapping for its forward pass).
func Activation(op *graph.Activation) (f tensor.Activation, alpha, beta float32, ok bool) {
	f, ok = activations[op.Func]
	alpha, beta = op.Alpha, op.Beta
	if op.Func == graph.Relu6 {
		alpha, beta = 0, 6
	}
	return f, alpha, beta, ok
}

var activations = map[graph.ActFunc]tensor.Activation{
	graph.Relu:        tensor.ActRelu,
	graph.LeakyRelu:   tensor.ActLeakyRelu,
	graph.Sigmoid:     tensor.ActSigmoid,
	graph.Tanh:        tensor.ActTanh,
	graph.Elu:         tensor.ActElu,
	graph.Selu:        tensor.ActSelu,
	graph.Clip:        tensor.ActClip,
	graph.Relu6:       tensor.ActClip,
	graph.Softplus:    tensor.ActSoftplus,
	graph.HardSigmoid: tensor.ActHardSigmoid,
	graph.HardSwish:   tensor.ActHardSwish,
	graph.Gelu:        tensor.ActGelu,
	graph.GeluTanh:    tensor.ActGeluTanh,
	graph.Mish:        tensor.ActMish,
	graph.Swish:       tensor.ActSwish,
	graph.Softsign:    tensor.ActSoftsign,
	graph.Exp:         tensor.ActExp,
	graph.Log:         tensor.ActLog,
	graph.Abs:         tensor.ActAbs,
	graph.Erf:         tensor.ActErf,
}

var binaries = map[graph.EltwiseKind]tensor.Binary{
	graph.EltAdd: tensor.BinAdd, graph.EltSub: tensor.BinSub, graph.EltMul: tensor.BinMul,
	graph.EltDiv: tensor.BinDiv, graph.EltMax: tensor.BinMax, graph.EltMin: tensor.BinMin,
}

var _ = register((*Program).planEltwise)

func (p *Program) planEltwise(n *graph.Node, op *graph.Eltwise) (func(), error) {
	bin, ok := binaries[op.Type]
	if !ok {
		return nil, fmt.Errorf("the engine has no element-wise %q", op.Type)
	}
	if step, ok := p.fuseResidual(n, op); ok {
		return step, nil
	}
	y := p.out(n, 0)
	ins := make([]*graph.Tensor, len(n.Inputs))
	for i, name := range n.Inputs {
		ins[i] = p.vals[name]
	}
	coef := func(i int) float32 {
		if len(op.Coeffs) == 0 {
			return 1
		}
		return op.Coeffs[i]
	}
	if len(ins) == 1 {
		c := coef(0)
		return func() {
			for i, v := range ins[0].Data {
				y.Data[i] = c * v
			}
		}, nil
	}
	return func() {
		tensor.Broadcast(y.Data, ins[0].Data, ins[0].Shape, ins[1].Data, ins[1].Shape, y.Shape, bin, coef(0), coef(1))
		for i := 2; i < len(ins); i++ {
			tensor.Broadcast(y.Data, y.Data, y.Shape, ins[i].Data, ins[i].Shape, y.Shape, bin, 1, coef(i))
		}
	}, nil
}

// Geom is the kernel geometry of a resolved window over an NCHW input
// of shape xs producing oc×oh×ow (one group; set Groups for grouped
// convolutions).
func Geom(xs []int, w graph.Window, oc, oh, ow int) tensor.ConvGeom {
	return tensor.ConvGeom{
		N: xs[0], C: xs[1], H: xs[2], W: xs[3],
		OC: oc, OH: oh, OW: ow,
		KH: w.Kernel[0], KW: w.Kernel[1],
		SH: w.Stride[0], SW: w.Stride[1],
		DH: w.Dilation[0], DW: w.Dilation[1],
		PadT: w.Pads[0], PadL: w.Pads[1],
		Groups: 1,
	}
}

// fuseResidual fuses an add of two same-shape values, one of them a
// convolution's output, into that convolution (a residual connection):
// the convolution adds the other value to each part of its output while it
// is in cache. Compile keeps the convolution's output and the sum;
// CompileFinal writes the sum over the convolution's output when the add
// is its only reader. An activation reading the sum is then fused as well.
// The other value must be computed before the convolution runs.
func (p *Program) fuseResidual(n *graph.Node, op *graph.Eltwise) (func(), bool) {
	if op.Type != graph.EltAdd || len(n.Inputs) != 2 || n.Inputs[0] == n.Inputs[1] {
		return nil, false
	}
	for _, c := range op.Coeffs {
		if c != 1 {
			return nil, false
		}
	}
	out := p.Shapes[n.Outputs[0]]
	conv, skip := "", ""
	for i, in := range n.Inputs {
		other := n.Inputs[1-i]
		at, ok := p.made[other]
		if p.convs[in] == nil || p.convs[in].Fused() || ok && at > p.made[in] || !graph.Shape(p.vals[in].Shape).Equal(out) ||
			!graph.Shape(p.vals[other].Shape).Equal(out) {
			continue
		}
		if conv == "" || p.made[in] > p.made[conv] {
			conv, skip = in, other
		}
	}
	if conv == "" {
		return nil, false
	}
	c, x := p.convs[conv], p.vals[conv]
	if p.bufs != nil && p.bufs.fusesInPlace(conv) {
		c.Residual(p.vals[skip].Data, nil)
		p.vals[n.Outputs[0]] = &graph.Tensor{Shape: out, Data: x.Data}
		p.bufs.share(n.Outputs[0], conv)
	} else {
		c.Residual(p.vals[skip].Data, p.out(n, 0).Data)
	}
	delete(p.convs, conv)
	p.convs[n.Outputs[0]] = c
	return nil, true
}

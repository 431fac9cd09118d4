package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/convscope/convscope/internal/graph"
)

// Options configure a Net's execution.
type Options struct {
	// Workers is the number of goroutines a layer's work is spread over
	// (default runtime.GOMAXPROCS(0)). It does not change results.
	Workers int
	// Shards is the number of parts a batch is cut into for gradient
	// accumulation (default 8). Results are bit-identical for the same
	// Shards whatever Workers is.
	Shards int
	// BNMomentum is the weight of the old running statistics of BatchNorm
	// (default 0.9).
	BNMomentum float64
	// Seed drives Dropout masks.
	Seed uint64

	// InputGrad makes the graph input carry a gradient ([Net.InputGrad]):
	// attribution maps are gradients with respect to the input image.
	InputGrad bool
	// Frozen computes no parameter gradients: Backward and BackwardLogits
	// then only propagate gradients to the values that depend on the input
	// (with InputGrad), and no memory is allocated for parameter gradients.
	// A frozen Net cannot train (Params carry no Grad).
	Frozen bool
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Shards <= 0 {
		o.Shards = 8
	}
	if o.BNMomentum <= 0 || o.BNMomentum >= 1 {
		o.BNMomentum = 0.9
	}
	return o
}

// value is one graph value: a buffer for the largest batch and its gradient.
type value struct {
	name     string
	shape    graph.Shape // per image
	per      int         // elements per image
	data     []float32
	grad     []float32
	needGrad bool
	aliasOf  *value // shares data and grad with another value
	producer int    // index of the producing layer, −1 for the input
}

func (v *value) img(i int) []float32  { return v.data[i*v.per : (i+1)*v.per] }
func (v *value) gimg(i int) []float32 { return v.grad[i*v.per : (i+1)*v.per] }

// Param is a learnable parameter of the graph and its gradient.
type Param struct {
	Node, Name string
	T          *graph.Tensor // the graph's tensor, trained in place
	Grad       []float32     // gradient of the mean batch loss, after a step
	// Decay says whether weight decay applies (Conv and Dense weights).
	Decay bool
	shard [][]float32
}

// layer is the training-time implementation of one node.
type layer interface {
	forward()
	backward()
}

// workspace is one worker's scratch memory.
type workspace struct {
	cols, dcols []float32
	dwT         []float32
	f64         []float64
	pcg         *rand.PCG
	rng         *rand.Rand
}

// Net is a graph prepared for training and batched inference.
type Net struct {
	Graph *graph.Graph
	opt   Options
	max   int // largest batch

	vals   map[string]*value
	list   []*value
	layers []layer
	lnodes []*graph.Node
	params []*Param

	in, out *value
	logits  *value // input of the loss
	classes int

	ws      []*workspace
	colsLen int
	dwLen   int
	f64Len  int

	n        int  // images in the current batch
	training bool // mode of the last forward pass
	step     uint64

	shardLoss    []float64
	shardCorrect []int
}

// New prepares g for batches of up to batch images. The graph must have
// one input and one output; every operator must be one the engine runs.
func New(g *graph.Graph, batch int, opt Options) (*Net, error) {
	if batch <= 0 {
		return nil, fmt.Errorf("batch size %d must be positive", batch)
	}
	if len(g.Inputs) != 1 || len(g.Outputs) != 1 {
		return nil, fmt.Errorf("training needs a model with one input and one output, got %d and %d", len(g.Inputs), len(g.Outputs))
	}
	shapes, err := g.InferShapes(batch)
	if err != nil {
		return nil, err
	}
	if err := g.HasWeights(shapes); err != nil {
		return nil, err
	}
	opt = opt.withDefaults()
	nt := &Net{Graph: g, opt: opt, max: batch, vals: map[string]*value{}}
	nt.in = nt.newValue(g.Inputs[0].Name, shapes[g.Inputs[0].Name], -1)
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if s := shapes[o]; len(s) == 0 || s[0] != batch {
				return nil, graph.NodeErrorf(n.Name, "node %q (%s): output %q of shape %v does not keep the batch dimension first", n.Name, n.Type, o, s)
			}
		}
		l, err := nt.build(n, shapes)
		if err != nil {
			return nil, graph.NodeErrorf(n.Name, "node %q (%s): %w", n.Name, n.Type, err)
		}
		nt.layers = append(nt.layers, l)
		nt.lnodes = append(nt.lnodes, n)
	}
	nt.out = nt.vals[g.Outputs[0]]
	if err := nt.setupLoss(); err != nil {
		return nil, err
	}
	nt.allocGrads()
	nt.ws = make([]*workspace, opt.Workers)
	for i := range nt.ws {
		pcg := rand.NewPCG(0, 0)
		nt.ws[i] = &workspace{cols: make([]float32, nt.colsLen), dcols: make([]float32, nt.colsLen), dwT: make([]float32, nt.dwLen),
			f64: make([]float64, nt.f64Len), pcg: pcg, rng: rand.New(pcg)}
	}
	nt.shardLoss = make([]float64, opt.Shards)
	nt.shardCorrect = make([]int, opt.Shards)
	return nt, nil
}

// newValue creates the buffer of a value of full shape s (batch first).
func (nt *Net) newValue(name string, s graph.Shape, producer int) *value {
	v := &value{name: name, shape: s.PerImage(), per: s.PerImage().Elems(), producer: producer}
	v.data = make([]float32, nt.max*v.per)
	nt.vals[name] = v
	nt.list = append(nt.list, v)
	return v
}

// aliasValue creates a value that shares src's memory.
func (nt *Net) aliasValue(name string, s graph.Shape, src *value) *value {
	v := &value{name: name, shape: s.PerImage(), per: src.per, data: src.data, aliasOf: src, producer: len(nt.layers)}
	nt.vals[name] = v
	nt.list = append(nt.list, v)
	return v
}

// newParam registers a node parameter (nil when absent).
func (nt *Net) newParam(n *graph.Node, name string, decay bool) *Param {
	t := n.Param(name)
	if t == nil {
		return nil
	}
	p := &Param{Node: n.Name, Name: name, T: t, Decay: decay}
	if nt.opt.Frozen {
		nt.params = append(nt.params, p)
		return p
	}
	p.Grad = make([]float32, len(t.Data))
	p.shard = make([][]float32, nt.opt.Shards)
	for i := range p.shard {
		p.shard[i] = make([]float32, len(t.Data))
	}
	nt.params = append(nt.params, p)
	return p
}

// setupLoss finds the logits: the input of a final Softmax/LogSoftmax over
// the classes, or the output itself.
func (nt *Net) setupLoss() error {
	nt.logits = nt.out
	if nt.out.producer >= 0 {
		if sm, ok := nt.layers[nt.out.producer].(*softmaxLayer); ok && sm.axis == 0 && sm.inner == 1 && sm.outer == 1 {
			sm.fused = true
			nt.logits = sm.x
		}
	}
	// A model whose output is not a vector of class scores can run and
	// back-propagate a given gradient, but has no loss (classes = 0).
	if s := nt.logits.shape; len(s) > 0 && s.Elems() == s[0] {
		nt.classes = s[0]
	}
	return nil
}

// allocGrads decides which values need a gradient (those a parameter
// depends on) and allocates their buffers.
func (nt *Net) allocGrads() {
	hasParams := make([]bool, len(nt.layers))
	for _, p := range nt.params {
		if nt.opt.Frozen {
			break
		}
		for i, n := range nt.lnodes {
			if n.Name == p.Node {
				hasParams[i] = true
			}
		}
	}
	nt.in.needGrad = nt.opt.InputGrad
	for _, v := range nt.list {
		if v.producer < 0 {
			continue
		}
		n := nt.lnodes[v.producer]
		v.needGrad = hasParams[v.producer]
		for _, in := range n.Inputs {
			if nt.vals[in].needGrad {
				v.needGrad = true
			}
		}
	}
	for _, v := range nt.list {
		switch {
		case !v.needGrad:
		case v.aliasOf != nil:
			v.grad = v.aliasOf.grad
		default:
			v.grad = make([]float32, len(v.data))
		}
	}
}

// Params lists the learnable parameters in graph order.
func (nt *Net) Params() []*Param { return nt.params }

// Classes is the number of output classes.
func (nt *Net) Classes() int { return nt.classes }

// MaxBatch is the largest batch the Net was prepared for.
func (nt *Net) MaxBatch() int { return nt.max }

// InputLen is the number of input values per image.
func (nt *Net) InputLen() int { return nt.in.per }

// InputShape is the per-image input shape ([C, H, W] for images).
func (nt *Net) InputShape() graph.Shape { return append(graph.Shape(nil), nt.in.shape...) }

// Forward runs the first n images of x ([n, C, H, W], n ≤ MaxBatch) in
// training mode (batch statistics, dropout) or inference mode.
func (nt *Net) Forward(x []float32, n int, training bool) error {
	if n <= 0 || n > nt.max {
		return fmt.Errorf("batch of %d images, the net takes 1 to %d", n, nt.max)
	}
	if len(x) < n*nt.in.per {
		return fmt.Errorf("input has %d values, %d images need %d", len(x), n, n*nt.in.per)
	}
	nt.n, nt.training = n, training
	copy(nt.in.data, x[:n*nt.in.per])
	for _, l := range nt.layers {
		l.forward()
	}
	return nil
}

// Output returns the model output of the last forward pass ([n, …]).
func (nt *Net) Output() []float32 { return nt.out.data[:nt.n*nt.out.per] }

// Logits returns the scores the loss is computed from ([n, classes]).
func (nt *Net) Logits() []float32 { return nt.logits.data[:nt.n*nt.logits.per] }

// Value returns the named value of the last forward pass (nil if unknown).
func (nt *Net) Value(name string) []float32 {
	v := nt.vals[name]
	if v == nil {
		return nil
	}
	return v.data[:nt.n*v.per]
}

// Backward computes the mean cross-entropy of the last forward pass against
// labels and the gradient of every parameter (Param.Grad). It returns the
// mean loss and the number of correctly classified images.
func (nt *Net) Backward(labels []int32) (loss float64, correct int, err error) {
	if nt.opt.Frozen {
		return 0, 0, errors.New("a frozen Net computes no parameter gradients; it cannot train")
	}
	if nt.classes == 0 {
		return 0, 0, fmt.Errorf("the output %q has shape %v per image; training needs one score per class", nt.out.name, nt.out.shape)
	}
	if len(labels) < nt.n {
		return 0, 0, fmt.Errorf("%d labels for %d images", len(labels), nt.n)
	}
	for _, y := range labels[:nt.n] {
		if y < 0 || int(y) >= nt.classes {
			return 0, 0, fmt.Errorf("label %d is outside the model's %d classes", y, nt.classes)
		}
	}
	nt.zeroGrads()
	loss, correct = nt.lossGrad(labels, true)
	nt.backprop()
	return loss, correct, nil
}

// BackwardLogits back-propagates the gradient dz of the logits of the last
// forward pass (the scores the loss is computed from: the input of a final
// Softmax over the classes, else the output; n×LogitsLen values) to every
// value that carries a gradient ([Net.Grad], [Net.InputGrad]) and, unless
// Frozen, to the parameters.
func (nt *Net) BackwardLogits(dz []float32) error {
	if len(dz) < nt.n*nt.logits.per {
		return fmt.Errorf("logit gradient has %d values, %d images need %d", len(dz), nt.n, nt.n*nt.logits.per)
	}
	if nt.logits.grad == nil {
		return fmt.Errorf("the logits %q do not depend on anything that carries a gradient (set Options.InputGrad)", nt.logits.name)
	}
	nt.zeroGrads()
	copy(nt.logits.grad, dz[:nt.n*nt.logits.per])
	nt.backprop()
	return nil
}

// LogitsLen is the number of logits per image.
func (nt *Net) LogitsLen() int { return nt.logits.per }

// LogitsName names the value the logits are read from.
func (nt *Net) LogitsName() string { return nt.logits.name }

// Grad returns the gradient of the named value after the last backward
// pass ([n, …]; nil if the value is unknown or carries no gradient).
func (nt *Net) Grad(name string) []float32 {
	v := nt.vals[name]
	if v == nil || v.grad == nil {
		return nil
	}
	return v.grad[:nt.n*v.per]
}

// InputGrad returns the gradient of the graph input after the last
// backward pass (nil without Options.InputGrad).
func (nt *Net) InputGrad() []float32 { return nt.Grad(nt.in.name) }

// ValueShape returns the per-image shape of the named value (nil if
// unknown).
func (nt *Net) ValueShape(name string) graph.Shape {
	v := nt.vals[name]
	if v == nil {
		return nil
	}
	return append(graph.Shape(nil), v.shape...)
}

// backwardFrom back-propagates an arbitrary output gradient (tests).
func (nt *Net) backwardFrom(dy []float32) {
	nt.zeroGrads()
	copy(nt.out.grad, dy[:nt.n*nt.out.per])
	if nt.logits != nt.out {
		nt.layers[nt.out.producer].(*softmaxLayer).fused = false
		defer func() { nt.layers[nt.out.producer].(*softmaxLayer).fused = true }()
	}
	nt.backprop()
}

func (nt *Net) backprop() {
	for i := len(nt.layers) - 1; i >= 0; i-- {
		if nt.producesGrad(i) {
			nt.layers[i].backward()
		}
	}
	nt.reduceGrads()
}

// producesGrad reports whether layer i's output carries a gradient.
func (nt *Net) producesGrad(i int) bool {
	for _, o := range nt.lnodes[i].Outputs {
		if nt.vals[o].needGrad {
			return true
		}
	}
	return false
}

func (nt *Net) zeroGrads() {
	nt.parallel(func(_ *workspace, s int) {
		lo, hi := nt.span(s)
		for _, v := range nt.list {
			if v.grad != nil && v.aliasOf == nil {
				clear(v.grad[lo*v.per : hi*v.per])
			}
		}
		for _, p := range nt.params {
			if p.shard != nil {
				clear(p.shard[s])
			}
		}
	})
}

// reduceGrads sums the shards' parameter gradients in shard order.
func (nt *Net) reduceGrads() {
	if nt.opt.Frozen {
		return
	}
	S := nt.shards()
	parallelFor(nt.opt.Workers, len(nt.params), func(i int) {
		p := nt.params[i]
		copy(p.Grad, p.shard[0])
		for s := 1; s < S; s++ {
			for j, v := range p.shard[s] {
				p.Grad[j] += v
			}
		}
	})
}

// lossGrad computes the cross-entropy of the logits and, with grad, adds
// dL/dlogits to the logits' gradient.
func (nt *Net) lossGrad(labels []int32, grad bool) (float64, int) {
	z := nt.logits
	k := nt.classes
	inv := 1 / float64(nt.n)
	nt.parallel(func(_ *workspace, s int) {
		lo, hi := nt.span(s)
		var sum float64
		correct := 0
		for i := lo; i < hi; i++ {
			zi := z.img(i)
			best := 0
			m := zi[0]
			for c := 1; c < k; c++ {
				if zi[c] > m {
					m, best = zi[c], c
				}
			}
			if best == int(labels[i]) {
				correct++
			}
			var e float64
			for c := 0; c < k; c++ {
				e += math.Exp(float64(zi[c] - m))
			}
			lse := float64(m) + math.Log(e)
			sum += lse - float64(zi[labels[i]])
			if !grad {
				continue
			}
			gi := z.gimg(i)
			for c := 0; c < k; c++ {
				p := math.Exp(float64(zi[c]) - lse)
				if c == int(labels[i]) {
					p--
				}
				gi[c] += float32(p * inv)
			}
		}
		nt.shardLoss[s], nt.shardCorrect[s] = sum, correct
	})
	var loss float64
	correct := 0
	for s := 0; s < nt.shards(); s++ {
		loss += nt.shardLoss[s]
		correct += nt.shardCorrect[s]
	}
	return loss * inv, correct
}

// Predict returns the predicted class of each image of the last forward
// pass (first maximum of the logits).
func (nt *Net) Predict(dst []int32) []int32 {
	dst = dst[:0]
	for i := 0; i < nt.n; i++ {
		zi := nt.logits.img(i)
		best := 0
		for c := range zi {
			if zi[c] > zi[best] {
				best = c
			}
		}
		dst = append(dst, int32(best))
	}
	return dst
}

// shards is the number of shards of the current batch.
func (nt *Net) shards() int { return min(nt.opt.Shards, nt.n) }

// span returns the images [lo, hi) of shard s.
func (nt *Net) span(s int) (int, int) {
	S := nt.shards()
	return s * nt.n / S, (s + 1) * nt.n / S
}

// parallel runs fn for every shard of the current batch on the workers.
func (nt *Net) parallel(fn func(w *workspace, s int)) {
	S := nt.shards()
	W := min(nt.opt.Workers, S)
	if W <= 1 {
		for s := 0; s < S; s++ {
			fn(nt.ws[0], s)
		}
		return
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < W; w++ {
		wg.Add(1)
		go func(ws *workspace) {
			defer wg.Done()
			for {
				s := int(next.Add(1)) - 1
				if s >= S {
					return
				}
				fn(ws, s)
			}
		}(nt.ws[w])
	}
	wg.Wait()
}

// images runs fn for every image of the current batch.
func (nt *Net) images(fn func(w *workspace, s, i int)) {
	nt.parallel(func(w *workspace, s int) {
		lo, hi := nt.span(s)
		for i := lo; i < hi; i++ {
			fn(w, s, i)
		}
	})
}

// parallelFor runs fn(0…n−1) on up to workers goroutines.
func parallelFor(workers, n int, fn func(i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

var errUnsupported = errors.New("training does not support this operator")

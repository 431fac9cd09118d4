package caffe

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/convscope/convscope/internal/graph"
)

// maxDim bounds every size read from a file (dimensions, kernel sizes,
// strides, pads, output counts) so that no later arithmetic can overflow.
const maxDim = 1 << 30

// layer is one layer of either syntax: LayerParameter (`layer {}`) or the
// legacy V1LayerParameter (`layers {}`), whose parameters are copied into
// an equivalent LayerParameter.
type layer struct {
	index   int    // position in the file (within its syntax)
	name    string // as written
	typ     string // as written; the lower-case enum name for V1 layers
	kind    string // typ in lower case without underscores
	bottoms []string
	tops    []string
	p       *LayerParameter
	blobs   []*BlobProto
	include []*NetStateRule
	exclude []*NetStateRule

	bottomSet map[string]bool // built by reads for layers with many bottoms
}

// reads reports whether blob is one of the layer's bottoms.
func (l *layer) reads(blob string) bool {
	if len(l.bottoms) < 8 {
		return slices.Contains(l.bottoms, blob)
	}
	if l.bottomSet == nil {
		l.bottomSet = make(map[string]bool, len(l.bottoms))
		for _, x := range l.bottoms {
			l.bottomSet[x] = true
		}
	}
	return l.bottomSet[blob]
}

// kindOf normalises a layer type so that "InnerProduct", "INNER_PRODUCT"
// and "inner_product" compare equal.
func kindOf(t string) string {
	return strings.ReplaceAll(strings.ToLower(t), "_", "")
}

func fromV2(i int, l *LayerParameter) *layer {
	return &layer{
		index: i, name: l.GetName(), typ: l.GetType(), kind: kindOf(l.GetType()),
		bottoms: l.Bottom, tops: l.Top, p: l, blobs: l.Blobs,
		include: l.Include, exclude: l.Exclude,
	}
}

func fromV1(i int, l *V1LayerParameter) *layer {
	t := strings.ToLower(l.GetType().String())
	if l.Type == nil {
		t = ""
	}
	p := &LayerParameter{
		Name: l.Name, Bottom: l.Bottom, Top: l.Top, Blobs: l.Blobs,
		ConcatParam: l.ConcatParam, ConvolutionParam: l.ConvolutionParam,
		DataParam: l.DataParam, DropoutParam: l.DropoutParam,
		DummyDataParam: l.DummyDataParam, EltwiseParam: l.EltwiseParam,
		ImageDataParam: l.ImageDataParam, InnerProductParam: l.InnerProductParam,
		LrnParam: l.LrnParam, MemoryDataParam: l.MemoryDataParam,
		PoolingParam: l.PoolingParam, PowerParam: l.PowerParam,
		ReluParam: l.ReluParam, SigmoidParam: l.SigmoidParam,
		SoftmaxParam: l.SoftmaxParam, SliceParam: l.SliceParam,
		TanhParam: l.TanhParam, WindowDataParam: l.WindowDataParam,
		TransformParam: l.TransformParam,
	}
	return &layer{
		index: i, name: l.GetName(), typ: t, kind: kindOf(t),
		bottoms: l.Bottom, tops: l.Top, p: p, blobs: l.Blobs,
		include: l.Include, exclude: l.Exclude,
	}
}

// Layer kinds by role.
var (
	// inputKinds produce graph inputs.
	inputKinds = map[string]bool{
		"input": true, "data": true, "imagedata": true, "memorydata": true,
		"hdf5data": true, "dummydata": true, "windowdata": true,
		"annotateddata": true,
	}
	// evalKinds need labels or produce nothing a deploy net uses; they are
	// dropped (every kind ending in "loss" is too, except softmax losses).
	evalKinds = map[string]bool{"accuracy": true, "silence": true, "hdf5output": true}
)

func isSoftmaxLoss(kind string) bool { return kind == "softmaxwithloss" || kind == "softmaxloss" }

func isDropped(kind string) bool {
	return evalKinds[kind] || (strings.HasSuffix(kind, "loss") && !isSoftmaxLoss(kind))
}

// The deploy state: phase TEST, level 0, stage "deploy" (DIGITS-style
// networks select their deploy layers by that stage).
var (
	statePhase  = Phase_TEST
	stateLevel  = int32(0)
	stateStages = []string{"deploy"}
)

// meetsRule is Caffe's Net::StateMeetsRule for the deploy state.
func meetsRule(r *NetStateRule) bool {
	if r.Phase != nil && r.GetPhase() != statePhase {
		return false
	}
	if r.MinLevel != nil && stateLevel < r.GetMinLevel() {
		return false
	}
	if r.MaxLevel != nil && stateLevel > r.GetMaxLevel() {
		return false
	}
	for _, s := range r.Stage {
		if !slices.Contains(stateStages, s) {
			return false
		}
	}
	for _, s := range r.NotStage {
		if slices.Contains(stateStages, s) {
			return false
		}
	}
	return true
}

// included is Caffe's Net::FilterNet rule for one layer.
func (l *layer) included() bool {
	if len(l.include) > 0 {
		for _, r := range l.include {
			if meetsRule(r) {
				return true
			}
		}
		return false
	}
	for _, r := range l.exclude {
		if meetsRule(r) {
			return false
		}
	}
	return true
}

type builder struct {
	def    *NetParameter
	g      *graph.Graph
	layers []*layer // the deploy layers in order

	blobNames map[string]bool   // every blob name of the file (reserved)
	cur       map[string]string // blob → value holding its latest version
	producer  map[string]string // blob → layer that produced it
	used      *graph.Names      // value names taken
	nodeNames *graph.Names
	later     map[string]bool // blobs that some kept layer produces
	nodeOf    map[*layer]*graph.Node
	inputOf   map[string]int // input value → index in g.Inputs
	consumed  map[string]bool
	order     []string // values in production order
}

func newBuilder(def *NetParameter) *builder {
	return &builder{
		def: def, g: &graph.Graph{Name: def.GetName()},
		blobNames: map[string]bool{}, cur: map[string]string{}, producer: map[string]string{},
		used: graph.NewNames("#"), nodeNames: graph.NewNames("#"), later: map[string]bool{},
		nodeOf: map[*layer]*graph.Node{}, inputOf: map[string]int{}, consumed: map[string]bool{},
	}
}

// selectLayers applies the phase rules and the deploy conversions, and
// orders the layers of a file that mixes both syntaxes.
func (b *builder) selectLayers() []*layer {
	var v2, v1 []*layer
	for i, l := range b.def.Layer {
		v2 = append(v2, fromV2(i, l))
	}
	for i, l := range b.def.Layers {
		v1 = append(v1, fromV1(i, l))
	}
	pick := func(all []*layer) (kept []*layer, excluded map[*layer]bool) {
		excluded = map[*layer]bool{}
		for _, l := range all {
			if l.included() {
				kept = append(kept, l)
			} else {
				excluded[l] = true
			}
		}
		return kept, excluded
	}
	k2, x2 := pick(v2)
	k1, x1 := pick(v1)
	excluded := x2
	for l := range x1 {
		excluded[l] = true
	}
	all := merge(v2, v1, b.def.Input)
	kept := merge(k2, k1, b.def.Input)

	// Revive layers the rules left out but a deploy net needs: a data layer
	// for an input blob nothing else defines (a file whose only data layer
	// is for TRAIN), and a softmax loss as the network's softmax when no
	// kept layer applies a softmax to the same blob (nin: its loss is
	// TRAIN-only and its TEST head is an Accuracy layer).
	produced := map[string]bool{}
	read := map[string]bool{}
	for _, in := range b.def.Input {
		produced[in] = true
	}
	softmaxed := map[string]bool{}
	for _, l := range kept {
		for _, t := range l.tops {
			produced[t] = true
		}
		if !isDropped(l.kind) && !evalKinds[l.kind] {
			n := len(l.bottoms)
			if isSoftmaxLoss(l.kind) {
				n = min(n, 1)
			}
			for _, x := range l.bottoms[:n] {
				read[x] = true
			}
		}
		if (l.kind == "softmax" || isSoftmaxLoss(l.kind)) && len(l.bottoms) > 0 {
			softmaxed[l.bottoms[0]] = true
		}
	}
	revived := map[*layer]bool{}
	for _, l := range all {
		if !excluded[l] {
			continue
		}
		switch {
		case inputKinds[l.kind] && len(l.tops) > 0 && !produced[l.tops[0]] && read[l.tops[0]]:
			revived[l] = true
			for _, t := range l.tops {
				produced[t] = true
			}
		case isSoftmaxLoss(l.kind) && len(l.bottoms) > 0 && produced[l.bottoms[0]] && !softmaxed[l.bottoms[0]]:
			revived[l] = true
			softmaxed[l.bottoms[0]] = true
		}
	}
	var out []*layer
	for _, l := range all {
		if (excluded[l] && !revived[l]) || isDropped(l.kind) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// merge interleaves the layers of the two syntaxes (Caffe rejects files
// that mix them; Netscope presets do it) so that, where possible, every
// layer comes after the producers of its bottoms. Files of one syntax keep
// their order.
func merge(a, c []*layer, inputs []string) []*layer {
	if len(a) == 0 || len(c) == 0 {
		return append(append([]*layer(nil), a...), c...)
	}
	avail := map[string]bool{}
	for _, in := range inputs {
		avail[in] = true
	}
	ready := func(l *layer) bool {
		for _, x := range l.bottoms {
			if !avail[x] {
				return false
			}
		}
		return true
	}
	out := make([]*layer, 0, len(a)+len(c))
	for len(a) > 0 || len(c) > 0 {
		var l *layer
		switch {
		case len(c) == 0 || (len(a) > 0 && ready(a[0])):
			l, a = a[0], a[1:]
		case len(a) == 0 || ready(c[0]):
			l, c = c[0], c[1:]
		default:
			l, a = a[0], a[1:]
		}
		for _, t := range l.tops {
			avail[t] = true
		}
		out = append(out, l)
	}
	return out
}

func (b *builder) build() error {
	if n := len(b.def.Layer) + len(b.def.Layers); n > graph.DefaultLimits.MaxNodes {
		return fmt.Errorf("the network has %d layers, more than the limit of %d", n, graph.DefaultLimits.MaxNodes)
	}
	if len(b.def.Input) > graph.DefaultLimits.MaxNodes {
		return fmt.Errorf("the network has %d inputs, more than the limit of %d", len(b.def.Input), graph.DefaultLimits.MaxNodes)
	}
	b.layers = b.selectLayers()
	for _, in := range b.def.Input {
		b.blobNames[in] = true
	}
	for _, l := range b.layers {
		for _, t := range l.tops {
			b.blobNames[t] = true
			b.later[t] = true
		}
	}
	if err := b.declaredInputs(); err != nil {
		return err
	}
	// Input layers first declare their blobs, so that a top read before its
	// layer in a file that mixes syntaxes still resolves.
	for i, l := range b.layers {
		if l.name == "" {
			l.name = fmt.Sprintf("%s_%d", l.typ, i)
		}
		if inputKinds[l.kind] {
			if err := b.inputLayer(l); err != nil {
				return graph.NodeErrorf(l.name, "layer %q (%s): %w", l.name, l.typ, err)
			}
		}
	}
	for _, l := range b.layers {
		if inputKinds[l.kind] {
			continue
		}
		if err := b.addLayer(l); err != nil {
			return graph.NodeErrorf(l.name, "layer %q (%s): %w", l.name, l.typ, err)
		}
	}
	// Extra tops of data layers (labels) become inputs only when a deploy
	// layer reads them.
	inputs := b.g.Inputs[:0]
	for _, in := range b.g.Inputs {
		if in.Shape == nil {
			if !b.consumed[in.Name] {
				continue
			}
			in.Shape = graph.Shape{-1}
		}
		inputs = append(inputs, in)
	}
	b.g.Inputs = inputs
	if len(b.g.Inputs) == 0 {
		return fmt.Errorf("the network declares no input (no input field and no Input or Data layer)")
	}
	for _, v := range b.order {
		if !b.consumed[v] {
			b.g.Outputs = append(b.g.Outputs, v)
		}
	}
	return nil
}

// addInput declares a graph input for blob name. A nil shape marks a label
// top that is declared only if something reads it.
func (b *builder) addInput(name, layerName string, shape graph.Shape) error {
	if p, dup := b.producer[name]; dup {
		return fmt.Errorf("blob %q is produced by both %s and %s", name, p, describe(layerName))
	}
	b.producer[name] = describe(layerName)
	b.cur[name] = name
	b.used.Add(name)
	b.inputOf[name] = len(b.g.Inputs)
	b.g.Inputs = append(b.g.Inputs, graph.Value{Name: name, Shape: shape})
	return nil
}

func describe(layerName string) string {
	if layerName == "" {
		return "the input field"
	}
	return fmt.Sprintf("layer %q", layerName)
}

// declaredInputs reads NetParameter input with input_shape or input_dim.
func (b *builder) declaredInputs() error {
	def := b.def
	if len(def.InputDim) > 0 && len(def.InputDim) != 4*len(def.Input) {
		return fmt.Errorf("input_dim has %d values for %d input(s); it needs 4 per input", len(def.InputDim), len(def.Input))
	}
	if len(def.InputShape) > 0 && len(def.InputShape) != len(def.Input) && len(def.InputShape) != 1 {
		return fmt.Errorf("input_shape is given %d times for %d input(s)", len(def.InputShape), len(def.Input))
	}
	for i, name := range def.Input {
		var dims []int64
		switch {
		case len(def.InputShape) == 1:
			dims = def.InputShape[0].Dim
		case len(def.InputShape) > i:
			dims = def.InputShape[i].Dim
		case len(def.InputDim) > 0:
			for _, d := range def.InputDim[4*i : 4*i+4] {
				dims = append(dims, int64(d))
			}
		}
		shape, err := inputShape(dims)
		if err != nil {
			return fmt.Errorf("input %q: %w", name, err)
		}
		if err := b.addInput(name, "", shape); err != nil {
			return err
		}
	}
	return nil
}

// unknownImage is the shape of an input whose size the file does not give:
// any batch, sizes unknown (-1, to be given by the user, e.g. convscope
// analyze --input C,H,W).
var unknownImage = graph.Shape{-1, -1, -1, -1}

// inputShape converts a declared shape: the batch becomes dynamic (-1),
// 0 means unknown, negative sizes are errors.
func inputShape(dims []int64) (graph.Shape, error) {
	if len(dims) == 0 {
		return unknownImage, nil
	}
	if len(dims) > 8 {
		return nil, fmt.Errorf("shape %v has more than 8 dimensions", dims)
	}
	s := make(graph.Shape, len(dims))
	for i, d := range dims {
		if d < 0 && !(i == 0 && d == -1) {
			return nil, fmt.Errorf("shape %v has a negative dimension", dims)
		}
		if d > maxDim {
			return nil, fmt.Errorf("shape %v has a dimension over %d", dims, maxDim)
		}
		s[i] = int(d)
		if d == 0 {
			s[i] = -1 // Caffe writes 0 for a size it does not know
		}
	}
	s[0] = -1
	return s, nil
}

// inputLayer declares the blobs of an Input or data layer as graph inputs.
func (b *builder) inputLayer(l *layer) error {
	if len(l.bottoms) > 0 {
		return fmt.Errorf("a data layer takes no bottom, got %v", l.bottoms)
	}
	if len(l.tops) == 0 {
		return fmt.Errorf("the layer has no top")
	}
	p := l.p
	shapes := make([]graph.Shape, len(l.tops))
	var err error
	switch {
	case len(p.GetInputParam().GetShape()) > 0: // Input (and Netscope's "data" with input_param)
		ss := p.GetInputParam().GetShape()
		if len(ss) != 1 && len(ss) != len(l.tops) {
			return fmt.Errorf("input_param has %d shapes for %d tops", len(ss), len(l.tops))
		}
		for i := range l.tops {
			if shapes[i], err = inputShape(ss[min(i, len(ss)-1)].Dim); err != nil {
				return fmt.Errorf("top %q: %w", l.tops[i], err)
			}
		}
	case l.kind == "dummydata":
		dp := p.GetDummyDataParam()
		for i := range l.tops {
			var dims []int64
			if len(dp.GetShape()) > 0 {
				dims = dp.GetShape()[min(i, len(dp.GetShape())-1)].Dim
			} else if len(dp.GetChannels()) > 0 {
				pick := func(v []uint32) int64 {
					if len(v) == 0 {
						return 0
					}
					return int64(v[min(i, len(v)-1)])
				}
				dims = []int64{pick(dp.GetNum()), pick(dp.GetChannels()), pick(dp.GetHeight()), pick(dp.GetWidth())}
			}
			if shapes[i], err = inputShape(dims); err != nil {
				return fmt.Errorf("top %q: %w", l.tops[i], err)
			}
		}
	case l.kind == "memorydata":
		m := p.GetMemoryDataParam()
		if shapes[0], err = inputShape([]int64{-1, int64(m.GetChannels()), int64(m.GetHeight()), int64(m.GetWidth())}); err != nil {
			return err
		}
	default: // Data, ImageData, WindowData, HDF5Data, AnnotatedData
		c, h, w := int64(3), int64(0), int64(0)
		crop := int64(p.GetTransformParam().GetCropSize())
		if crop == 0 {
			crop = int64(max(p.GetDataParam().GetCropSize(), p.GetImageDataParam().GetCropSize(), p.GetWindowDataParam().GetCropSize()))
		}
		if l.kind == "imagedata" {
			if !p.GetImageDataParam().GetIsColor() {
				c = 1
			}
			h, w = int64(p.GetImageDataParam().GetNewHeight()), int64(p.GetImageDataParam().GetNewWidth())
		}
		if crop > 0 {
			h, w = crop, crop
		}
		if l.kind == "hdf5data" {
			c = 0
		}
		if shapes[0], err = inputShape([]int64{-1, c, h, w}); err != nil {
			return err
		}
	}
	for i, t := range l.tops {
		if err := b.addInput(t, l.name, shapes[i]); err != nil {
			return err
		}
	}
	return nil
}

// resolve returns the value a layer reads for a bottom blob.
func (b *builder) resolve(l *layer, blob string) (string, error) {
	if v, ok := b.cur[blob]; ok {
		return v, nil
	}
	if b.later[blob] {
		// Read before it is produced: the first version keeps the blob's
		// name; graph.Validate orders the layers or reports a cycle.
		return blob, nil
	}
	return "", fmt.Errorf("bottom %q is not produced by any layer or input", blob)
}

// output names the value a layer writes for a top blob: the blob's name for
// its first version; for an in-place layer (top == bottom) a new value named
// after the layer, so that the IR stays in SSA form.
func (b *builder) output(l *layer, top string, node string) (string, error) {
	if _, ok := b.cur[top]; !ok {
		if b.used.Has(top) {
			return "", fmt.Errorf("top %q is produced more than once", top)
		}
		b.used.Add(top)
		b.cur[top] = top
		b.producer[top] = describe(l.name)
		b.order = append(b.order, top)
		return top, nil
	}
	if !l.reads(top) {
		return "", fmt.Errorf("top %q is already produced by %s (only in-place layers may write a blob twice)", top, b.producer[top])
	}
	name := node
	if b.blobNames[name] || b.used.Has(name) {
		name = top + "@" + node
	}
	name = b.used.Unique(name)
	b.cur[top] = name
	b.order = append(b.order, name)
	return name, nil
}

// addLayer converts one compute layer into one node (one per top for
// Split).
func (b *builder) addLayer(l *layer) error {
	conv, err := convert(l)
	if err != nil {
		return err
	}
	bottoms := l.bottoms
	if conv.inputs >= 0 {
		if len(bottoms) < conv.inputs {
			return fmt.Errorf("needs %d bottom(s), got %d", conv.inputs, len(bottoms))
		}
		if conv.dropExtraBottoms {
			bottoms = bottoms[:conv.inputs]
		} else if len(bottoms) != conv.inputs {
			return fmt.Errorf("takes %d bottom(s), got %d", conv.inputs, len(bottoms))
		}
	} else if len(bottoms) == 0 {
		return fmt.Errorf("has no bottom")
	}
	ins := make([]string, len(bottoms))
	for i, x := range bottoms {
		if ins[i], err = b.resolve(l, x); err != nil {
			return err
		}
	}
	tops := l.tops
	if len(tops) == 0 {
		if conv.outputs != 1 {
			return fmt.Errorf("has no top")
		}
		tops = []string{l.name} // a loss layer without a top, kept as Softmax
	}
	if conv.outputs > 0 && len(tops) != conv.outputs {
		return fmt.Errorf("has %d tops; it produces %d", len(tops), conv.outputs)
	}
	if conv.split {
		for i, t := range tops {
			name := l.name
			if i > 0 {
				name = fmt.Sprintf("%s/%d", l.name, i)
			}
			name = b.nodeNames.Unique(name)
			out, err := b.output(l, t, name)
			if err != nil {
				return err
			}
			n := &graph.Node{Name: name, Type: l.typ, Op: &graph.Identity{}, Inputs: ins, Outputs: []string{out}}
			if i == 0 {
				b.nodeOf[l] = n
			}
			b.g.Nodes = append(b.g.Nodes, n)
		}
	} else {
		name := b.nodeNames.Unique(l.name)
		n := &graph.Node{Name: name, Type: l.typ, Op: conv.op, Inputs: ins}
		for _, t := range tops {
			out, err := b.output(l, t, name)
			if err != nil {
				return err
			}
			n.Outputs = append(n.Outputs, out)
		}
		b.nodeOf[l] = n
		b.g.Nodes = append(b.g.Nodes, n)
	}
	for _, in := range ins {
		b.consumed[in] = true
	}
	return nil
}

// dim converts a size read from the file, rejecting absurd values.
func dim(v uint64, what string) (int, error) {
	if v > maxDim {
		return 0, fmt.Errorf("%s %d is larger than %d", what, v, maxDim)
	}
	return int(v), nil
}

func isFinite(f float32) bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }

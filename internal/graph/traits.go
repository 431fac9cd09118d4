package graph

// Traits are the facts about an operator that the parts around the IR —
// the memory model of analyze, the importers, the web UI — used to keep as
// lists of operator names. Each op reports its own (Op.Traits), so adding an
// operator adds no entry to any such list; the server sends them with every
// layer ("traits" in docs/api.md) and the UI reads them instead of op names.
//
// Traits may depend on the op's attributes (an Activation's Func, a Pool's
// Global, Flatten's ChannelsLast). A zero field means "no": the JSON omits
// false fields.
type Traits struct {
	// Family is the group the UI colours the op with: one of the
	// Family* constants.
	Family string `json:"family"`
	// Elementwise: output element i depends on input element i only (and
	// on per-channel parameters), so the output may overwrite the input
	// (Caffe's in-place layers; analyze's peak-memory model).
	Elementwise bool `json:"elementwise,omitempty"`
	// Channelwise: output channel c depends on input channel c only (of
	// each input); the overview connects channel c to channel c. LRN counts:
	// it scales channel c by a sum over its Size neighbours.
	Channelwise bool `json:"channelwise,omitempty"`
	// View: the output is the first input's data unchanged, maybe with
	// another shape, so it needs no memory of its own.
	View bool `json:"view,omitempty"`
	// Passthrough: the output holds the input's values unchanged or only
	// flattened/reshaped (a View, or a channels-last Flatten); the overview
	// draws no column of its own for it.
	Passthrough bool `json:"passthrough,omitempty"`
	// KeepsRange: the output stays in its input's colour range, so the
	// overview draws it in its input's colour group.
	KeepsRange bool `json:"keeps_range,omitempty"`
	// Foldable: the Scope graph draws it as a badge of the layer it
	// follows (an activation, a normalisation, a view).
	Foldable bool `json:"foldable,omitempty"`
	// Explain is the explanation view a neuron of it opens (one of the
	// Explain* constants), "" for none.
	Explain string `json:"explain,omitempty"`
	// KeepsBatch: the output's first dimension is the batch dimension of
	// its (full-rank) inputs. Importers of formats with a free batch
	// dimension (ONNX) track it through the graph with this.
	KeepsBatch bool `json:"keeps_batch,omitempty"`
}

// The families of Traits.Family.
const (
	FamilyInput  = "input" // a graph input (not an op; analyze's "Input" entries)
	FamilyConv   = "conv"
	FamilyPool   = "pool"
	FamilyNorm   = "norm"
	FamilyAct    = "act"
	FamilyMerge  = "merge"
	FamilyDense  = "dense"
	FamilyShape  = "shape" // reshaping, copying, padding, constants
	FamilyOutput = "output"
)

// The explanation views of Traits.Explain (the web UI's views/).
const (
	ExplainConv = "conv"
	ExplainAct  = "relu"
	ExplainPool = "pool"
)

// InputTraits are the traits of a graph input in lists that describe
// inputs and nodes alike (analyze.Report.Layers).
var InputTraits = Traits{Family: FamilyInput}

// Traits of recurring kinds of operator.
var (
	// viewTraits: output = input (Identity, Dropout at inference, Reshape,
	// an NCHW Flatten).
	viewTraits = Traits{Family: FamilyShape, View: true, Passthrough: true, KeepsBatch: true}
	// scaleTraits: a per-channel element-wise transform (BatchNorm, Affine).
	scaleTraits = Traits{Family: FamilyNorm, Elementwise: true, Channelwise: true, KeepsRange: true, Foldable: true, KeepsBatch: true}
)

func (c *Conv) Traits() Traits {
	return Traits{Family: FamilyConv, Explain: ExplainConv, KeepsBatch: true}
}

func (p *Pool) Traits() Traits {
	t := Traits{Family: FamilyPool, Channelwise: true, KeepsRange: true, KeepsBatch: true}
	if !p.Global {
		t.Explain = ExplainPool
	}
	return t
}

// Traits of an activation: each keeps its input's colour range when it
// only cuts or scales it (the ReLU family), not when it squashes it
// (Sigmoid, Tanh, …).
func (a *Activation) Traits() Traits {
	t := Traits{Family: FamilyAct, Elementwise: true, Channelwise: true, Foldable: true, Explain: ExplainAct, KeepsBatch: true}
	switch a.Func {
	case Relu, LeakyRelu, Relu6, Clip:
		t.KeepsRange = true
	}
	return t
}

func (s *Softmax) Traits() Traits { return Traits{Family: FamilyOutput, KeepsBatch: true} }

// Traits of Flatten: NCHW order is a view of the input; channels-last order
// moves the values (but still only flattens them).
func (f *Flatten) Traits() Traits {
	if f.ChannelsLast {
		return Traits{Family: FamilyShape, Passthrough: true, KeepsBatch: true}
	}
	return viewTraits
}

func (d *Dense) Traits() Traits     { return Traits{Family: FamilyDense, KeepsBatch: true} }
func (b *BatchNorm) Traits() Traits { return scaleTraits }

func (e *Eltwise) Traits() Traits {
	return Traits{Family: FamilyMerge, Channelwise: true, KeepsBatch: true}
}

// Traits of Concat: concatenating along the batch axis loses it.
func (c *Concat) Traits() Traits { return Traits{Family: FamilyMerge, KeepsBatch: c.Axis != 0} }

func (d *Dropout) Traits() Traits {
	t := viewTraits
	t.KeepsRange, t.Foldable = true, true
	return t
}

func (*Identity) Traits() Traits {
	t := viewTraits
	t.KeepsRange, t.Foldable = true, true
	return t
}

func (l *LRN) Traits() Traits {
	return Traits{Family: FamilyNorm, Channelwise: true, KeepsRange: true, Foldable: true, KeepsBatch: true}
}

func (c *ConvTranspose) Traits() Traits { return Traits{Family: FamilyConv, KeepsBatch: true} }

func (p *PRelu) Traits() Traits {
	return Traits{Family: FamilyAct, Elementwise: true, Channelwise: true, KeepsRange: true, Foldable: true, KeepsBatch: true}
}

func (a *Affine) Traits() Traits { return scaleTraits }

func (p *Power) Traits() Traits {
	return Traits{Family: FamilyNorm, Elementwise: true, Channelwise: true, KeepsBatch: true}
}

// Traits of Transpose: the batch stays first only if the permutation keeps
// axis 0.
func (t *Transpose) Traits() Traits {
	return Traits{Family: FamilyShape, KeepsBatch: len(t.Perm) > 0 && t.Perm[0] == 0}
}

// Traits of Reshape: the batch is kept only when the target shape copies
// dimension 0 (ONNX's 0 without allowzero).
func (r *Reshape) Traits() Traits {
	t := viewTraits
	t.KeepsBatch = len(r.Shape) > 0 && r.Shape[0] == 0 && !r.AllowZero
	return t
}

func (p *Pad) Traits() Traits {
	return Traits{Family: FamilyShape, Channelwise: true, KeepsRange: true, KeepsBatch: true}
}

// Traits of Slice: slicing the batch axis loses it.
func (s *Slice) Traits() Traits { return Traits{Family: FamilyShape, KeepsBatch: s.Axis != 0} }

func (c *Crop) Traits() Traits {
	return Traits{Family: FamilyShape, Channelwise: true, KeepsRange: true, KeepsBatch: true}
}

func (r *Resize) Traits() Traits {
	return Traits{Family: FamilyShape, Channelwise: true, KeepsRange: true, KeepsBatch: true}
}

// Traits of MatMul: both operands are plain matrices, neither carries a
// batch.
func (*MatMul) Traits() Traits { return Traits{Family: FamilyDense} }

func (c *Const) Traits() Traits { return Traits{Family: FamilyShape} }

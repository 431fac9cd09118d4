package tensor

// Conv is a convolution planned once for a fixed geometry and constant
// weights: the weights are packed in advance in the layout the micro-kernel
// reads, depthwise convolutions take their own kernel, and an activation
// can be fused into the output pass (Fuse).
type Conv struct {
	g      ConvGeom
	w, b   []float32
	packed []float32 // per group, the aPacked layout; nil: pack per run
	mpad   int       // output channels of a group rounded up to mr
	im2col bool      // unroll the input into scratch, then one packed product
	band   int       // with im2col: output rows unrolled at a time
	ep     epilogue
	dw     *dwTables // depthwise with AVX-512: dwPlaneZ's tables
	cv     bool      // a channel-vector convolution (conv_cv.go): packed as packCV lays out
}

// NewConv plans the convolution of g with weights w [OC, C/Groups, KH, KW]
// and bias b ([OC] or nil). w and b must not change afterwards.
func NewConv(w, b []float32, g ConvGeom) *Conv {
	g.Groups = max(1, g.Groups)
	c := &Conv{g: g, w: w, b: b}
	if c.depthwise() {
		c.dw = newDWTables(g)
		return c
	}
	ocg, kk := g.OC/g.Groups, g.C/g.Groups*g.KH*g.KW
	if ocg == 0 || kk == 0 {
		return c
	}
	if channelVec(g) {
		c.cv = true
		c.packed = make([]float32, PackedLen(g))
		packCV(c.packed, w, ocg, kk)
		return c
	}
	c.im2col = useIm2Col(g)
	if c.im2col {
		c.band = im2colBand(g)
	}
	c.mpad = roundUp(ocg, mr)
	c.packed = make([]float32, PackedLen(g))
	for grp := 0; grp < g.Groups; grp++ {
		packAll(c.packed[grp*c.mpad*kk:], w[grp*ocg*kk:], kk, ocg, kk)
	}
	return c
}

// ColumnScratchMin is the scratch (in floats, 1 MiB) a convolution's
// column matrix may take even when that is more than twice its input: a
// small late map is then unrolled whole and multiplied once, reading the
// weights once rather than once per band. ResNet-50's 3×3 512-channel
// layers at 7×7 (4,608 × 49 columns) took 9 ms each as seven one-row
// bands.
const ColumnScratchMin = 1 << 18

// columnScratchMin is ColumnScratchMin; tests lower it to get many bands.
var columnScratchMin = ColumnScratchMin

// PackedLen is the number of floats NewConv allocates to pack g's weights
// (0 for a depthwise convolution, whose kernel reads them as they are).
func PackedLen(g ConvGeom) int {
	c := Conv{g: g}
	c.g.Groups = max(1, g.Groups)
	if c.depthwise() {
		return 0
	}
	ocg, kk := g.OC/c.g.Groups, g.C/c.g.Groups*g.KH*g.KW
	if channelVec(g) {
		return ocg * kk
	}
	return c.g.Groups * roundUp(ocg, mr) * kk
}

// depthwise reports one input and one output channel per group.
func (c *Conv) depthwise() bool {
	return c.g.Groups > 1 && c.g.Groups == c.g.C && c.g.OC == c.g.C
}

// im2colBand is how many output rows an unrolled convolution unrolls at a
// time: the column matrix within twice the input or ColumnScratchMin,
// whichever is larger.
func im2colBand(g ConvGeom) int {
	row := g.C / max(1, g.Groups) * g.KH * g.KW * g.OW
	return max(1, min(g.OH, max(2*g.C*g.H*g.W, columnScratchMin)/max(1, row)))
}

// ScratchLen is the scratch length a convolution planned by NewConv for g
// needs (Conv.Scratch), from g alone: for memory models that plan before
// they build (a zero-bordered or phased copy of the input, a flat output,
// or a band of the column matrix).
func ScratchLen(g ConvGeom) int {
	g.Groups = max(1, g.Groups)
	c := Conv{g: g}
	if c.depthwise() {
		return 0
	}
	if channelVec(g) {
		return cvScratch(g)
	}
	if g.OC/g.Groups > 0 && g.C/g.Groups*g.KH*g.KW > 0 && useIm2Col(g) {
		return g.C / g.Groups * g.KH * g.KW * im2colBand(g) * g.OW
	}
	return ConvScratch(g)
}

// Scratch is the scratch length Run needs.
func (c *Conv) Scratch() int {
	if c.depthwise() {
		return 0
	}
	if c.cv {
		return cvScratch(c.g)
	}
	if c.im2col {
		g := c.g
		return g.C / g.Groups * g.KH * g.KW * c.band * g.OW
	}
	return ConvScratch(c.g)
}

// Fuse makes Run also write f(output) (see Apply) to act, which has the
// output's length, right after each part of the output is computed, while
// it is still in cache. The pre-activation output is written as well;
// with unread (nothing but act is computed from it) it may be streamed to
// memory past the caches, keeping them for act. After Residual, f reads
// the sum.
func (c *Conv) Fuse(act []float32, f Activation, alpha, beta float32, unread bool) {
	c.ep.dst, c.ep.f, c.ep.alpha, c.ep.beta, c.ep.unread = act, f, alpha, beta, unread
}

// Residual makes Run also add res (the output's shape, written before Run)
// to each part of the output right after it is computed, writing the sum to
// sum, or with sum nil over the output itself. A fused activation (Fuse)
// then applies to the sum. Call it at most once, before Fuse (Fused).
func (c *Conv) Residual(res, sum []float32) { c.ep.res, c.ep.sum = res, sum }

// Fused reports whether a residual or an activation is fused already.
func (c *Conv) Fused() bool { return c.ep.active() }

// Run computes dst = conv(src, w) + b (and the fused activation, if any).
// scratch holds at least Scratch() elements.
func (c *Conv) Run(dst, src, scratch []float32) {
	if c.depthwise() {
		c.runDepthwise(dst, src)
		return
	}
	c.gemm(dst, src, scratch)
}

// maxIm2Col bounds the column matrix of one image and group (64 MiB).
const maxIm2Col = 1 << 24

// im2colNarrow: output rows narrower than this go through the column
// matrix. The direct kernel computes whole 16-pixel tiles per output row
// (a 7-pixel row wastes 9 of 16 columns) while the product packs pixels
// across rows; at 14 pixels the direct kernel still wins (VGG16's 14×14
// 512-channel layers: 8–11 ms direct, 13–14 ms unrolled).
const im2colNarrow = 12

// useIm2Col reports whether a convolution is faster through an unrolled
// column matrix than through the direct kernel: strided convolutions (the
// direct kernel packs their tiles one by one) and narrow maps, unless the
// direct kernel tiles them flat (flatTiles: ResNet-50's 3×3 512-channel
// layers at 7×7 went from 130 to 240 GFLOP/s with AVX-512). Measured on ResNet-50: a 3×3
// stride-2 512-channel layer went from 11.5 to 4.3 ms, a 1×1 stride-2 one
// from 12.1 to 2.7 ms.
func useIm2Col(g ConvGeom) bool {
	if pointwise(g) || !hasAVX2 && g.SH == 1 && g.SW == 1 {
		return false
	}
	groups := max(1, g.Groups)
	kk := g.C / groups * g.KH * g.KW
	if flatTiles(g) {
		return false
	}
	return (g.SH != 1 || g.SW != 1 || g.OW < im2colNarrow) && kk*g.OH*g.OW <= maxIm2Col
}

// epilogue is what is applied to a finished part of an output: a residual
// added to it, then an activation written to its own buffer.
type epilogue struct {
	res         []float32 // added to the output, or nil
	sum         []float32 // with res: receives output + res; nil: the output itself
	dst         []float32 // f's output, or nil: no activation
	f           Activation
	alpha, beta float32
	unread      bool // the output is read by nobody in the run (see Fuse)
}

// active reports whether there is anything to apply.
func (e *epilogue) active() bool { return e.dst != nil || e.res != nil }

// at is e for the part of the output that starts at element off.
func (e *epilogue) at(off int) epilogue {
	u := *e
	for _, s := range []*[]float32{&u.res, &u.sum, &u.dst} {
		if *s != nil {
			*s = (*s)[off:]
		}
	}
	return u
}

// apply adds res[lo:hi] to c[lo:hi] (into sum, or c itself), then writes
// f of the result to dst[lo:hi].
func (e *epilogue) apply(c []float32, lo, hi int) {
	if lo >= hi {
		return
	}
	if e.res != nil {
		s := c
		if e.sum != nil {
			s = e.sum
		}
		binarySame(s[lo:hi], c[lo:hi], e.res[lo:hi], BinAdd)
		c = s
	}
	if e.dst != nil {
		Apply(e.dst[lo:hi], c[lo:hi], e.f, e.alpha, e.beta)
	}
}

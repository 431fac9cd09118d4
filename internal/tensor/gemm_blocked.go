package tensor

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Blocking of the packed GEMM (BLIS loop order jc → pc → ic → jr → ir):
// a kc×nr panel of B stays in L1 while the micro-kernel walks an mc×kc
// block of A held in L2; the kc×nc block of B is shared by all of it.
const (
	mr = 6   // micro-tile rows
	nr = 16  // micro-tile columns (two 8-lane vectors)
	kc = 256 // depth of a packed panel
	mc = 96  // rows of A packed at once
	nc = 1024
)

// gemmBuf holds one worker's packing buffers.
type gemmBuf struct {
	a, b []float32
	tile [mr * nr]float32
	tb   [kc * nr]float32 // one packed B tile of a direct convolution
	offs convOffsets
	cv   []float32 // a channel-vector worker's tile sums (cvRange), made on first use
	// cvRel: a channel-vector convolution's step offsets (cvOffsets).
	cvRel []int32
	// cvPix, cvBase: a group's tiles' pixel offsets and first pixels
	// (cvPositions).
	cvPix  [cvGroupTiles * cvTile]int32
	cvBase [cvGroupTiles]int
	// A channel-vector tile's input packed, and its offsets (cvRange).
	tail    [kc * 4 * cvTile]float32
	tailRel [kc]int32
}

// freeBufs keeps packing buffers between calls. Unlike a sync.Pool it is
// not emptied by the garbage collector, so steady-state calls allocate
// nothing.
var freeBufs = make(chan *gemmBuf, 64)

func getBuf() *gemmBuf {
	select {
	case b := <-freeBufs:
		return b
	default:
		return &gemmBuf{a: make([]float32, mc*kc), b: make([]float32, kc*nc)}
	}
}

func putBuf(b *gemmBuf) {
	select {
	case freeBufs <- b:
	default:
	}
}

// bSource describes the B operand of a packed product: a stored matrix
// (possibly transposed), or — for convolutions — the column matrix of an
// image that packing reads straight from the image (implicit im2col).
type bSource struct {
	b     []float32
	ldb   int
	trans bool
	conv  bool
	g     ConvGeom // with conv: the geometry; b is one image's group [C, H, W]
}

func (s *bSource) pack(dst []float32, pc, kb, jc, nb int) {
	if s.conv {
		packBConv(dst, s.b, &s.g, pc, kb, jc, nb)
		return
	}
	packB(dst, s.trans, s.b, s.ldb, pc, kb, jc, nb)
}

// aPacked is a left operand packed once in advance (constant weights), in
// the layout packA writes: for each depth block pc (depthStep), all rows as
// panels of mr, so block (pc, ic) starts at p[pc·mpad + ic·kb] (ic a
// multiple of mr, mpad the row count rounded up to mr). A nil p means "pack on the fly".
type aPacked struct {
	p    []float32
	mpad int
}

// packAll packs the m×k row-major matrix a (leading dimension lda) into
// dst (at least roundUp(m, mr)·k elements) in the aPacked layout.
func packAll(dst, a []float32, lda, m, k int) aPacked {
	mpad := roundUp(m, mr)
	for pc, step := 0, depthStep(k); pc < k; pc += step {
		kb := min(step, k-pc)
		packA(dst[pc*mpad:], false, a, lda, 0, m, pc, kb, 1)
	}
	return aPacked{p: dst[:mpad*k], mpad: mpad}
}

// block returns the packed A block (pc, ic): from the pre-packed operand,
// or packed now into buf.a.
func (ap *aPacked) block(buf *gemmBuf, transA bool, a []float32, lda, ic, mb, pc, kb int, alpha float32) []float32 {
	if ap.p != nil {
		return ap.p[pc*ap.mpad+ic*kb:]
	}
	packA(buf.a, transA, a, lda, ic, mb, pc, kb, alpha)
	return buf.a
}

func roundUp(n, m int) int { return (n + m - 1) / m * m }

// depthStep is the depth of the packed blocks of a product over k: k split
// into ⌈k/kc⌉ blocks as even as possible (576 = 3 × 192, not 256 + 256 +
// 64, where the short last block pays a tile's loads and stores for few
// steps). Packing (packAll) and every kernel loop take the same blocks.
func depthStep(k int) int {
	n := (k + kc - 1) / kc
	if n <= 1 {
		return kc
	}
	return (k + n - 1) / n
}

// gemmIO sets up and finishes the blocks of a product whose C the caller
// did not initialise: each tile of C starts as its row's bias (or zero) in
// the first depth block and gets the epilogue in the last one, while it is
// in registers or cache, instead of in separate passes over all of C.
type gemmIO struct {
	bias []float32 // per row of C, or nil for zero
	ep   epilogue
	nt   bool // C is read by nobody in this run: stream it past the caches
}

// clampOf returns the bounds when e is a clamp (ReLU, ReLU6, Clip), which
// the micro-kernel applies as it stores.
func (e *epilogue) clampOf() (lo, hi float32, ok bool) {
	switch {
	case e.dst == nil || e.res != nil: // the residual comes first
		return 0, 0, false
	case e.f == ActRelu:
		return 0, float32(math.Inf(1)), true
	case e.f == ActClip:
		return e.alpha, e.beta, true
	}
	return 0, 0, false
}

var zeroBias [mr]float32

// gemmPacked computes C[i0:i1, j0:j1] += alpha·op(A)[i0:i1, :]·B[:, j0:j1]
// (i0 a multiple of mr); with io, C = bias + alpha·op(A)·B, then io.ep.
func gemmPacked(transA bool, k int, alpha float32, a []float32, lda int, ap aPacked, bs *bSource, c []float32, ldc int, i0, i1, j0, j1 int, io *gemmIO) {
	buf := getBuf()
	defer putBuf(buf)
	if io != nil && io.nt {
		defer sfence()
	}
	for jc := j0; jc < j1; jc += nc {
		nb := min(nc, j1-jc)
		if io != nil && k == 0 {
			for i := i0; i < i1; i++ {
				row := c[i*ldc+jc : i*ldc+jc+nb]
				if io.bias != nil {
					fill(row, io.bias[i])
				} else {
					clear(row)
				}
				io.ep.apply(c, i*ldc+jc, i*ldc+jc+nb)
			}
		}
		for pc, step := 0, depthStep(k); pc < k; pc += step {
			kb := min(step, k-pc)
			bs.pack(buf.b, pc, kb, jc, nb)
			padPanels(buf.b, kb, nb)
			for ic := i0; ic < i1; ic += mc {
				mb := min(mc, i1-ic)
				a := ap.block(buf, transA, a, lda, ic, mb, pc, kb, alpha)
				if io == nil {
					macroKernel(buf, a, mb, nb, kb, c, ic*ldc+jc, ldc)
					continue
				}
				macroKernelIO(buf, a, mb, nb, kb, c, ic, jc, ldc, io, pc == 0, pc+kb == k)
			}
		}
	}
}

// macroKernelIO is macroKernel for a product with io: in the first depth
// block tiles start as the bias, in the last one the epilogue is applied.
// Its tiles are one panel wide: with AVX-512 the products with io (1×1
// and unrolled convolutions) take pointwiseRange instead.
func macroKernelIO(buf *gemmBuf, pa []float32, mb, nb, kb int, c []float32, ic, jc, ldc int, io *gemmIO, first, last bool) {
	lo, hi, clamps := io.ep.clampOf()
	clamps = clamps && last
	nt := clamps && io.nt && hasAVX2 && ldc%8 == 0
	if !first && !clamps {
		macroKernel(buf, pa, mb, nb, kb, c, ic*ldc+jc, ldc)
	} else {
		for jr := 0; jr < nb; jr += nr {
			bp := buf.b[jr*kb : (jr+nr)*kb]
			for ir := 0; ir < mb; ir += mr {
				ap := pa[ir*kb : (ir+mr)*kb]
				row := ic + ir
				ci := row*ldc + jc + jr
				rows, cols := min(mr, mb-ir), min(nr, nb-jr)
				if hasAVX2 && rows == mr && cols == nr {
					var bias, act *float32
					if first {
						bias = &zeroBias[0]
						if io.bias != nil {
							bias = &io.bias[row : row+mr][0]
						}
					}
					_ = c[ci+(mr-1)*ldc+nr-1] // the assembly writes this far
					if clamps {
						_ = io.ep.dst[ci+(mr-1)*ldc+nr-1]
						act = &io.ep.dst[ci]
					}
					sgemmKernel6x16IO(kb, &ap[0], &bp[0], &c[ci], ldc, bias, act, lo, hi,
						nt && uintptr(unsafe.Pointer(&c[ci]))%32 == 0)
					continue
				}
				clear(buf.tile[:])
				kernel(kb, ap, bp, buf.tile[:], nr)
				for i := 0; i < rows; i++ {
					crow := c[ci+i*ldc : ci+i*ldc+cols]
					t := buf.tile[i*nr : i*nr+cols]
					if first {
						b := float32(0)
						if io.bias != nil {
							b = io.bias[row+i]
						}
						for j, v := range t {
							crow[j] = b + v
						}
					} else {
						for j, v := range t {
							crow[j] += v
						}
					}
					if clamps {
						clamp(io.ep.dst[ci+i*ldc:ci+i*ldc+cols], crow, lo, hi)
					}
				}
			}
		}
	}
	if last && !clamps {
		for i := ic; i < ic+mb; i++ {
			io.ep.apply(c, i*ldc+jc, i*ldc+jc+nb)
		}
	}
}

// macroKernel adds the product of the packed panels pa (mb rows) and
// buf.b (nb columns), over kb steps, to the block of c whose first element
// is c[c0]: full tiles straight into c — mr×2nr with AVX-512, over two
// adjacent panels, else mr×nr — and edge tiles through the masked edge
// kernel (AVX-512) or buf.tile.
func macroKernel(buf *gemmBuf, pa []float32, mb, nb, kb int, c []float32, c0, ldc int) {
	for jr := 0; jr < nb; {
		w := panelWidth(jr, nb)
		for ir := 0; ir < mb; ir += mr {
			ap := pa[ir*kb : (ir+mr)*kb]
			ci := c0 + ir*ldc + jr
			rows, cols := min(mr, mb-ir), min(w, nb-jr)
			if rows == mr && cols == w {
				if w == 2*nr {
					_ = c[ci+(mr-1)*ldc+w-1] // the assembly writes this far
					sgemmKernel6x32(kb, &ap[0], &buf.b[jr*kb], &c[ci], ldc)
				} else {
					kernel(kb, ap, buf.b[jr*kb:(jr+nr)*kb], c[ci:], ldc)
				}
				continue
			}
			if w == 2*nr {
				_ = c[ci+(rows-1)*ldc+cols-1] // the assembly writes this far
				_ = buf.b[(jr+w)*kb-1]        // both panels, the second perhaps all zeros (padPanels)
				sgemmKernel6x32Edge(kb, &ap[0], &buf.b[jr*kb], &c[ci], ldc, nil, nil, 0, 0, rows, colMask(0, cols), false)
				continue
			}
			// Edge tile (one panel): compute into a scratch tile, add what
			// fits.
			clear(buf.tile[:])
			kernel(kb, ap, buf.b[jr*kb:(jr+nr)*kb], buf.tile[:], nr)
			for i := 0; i < rows; i++ {
				crow := c[ci+i*ldc : ci+i*ldc+cols]
				for j, v := range buf.tile[i*nr : i*nr+cols] {
					crow[j] += v
				}
			}
		}
		jr += w
	}
}

// colMask is the opmask of the edge kernels for columns [skip, skip+cols).
func colMask(skip, cols int) uint32 { return uint32((uint64(1)<<cols - 1) << skip) }

// panelWidth is the width of the tiles at column jr of a block nb wide:
// two panels (2nr) where the 6×32 kernels run and more than one panel's
// columns remain, else one. A last 32-column tile may have a panel of
// zeros (padPanels).
func panelWidth(jr, nb int) int {
	if hasAVX512 && nb-jr > nr {
		return 2 * nr
	}
	return nr
}

// padPanels zeroes the panel after the nb columns packed in b when the
// 32-column tiles need it (an odd number of panels; see panelWidth).
func padPanels(b []float32, kb, nb int) {
	if np := (nb + nr - 1) / nr; hasAVX512 && np%2 == 1 && np > 1 {
		clear(b[np*nr*kb : (np+1)*nr*kb])
	}
}

// kernel computes a full mr×nr tile: c += a·b over kb steps.
func kernel(kb int, a, b, c []float32, ldc int) {
	if hasAVX2 {
		_ = c[(mr-1)*ldc+nr-1] // the assembly writes this far
		sgemmKernel6x16(kb, &a[0], &b[0], &c[0], ldc)
		return
	}
	kernelGo(kb, a, b, c, ldc)
}

// kernelGo is the portable micro-kernel.
func kernelGo(kb int, a, b, c []float32, ldc int) {
	var acc [mr][nr]float32
	for p := 0; p < kb; p++ {
		bv := (*[nr]float32)(b[p*nr : p*nr+nr])
		av := (*[mr]float32)(a[p*mr : p*mr+mr])
		for i := 0; i < mr; i++ {
			x := av[i]
			row := &acc[i]
			for j := 0; j < nr; j++ {
				row[j] += x * bv[j]
			}
		}
	}
	for i := 0; i < mr; i++ {
		crow := c[i*ldc : i*ldc+nr]
		for j := range crow {
			crow[j] += acc[i][j]
		}
	}
}

// packA copies op(A)[ic:ic+mb, pc:pc+kb]·alpha into panels of mr rows, each
// stored k-major (mr values per step), zero-padding the last panel.
func packA(dst []float32, trans bool, a []float32, lda, ic, mb, pc, kb int, alpha float32) {
	for ir := 0; ir < mb; ir += mr {
		panel := dst[ir*kb : (ir+mr)*kb]
		rows := min(mr, mb-ir)
		r0 := ic + ir
		switch {
		case !trans && rows == mr && alpha == 1:
			// The common case: six contiguous row segments interleaved.
			a0 := a[r0*lda+pc:][:kb]
			a1 := a[(r0+1)*lda+pc:][:kb]
			a2 := a[(r0+2)*lda+pc:][:kb]
			a3 := a[(r0+3)*lda+pc:][:kb]
			a4 := a[(r0+4)*lda+pc:][:kb]
			a5 := a[(r0+5)*lda+pc:][:kb]
			for p := 0; p < kb; p++ {
				out := (*[mr]float32)(panel[p*mr:])
				out[0], out[1], out[2] = a0[p], a1[p], a2[p]
				out[3], out[4], out[5] = a3[p], a4[p], a5[p]
			}
		case trans:
			for p := 0; p < kb; p++ {
				out := panel[p*mr : p*mr+mr]
				src := a[(pc+p)*lda+r0:][:rows]
				for i, v := range src {
					out[i] = alpha * v
				}
				clear(out[rows:])
			}
		default:
			for p := 0; p < kb; p++ {
				out := panel[p*mr : p*mr+mr]
				for i := 0; i < rows; i++ {
					out[i] = alpha * a[(r0+i)*lda+pc+p]
				}
				clear(out[rows:])
			}
		}
	}
}

// packB copies op(B)[pc:pc+kb, jc:jc+nb] into panels of nr columns, each
// stored k-major (nr values per step), zero-padding the last panel.
func packB(dst []float32, trans bool, b []float32, ldb, pc, kb, jc, nb int) {
	for jr := 0; jr < nb; jr += nr {
		panel := dst[jr*kb : (jr+nr)*kb]
		cols := min(nr, nb-jr)
		if trans {
			// Each column of the panel is a contiguous row of B: read it
			// sequentially.
			for j := 0; j < cols; j++ {
				src := b[(jc+jr+j)*ldb+pc:][:kb]
				for p, v := range src {
					panel[p*nr+j] = v
				}
			}
			if cols < nr {
				for p := 0; p < kb; p++ {
					clear(panel[p*nr+cols : p*nr+nr])
				}
			}
			continue
		}
		for p := 0; p < kb; p++ {
			out := panel[p*nr : p*nr+nr]
			row := (pc+p)*ldb + jc + jr
			copy(out[:cols], b[row:row+cols])
			clear(out[cols:])
		}
	}
}

// dot returns Σ x[i]·y[i].
func dot(x, y []float32) float32 {
	n := len(x)
	y = y[:n]
	var s float32
	head := 0
	if hasAVX2 && n >= 32 {
		head = n &^ 31
		s = dot32(&x[0], &y[0], head)
	}
	for i := head; i < n; i++ {
		s += x[i] * y[i]
	}
	return s
}

// Work splitting. A fixed pool of workers (one per extra core) takes
// column ranges of large products; the caller computes one range itself.
// Tasks are sent by value so that splitting allocates nothing.

// Task kinds: a column range of a packed product, a row range of a direct
// convolution, or a column range of a matrix-vector product.
const (
	taskGemm = iota
	taskConv
	taskGemv
	taskDepthwise
	taskPointwise
	taskPool
	taskConvCV
	taskCVBorder
)

type gemmTask struct {
	kind   int
	transA bool
	m, k   int
	alpha  float32
	a      []float32
	lda    int
	ap     aPacked   // A packed in advance (taskGemm, taskConv), or none
	bias   []float32 // taskDepthwise; taskGemm with init
	init   bool      // taskGemm, taskConv: C is set to bias (or 0) block by block, then ep
	bs     bSource
	c      []float32
	ldc    int
	n      int  // columns of C (with rows)
	rows   bool // [j0, j1) are rows of C (output channels), not columns
	j0, j1 int
	ep     epilogue
	flat   []float32 // taskConv: the flat output (see flatTiles), or nil
	dw     *dwTables // taskDepthwise: the AVX-512 kernel's tables, or nil
	wg     *sync.WaitGroup
	left   *atomic.Int32 // with wg: the parts still running (waiter)
}

var (
	workersOnce sync.Once
	gemmTasks   chan gemmTask
	wgPool      = sync.Pool{New: func() any { return new(waiter) }}
)

func startWorkers() {
	n := runtime.GOMAXPROCS(0) - 1
	gemmTasks = make(chan gemmTask, 4*max(1, n))
	for i := 0; i < n; i++ {
		go func() {
			for {
				t, ok := nextTask()
				if !ok {
					return
				}
				t.run()
				t.left.Add(-1)
				t.wg.Done()
			}
		}()
	}
}

// spinFor is how long a worker looks for its next task, and split for the
// workers to finish, before sleeping on the channel or the WaitGroup. On
// this project's VMs waking a sleeping thread takes tens of microseconds
// or more (the idle virtual CPU halts), and a network's parallel parts
// follow one another closely: with workers sleeping at once, ResNet-50 and
// MobileNet v2 took 34 and 7.1 ms; looking for 50 µs, 30 and 6.8; for 200,
// 27 and 4.3; for 300–500, 26 and 4.1–4.2; for 1,000, 27 and 5.0 (the
// engine's benchmarks, three rounds, fastest of each). onnxruntime's
// threads spin likewise between parallel sections. A worker burns at
// most this much CPU after the last task of a run.
const spinFor = 300 * time.Microsecond

// nextTask returns the next task, looking for one for up to spinFor before
// blocking.
func nextTask() (gemmTask, bool) {
	var t0 time.Time
	for i := 0; ; i++ {
		select {
		case t, ok := <-gemmTasks:
			return t, ok
		default:
		}
		if i%64 == 0 {
			if i == 0 {
				t0 = time.Now()
			} else if time.Since(t0) > spinFor {
				break
			}
		}
	}
	t, ok := <-gemmTasks
	return t, ok
}

// parallelMinMACs is the smallest product worth splitting across cores.
// With the workers looking for work between parts (spinFor) a split costs
// a few microseconds: MobileNet v2's small late layers gained from it
// (4.3 → 3.8 ms at 1<<18 against 1<<22; ResNet-50 unchanged).
const parallelMinMACs = 1 << 18

func gemmParallel(transA bool, m, n, k int, alpha float32, a []float32, lda int, bs bSource, c []float32, ldc int) {
	split(gemmTask{kind: taskGemm, transA: transA, m: m, k: k, alpha: alpha, a: a, lda: lda, bs: bs, c: c, ldc: ldc, n: n},
		n, nr, int64(m)*int64(n)*int64(k))
}

// packBConv packs columns [jc, jc+nb) and rows [pc, pc+kb) of the im2col
// matrix of img ([C, H, W], one group) without materialising it. Row p is
// (c, kh, kw); column j is output pixel (j / OW, j % OW). A panel's 16
// pixels form at most a few runs along output rows; with stride 1 each run
// is one contiguous copy from an input row.
func packBConv(dst, img []float32, g *ConvGeom, pc, kb, jc, nb int) {
	kk := g.KH * g.KW
	plane := g.H * g.W
	// Per packed row: the input plane and the kernel offsets.
	type rowOff struct{ base, dy, dx int }
	var offs [kc]rowOff
	for p := 0; p < kb; p++ {
		r := pc + p
		ci, rem := r/kk, r%kk
		offs[p] = rowOff{ci * plane, (rem/g.KW)*g.DH - g.PadT, (rem%g.KW)*g.DW - g.PadL}
	}
	type run struct{ oy, ox, j, n int }
	var runs [nr]run
	for jr := 0; jr < nb; jr += nr {
		panel := dst[jr*kb : (jr+nr)*kb]
		cols := min(nr, nb-jr)
		// Split the panel's pixels into runs within one output row.
		nruns := 0
		for j := 0; j < cols; {
			oy, ox := (jc+jr+j)/g.OW, (jc+jr+j)%g.OW
			n := min(cols-j, g.OW-ox)
			runs[nruns] = run{oy, ox, j, n}
			nruns++
			j += n
		}
		for p := 0; p < kb; p++ {
			out := panel[p*nr : p*nr+nr]
			o := offs[p]
			for _, r := range runs[:nruns] {
				seg := out[r.j : r.j+r.n]
				iy := r.oy*g.SH + o.dy
				if iy < 0 || iy >= g.H {
					clear(seg)
					continue
				}
				row := img[o.base+iy*g.W : o.base+(iy+1)*g.W]
				ix0 := r.ox*g.SW + o.dx
				if g.SW == 1 && ix0 >= 0 && ix0+r.n <= g.W {
					copy(seg, row[ix0:ix0+r.n])
					continue
				}
				for j := range seg {
					ix := ix0 + j*g.SW
					if ix >= 0 && ix < g.W {
						seg[j] = row[ix]
					} else {
						seg[j] = 0
					}
				}
			}
			clear(out[cols:])
		}
	}
}

func (t *gemmTask) run() {
	i0, i1, j0, j1 := 0, t.m, t.j0, t.j1
	if t.rows {
		i0, i1, j0, j1 = t.j0, t.j1, 0, t.n
	}
	switch t.kind {
	case taskConv:
		if t.flat != nil {
			t.runFlat()
			return
		}
		g := &t.bs.g
		var io *directIO
		if t.init {
			io = &directIO{bias: t.bias, ep: &t.ep}
		}
		if t.rows {
			convDirect(t.c, t.bs.b, t.a, t.ap, g, i0, i1, 0, g.OH, io)
			if io == nil {
				t.ep.apply(t.c, i0*g.OH*g.OW, i1*g.OH*g.OW)
			}
			return
		}
		convDirect(t.c, t.bs.b, t.a, t.ap, g, 0, t.m, j0, j1, io)
		if io != nil {
			return
		}
		ohw := g.OH * g.OW
		for o := 0; o < t.m; o++ {
			t.ep.apply(t.c, o*ohw+j0*g.OW, o*ohw+j1*g.OW)
		}
	case taskGemv:
		gemvRange(t.m, t.k, t.alpha, t.a, t.lda, t.bs.b, t.bs.ldb, t.c, t.ldc, t.j0, t.j1)
	case taskDepthwise:
		depthwiseRange(t, t.j0, t.j1)
	case taskPointwise:
		pointwiseRange(t, i0, i1, j0, j1)
	case taskPool:
		maxPool2x2Range(t.c, t.bs.b, &t.bs.g, t.j0, t.j1)
	case taskConvCV:
		cvRange(t, i0, i1, j0, j1)
	case taskCVBorder:
		cvBorder(t, t.j0, t.j1)
	default:
		var io *gemmIO
		if t.init {
			io = &gemmIO{bias: t.bias, ep: t.ep, nt: t.ep.unread}
		}
		gemmPacked(t.transA, t.k, t.alpha, t.a, t.lda, t.ap, &t.bs, t.c, t.ldc, i0, i1, j0, j1, io)
	}
}

// gemvRange computes C[:, j0:j1] += alpha·A·Bᵀ[:, j0:j1] by dot products
// (A has few rows; rows of B are contiguous).
func gemvRange(m, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, j0, j1 int) {
	for i := 0; i < m; i++ {
		x := a[i*lda : i*lda+k]
		crow := c[i*ldc : i*ldc+j1]
		for j := j0; j < j1; j++ {
			crow[j] += alpha * dot(x, b[j*ldb:j*ldb+k])
		}
	}
}

// split runs task t over [0, n) in parts of at least align, on the worker
// pool and the calling goroutine, when the work (macs) is large enough.
func split(t gemmTask, n, align int, macs int64) {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || macs < parallelMinMACs || n < 2*align {
		t.j0, t.j1 = 0, n
		t.run()
		return
	}
	workersOnce.Do(startWorkers)
	parts := min(workers, n/align)
	chunk := (n/parts + align - 1) / align * align
	wg := wgPool.Get().(*waiter)
	t.wg, t.left = &wg.wg, &wg.left
	for j := chunk; j < n; j += chunk {
		wg.wg.Add(1)
		wg.left.Add(1)
		u := t
		u.j0, u.j1 = j, min(n, j+chunk)
		gemmTasks <- u
	}
	t.j0, t.j1 = 0, min(n, chunk)
	t.run()
	// The other parts are usually about done: look for a while before
	// sleeping (see spinFor).
	t0 := time.Now()
	for i := 1; wg.left.Load() > 0; i++ {
		if i%64 == 0 && time.Since(t0) > spinFor {
			break
		}
	}
	wg.wg.Wait()
	wgPool.Put(wg)
}

// waiter counts the parts of a split still running: left for looking,
// wg for sleeping. A worker decrements left before calling wg.Done, so a
// waiter is never reused while a part still has to call Done.
type waiter struct {
	wg   sync.WaitGroup
	left atomic.Int32
}

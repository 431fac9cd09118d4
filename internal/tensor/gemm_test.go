package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGemm is the definition, in float64.
func naiveGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			out[i*n+j] = float64(alpha)*s + float64(beta)*float64(c[i*ldc+j])
		}
	}
	return out
}

func TestGemmAgainstDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		m, n, k := 1+rng.IntN(40), 1+rng.IntN(70), 1+rng.IntN(50)
		if trial%7 == 0 {
			m, n, k = 1+rng.IntN(200), 1+rng.IntN(300), 1+rng.IntN(300)
		}
		tA, tB := rng.IntN(2) == 1, rng.IntN(2) == 1
		lda, ldb, ldc := k+rng.IntN(3), n+rng.IntN(3), n+rng.IntN(3)
		if tA {
			lda = m + rng.IntN(3)
		}
		if tB {
			ldb = k + rng.IntN(3)
		}
		rowsA, rowsB := m, k
		if tA {
			rowsA = k
		}
		if tB {
			rowsB = n
		}
		a, b, c := randSlice(rng, rowsA*lda), randSlice(rng, rowsB*ldb), randSlice(rng, m*ldc)
		alpha, beta := []float32{1, 0.5, -2}[rng.IntN(3)], []float32{0, 1, 0.25}[rng.IntN(3)]
		want := naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				if d := math.Abs(float64(c[i*ldc+j]) - want[i*n+j]); d > 1e-4*(1+math.Abs(want[i*n+j]))*math.Sqrt(float64(k)) {
					t.Fatalf("trial %d (m=%d n=%d k=%d tA=%v tB=%v): C[%d,%d]=%v want %v", trial, m, n, k, tA, tB, i, j, c[i*ldc+j], want[i*n+j])
				}
			}
		}
	}
}

func TestGemmBetaZeroIgnoresNaN(t *testing.T) {
	c := []float32{float32(math.NaN())}
	Gemm(false, false, 1, 1, 1, 1, []float32{2}, 1, []float32{3}, 1, 0, c, 1)
	if c[0] != 6 {
		t.Fatalf("got %v, want 6", c[0])
	}
}

// Im2Col followed by Gemm equals the direct convolution, for strides,
// dilations and asymmetric padding.
func TestIm2ColGemmMatchesConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 60; trial++ {
		g := ConvGeom{N: 1, C: 1 + rng.IntN(4), H: 3 + rng.IntN(9), W: 3 + rng.IntN(9), OC: 1 + rng.IntN(5),
			KH: 1 + rng.IntN(3), KW: 1 + rng.IntN(3), SH: 1 + rng.IntN(3), SW: 1 + rng.IntN(3),
			DH: 1 + rng.IntN(2), DW: 1 + rng.IntN(2), PadT: rng.IntN(3), PadL: rng.IntN(3), Groups: 1}
		padB, padR := rng.IntN(3), rng.IntN(3)
		g.OH = (g.H+g.PadT+padB-g.DH*(g.KH-1)-1)/g.SH + 1
		g.OW = (g.W+g.PadL+padR-g.DW*(g.KW-1)-1)/g.SW + 1
		if g.OH <= 0 || g.OW <= 0 {
			continue
		}
		x, w := randSlice(rng, g.C*g.H*g.W), randSlice(rng, g.OC*g.C*g.KH*g.KW)
		want := make([]float32, g.OC*g.OH*g.OW)
		Conv2D(want, x, w, nil, g)
		kk := g.C * g.KH * g.KW
		cols := make([]float32, kk*g.OH*g.OW)
		Im2Col(cols, x, g.C, g.H, g.W, g)
		got := make([]float32, len(want))
		Gemm(false, false, g.OC, g.OH*g.OW, kk, 1, w, kk, cols, g.OH*g.OW, 0, got, g.OH*g.OW)
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-4 {
				t.Fatalf("trial %d %+v: [%d] %v vs %v", trial, g, i, got[i], want[i])
			}
		}
		// Col2Im is the adjoint: <Im2Col(x), y> = <x, Col2Im(y)>.
		y := randSlice(rng, len(cols))
		back := make([]float32, len(x))
		Col2Im(back, y, g.C, g.H, g.W, g)
		var l, r float64
		for i := range cols {
			l += float64(cols[i]) * float64(y[i])
		}
		for i := range x {
			r += float64(x[i]) * float64(back[i])
		}
		if math.Abs(l-r) > 1e-3*(1+math.Abs(l)) {
			t.Fatalf("trial %d: adjoint mismatch %v vs %v", trial, l, r)
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// The GEMM convolution (implicit im2col packing) equals the direct
// reference convolution for random geometry, groups and batch.
func TestConv2DGemmMatchesConv2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 150; trial++ {
		groups := 1 + rng.IntN(3)
		g := ConvGeom{N: 1 + rng.IntN(2), C: groups * (1 + rng.IntN(4)), H: 1 + rng.IntN(40), W: 1 + rng.IntN(40), OC: groups * (1 + rng.IntN(9)),
			KH: 1 + rng.IntN(4), KW: 1 + rng.IntN(4), SH: 1 + rng.IntN(3), SW: 1 + rng.IntN(3),
			DH: 1 + rng.IntN(2), DW: 1 + rng.IntN(2), PadT: rng.IntN(3), PadL: rng.IntN(3), Groups: groups}
		if trial%5 == 0 {
			g.KH, g.KW, g.SH, g.SW, g.PadT, g.PadL = 1, 1, 1, 1, 0, 0
		}
		if trial%5 == 1 {
			// Wide stride-1 maps: most tiles take the direct (gather) path;
			// the channel counts leave partial 6-row tiles.
			g.N, g.H, g.W, g.SH, g.SW = 1, 20+rng.IntN(50), 40+rng.IntN(60), 1, 1
			groups = 1
			g.C, g.OC, g.Groups = 10+rng.IntN(30), 7+rng.IntN(20), 1
		}
		padB, padR := rng.IntN(3), rng.IntN(3)
		g.OH = (g.H+g.PadT+padB-g.DH*(g.KH-1)-1)/g.SH + 1
		g.OW = (g.W+g.PadL+padR-g.DW*(g.KW-1)-1)/g.SW + 1
		if g.OH <= 0 || g.OW <= 0 {
			continue
		}
		x := randSlice(rng, g.N*g.C*g.H*g.W)
		w := randSlice(rng, g.OC*g.C/groups*g.KH*g.KW)
		var b []float32
		if rng.IntN(2) == 0 {
			b = randSlice(rng, g.OC)
		}
		want := make([]float32, g.N*g.OC*g.OH*g.OW)
		got := randSlice(rng, len(want)) // garbage must be overwritten
		Conv2D(want, x, w, b, g)
		Conv2DGemm(got, x, w, b, make([]float32, ConvScratch(g)), g)
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("trial %d %+v: [%d] %v, want %v", trial, g, i, got[i], want[i])
			}
		}
	}
}

// ConvAddSerial adds, for one image and group, what the reference
// convolution computes (padded, unpadded and pointwise geometries).
func TestConvAddSerialMatchesConv2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 120; trial++ {
		g := ConvGeom{N: 1, C: 1 + rng.IntN(12), H: 1 + rng.IntN(50), W: 1 + rng.IntN(70), OC: 1 + rng.IntN(13),
			KH: 1 + rng.IntN(4), KW: 1 + rng.IntN(4), SH: 1 + rng.IntN(2), SW: 1 + rng.IntN(2),
			DH: 1 + rng.IntN(2), DW: 1 + rng.IntN(2), PadT: rng.IntN(3), PadL: rng.IntN(3), Groups: 1}
		switch trial % 4 {
		case 0:
			g.KH, g.KW, g.SH, g.SW, g.PadT, g.PadL = 1, 1, 1, 1, 0, 0
		case 1: // the trainer's input-gradient convolutions: full padding
			g.SH, g.SW, g.DH, g.DW = 1, 1, 1, 1
			g.PadT, g.PadL = g.KH-1, g.KW-1
		}
		padB, padR := rng.IntN(3), rng.IntN(3)
		if trial%4 == 1 {
			padB, padR = g.PadT, g.PadL
		}
		g.OH = (g.H+g.PadT+padB-g.DH*(g.KH-1)-1)/g.SH + 1
		g.OW = (g.W+g.PadL+padR-g.DW*(g.KW-1)-1)/g.SW + 1
		if g.OH <= 0 || g.OW <= 0 {
			continue
		}
		x := randSlice(rng, g.C*g.H*g.W)
		w := randSlice(rng, g.OC*g.C*g.KH*g.KW)
		want := make([]float32, g.OC*g.OH*g.OW)
		Conv2D(want, x, w, nil, g)
		got := randSlice(rng, len(want))
		for i := range want {
			want[i] += got[i] // ConvAddSerial accumulates
		}
		ConvAddSerial(got, x, w, randSlice(rng, ConvScratch(g)), g)
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("trial %d %+v: [%d] %v, want %v", trial, g, i, got[i], want[i])
			}
		}
	}
}

// ConvWeightGradSerial equals Im2Col followed by Gemm(false, true, …).
func TestConvWeightGradSerialMatchesIm2ColGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 150; trial++ {
		groups := 1 + rng.IntN(3)
		g := ConvGeom{N: 1, C: groups * (1 + rng.IntN(12)), H: 1 + rng.IntN(50), W: 1 + rng.IntN(70), OC: groups * (1 + rng.IntN(20)),
			KH: 1 + rng.IntN(4), KW: 1 + rng.IntN(4), SH: 1 + rng.IntN(3), SW: 1 + rng.IntN(3),
			DH: 1 + rng.IntN(2), DW: 1 + rng.IntN(2), PadT: rng.IntN(3), PadL: rng.IntN(3), Groups: groups}
		if trial%3 == 0 {
			g.SH, g.SW, g.DH, g.DW = 1, 1, 1, 1
		}
		padB, padR := rng.IntN(3), rng.IntN(3)
		g.OH = (g.H+g.PadT+padB-g.DH*(g.KH-1)-1)/g.SH + 1
		g.OW = (g.W+g.PadL+padR-g.DW*(g.KW-1)-1)/g.SW + 1
		if g.OH <= 0 || g.OW <= 0 {
			continue
		}
		cg, ocg := g.C/groups, g.OC/groups
		kk, ohw := cg*g.KH*g.KW, g.OH*g.OW
		x := randSlice(rng, cg*g.H*g.W)
		dy := randSlice(rng, ocg*ohw)
		cols := make([]float32, kk*ohw)
		Im2Col(cols, x, cg, g.H, g.W, g)
		want := make([]float32, kk*ocg)
		Gemm(false, true, kk, ocg, ohw, 1, cols, ohw, dy, ohw, 0, want, ocg)
		got := randSlice(rng, kk*ocg) // overwritten
		ConvWeightGradSerial(got, x, dy, g)
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("trial %d %+v: [%d] %v, want %v", trial, g, i, got[i], want[i])
			}
		}
	}
}

// A planned Conv (weights packed once, depthwise kernel, fused residual and
// activation) equals the reference convolution plus the residual followed
// by Apply, for random geometry: odd sizes, strides 1–2, padding, groups
// (depthwise included), batch > 1.
func TestConvPlannedMatchesConv2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 400; trial++ {
		groups := 1 + rng.IntN(3)
		cg, ocg := 1+rng.IntN(12), 1+rng.IntN(30)
		k := 1 + 2*rng.IntN(3) // 1, 3, 5
		g := ConvGeom{N: 1 + rng.IntN(2), H: 1 + rng.IntN(40), W: 1 + rng.IntN(60),
			KH: k, KW: k, SH: 1 + rng.IntN(2), SW: 1 + rng.IntN(2), DH: 1, DW: 1, PadT: rng.IntN(k/2 + 1), PadL: rng.IntN(k/2 + 1)}
		switch trial % 4 {
		case 0: // depthwise
			groups = 1 + rng.IntN(40)
			cg, ocg = 1, 1
		case 1: // pointwise, sometimes with many channels (split by channels)
			g.KH, g.KW, g.SH, g.SW, g.PadT, g.PadL = 1, 1, 1, 1, 0, 0
			if rng.IntN(2) == 0 {
				groups, cg, ocg, g.H, g.W = 1, 30+rng.IntN(300), 30+rng.IntN(300), 1+rng.IntN(9), 1+rng.IntN(9)
			}
		case 2: // small map, many output channels: split by channels
			groups, cg, ocg, g.H, g.W = 1, 8+rng.IntN(70), 60+rng.IntN(300), 2+rng.IntN(8), 2+rng.IntN(8)
		}
		if trial%8 == 3 || trial%8 == 4 { // dilated: a full and a depthwise convolution
			g.DH, g.DW = 2, 1+rng.IntN(2)
		}
		g.C, g.OC, g.Groups = groups*cg, groups*ocg, groups
		padB, padR := rng.IntN(k/2+1), rng.IntN(k/2+1)
		g.OH = (g.H+g.PadT+padB-g.DH*(g.KH-1)-1)/g.SH + 1
		g.OW = (g.W+g.PadL+padR-g.DW*(g.KW-1)-1)/g.SW + 1
		if g.OH <= 0 || g.OW <= 0 {
			continue
		}
		x := randSlice(rng, g.N*g.C*g.H*g.W)
		w := randSlice(rng, g.OC*cg*g.KH*g.KW)
		var b []float32
		if rng.IntN(2) == 0 {
			b = randSlice(rng, g.OC)
		}
		want := make([]float32, g.N*g.OC*g.OH*g.OW)
		Conv2D(want, x, w, b, g)
		// Half the time a residual is added (Residual), into its own buffer
		// or over the output; the activation then reads the sum.
		var res, sum []float32
		residual, inPlace := rng.IntN(2) == 0, rng.IntN(2) == 0
		wantSum := want
		if residual {
			res = randSlice(rng, len(want))
			wantSum = make([]float32, len(want))
			for i, v := range want {
				wantSum[i] = v + res[i]
			}
			if inPlace {
				want = wantSum
			} else {
				sum = randSlice(rng, len(want))
			}
		}
		// A clamp (ReLU, Clip) is applied by the micro-kernel as it stores,
		// anything else after each block.
		acts := []struct {
			f           Activation
			alpha, beta float32
		}{{ActClip, 0, 6}, {ActRelu, 0, 0}, {ActClip, -0.5, 0.75}, {ActTanh, 0, 0}}
		af := acts[rng.IntN(len(acts))]
		wantAct := make([]float32, len(want))
		for i, v := range wantSum {
			switch af.f {
			case ActRelu:
				wantAct[i] = max(v, 0)
			case ActClip:
				wantAct[i] = min(max(v, af.alpha), af.beta)
			default:
				wantAct[i] = float32(math.Tanh(float64(v)))
			}
		}
		c := NewConv(w, b, g)
		got := randSlice(rng, len(want)) // garbage must be overwritten
		act := randSlice(rng, len(want))
		if residual {
			c.Residual(res, sum)
		}
		fused := rng.IntN(2) == 0
		if fused {
			c.Fuse(act, af.f, af.alpha, af.beta, rng.IntN(2) == 0)
		}
		// Both sides round in float32, summing in different orders: the
		// difference grows with the depth of the sums.
		tol := 1e-4 * max(1, math.Sqrt(float64(cg*g.KH*g.KW)/256))
		for run := 0; run < 2; run++ { // the packed weights are reused
			c.Run(got, x, randSlice(rng, c.Scratch()))
			for i := range got {
				if math.Abs(float64(got[i]-want[i])) > tol*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("trial %d %+v: [%d] %v, want %v", trial, g, i, got[i], want[i])
				}
				if fused && math.Abs(float64(act[i]-wantAct[i])) > 1e-4*(1+math.Abs(float64(wantAct[i]))) {
					t.Fatalf("trial %d %+v: activation [%d] %v, want %v", trial, g, i, act[i], wantAct[i])
				}
				if sum != nil && math.Abs(float64(sum[i]-wantSum[i])) > 1e-4*(1+math.Abs(float64(wantSum[i]))) {
					t.Fatalf("trial %d %+v: residual sum [%d] %v, want %v", trial, g, i, sum[i], wantSum[i])
				}
			}
		}
	}
}

// A fused clamp whose convolution output is read by nothing else (Fuse with
// unread) streams that output of a product or a direct convolution with
// non-temporal stores (the depthwise kernel ignores unread): output and
// activation checked against the reference.
func TestConvStreamedOutputMatchesConv2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, g := range []ConvGeom{
		{N: 2, C: 7, H: 16, W: 32, OC: 7, OH: 16, OW: 32, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PadT: 1, PadL: 1, Groups: 7},
		{N: 1, C: 5, H: 9, W: 24, OC: 5, OH: 9, OW: 24, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1, PadT: 2, PadL: 2, Groups: 5},
		{N: 1, C: 16, H: 24, W: 24, OC: 96, OH: 24, OW: 24, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, Groups: 1},
		{N: 1, C: 40, H: 8, W: 8, OC: 300, OH: 8, OW: 8, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, Groups: 1},
		// Direct, row by row (whole aligned tiles streamed with AVX-512):
		// one depth block, and three.
		{N: 1, C: 8, H: 16, W: 64, OC: 13, OH: 16, OW: 64, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PadT: 1, PadL: 1, Groups: 1},
		{N: 1, C: 64, H: 8, W: 64, OC: 12, OH: 8, OW: 64, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PadT: 1, PadL: 1, Groups: 1},
	} {
		x := randSlice(rng, g.N*g.C*g.H*g.W)
		w := randSlice(rng, g.OC*g.C/g.Groups*g.KH*g.KW)
		b := randSlice(rng, g.OC)
		want := make([]float32, g.N*g.OC*g.OH*g.OW)
		Conv2D(want, x, w, b, g)
		got, act := randSlice(rng, len(want)), randSlice(rng, len(want))
		c := NewConv(w, b, g)
		c.Fuse(act, ActClip, 0, 6, true)
		c.Run(got, x, make([]float32, c.Scratch()))
		for i, v := range want {
			a := min(max(v, 0), 6)
			if math.Abs(float64(got[i]-v)) > 1e-4*(1+math.Abs(float64(v))) || math.Abs(float64(act[i]-a)) > 1e-4*(1+math.Abs(float64(a))) {
				t.Fatalf("%+v: [%d] %v, %v, want %v, %v", g, i, got[i], act[i], v, a)
			}
		}
	}
}

// A convolution through the column matrix unrolled in several bands of
// output rows (the scratch limit lowered to twice the input) equals the
// reference, with a fused activation and residual: narrow and strided
// maps, random geometry (strided only without AVX2, where stride-1
// convolutions take the direct kernel, and stride 3 with AVX-512, where
// narrow and stride-2 ones do too); and with the default limit a small
// late map is one band.
func TestConvColumnBands(t *testing.T) {
	// ResNet-50's stride-2 3×3 512-channel layer, 14×14 → 7×7.
	late := ConvGeom{N: 1, C: 512, H: 14, W: 14, OC: 512, OH: 7, OW: 7, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PadT: 1, PadL: 1, Groups: 1}
	if c := NewConv(make([]float32, 512*512*9), nil, late); !hasAVX512 && (!c.im2col || c.band != 7) {
		t.Fatalf("ResNet-50's 7×7 512-channel layer: im2col %v, band %d rows, want one band of 7", c.im2col, c.band)
	}
	defer func(v int) { columnScratchMin = v }(columnScratchMin)
	columnScratchMin = 0
	rng := rand.New(rand.NewPCG(11, 12))
	bands := 0
	for trial := 0; trial < 60; trial++ {
		k := 3 + 2*rng.IntN(2)
		g := ConvGeom{N: 1 + rng.IntN(2), C: 8 + rng.IntN(40), H: 5 + rng.IntN(20), W: 3 + rng.IntN(9),
			OC: 1 + rng.IntN(20), KH: k, KW: k, SH: 1 + rng.IntN(2), SW: 1 + rng.IntN(2), DH: 1, DW: 1, PadT: k / 2, PadL: k / 2, Groups: 1}
		if !hasAVX2 {
			g.SH = 2 // stride-1 convolutions take the direct kernel
		}
		if hasAVX512 {
			g.SH = 3 // narrow and stride-2 ones too (flatTiles)
		}
		g.OH = (g.H+2*g.PadT-g.KH)/g.SH + 1
		g.OW = (g.W+2*g.PadL-g.KW)/g.SW + 1
		x := randSlice(rng, g.N*g.C*g.H*g.W)
		w := randSlice(rng, g.OC*g.C*g.KH*g.KW)
		b := randSlice(rng, g.OC)
		want := make([]float32, g.N*g.OC*g.OH*g.OW)
		Conv2D(want, x, w, b, g)
		res := randSlice(rng, len(want))
		c := NewConv(w, b, g)
		if !c.im2col {
			t.Fatalf("trial %d %+v: not through the column matrix", trial, g)
		}
		if c.band < g.OH {
			bands++
		}
		got, act := randSlice(rng, len(want)), randSlice(rng, len(want))
		c.Residual(res, nil)
		c.Fuse(act, ActRelu, 0, 0, false)
		c.Run(got, x, randSlice(rng, c.Scratch()))
		for i, v := range want {
			s := v + res[i]
			if math.Abs(float64(got[i]-s)) > 1e-4*(1+math.Abs(float64(s))) || math.Abs(float64(act[i]-max(s, 0))) > 1e-4*(1+math.Abs(float64(s))) {
				t.Fatalf("trial %d %+v (band %d): [%d] %v, relu %v, want %v", trial, g, c.band, i, got[i], act[i], s)
			}
		}
	}
	if bands < 20 {
		t.Errorf("only %d of 60 trials unrolled in several bands", bands)
	}
}

// The direct kernel's tilings on chosen geometries, against the reference
// with a fused ReLU: row by row with a short last tile overlapping its
// neighbour (61 and 250 pixels, 5×5), whole tiles (64, 224), flat (14, 7,
// 28 and 56), stride 2 (flat over phases with AVX-512), with channel
// counts that leave short 6-row tiles, and the same through ConvAddSerial.
func TestConvTilePaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, s := range []struct{ c, oc, hw, k, s int }{
		{5, 7, 61, 5, 1}, {3, 13, 250, 5, 1}, {4, 11, 64, 3, 1}, {2, 6, 224, 3, 1},
		{9, 17, 14, 3, 1}, {33, 8, 7, 3, 1}, {7, 5, 28, 3, 1}, {6, 20, 56, 3, 1},
		// Stride 2 (phased with AVX-512): odd and even sizes, 1×1 to 7×7.
		{3, 13, 57, 7, 2}, {6, 9, 56, 3, 2}, {5, 7, 29, 3, 2}, {8, 14, 15, 1, 2}, {4, 6, 14, 1, 2}, {3, 5, 30, 4, 2},
	} {
		pad := s.k / 2
		g := ConvGeom{N: 1, C: s.c, H: s.hw / 2, W: s.hw, OC: s.oc, KH: s.k, KW: s.k,
			SH: s.s, SW: s.s, DH: 1, DW: 1, PadT: pad, PadL: pad, Groups: 1}
		g.OH = (g.H+2*pad-s.k)/s.s + 1
		g.OW = (g.W+2*pad-s.k)/s.s + 1
		x := randSlice(rng, g.C*g.H*g.W)
		w := randSlice(rng, g.OC*g.C*g.KH*g.KW)
		b := randSlice(rng, g.OC)
		want := make([]float32, g.OC*g.OH*g.OW)
		Conv2D(want, x, w, b, g)
		c := NewConv(w, b, g)
		got, act := randSlice(rng, len(want)), randSlice(rng, len(want))
		c.Fuse(act, ActRelu, 0, 0, false)
		c.Run(got, x, randSlice(rng, c.Scratch()))
		acc := make([]float32, len(want))
		for o := 0; o < g.OC; o++ {
			fill(acc[o*g.OH*g.OW:(o+1)*g.OH*g.OW], b[o])
		}
		ConvAddSerial(acc, x, w, randSlice(rng, ConvScratch(g)), g)
		for i, v := range want {
			tol := 1e-4 * (1 + math.Abs(float64(v)))
			if math.Abs(float64(got[i]-v)) > tol || math.Abs(float64(act[i]-max(v, 0))) > tol || math.Abs(float64(acc[i]-v)) > tol {
				t.Fatalf("%+v (flat %v): [%d] %v, relu %v, serial %v, want %v", g, flatTiles(g), i, got[i], act[i], acc[i], v)
			}
		}
	}
}

// Depthwise convolutions against the reference on random geometries —
// kernels 1 to 7, strides 1 and 2 (and 3, the general path), padding on
// any side up to the kernel, maps from 1 to 120 pixels wide — with and
// without a fused ReLU6 or bias.
func TestDepthwiseMatchesConv2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	// Same-width maps (output rows as wide as the input's: planned as one
	// flat row with AVX-512), then random geometry.
	for _, s := range []struct{ hw, k, padT, padL int }{{7, 3, 1, 1}, {14, 5, 2, 2}, {28, 3, 0, 1}, {5, 7, 3, 3}, {32, 3, 2, 1}, {1, 3, 1, 1}} {
		g := ConvGeom{N: 2, C: 3, OC: 3, Groups: 3, H: s.hw, W: s.hw, KH: s.k, KW: s.k, SH: 1, SW: 1, DH: 1, DW: 1, PadT: s.padT, PadL: s.padL}
		g.OH, g.OW = s.hw, s.hw // bottom and right padding k−1−padT and k−1−padL
		checkDepthwise(t, rng, g, true, true, "same width")
	}
	for trial := 0; trial < 300; trial++ {
		k := 1 + rng.IntN(7)
		s := 1 + rng.IntN(2)
		if trial%10 == 9 {
			s = 3
		}
		c := 2 + rng.IntN(5)
		g := ConvGeom{N: 1 + rng.IntN(2), C: c, OC: c, Groups: c, H: 1 + rng.IntN(40), W: 1 + rng.IntN(120),
			KH: k, KW: k, SH: s, SW: s, DH: 1, DW: 1, PadT: rng.IntN(k + 1), PadL: rng.IntN(k + 1)}
		padB, padR := rng.IntN(k+1), rng.IntN(k+1)
		g.OH = (g.H+g.PadT+padB-g.KH)/g.SH + 1
		g.OW = (g.W+g.PadL+padR-g.KW)/g.SW + 1
		if g.OH <= 0 || g.OW <= 0 {
			continue
		}
		checkDepthwise(t, rng, g, rng.IntN(2) == 0, rng.IntN(2) == 0, fmt.Sprintf("trial %d (padB %d padR %d)", trial, padB, padR))
	}
}

// checkDepthwise runs g's depthwise convolution as NewConv plans it, with
// a bias and a fused ReLU6 or not, against the reference.
func checkDepthwise(t *testing.T, rng *rand.Rand, g ConvGeom, bias, fused bool, what string) {
	t.Helper()
	x := randSlice(rng, g.N*g.C*g.H*g.W)
	w := randSlice(rng, g.C*g.KH*g.KW)
	var b []float32
	if bias {
		b = randSlice(rng, g.C)
	}
	want := make([]float32, g.N*g.C*g.OH*g.OW)
	Conv2D(want, x, w, b, g)
	cv := NewConv(w, b, g)
	got, act := randSlice(rng, len(want)), randSlice(rng, len(want))
	if fused {
		cv.Fuse(act, ActClip, 0, 6, rng.IntN(2) == 0) // unread: whole aligned blocks streamed
	}
	cv.Run(got, x, make([]float32, cv.Scratch()))
	for i, v := range want {
		tol := 1e-4 * (1 + math.Abs(float64(v)))
		if math.Abs(float64(got[i]-v)) > tol || fused && math.Abs(float64(act[i]-min(max(v, 0), 6))) > tol {
			t.Fatalf("%s %+v (AVX-512 tables %v, flat %v): [%d] %v, relu6 %v, want %v",
				what, g, cv.dw != nil, cv.dw != nil && cv.dw.args.H == 1, i, got[i], act[i], v)
		}
	}
}

// ScratchLen, computed from the geometry alone, is what a planned
// convolution asks for, on every kind of geometry the tests above make.
func TestScratchLenMatchesPlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for trial := 0; trial < 500; trial++ {
		k := 1 + rng.IntN(7)
		groups := 1 + rng.IntN(3)
		if trial%5 == 0 {
			groups = 4
		}
		cg := 1 + rng.IntN(20)
		if trial%5 == 0 {
			cg = 1 // depthwise
		}
		g := ConvGeom{N: 1, C: groups * cg, H: 1 + rng.IntN(60), W: 1 + rng.IntN(60), OC: groups * (1 + rng.IntN(40)),
			KH: k, KW: k, SH: 1 + rng.IntN(3), SW: 1 + rng.IntN(3), DH: 1 + rng.IntN(2), DW: 1 + rng.IntN(2),
			PadT: rng.IntN(k + 1), PadL: rng.IntN(k + 1), Groups: groups}
		if trial%5 == 0 {
			g.OC = g.C
		}
		if trial%3 == 0 {
			g.SW, g.DH, g.DW = g.SH, 1, 1
		}
		g.OH = (g.H+2*g.PadT-g.DH*(g.KH-1)-1)/g.SH + 1
		g.OW = (g.W+2*g.PadL-g.DW*(g.KW-1)-1)/g.SW + 1
		if g.OH <= 0 || g.OW <= 0 {
			continue
		}
		c := NewConv(make([]float32, g.OC*cg*k*k), nil, g)
		if got, want := ScratchLen(g), c.Scratch(); got != want {
			t.Fatalf("%+v: ScratchLen %d, the plan's Scratch %d", g, got, want)
		}
	}
}

package imageio

import (
	"image"
	"math"
)

// Fit scales img so that it covers w×h (the shorter side matching), then
// crops the centre w×h window; see the package documentation for the exact
// resampling. Transparent pixels are composited over white. The result is
// opaque with bounds (0, 0)–(w, h); an empty img yields a white image and
// non-positive w or h an empty one.
func Fit(img image.Image, w, h int) *image.RGBA {
	return resizeWith(img, w, h, func(sw, sh int) ([]contrib, []contrib) {
		scaledW, scaledH := coverSize(sw, sh, w, h)
		return axisKernel(sw, scaledW, (scaledW-w)/2, w), axisKernel(sh, scaledH, (scaledH-h)/2, h)
	})
}

// resizeWith brings img to w×h with the column and row kernels that
// kernels returns for its size sw×sh (an image already w×h is copied).
func resizeWith(img image.Image, w, h int, kernels func(sw, sh int) (kx, ky []contrib)) *image.RGBA {
	w, h = max(w, 0), max(h, 0)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if w == 0 || h == 0 {
		return dst
	}
	src := opaqueRGBA(img)
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	if sw == 0 || sh == 0 {
		fillWhite(dst)
		return dst
	}
	if sw == w && sh == h {
		for y := range h {
			copy(dst.Pix[y*dst.Stride:][:4*w], src.Pix[src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y+y):])
		}
		return dst
	}
	kx, ky := kernels(sw, sh)
	resample(dst, src, kx, ky)
	return dst
}

// opaqueRGBA returns img as an opaque RGBA image, without copying when it
// already is one.
func opaqueRGBA(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok && m.Opaque() {
		return m
	}
	return flatten(img, img.Bounds())
}

// coverSize returns the size of the sw×sh image scaled by max(w/sw, h/sh),
// rounded to whole pixels and never smaller than w×h.
func coverSize(sw, sh, w, h int) (int, int) {
	roundDiv := func(a, b int64) int { return int((2*a + b) / (2 * b)) }
	if int64(w)*int64(sh) >= int64(h)*int64(sw) { // width binds
		return w, max(h, roundDiv(int64(sh)*int64(w), int64(sw)))
	}
	return max(w, roundDiv(int64(sw)*int64(h), int64(sh))), h
}

// contrib is the weighted run of source samples making one output sample.
type contrib struct {
	first   int       // first source index
	weights []float32 // weights of first, first+1, …; they sum to 1
}

// axisKernel returns, for output samples 0…n−1 of one axis, the source
// samples that make them: output k is sample k+offset of the src-long axis
// resized to scaled samples.
func axisKernel(src, scaled, offset, n int) []contrib {
	k := make([]contrib, n)
	for i := range k {
		t := i + offset
		switch {
		case scaled == src:
			k[i] = contrib{t, []float32{1}}
		case scaled < src:
			k[i] = boxContrib(int64(src), int64(scaled), int64(t))
		default:
			k[i] = linearContrib(src, scaled, t)
		}
	}
	return k
}

// boxContrib averages the footprint [t·src/scaled, (t+1)·src/scaled) of
// output sample t, weighting each source sample by its exact overlap. In
// units of 1/scaled source samples the footprint is [t·src, (t+1)·src) and
// sample p covers [p·scaled, (p+1)·scaled), so overlaps are integers.
func boxContrib(src, scaled, t int64) contrib {
	lo, hi := t*src, (t+1)*src
	first, last := lo/scaled, (hi-1)/scaled
	ws := make([]float32, last-first+1)
	for p := first; p <= last; p++ {
		overlap := min(hi, (p+1)*scaled) - max(lo, p*scaled)
		ws[p-first] = float32(float64(overlap) / float64(src))
	}
	return contrib{int(first), ws}
}

// linearContrib interpolates output sample t at source position
// (t+0.5)·src/scaled − 0.5 (pixel centres aligned), clamped to the edges.
func linearContrib(src, scaled, t int) contrib {
	pos := (float64(t)+0.5)*float64(src)/float64(scaled) - 0.5
	pos = min(max(pos, 0), float64(src-1))
	p := math.Floor(pos)
	f := float32(pos - p)
	if f == 0 || int(p) == src-1 {
		return contrib{int(p), []float32{1}}
	}
	return contrib{int(p), []float32{1 - f, f}}
}

// resample fills dst from src with the separable kernels kx (columns) and
// ky (rows): a horizontal pass over the source rows that ky needs, then a
// vertical pass, rounding half up to 8 bits.
func resample(dst, src *image.RGBA, kx, ky []contrib) {
	w := len(kx)
	top := ky[0].first
	bottom := ky[len(ky)-1].first + len(ky[len(ky)-1].weights)
	rows := make([][]float32, bottom-top)
	for i := range rows {
		rows[i] = horizontal(src, top+i, kx)
	}
	acc := make([]float32, 3*w)
	for y, c := range ky {
		clear(acc)
		for j, wt := range c.weights {
			for i, v := range rows[c.first-top+j] {
				acc[i] += wt * v
			}
		}
		out := dst.Pix[y*dst.Stride:][:4*w]
		for x := range w {
			out[4*x] = round8(acc[3*x])
			out[4*x+1] = round8(acc[3*x+1])
			out[4*x+2] = round8(acc[3*x+2])
			out[4*x+3] = 0xff
		}
	}
}

// horizontal resamples source row y (relative to src.Rect.Min) with kx,
// returning RGB triples.
func horizontal(src *image.RGBA, y int, kx []contrib) []float32 {
	row := src.Pix[src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y+y):]
	out := make([]float32, 3*len(kx))
	for x, c := range kx {
		var r, g, b float32
		for j, wt := range c.weights {
			p := row[4*(c.first+j):]
			r += wt * float32(p[0])
			g += wt * float32(p[1])
			b += wt * float32(p[2])
		}
		out[3*x], out[3*x+1], out[3*x+2] = r, g, b
	}
	return out
}

func round8(v float32) uint8 {
	return uint8(min(max(v+0.5, 0), 255))
}

package imageio

import (
	"bytes"
	"image"

	"golang.org/x/image/webp"
)

// decodeWebP decodes a WebP file. Lossy (VP8) pictures are converted to RGB
// the way libwebp (and so Chromium) does by default: "fancy" chroma
// upsampling (src/dsp/upsampling.c) and BT.601 limited-range fixed-point
// conversion (src/dsp/yuv.h). Go's image.YCbCr would instead treat the
// samples as full-range JFIF and replicate chroma. Lossless pictures are
// exact already.
func decodeWebP(data []byte, _ image.Config) (*image.RGBA, error) {
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	switch m := img.(type) {
	case *image.YCbCr:
		if vp8Layout(m) {
			return vp8ToRGBA(m, nil, 0), nil
		}
	case *image.NYCbCrA:
		if vp8Layout(&m.YCbCr) {
			return vp8ToRGBA(&m.YCbCr, m.A, m.AStride), nil
		}
	}
	return flatten(img, img.Bounds()), nil
}

// vp8Layout reports whether m is laid out as a VP8 frame: 4:2:0 at the
// origin.
func vp8Layout(m *image.YCbCr) bool {
	return m.SubsampleRatio == image.YCbCrSubsampleRatio420 && m.Rect.Min == (image.Point{})
}

// vp8ToRGBA converts a VP8 frame, with optional straight alpha, to RGB
// composited over white.
func vp8ToRGBA(m *image.YCbCr, alpha []uint8, alphaStride int) *image.RGBA {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	chroma := func(pix []uint8, r int) []uint8 {
		r = min(max(r, 0), ch-1)
		return pix[r*m.CStride : r*m.CStride+cw]
	}
	u, v := make([]uint8, w), make([]uint8, w)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		// Output row y lies between chroma rows (y−1)/2 and (y+1)/2; odd
		// rows weigh the upper one 3/4, even rows the lower one.
		top, cur, bottom := (y-1)>>1, (y+1)>>1, y%2 == 0
		webpUpsampleRow(chroma(m.Cb, top), chroma(m.Cb, cur), bottom, u)
		webpUpsampleRow(chroma(m.Cr, top), chroma(m.Cr, cur), bottom, v)
		yRow := m.Y[y*m.YStride : y*m.YStride+w]
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		for x, yy := range yRow {
			r, g, b := webpYUVToRGB(yy, u[x], v[x])
			if alpha != nil {
				c := overNRGBA8(r, g, b, alpha[y*alphaStride+x])
				r, g, b = c[0], c[1], c[2]
			}
			out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = r, g, b, 0xff
		}
	}
	return dst
}

// webpUpsampleRow is one output row of libwebp's UpsampleRgbLinePair for
// one chroma channel: the row lies between chroma rows top and cur, nearer
// cur when bottom is set. Interior samples are (9a+3b+3c+d+8)/16 computed
// through libwebp's diagonal averages; the first (and, for an even width,
// the last) sample uses only its own column. len(out) is the luma width.
func webpUpsampleRow(top, cur []uint8, bottom bool, out []uint8) {
	near, far := top, cur
	if bottom {
		near, far = cur, top
	}
	edge := func(x int) uint8 { return uint8((3*int(near[x]) + int(far[x]) + 2) >> 2) }
	n := len(out)
	out[0] = edge(0)
	last := (n - 1) >> 1
	for x := 1; x <= last; x++ {
		tl, t, l, c := int(top[x-1]), int(top[x]), int(cur[x-1]), int(cur[x])
		avg := tl + t + l + c + 8
		diag12 := (avg + 2*(t+l)) >> 3
		diag03 := (avg + 2*(tl+c)) >> 3
		if bottom {
			out[2*x-1] = uint8((diag03 + l) >> 1)
			out[2*x] = uint8((diag12 + c) >> 1)
		} else {
			out[2*x-1] = uint8((diag12 + tl) >> 1)
			out[2*x] = uint8((diag03 + t) >> 1)
		}
	}
	if n%2 == 0 {
		out[n-1] = edge(last)
	}
}

// webpYUVToRGB is libwebp's VP8YuvToRgb: BT.601 limited range with 14-bit
// coefficients (a·b = (a·b)>>8, "mulhi") and 6 fractional bits.
func webpYUVToRGB(y, u, v uint8) (r, g, b uint8) {
	mulHi := func(v uint8, coeff int) int { return int(v) * coeff >> 8 }
	yy := mulHi(y, 19077)
	r = webpClip8(yy + mulHi(v, 26149) - 14234)
	g = webpClip8(yy - mulHi(u, 6419) - mulHi(v, 13320) + 8708)
	b = webpClip8(yy + mulHi(u, 33050) - 17685)
	return r, g, b
}

// webpClip8 is libwebp's VP8Clip8 (YUV_FIX2 = 6).
func webpClip8(v int) uint8 {
	const fix2, mask2 = 6, (256 << 6) - 1
	switch {
	case v&^mask2 == 0:
		return uint8(v >> fix2)
	case v < 0:
		return 0
	}
	return 255
}

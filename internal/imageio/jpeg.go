package imageio

import (
	"bytes"
	"image"
	"image/jpeg"
)

// decodeJPEG decodes a JPEG the way libjpeg-turbo does (fancy chroma
// upsampling, fixed-point colour conversion) and applies its EXIF
// orientation.
func decodeJPEG(data []byte, _ image.Config) (*image.RGBA, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var rgba *image.RGBA
	switch m := img.(type) {
	case *image.YCbCr:
		rgba = ycbcrToRGBA(m)
	case *image.CMYK:
		rgba = cmykToRGBA(m)
	default: // *image.Gray, *image.RGBA (Adobe RGB-transform JPEGs)
		rgba = flatten(img, img.Bounds())
	}
	return orient(rgba, exifOrientation(data)), nil
}

// ycbcrToRGBA converts a decoded JPEG's planes to RGB like libjpeg-turbo's
// sep_upsample + ycc_rgb_convert.
func ycbcrToRGBA(m *image.YCbCr) *image.RGBA {
	hf, vf, ok := chromaFactors(m.SubsampleRatio)
	if !ok || m.Rect.Min != (image.Point{}) {
		return flatten(m, m.Rect)
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := ceilDiv(w, hf), ceilDiv(h, vf)
	cb, cr := plane{m.Cb, m.CStride, cw, ch}, plane{m.Cr, m.CStride, cw, ch}
	cbRow, crRow := make([]uint8, cw*hf), make([]uint8, cw*hf)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		upsampleRow(cb, hf, vf, y, cbRow)
		upsampleRow(cr, hf, vf, y, crRow)
		yRow := m.Y[y*m.YStride : y*m.YStride+w]
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		for x, yy := range yRow {
			r, g, b := yccToRGB(yy, cbRow[x], crRow[x])
			out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = r, g, b, 0xff
		}
	}
	return dst
}

// chromaFactors returns the horizontal and vertical chroma subsampling
// factors of a ratio.
func chromaFactors(r image.YCbCrSubsampleRatio) (h, v int, ok bool) {
	switch r {
	case image.YCbCrSubsampleRatio444:
		return 1, 1, true
	case image.YCbCrSubsampleRatio422:
		return 2, 1, true
	case image.YCbCrSubsampleRatio420:
		return 2, 2, true
	case image.YCbCrSubsampleRatio440:
		return 1, 2, true
	case image.YCbCrSubsampleRatio411:
		return 4, 1, true
	case image.YCbCrSubsampleRatio410:
		return 4, 2, true
	}
	return 0, 0, false
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// cmykToRGBA converts Go's (normal, non-inverted) CMYK to RGB with
// Chromium's formula for Adobe's inverted CMYK: R = C'·K'/255, truncated,
// where C' = 255−C and K' = 255−K.
func cmykToRGBA(m *image.CMYK) *image.RGBA {
	b := m.Rect
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := m.Pix[m.PixOffset(b.Min.X, y):]
		out := dst.Pix[(y-b.Min.Y)*dst.Stride:]
		for x := 0; x < b.Dx(); x++ {
			k := 255 - uint32(src[4*x+3])
			for c := 0; c < 3; c++ {
				out[4*x+c] = uint8((255 - uint32(src[4*x+c])) * k / 255)
			}
			out[4*x+3] = 0xff
		}
	}
	return dst
}

// libjpeg's fixed-point YCbCr→RGB tables (jdcolor.c, build_ycc_rgb_table).
const (
	scaleBits = 16
	oneHalf   = 1 << (scaleBits - 1)
)

type yccTables struct {
	crR, cbB, crG, cbG [256]int32
}

var ycc = newYCCTables()

func fix(x float64) int32 { return int32(x*(1<<scaleBits) + 0.5) }

func newYCCTables() *yccTables {
	t := new(yccTables)
	for i := range 256 {
		x := int32(i) - 128
		t.crR[i] = (fix(1.40200)*x + oneHalf) >> scaleBits
		t.cbB[i] = (fix(1.77200)*x + oneHalf) >> scaleBits
		t.crG[i] = -fix(0.71414) * x
		t.cbG[i] = -fix(0.34414)*x + oneHalf
	}
	return t
}

// yccToRGB is libjpeg's ycc_rgb_convert for one pixel.
func yccToRGB(y, cb, cr uint8) (r, g, b uint8) {
	yy := int32(y)
	r = clamp8(yy + ycc.crR[cr])
	g = clamp8(yy + (ycc.cbG[cb]+ycc.crG[cr])>>scaleBits)
	b = clamp8(yy + ycc.cbB[cb])
	return r, g, b
}

// clamp8 is libjpeg's range_limit.
func clamp8(v int32) uint8 {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
}

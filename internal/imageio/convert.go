package imageio

import (
	"image"
	"image/color"
)

// flatten draws src onto an opaque white canvas covering the canvas
// rectangle (in src coordinates) and returns it with bounds starting at
// (0, 0). Transparent pixels are composited over white.
func flatten(src image.Image, canvas image.Rectangle) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, canvas.Dx(), canvas.Dy()))
	area := src.Bounds().Intersect(canvas)
	if area != canvas {
		fillWhite(dst)
	}
	if area.Empty() {
		return dst
	}
	switch s := src.(type) {
	case *image.RGBA:
		flattenRows(dst, canvas, area, func(x, y int) [3]uint8 {
			i := s.PixOffset(x, y)
			p := s.Pix[i : i+4 : i+4]
			return over8(p[0], p[1], p[2], p[3])
		})
	case *image.NRGBA:
		flattenRows(dst, canvas, area, func(x, y int) [3]uint8 {
			i := s.PixOffset(x, y)
			p := s.Pix[i : i+4 : i+4]
			return overNRGBA8(p[0], p[1], p[2], p[3])
		})
	case *image.Gray:
		flattenRows(dst, canvas, area, func(x, y int) [3]uint8 {
			v := s.Pix[s.PixOffset(x, y)]
			return [3]uint8{v, v, v}
		})
	case *image.Paletted:
		lut := paletteOverWhite(s.Palette)
		flattenRows(dst, canvas, area, func(x, y int) [3]uint8 {
			return lut[s.Pix[s.PixOffset(x, y)]]
		})
	case image.RGBA64Image:
		flattenRows(dst, canvas, area, func(x, y int) [3]uint8 {
			c := s.RGBA64At(x, y)
			return over16(uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A))
		})
	default:
		flattenRows(dst, canvas, area, func(x, y int) [3]uint8 {
			r, g, b, a := s.At(x, y).RGBA()
			return over16(r, g, b, a)
		})
	}
	return dst
}

// flattenRows stores px(x, y) for every (x, y) in area into dst, which is
// addressed relative to canvas.Min.
func flattenRows(dst *image.RGBA, canvas, area image.Rectangle, px func(x, y int) [3]uint8) {
	for y := area.Min.Y; y < area.Max.Y; y++ {
		i := dst.PixOffset(area.Min.X-canvas.Min.X, y-canvas.Min.Y)
		row := dst.Pix[i : i+4*area.Dx()]
		for x := area.Min.X; x < area.Max.X; x++ {
			c := px(x, y)
			row[0], row[1], row[2], row[3] = c[0], c[1], c[2], 0xff
			row = row[4:]
		}
	}
}

func fillWhite(m *image.RGBA) {
	for i := range m.Pix {
		m.Pix[i] = 0xff
	}
}

// over16 composites a 16-bit alpha-premultiplied colour over white and
// rounds the result to 8 bits.
func over16(r, g, b, a uint32) [3]uint8 {
	bg := 0xffff - a
	return [3]uint8{to8(r + bg), to8(g + bg), to8(b + bg)}
}

// to8 rounds a 16-bit level to the nearest 8-bit one (v/257). 8-bit values
// widened as v*0x101 map back exactly.
func to8(v uint32) uint8 {
	if v > 0xffff {
		v = 0xffff
	}
	return uint8((v*0xff + 0x7fff) / 0xffff)
}

// over8 is over16 for 8-bit premultiplied samples, as color.RGBA.RGBA does.
func over8(r, g, b, a uint8) [3]uint8 {
	if a == 0xff {
		return [3]uint8{r, g, b}
	}
	return over16(uint32(r)*0x101, uint32(g)*0x101, uint32(b)*0x101, uint32(a)*0x101)
}

// overNRGBA8 is over16 for 8-bit straight-alpha samples, premultiplied the
// way color.NRGBA.RGBA does.
func overNRGBA8(r, g, b, a uint8) [3]uint8 {
	if a == 0xff {
		return [3]uint8{r, g, b}
	}
	a16 := uint32(a) * 0x101
	pre := func(v uint8) uint32 { return uint32(v) * 0x101 * a16 / 0xffff }
	return over16(pre(r), pre(g), pre(b), a16)
}

// paletteOverWhite flattens every palette entry; indices past the end of the
// palette (which Go's decoders reject anyway) read as black.
func paletteOverWhite(p color.Palette) *[256][3]uint8 {
	var lut [256][3]uint8
	for i, c := range p {
		if i >= len(lut) {
			break
		}
		r, g, b, a := c.RGBA()
		lut[i] = over16(r, g, b, a)
	}
	return &lut
}

package imageio

import (
	"encoding/binary"
	"image"
)

// exifOrientation returns the EXIF orientation (1–8) of a JPEG file, or 1
// when it has none or the metadata is malformed. Only the first APP1 Exif
// segment before the image data is consulted, like Chromium does.
func exifOrientation(jpg []byte) int {
	const (
		markerSOS  = 0xda
		markerEOI  = 0xd9
		markerAPP1 = 0xe1
	)
	i := 2 // skip SOI
	for i+4 <= len(jpg) {
		if jpg[i] != 0xff {
			return 1
		}
		marker := jpg[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0x01, marker >= 0xd0 && marker <= 0xd8: // no length
			i += 2
			continue
		case marker == markerSOS, marker == markerEOI:
			return 1
		}
		n := int(binary.BigEndian.Uint16(jpg[i+2:]))
		if n < 2 || i+2+n > len(jpg) {
			return 1
		}
		seg := jpg[i+4 : i+2+n]
		if marker == markerAPP1 && hasPrefix(seg, "Exif\x00\x00") {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 (SHORT, count 1) from IFD0 of a TIFF
// structure, returning 1 when absent or invalid.
func tiffOrientation(t []byte) int {
	const tagOrientation, typeShort = 0x0112, 3
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := uint64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > uint64(len(t)) {
		return 1
	}
	count := int(bo.Uint16(t[off:]))
	entries := t[off+2:]
	for k := 0; k < count && 12*k+12 <= len(entries); k++ {
		e := entries[12*k : 12*k+12]
		if bo.Uint16(e) != tagOrientation {
			continue
		}
		if bo.Uint16(e[2:]) != typeShort || bo.Uint32(e[4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(e[8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// orient applies an EXIF orientation to m (bounds starting at (0, 0)),
// returning the image as it should be displayed.
func orient(m *image.RGBA, orientation int) *image.RGBA {
	if orientation < 2 || orientation > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := w, h
	if orientation >= 5 { // 5–8 swap the axes
		dw, dh = h, w
	}
	// src maps a destination pixel to the source pixel it shows.
	src := map[int]func(x, y int) (int, int){
		2: func(x, y int) (int, int) { return w - 1 - x, y },         // mirror horizontally
		3: func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }, // rotate 180°
		4: func(x, y int) (int, int) { return x, h - 1 - y },         // mirror vertically
		5: func(x, y int) (int, int) { return y, x },                 // transpose
		6: func(x, y int) (int, int) { return y, h - 1 - x },         // rotate 90° clockwise
		7: func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }, // transverse
		8: func(x, y int) (int, int) { return w - 1 - y, x },         // rotate 90° anticlockwise
	}[orientation]
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			sx, sy := src(x, y)
			copy(dst.Pix[dst.PixOffset(x, y):][:4], m.Pix[m.PixOffset(sx, sy):][:4])
		}
	}
	return dst
}

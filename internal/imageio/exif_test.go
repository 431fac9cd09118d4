package imageio

import (
	"encoding/binary"
	"image"
	"slices"
	"testing"
)

// exifSegment builds an APP1 Exif segment whose IFD0 holds a dummy tag and
// then Orientation (SHORT, count 1).
func exifSegment(orientation uint16, bigEndian bool) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	tiff := []byte("II*\x00")
	if bigEndian {
		bo, tiff = binary.BigEndian, []byte("MM\x00*")
	}
	tiff = bo.AppendUint32(tiff, 8) // IFD0 offset
	tiff = bo.AppendUint16(tiff, 2) // entries
	// ImageWidth, LONG, 1, 640
	tiff = bo.AppendUint16(tiff, 0x0100)
	tiff = bo.AppendUint16(tiff, 4)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint32(tiff, 640)
	// Orientation, SHORT, 1, value left-justified in the 4-byte field
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, orientation)
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	payload := slices.Concat([]byte("Exif\x00\x00"), tiff)
	seg := []byte{0xff, 0xe1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

func TestExifOrientationParsing(t *testing.T) {
	soi := []byte{0xff, 0xd8}
	app0 := []byte{0xff, 0xe0, 0x00, 0x04, 'J', 'F'}
	sos := []byte{0xff, 0xda, 0x00, 0x02}
	good := exifSegment(6, true)
	for _, tc := range []struct {
		name string
		data []byte
		want int
	}{
		{"no metadata", slices.Concat(soi, sos), 1},
		{"after APP0", slices.Concat(soi, app0, good, sos), 6},
		{"little-endian 8", slices.Concat(soi, exifSegment(8, false), sos), 8},
		{"after SOS ignored", slices.Concat(soi, sos, good), 1},
		{"zero", slices.Concat(soi, exifSegment(0, false), sos), 1},
		{"too large", slices.Concat(soi, exifSegment(9, false), sos), 1},
		{"truncated segment", slices.Concat(soi, good[:20]), 1},
		{"segment length past end", slices.Concat(soi, []byte{0xff, 0xe1, 0xff, 0xff, 'E'}), 1},
		{"bad length", slices.Concat(soi, []byte{0xff, 0xe1, 0x00, 0x01}, good), 1},
		{"not a marker", slices.Concat(soi, []byte{0x12, 0x34, 0x56, 0x78}, good), 1},
		{"fill bytes", slices.Concat(soi, []byte{0xff, 0xff}, good), 6},
	} {
		if got := exifOrientation(tc.data); got != tc.want {
			t.Errorf("%s: orientation %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestTIFFOrientationMalformed(t *testing.T) {
	tiff := exifSegment(6, false)[10:] // strip marker, length, "Exif\0\0"
	if got := tiffOrientation(tiff); got != 6 {
		t.Fatalf("well-formed: %d, want 6", got)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want int
	}{
		{"empty", nil, 1},
		{"bad byte order", append([]byte("XX*\x00"), tiff[4:]...), 1},
		{"IFD offset past end", slices.Concat(tiff[:4], []byte{0xff, 0, 0, 0}, tiff[8:]), 1},
		{"IFD offset inside header", slices.Concat(tiff[:4], []byte{2, 0, 0, 0}, tiff[8:]), 1},
		{"entry cut short", tiff[:30], 1},
		{"wrong type", slices.Concat(tiff[:24], []byte{4, 0}, tiff[26:]), 1},
		{"wrong count", slices.Concat(tiff[:26], []byte{2, 0, 0, 0}, tiff[30:]), 1},
		// The loop stops at the end of the data, after finding the tag.
		{"huge entry count", slices.Concat(tiff[:8], []byte{0xff, 0xff}, tiff[10:]), 6},
		{"huge entry count, no tag", slices.Concat(tiff[:8], []byte{0xff, 0xff}, tiff[10:22]), 1},
	} {
		if got := tiffOrientation(tc.data); got != tc.want {
			t.Errorf("%s: orientation %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestOrient checks all eight EXIF orientations on a 3×2 picture whose
// pixels are numbered
//
//	1 2 3
//	4 5 6
func TestOrient(t *testing.T) {
	src := numbered(3, 2)
	for _, tc := range []struct {
		orientation int
		want        [][]uint8
	}{
		{1, [][]uint8{{1, 2, 3}, {4, 5, 6}}},
		{2, [][]uint8{{3, 2, 1}, {6, 5, 4}}},
		{3, [][]uint8{{6, 5, 4}, {3, 2, 1}}},
		{4, [][]uint8{{4, 5, 6}, {1, 2, 3}}},
		{5, [][]uint8{{1, 4}, {2, 5}, {3, 6}}},
		{6, [][]uint8{{4, 1}, {5, 2}, {6, 3}}},
		{7, [][]uint8{{6, 3}, {5, 2}, {4, 1}}},
		{8, [][]uint8{{3, 6}, {2, 5}, {1, 4}}},
	} {
		got := orient(src, tc.orientation)
		if g := numbers(got); !slices.EqualFunc(g, tc.want, slices.Equal) {
			t.Errorf("orientation %d: %v, want %v", tc.orientation, g, tc.want)
		}
	}
}

// numbered returns a w×h image whose red channel counts pixels from 1.
func numbered(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		m.Pix[4*i], m.Pix[4*i+3] = uint8(i+1), 0xff
	}
	return m
}

func numbers(m *image.RGBA) [][]uint8 {
	var rows [][]uint8
	for y := range m.Rect.Dy() {
		var row []uint8
		for x := range m.Rect.Dx() {
			row = append(row, m.Pix[m.PixOffset(x, y)])
		}
		rows = append(rows, row)
	}
	return rows
}

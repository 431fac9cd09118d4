// Package badinput builds the catalogue of hostile and broken image files
// that the API and CLI tests feed to convscope (docs/security.md): truncated
// and corrupt files of every accepted format, an empty file, a 1×1 image, a
// decompression bomb and a header declaring 100000×100000 pixels. Each entry
// carries the part of the error message it must produce.
//
// It is used by tests and cmd/loadtest only; nothing in the convscope binary
// imports it.
package badinput

import (
	"bytes"
	"compress/zlib"
	_ "embed"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"

	"golang.org/x/image/bmp"
)

// seedWebP is a small lossy WebP (a copy of internal/imageio/testdata/lossy.webp).
//
//go:embed seed.webp
var seedWebP []byte

// Image is one entry of the catalogue.
type Image struct {
	Name string
	Data []byte
	// Status is the HTTP status of POST /api/models/{id}/run; 200 for the
	// entries that must work.
	Status int
	// Want is a distinguishing part of the error message (imageio's, as the
	// CLI prints it); WantAPI, if set, replaces it for the API.
	Want, WantAPI string
}

// ForAPI returns the message part the API's error must contain.
func (im Image) ForAPI() string {
	if im.WantAPI != "" {
		return im.WantAPI
	}
	return im.Want
}

// Images returns the catalogue.
func Images() []Image {
	src := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for y := range 32 {
		for x := range 32 {
			src.Set(x, y, color.RGBA{uint8(8 * x), uint8(8 * y), 100, 255})
		}
	}
	var jb, pb, gb, bb bytes.Buffer
	jpeg.Encode(&jb, src, &jpeg.Options{Quality: 90})
	png.Encode(&pb, src)
	gif.Encode(&gb, src, nil)
	bmp.Encode(&bb, src)
	jpg, pngb, gifb, bmpb, webp := jb.Bytes(), pb.Bytes(), gb.Bytes(), bb.Bytes(), seedWebP

	const trunc = "truncated or corrupt"
	return []Image{
		{Name: "empty file", Data: nil, Status: http.StatusBadRequest, Want: "image file is empty", WantAPI: "the request has no image"},
		{Name: "1x1 png", Data: OnePixelPNG(), Status: http.StatusOK},
		{Name: "not an image", Data: []byte("hello, world\n"), Status: http.StatusUnsupportedMediaType, Want: "unrecognised image format"},
		{Name: "tiff", Data: []byte("II*\x00\x08\x00\x00\x00"), Status: http.StatusUnsupportedMediaType, Want: "unrecognised image format: expected JPEG, PNG, GIF, WebP or BMP (this looks like TIFF)"},

		{Name: "jpeg magic only", Data: jpg[:2], Status: http.StatusBadRequest, Want: "could not read JPEG header: file is " + trunc},
		{Name: "jpeg truncated", Data: cutAfter(jpg, 0xffda, 40), Status: http.StatusBadRequest, Want: "could not decode JPEG image: file is " + trunc},
		{Name: "jpeg corrupt", Data: corruptAfter(jpg, 0xffda), Status: http.StatusBadRequest, Want: "could not decode JPEG image: file is " + trunc},

		{Name: "png header only", Data: pngb[:20], Status: http.StatusBadRequest, Want: "could not read PNG header: file is " + trunc},
		{Name: "png truncated", Data: pngb[:len(pngb)/2], Status: http.StatusBadRequest, Want: "could not decode PNG image: file is " + trunc},
		{Name: "png corrupt data", Data: flip(pngb, len(pngb)/2), Status: http.StatusBadRequest, Want: "could not decode PNG image: flate: corrupt input"},
		{Name: "png 100000x100000", Data: pngHeader(100000, 100000, 8, 2, nil), Status: http.StatusRequestEntityTooLarge, Want: "image is 100000×100000 = 10000000000 pixels, more than the limit of 50000000"},
		{Name: "png decompression bomb", Data: pngBomb(10000, 10000), Status: http.StatusRequestEntityTooLarge, Want: "image is 10000×10000 = 100000000 pixels, more than the limit"},
		{Name: "png zero width", Data: pngHeader(0, 10, 8, 2, nil), Status: http.StatusBadRequest, Want: "could not read PNG header: png: invalid format: non-positive dimension"},

		{Name: "gif header only", Data: gifb[:10], Status: http.StatusBadRequest, Want: "could not read GIF header: file is " + trunc},
		{Name: "gif truncated", Data: gifb[:len(gifb)-len(gifb)/3], Status: http.StatusBadRequest, Want: "could not decode GIF image: file is " + trunc},

		{Name: "webp header only", Data: webp[:16], Status: http.StatusBadRequest, Want: "could not read WebP header: file is " + trunc},
		{Name: "webp truncated", Data: webp[:len(webp)/2], Status: http.StatusBadRequest, Want: "could not decode WebP image: file is " + trunc},

		{Name: "bmp header only", Data: bmpb[:20], Status: http.StatusBadRequest, Want: "could not read BMP header: file is " + trunc},
		{Name: "bmp truncated", Data: bmpb[:len(bmpb)/2], Status: http.StatusBadRequest, Want: "could not decode BMP image: file is " + trunc},
	}
}

// OnePixelPNG is a valid 1×1 PNG: the smallest image that must work.
func OnePixelPNG() []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 1, 1)))
	return b.Bytes()
}

// flip returns a copy of b with the byte at i inverted.
func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xff
	return c
}

// cutAfter returns b up to n bytes after the marker m.
func cutAfter(b []byte, m, n int) []byte {
	i := bytes.Index(b, []byte{byte(m >> 8), byte(m)})
	if i < 0 || i+n > len(b) {
		return b[:len(b)/2]
	}
	return b[:i+n]
}

// corruptAfter returns a copy of a JPEG whose entropy-coded data, after the
// marker m (start of scan), is replaced by marker bytes.
func corruptAfter(b []byte, m int) []byte {
	c := bytes.Clone(b)
	i := bytes.Index(c, []byte{byte(m >> 8), byte(m)})
	if i < 0 {
		return c
	}
	for k := i + 20; k < len(c)-2; k += 7 {
		c[k] = 0xff
		c[k+1] = 0xd0 + byte(k%8) // stray restart markers
	}
	return c
}

func chunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// pngHeader returns a PNG with the given IHDR, the IDAT data given (none if
// nil) and IEND.
func pngHeader(w, h uint32, depth, colorType byte, idat []byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
	if idat != nil {
		out = append(out, chunk("IDAT", idat)...)
	}
	return append(out, chunk("IEND", nil)...)
}

// pngBomb returns a valid all-black 1-bit grayscale PNG of w×h pixels: a few
// KB that would decode to w×h×4 bytes of RGBA.
func pngBomb(w, h int) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+(w+7)/8) // filter byte + packed bits
	for range h {
		zw.Write(row)
	}
	zw.Close()
	return pngHeader(uint32(w), uint32(h), 1, 0, z.Bytes())
}

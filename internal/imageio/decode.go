package imageio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"path"
	"slices"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"
)

// Format names returned by Decode.
const (
	FormatJPEG = "jpeg"
	FormatPNG  = "png"
	FormatGIF  = "gif"
	FormatWebP = "webp"
	FormatBMP  = "bmp"
)

// codec is one supported file format.
type codec struct {
	name   string // returned by Decode
	label  string // used in error messages
	config func(io.Reader) (image.Config, error)
	decode func(data []byte, cfg image.Config) (*image.RGBA, error)
	exts   []string // file name extensions, lower case
}

var codecs = map[string]codec{
	FormatJPEG: {FormatJPEG, "JPEG", jpeg.DecodeConfig, decodeJPEG, []string{".jpg", ".jpeg"}},
	FormatPNG:  {FormatPNG, "PNG", png.DecodeConfig, generic(png.Decode), []string{".png"}},
	FormatGIF:  {FormatGIF, "GIF", gif.DecodeConfig, decodeGIF, []string{".gif"}},
	FormatWebP: {FormatWebP, "WebP", webp.DecodeConfig, decodeWebP, []string{".webp"}},
	FormatBMP:  {FormatBMP, "BMP", bmp.DecodeConfig, generic(bmp.Decode), []string{".bmp"}},
}

// IsImageName reports whether a file name has the extension (in any case)
// of a format Decode reads: the one list for example folders and image
// datasets.
func IsImageName(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	for _, c := range codecs {
		if slices.Contains(c.exts, ext) {
			return true
		}
	}
	return false
}

// Decode reads one image file of at most limits.MaxBytes bytes and at most
// limits.MaxPixels pixels and returns it as an opaque RGBA image with bounds
// starting at (0, 0), together with its format name (FormatJPEG, …). See the
// package documentation for the colour conventions.
func Decode(r io.Reader, limits Limits) (*image.RGBA, string, error) {
	limits = limits.withDefaults()
	data, err := readAll(r, limits.MaxBytes)
	if err != nil {
		return nil, "", err
	}
	return decodeBytes(data, limits)
}

// readAll reads r completely, failing once more than max bytes arrive.
func readAll(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, min(max, math.MaxInt64-1)+1))
	if err != nil {
		return nil, fmt.Errorf("reading image file: %w", err)
	}
	if int64(len(data)) > max {
		return nil, errorf(ErrFileTooLarge,
			"image file is larger than %s, the limit", formatBytes(max))
	}
	return data, nil
}

func decodeBytes(data []byte, limits Limits) (*image.RGBA, string, error) {
	if len(data) == 0 {
		return nil, "", errorf(ErrEmptyImage, "image file is empty")
	}
	c, ok := codecs[sniff(data)]
	if !ok {
		return nil, "", unknownFormat(data)
	}
	cfg, err := guard(func() (image.Config, error) {
		return c.config(bytes.NewReader(data))
	})
	if err != nil {
		return nil, c.name, fmt.Errorf("could not read %s header: %w", c.label, describe(err))
	}
	if err := limits.checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, c.name, err
	}
	img, err := guard(func() (*image.RGBA, error) { return c.decode(data, cfg) })
	if err != nil {
		return nil, c.name, fmt.Errorf("could not decode %s image: %w", c.label, describe(err))
	}
	b := img.Bounds()
	if err := limits.checkSize(b.Dx(), b.Dy()); err != nil {
		return nil, c.name, err
	}
	return img, c.name, nil
}

// panicError is a recovered panic.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("decoder crashed: %v", e.value) }

// guard runs fn, turning a panic into an error.
func guard[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, &panicError{p}
		}
	}()
	return fn()
}

// describe makes the bare io errors of truncated files readable. Some
// decoders flatten the io error into their message (image/gif, the RIFF
// reader of x/image/webp) or report missing data in their own words; those
// are recognised by their text.
func describe(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("file is truncated or corrupt (%w)", err)
	}
	msg := err.Error()
	for _, s := range truncationMessages {
		if strings.Contains(msg, s) {
			return fmt.Errorf("file is truncated or corrupt (%w)", err)
		}
	}
	return err
}

// truncationMessages are decoder messages that mean the data ended early.
var truncationMessages = []string{
	"unexpected EOF",          // wrapped with %v (image/gif)
	"not enough pixel data",   // image/png
	"not enough image data",   // image/gif
	"short chunk header",      // x/image/riff
	"short chunk data",        // x/image/riff
	"short Huffman data",      // image/jpeg: entropy-coded data cut short
	"missing 0xff00 sequence", // image/jpeg: entropy data cut or garbled
}

// sniff returns the codec name for data's magic bytes, or "".
func sniff(data []byte) string {
	switch {
	case hasPrefix(data, "\xff\xd8"):
		return FormatJPEG
	case hasPrefix(data, "\x89PNG\r\n\x1a\n"):
		return FormatPNG
	case hasPrefix(data, "GIF87a"), hasPrefix(data, "GIF89a"):
		return FormatGIF
	case hasPrefix(data, "RIFF") && len(data) >= 12 && string(data[8:12]) == "WEBP":
		return FormatWebP
	case hasPrefix(data, "BM"):
		return FormatBMP
	}
	return ""
}

// unsupported lists well-known formats we recognise only to name them.
var unsupported = []struct{ magic, offset, name string }{
	{"II*\x00", "", "TIFF"},
	{"MM\x00*", "", "TIFF"},
	{"ftypavif", "4", "AVIF"},
	{"ftypheic", "4", "HEIC"},
	{"ftypheix", "4", "HEIC"},
	{"ftypmif1", "4", "HEIF"},
	{"\x00\x00\x01\x00", "", "ICO"},
	{"8BPS", "", "PSD"},
	{"%PDF", "", "PDF"},
	{"<svg", "", "SVG"},
	{"<?xml", "", "SVG/XML"},
}

func unknownFormat(data []byte) error {
	for _, u := range unsupported {
		d := data
		if u.offset == "4" {
			if len(d) < 4 {
				continue
			}
			d = d[4:]
		}
		if hasPrefix(d, u.magic) {
			return errorf(ErrUnknownFormat, "%v (this looks like %s)", ErrUnknownFormat, u.name)
		}
	}
	return ErrUnknownFormat
}

func hasPrefix(data []byte, magic string) bool {
	return len(data) >= len(magic) && string(data[:len(magic)]) == magic
}

func formatBytes(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// generic adapts a standard decoder to return a flattened RGBA image.
func generic(dec func(io.Reader) (image.Image, error)) func([]byte, image.Config) (*image.RGBA, error) {
	return func(data []byte, _ image.Config) (*image.RGBA, error) {
		img, err := dec(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return flatten(img, img.Bounds()), nil
	}
}

// decodeGIF decodes the first frame and places it on the logical screen,
// which is white where the frame does not cover it.
func decodeGIF(data []byte, cfg image.Config) (*image.RGBA, error) {
	frame, err := gif.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return flatten(frame, image.Rect(0, 0, cfg.Width, cfg.Height)), nil
}

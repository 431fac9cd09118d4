package imageio

import (
	"errors"
	"fmt"
)

// Default limits, see [DefaultLimits].
const (
	DefaultMaxPixels = 50_000_000
	DefaultMaxBytes  = 32 << 20
)

// Limits bounds the resources spent on one untrusted image. A zero or
// negative field means "use the default".
type Limits struct {
	// MaxPixels is the largest width×height accepted, checked from the
	// header before any pixel memory is allocated.
	MaxPixels int64
	// MaxBytes is the largest file size accepted, in bytes.
	MaxBytes int64
}

// DefaultLimits returns 50 000 000 pixels and 32 MiB.
func DefaultLimits() Limits {
	return Limits{MaxPixels: DefaultMaxPixels, MaxBytes: DefaultMaxBytes}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	return l
}

// Sentinel errors, for use with errors.Is. The errors returned carry a more
// specific message.
var (
	ErrUnknownFormat = errors.New("unrecognised image format: expected JPEG, PNG, GIF, WebP or BMP")
	ErrFileTooLarge  = errors.New("image file is too large")
	ErrTooManyPixels = errors.New("image has too many pixels")
	ErrEmptyImage    = errors.New("image has zero width or height")
)

// detailError is an error with a specific message that still matches a
// sentinel through errors.Is.
type detailError struct {
	msg  string
	kind error
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &detailError{msg: fmt.Sprintf(format, args...), kind: kind}
}

// checkSize validates header dimensions against the pixel limit.
func (l Limits) checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return errorf(ErrEmptyImage, "image has zero size (%d×%d)", w, h)
	}
	n := int64(w) * int64(h)
	if n > l.MaxPixels {
		return errorf(ErrTooManyPixels,
			"image is %d×%d = %d pixels, more than the limit of %d", w, h, n, l.MaxPixels)
	}
	return nil
}

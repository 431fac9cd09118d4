package imageio

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
)

// PreprocessFile is the name of the optional file beside a model that
// gives its preprocessing (docs/preprocessing.md).
const PreprocessFile = "preprocess.json"

// Resize modes: how an image is brought to the model's input size.
const (
	ResizeCrop    = "crop"    // scale to cover, crop the centre (Fit)
	ResizeStretch = "stretch" // scale each axis to the size (aspect not kept)
)

// Preprocess turns a pixel p in [0, 1] of channel c into the model's input
// x = (p·Scale − Mean[c]) / Std[c], with the channels in B,G,R order when
// BGR is set (Mean and Std are then given in that order too). The zero
// value is the default: RGB in [0, 1], the image cropped to fit.
type Preprocess struct {
	Mean   []float32 `json:"mean"`   // per channel (1 value: all), default 0
	Std    []float32 `json:"std"`    // per channel (1 value: all), default 1
	Scale  float32   `json:"scale"`  // the pixel range before mean/std, default 1
	BGR    bool      `json:"bgr"`    // channels in B,G,R order
	Resize string    `json:"resize"` // "crop" (default) or "stretch"
}

// Check reports the first invalid field.
func (p Preprocess) Check() error {
	for _, f := range []struct {
		name string
		v    []float32
	}{{"mean", p.Mean}, {"std", p.Std}} {
		if len(f.v) != 0 && len(f.v) != 1 && len(f.v) != 3 {
			return fmt.Errorf("%s has %d values; give 1 or 3 (one per channel)", f.name, len(f.v))
		}
		for _, v := range f.v {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s %v is not a finite number", f.name, v)
			}
			if f.name == "std" && v == 0 {
				return errors.New("std must not be 0")
			}
		}
	}
	if s := float64(p.Scale); math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
		return fmt.Errorf("scale %v is not a positive number", p.Scale)
	}
	switch p.Resize {
	case "", ResizeCrop, ResizeStretch:
	default:
		return fmt.Errorf("resize %q is neither %q nor %q", p.Resize, ResizeCrop, ResizeStretch)
	}
	return nil
}

// Normal returns p with every default spelled out (three means and stds,
// the scale, the resize mode), as the API reports it.
func (p Preprocess) Normal() Preprocess {
	n := Preprocess{Mean: perChannel(p.Mean, 0), Std: perChannel(p.Std, 1), Scale: p.Scale, BGR: p.BGR, Resize: p.Resize}
	if n.Scale == 0 {
		n.Scale = 1
	}
	if n.Resize == "" {
		n.Resize = ResizeCrop
	}
	return n
}

// IsDefault reports whether p is the default (RGB in [0, 1], cropped).
func (p Preprocess) IsDefault() bool {
	n := p.Normal()
	for c := range 3 {
		if n.Mean[c] != 0 || n.Std[c] != 1 {
			return false
		}
	}
	return n.Scale == 1 && !n.BGR && n.Resize == ResizeCrop
}

func perChannel(v []float32, def float32) []float32 {
	switch len(v) {
	case 0:
		return []float32{def, def, def}
	case 1:
		return []float32{v[0], v[0], v[0]}
	}
	return append([]float32(nil), v[:3]...)
}

// Apply normalises x in place: x holds c planes (1 or 3) of pixels in
// [0, 1], in R,G,B order when c is 3. With BGR the first and third planes
// are swapped first. A single plane uses the first mean and std.
func (p Preprocess) Apply(x []float32, c int) {
	if p.IsDefault() || c <= 0 {
		return
	}
	n := p.Normal()
	hw := len(x) / c
	if c == 3 && n.BGR {
		r, b := x[:hw], x[2*hw:3*hw]
		for i := range r {
			r[i], b[i] = b[i], r[i]
		}
	}
	for ch := range c {
		m, s := n.Mean[min(ch, 2)], n.Std[min(ch, 2)]
		plane := x[ch*hw : (ch+1)*hw]
		for i, v := range plane {
			plane[i] = (v*n.Scale - m) / s
		}
	}
}

// ParseFloats reads "a,b,c" (or one value).
func ParseFloats(s string) ([]float32, error) {
	parts := strings.Split(s, ",")
	out := make([]float32, len(parts))
	for i, t := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(t), 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q is not a number", t)
		}
		out[i] = float32(v)
	}
	return out, nil
}

// ReadPreprocess reads a preprocess.json (name in fsys), at most 64 KiB.
// Unknown fields are an error (a misspelt field would be silently ignored
// otherwise).
func ReadPreprocess(fsys fs.FS, name string) (Preprocess, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return Preprocess{}, err
	}
	defer f.Close()
	return DecodePreprocess(io.LimitReader(f, 64<<10))
}

// DecodePreprocess reads the JSON of a preprocess.json.
func DecodePreprocess(r io.Reader) (Preprocess, error) {
	var p Preprocess
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Preprocess{}, fmt.Errorf("%s: %w", PreprocessFile, err)
	}
	if err := p.Check(); err != nil {
		return Preprocess{}, fmt.Errorf("%s: %w", PreprocessFile, err)
	}
	return p, nil
}

// Stretch scales img to exactly w×h (each axis on its own, the aspect
// ratio not kept), with the resampling of [Fit].
func Stretch(img image.Image, w, h int) *image.RGBA {
	return resizeWith(img, w, h, func(sw, sh int) ([]contrib, []contrib) {
		return axisKernel(sw, w, 0, w), axisKernel(sh, h, 0, h)
	})
}

// LoadWith decodes an image file (see [Decode]), resizes it to w×h as p
// says (crop: [Fit]; stretch: [Stretch]) and returns its 3×h×w R,G,B
// planes in [0, 1]; the caller applies p.Apply once it has chosen the
// channels the model takes.
func LoadWith(r io.Reader, w, h int, limits Limits, p Preprocess) ([]float32, error) {
	if p.Resize != ResizeStretch {
		return Load(r, w, h, limits)
	}
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("invalid model input size %d×%d", w, h)
	}
	img, _, err := Decode(r, limits)
	if err != nil {
		return nil, err
	}
	return ToCHW(Stretch(img, w, h), w, h), nil
}

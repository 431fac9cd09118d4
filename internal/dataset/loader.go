package dataset

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/convscope/convscope/internal/imageio"
)

// Augment configures training-time augmentation; the zero value is none.
type Augment struct {
	Shift     int     `json:"shift"`     // largest translation, in model-input pixels
	Flip      bool    `json:"flip"`      // horizontal flip with probability 1/2
	Colourise bool    `json:"colourise"` // grey sets into a colour model: random fg/bg colours
	Jitter    float64 `json:"jitter"`    // colour sets: brightness/contrast/saturation ±Jitter
}

// TrainAugment is the training augmentation of convscope train for set:
// shifts of up to shift pixels and flips; grey sets are colourised, colour
// sets jittered by ±0.2.
func TrainAugment(set *Set, shift int) Augment {
	aug := Augment{Shift: shift, Flip: true, Colourise: set.C == 1}
	if set.C == 3 {
		aug.Jitter = 0.2
	}
	return aug
}

// Loader makes model inputs from a Set. It implements train.Data: Sample
// with a nil rng gives the plain, deterministic rendering.
type Loader struct {
	Set      *Set
	Idx      []int // the examples used, in order (nil: all)
	Size     int   // model input height and width
	Channels int   // model input channels (1 or 3)
	Aug      Augment
}

// Len is the number of examples.
func (l *Loader) Len() int {
	if l.Idx != nil {
		return len(l.Idx)
	}
	return l.Set.Len()
}

// Index maps example i of the loader to the Set.
func (l *Loader) Index(i int) int {
	if l.Idx != nil {
		return l.Idx[i]
	}
	return i
}

// Sample writes example i as Channels×Size×Size float32 values in [0, 1]
// into dst and returns its label. rng drives augmentation (nil: none).
func (l *Loader) Sample(dst []float32, i int, rng *rand.Rand) int32 {
	j := l.Index(i)
	s := l.Set
	size := l.Size
	n := size * size
	planes := Fit(s.Image(j), s.C, s.H, s.W, size)
	if rng != nil {
		planes = l.geometric(planes, s.C, size, rng)
	}
	out := dst[:l.Channels*n]
	switch {
	case s.C == 1 && l.Channels == 1:
		toFloat(out, planes)
	case s.C == 1:
		if rng != nil && l.Aug.Colourise {
			colourise(out, planes, n, rng)
		} else {
			toFloat(out[:n], planes)
			copy(out[n:2*n], out[:n])
			copy(out[2*n:3*n], out[:n])
		}
	case l.Channels == 3:
		toFloat(out, planes)
		if rng != nil && l.Aug.Jitter > 0 {
			jitter(out, n, l.Aug.Jitter, rng)
		}
	default: // colour set into a grey model: ITU-R BT.601 luma
		for k := 0; k < n; k++ {
			out[k] = (0.299*float32(planes[k]) + 0.587*float32(planes[n+k]) + 0.114*float32(planes[2*n+k])) / 255
		}
	}
	return s.Labels[j]
}

// Fit resizes a planar c×h×w 8-bit image to size×size exactly as
// imageio.Fit resizes an uploaded image (the same code runs), returning
// c planes.
func Fit(pix []uint8, c, h, w, size int) []uint8 {
	n := size * size
	out := make([]uint8, c*n)
	if h == size && w == size {
		copy(out, pix)
		return out
	}
	var img image.Image
	if c == 1 {
		img = &image.Gray{Pix: pix[:h*w], Stride: w, Rect: image.Rect(0, 0, w, h)}
	} else {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for k := 0; k < h*w; k++ {
			m.Pix[4*k], m.Pix[4*k+1], m.Pix[4*k+2], m.Pix[4*k+3] = pix[k], pix[h*w+k], pix[2*h*w+k], 0xff
		}
		img = m
	}
	f := imageio.Fit(img, size, size)
	for k := 0; k < n; k++ {
		for ch := 0; ch < c; ch++ {
			out[ch*n+k] = f.Pix[4*k+ch]
		}
	}
	return out
}

// geometric applies the random translation and flip.
func (l *Loader) geometric(planes []uint8, c, size int, rng *rand.Rand) []uint8 {
	dx, dy := 0, 0
	if s := l.Aug.Shift; s > 0 {
		dx, dy = rng.IntN(2*s+1)-s, rng.IntN(2*s+1)-s
	}
	flip := l.Aug.Flip && rng.IntN(2) == 1
	if dx == 0 && dy == 0 && !flip {
		return planes
	}
	n := size * size
	out := make([]uint8, len(planes))
	for ch := 0; ch < c; ch++ {
		src, dst := planes[ch*n:(ch+1)*n], out[ch*n:(ch+1)*n]
		for y := 0; y < size; y++ {
			sy := min(max(y-dy, 0), size-1)
			for x := 0; x < size; x++ {
				xx := x
				if flip {
					xx = size - 1 - x
				}
				sx := min(max(xx-dx, 0), size-1)
				dst[y*size+x] = src[sy*size+sx]
			}
		}
	}
	return out
}

func toFloat(dst []float32, src []uint8) {
	for k, v := range src {
		dst[k] = float32(v) / 255
	}
}

// colourise renders a grey plane (the amount of ink) in colours:
// rgb = bg·(1−p) + fg·p. One image in three keeps the plain rendering
// (white on black, as the test set), one in six is inverted (black on
// white, like a product photo), the others get two random colours whose
// luminances differ by at least minContrast, so that the shape stays
// visible in the luminance a colour-blind first layer can rely on.
func colourise(dst []float32, grey []uint8, n int, rng *rand.Rand) {
	var fg, bg [3]float32
	switch u := rng.Float64(); {
	case u < 1.0/3:
		fg = [3]float32{1, 1, 1}
	case u < 0.5:
		bg = [3]float32{1, 1, 1}
	default:
		for try := 0; try < 50; try++ {
			for c := 0; c < 3; c++ {
				fg[c], bg[c] = rng.Float32(), rng.Float32()
			}
			if math.Abs(float64(luma(fg)-luma(bg))) >= minContrast {
				break
			}
		}
	}
	for c := 0; c < 3; c++ {
		out := dst[c*n : (c+1)*n]
		f, b := fg[c], bg[c]
		for k, v := range grey {
			p := float32(v) / 255
			out[k] = b*(1-p) + f*p
		}
	}
}

// minContrast is the smallest luminance difference of random colours.
const minContrast = 0.3

// luma is ITU-R BT.601 luminance.
func luma(c [3]float32) float32 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }

// jitter scales brightness, contrast and saturation by random factors in
// [1−amount, 1+amount].
func jitter(x []float32, n int, amount float64, rng *rand.Rand) {
	f := func() float32 { return float32(1 + amount*(2*rng.Float64()-1)) }
	bright, contrast, sat := f(), f(), f()
	var mean float32
	for k := 0; k < n; k++ {
		mean += 0.299*x[k] + 0.587*x[n+k] + 0.114*x[2*n+k]
	}
	mean /= float32(n)
	for k := 0; k < n; k++ {
		r, g, b := x[k]*bright, x[n+k]*bright, x[2*n+k]*bright
		grey := 0.299*r + 0.587*g + 0.114*b
		r, g, b = grey+(r-grey)*sat, grey+(g-grey)*sat, grey+(b-grey)*sat
		m := mean * bright
		x[k] = clamp01((r-m)*contrast + m)
		x[n+k] = clamp01((g-m)*contrast + m)
		x[2*n+k] = clamp01((b-m)*contrast + m)
	}
}

func clamp01(v float32) float32 { return min(max(v, 0), 1) }

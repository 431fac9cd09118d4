package dataset

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"strings"
	"unicode"
)

// Set is a labelled set of images stored as 8-bit planes.
type Set struct {
	Name    string
	Classes []string
	C, H, W int
	Pix     []uint8 // N·C·H·W, planar per image
	Labels  []int32
}

// Len is the number of examples.
func (s *Set) Len() int { return len(s.Labels) }

// Image returns example i's pixels (C·H·W, planar).
func (s *Set) Image(i int) []uint8 {
	n := s.C * s.H * s.W
	return s.Pix[i*n : (i+1)*n]
}

func (s *Set) check() error {
	if s.C != 1 && s.C != 3 {
		return fmt.Errorf("%s: %d channels (1 or 3 supported)", s.Name, s.C)
	}
	if len(s.Pix) != len(s.Labels)*s.C*s.H*s.W {
		return fmt.Errorf("%s: %d pixels for %d images of %d×%d×%d", s.Name, len(s.Pix), len(s.Labels), s.C, s.H, s.W)
	}
	for i, l := range s.Labels {
		if l < 0 || int(l) >= len(s.Classes) {
			return fmt.Errorf("%s: example %d has label %d, outside the %d classes", s.Name, i, l, len(s.Classes))
		}
	}
	return nil
}

// Split cuts the indices 0…n−1 into a validation part of about frac·n
// examples and a training part, after a shuffle drawn from seed. Both are
// returned in increasing order.
func Split(n int, frac float64, seed uint64) (train, val []int) {
	nv := int(float64(n)*frac + 0.5)
	nv = min(max(nv, 0), n)
	isVal := make([]bool, n)
	for _, i := range rand.New(rand.NewPCG(seed, 0x5eed)).Perm(n)[:nv] {
		isVal[i] = true
	}
	for i := 0; i < n; i++ {
		if isVal[i] {
			val = append(val, i)
		} else {
			train = append(train, i)
		}
	}
	return train, val
}

// FirstOfClass returns, for each class, the index of its first example
// satisfying ok (nil: any), or −1.
func (s *Set) FirstOfClass(ok func(i int) bool) []int {
	first := make([]int, len(s.Classes))
	for i := range first {
		first[i] = -1
	}
	for i, l := range s.Labels {
		if first[l] < 0 && (ok == nil || ok(i)) {
			first[l] = i
		}
	}
	return first
}

// Slug turns a class name into a short file-name part: "T-shirt/top" →
// "tshirt", "Ankle boot" → "ankle_boot".
func Slug(name string) string {
	if i := strings.IndexByte(name, '/'); i > 0 {
		name = name[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case r == ' ' || r == '_' || r == ',':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" {
		s = "class"
	}
	return s
}

// PNG encodes example i as stored (grey or RGB) as a PNG file.
func (s *Set) PNG(i int) ([]byte, error) {
	pix := s.Image(i)
	var img image.Image
	if s.C == 1 {
		img = &image.Gray{Pix: append([]uint8(nil), pix...), Stride: s.W, Rect: image.Rect(0, 0, s.W, s.H)}
	} else {
		m := image.NewNRGBA(image.Rect(0, 0, s.W, s.H))
		n := s.W * s.H
		for k := 0; k < n; k++ {
			m.Pix[4*k], m.Pix[4*k+1], m.Pix[4*k+2], m.Pix[4*k+3] = pix[k], pix[n+k], pix[2*n+k], 0xff
		}
		img = m
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

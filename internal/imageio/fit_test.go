package imageio

import (
	"image"
	"image/color"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestFitIdentityIsBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range src.Pix {
		src.Pix[i] = uint8(rng.IntN(256))
		if i%4 == 3 {
			src.Pix[i] = 0xff
		}
	}
	got := Fit(src, 64, 48)
	if !slices.Equal(got.Pix, src.Pix) {
		t.Fatal("Fit to the same size changed pixels")
	}
	// Sub-images with bounds off the origin too.
	sub := src.SubImage(image.Rect(10, 5, 40, 25)).(*image.RGBA)
	got = Fit(sub, 30, 20)
	for y := range 20 {
		for x := range 30 {
			if rgbAt(got, x, y) != rgbAt(src, x+10, y+5) {
				t.Fatalf("sub-image pixel (%d, %d) changed", x, y)
			}
		}
	}
}

// TestFitUpscaleBilinear: 2×2 → 4×4. Output column t samples source
// position (t+0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25 → clamped 0, then
// weights (¾,¼), (¼,¾), then 1; rows likewise. With red values
//
//	  0 100
//	200  40
//
// row 0 = 0, 25, 75, 100; row 3 = 200, 160, 80, 40;
// row 1 = ¾·row 0 + ¼·row 3 = 50, 58.75, 76.25, 85;
// row 2 = ¼·row 0 + ¾·row 3 = 150, 126.25, 78.75, 55.
func TestFitUpscaleBilinear(t *testing.T) {
	src := rgbaOf([][][3]uint8{{{0, 0, 0}, {100, 0, 0}}, {{200, 0, 0}, {40, 0, 0}}})
	want := [][]uint8{
		{0, 25, 75, 100},
		{50, 59, 76, 85},
		{150, 126, 79, 55},
		{200, 160, 80, 40},
	}
	if got := numbers(Fit(src, 4, 4)); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestFitDownscaleBoxAverage: 128×128 → 64×64 is the rounded mean of each
// 2×2 block.
func TestFitDownscaleBoxAverage(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 128, 128))
	val := func(x, y, c int) int { return (x*7 + y*13 + c*50 + x*y) % 256 }
	for y := range 128 {
		for x := range 128 {
			src.SetRGBA(x, y, color.RGBA{uint8(val(x, y, 0)), uint8(val(x, y, 1)), uint8(val(x, y, 2)), 255})
		}
	}
	got := Fit(src, 64, 64)
	for y := range 64 {
		for x := range 64 {
			var want [3]uint8
			for c := range 3 {
				sum := val(2*x, 2*y, c) + val(2*x+1, 2*y, c) + val(2*x, 2*y+1, c) + val(2*x+1, 2*y+1, c)
				want[c] = uint8((sum + 2) / 4) // round half up
			}
			if g := rgbAt(got, x, y); g != want {
				t.Fatalf("(%d, %d) = %v, want %v", x, y, g, want)
			}
		}
	}
}

// TestFitDownscaleFractional: 3×3 → 2×2, each output covering 1.5 source
// pixels per axis: weights (⅔, ⅓) and (⅓, ⅔). With red values
//
//	  0  30  60
//	 90 120 150
//	180 210 240
//
// rows reduce to (10, 50), (100, 140), (190, 230), then
// ⅔·(10, 50) + ⅓·(100, 140) = (40, 80) and ⅓·(100, 140) + ⅔·(190, 230) =
// (160, 200).
func TestFitDownscaleFractional(t *testing.T) {
	var rows [][][3]uint8
	for y := range 3 {
		var row [][3]uint8
		for x := range 3 {
			row = append(row, [3]uint8{uint8(90*y + 30*x), 0, 0})
		}
		rows = append(rows, row)
	}
	want := [][]uint8{{40, 80}, {160, 200}}
	if got := numbers(Fit(rgbaOf(rows), 2, 2)); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestFitCentreCrop: a 100×50 image whose red channel is x and green y,
// fitted to 50×50, keeps columns 25…74 untouched (scale 1).
func TestFitCentreCrop(t *testing.T) {
	for _, tc := range []struct {
		w, h, dx, dy int
	}{
		{100, 50, 25, 0},
		{50, 100, 0, 25},
		{51, 50, 0, 0}, // odd excess rounds down
	} {
		src := image.NewRGBA(image.Rect(0, 0, tc.w, tc.h))
		for y := range tc.h {
			for x := range tc.w {
				src.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), 7, 255})
			}
		}
		got := Fit(src, 50, 50)
		for y := range 50 {
			for x := range 50 {
				if c, want := rgbAt(got, x, y), [3]uint8{uint8(x + tc.dx), uint8(y + tc.dy), 7}; c != want {
					t.Fatalf("%d×%d: (%d, %d) = %v, want %v", tc.w, tc.h, x, y, c, want)
				}
			}
		}
	}
}

func TestCoverSize(t *testing.T) {
	for _, tc := range []struct{ sw, sh, w, h, wantW, wantH int }{
		{100, 50, 50, 50, 100, 50},
		{640, 480, 224, 224, 299, 224}, // 640·224/480 = 298.67
		{10, 300, 64, 64, 64, 1920},
		{1, 1, 64, 64, 64, 64},
		{128, 128, 64, 64, 64, 64},
		{1000, 10, 64, 32, 3200, 32},
		{65, 64, 64, 64, 65, 64},
	} {
		w, h := coverSize(tc.sw, tc.sh, tc.w, tc.h)
		if w != tc.wantW || h != tc.wantH {
			t.Errorf("coverSize(%d×%d → %d×%d) = %d×%d, want %d×%d",
				tc.sw, tc.sh, tc.w, tc.h, w, h, tc.wantW, tc.wantH)
		}
	}
}

func TestFitTinyAndOddSources(t *testing.T) {
	one := rgbaOf([][][3]uint8{{{12, 34, 56}}})
	got := Fit(one, 64, 64)
	for y := range 64 {
		for x := range 64 {
			if c := rgbAt(got, x, y); c != [3]uint8{12, 34, 56} {
				t.Fatalf("1×1 upscale: (%d, %d) = %v", x, y, c)
			}
		}
	}
	// 10×300 with a horizontal ramp and constant columns: every output row
	// equals row 0, and the ramp increases left to right.
	tall := image.NewRGBA(image.Rect(0, 0, 10, 300))
	for y := range 300 {
		for x := range 10 {
			tall.SetRGBA(x, y, color.RGBA{uint8(20 * x), 0, 0, 255})
		}
	}
	got = Fit(tall, 64, 64)
	first := numbers(got)[0]
	if first[0] != 0 || first[63] != 180 || !slices.IsSorted(first) {
		t.Errorf("10×300 row 0 = %v", first)
	}
	for y, row := range numbers(got) {
		if !slices.Equal(row, first) {
			t.Fatalf("10×300 row %d differs from row 0", y)
		}
	}
	if Fit(image.NewRGBA(image.Rect(0, 0, 0, 0)), 2, 2).Pix[0] != 0xff {
		t.Error("empty source should give white")
	}
	if m := Fit(one, 0, 5); !m.Rect.Empty() {
		t.Errorf("zero target gave %v", m.Rect)
	}
}

// TestFitCompositesAlpha: a half-transparent red NRGBA pixel over white.
func TestFitCompositesAlpha(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i := range 4 {
		src.Pix[4*i], src.Pix[4*i+3] = 255, 128
	}
	// 255·128/255 + 127 = 255; 0 + 127 = 127.
	if c := rgbAt(Fit(src, 1, 1), 0, 0); c != [3]uint8{255, 127, 127} {
		t.Errorf("got %v, want [255 127 127]", c)
	}
}

func TestAxisKernelWeightsSumToOne(t *testing.T) {
	for _, tc := range []struct{ src, scaled int }{{7, 3}, {1000, 64}, {3, 7}, {64, 65}, {5, 5}} {
		for i, c := range axisKernel(tc.src, tc.scaled, 0, tc.scaled) {
			var sum float32
			for _, w := range c.weights {
				sum += w
			}
			if sum < 0.9999 || sum > 1.0001 || c.first < 0 || c.first+len(c.weights) > tc.src {
				t.Errorf("%d→%d output %d: first %d, weights %v", tc.src, tc.scaled, i, c.first, c.weights)
			}
		}
	}
}

package imageio

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
	"testing/fstest"
)

// encodeRows encodes pixels (one row each) as a PNG file.
func encodeRows(t *testing.T, rows [][]color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, len(rows[0]), len(rows)))
	for y, row := range rows {
		for x, c := range row {
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func loadPre(t *testing.T, file []byte, w, h int, p Preprocess) []float32 {
	t.Helper()
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	x, err := LoadWith(bytes.NewReader(file), w, h, DefaultLimits(), p)
	if err != nil {
		t.Fatal(err)
	}
	p.Apply(x, 3)
	return x
}

func closeTo(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-4*max(1, math.Abs(float64(want[i]))) {
			t.Errorf("%s: value %d is %v, want %v (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

// TestPreprocessByHand checks the tensor of a 2×1 image, pixels
// A = (255, 0, 51) and B = (0, 102, 255), under each convention against
// values worked out by hand (planes in order, A then B in each).
func TestPreprocessByHand(t *testing.T) {
	file := encodeRows(t, [][]color.RGBA{{{255, 0, 51, 255}, {0, 102, 255, 255}}})
	cases := []struct {
		name string
		p    Preprocess
		want []float32
	}{
		// RGB in [0, 1]: 255/255, 0; 0, 102/255 = 0.4; 51/255 = 0.2, 1.
		{"default", Preprocess{}, []float32{1, 0, 0, 0.4, 0.2, 1}},
		// torchvision: (1 − 0.485)/0.229 = 2.248908, −0.485/0.229 = −2.117904;
		// −0.456/0.224 = −2.035714, (0.4 − 0.456)/0.224 = −0.25;
		// (0.2 − 0.406)/0.225 = −0.915556, (1 − 0.406)/0.225 = 2.64.
		{"torchvision", Preprocess{Mean: []float32{0.485, 0.456, 0.406}, Std: []float32{0.229, 0.224, 0.225}},
			[]float32{2.248908, -2.117904, -2.035714, -0.25, -0.915556, 2.64}},
		// Caffe: B,G,R planes in 0–255 minus 104, 117, 123:
		// B 51 − 104 = −53, 255 − 104 = 151; G −117, 102 − 117 = −15; R 255 − 123 = 132, −123.
		{"caffe", Preprocess{Scale: 255, BGR: true, Mean: []float32{104, 117, 123}},
			[]float32{-53, 151, -117, -15, 132, -123}},
		// Keras "tf" / TF.js MobileNet, [−1, 1]: p·255/127.5 − 1.
		// R 1, −1; G −1, 0.4·2 − 1 = −0.2; B 0.2·2 − 1 = −0.6, 1.
		{"tf", Preprocess{Scale: 255, Mean: []float32{127.5}, Std: []float32{127.5}},
			[]float32{1, -1, -1, -0.2, -0.6, 1}},
		// [0, 255] (super-resolution models): the bytes themselves.
		{"scale 255", Preprocess{Scale: 255}, []float32{255, 0, 0, 102, 51, 255}},
		// BGR alone: the planes swapped, values in [0, 1].
		{"bgr", Preprocess{BGR: true}, []float32{0.2, 1, 0, 0.4, 1, 0}},
	}
	for _, c := range cases {
		closeTo(t, c.name, loadPre(t, file, 2, 1, c.p), c.want)
	}
	// The zero value is the default and leaves Load's tensor unchanged.
	x, err := Load(bytes.NewReader(file), 2, 1, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "Load", x, cases[0].want)
	if !(Preprocess{}).IsDefault() || !(Preprocess{Scale: 1, Resize: ResizeCrop, Std: []float32{1}}).IsDefault() || (Preprocess{BGR: true}).IsDefault() {
		t.Error("IsDefault")
	}
}

// TestPreprocessResize brings a 4×1 grey ramp 0, 100, 200, 250 to 2×1:
// crop keeps the centre pixels 100, 200 (the image already covers 2×1);
// stretch averages pairs: 50, 225.
func TestPreprocessResize(t *testing.T) {
	g := func(v uint8) color.RGBA { return color.RGBA{v, v, v, 255} }
	file := encodeRows(t, [][]color.RGBA{{g(0), g(100), g(200), g(250)}})
	for _, c := range []struct {
		resize string
		a, b   float32
	}{{"", 100, 200}, {ResizeCrop, 100, 200}, {ResizeStretch, 50, 225}} {
		x := loadPre(t, file, 2, 1, Preprocess{Resize: c.resize, Scale: 255})
		closeTo(t, "resize "+c.resize, x, []float32{c.a, c.b, c.a, c.b, c.a, c.b})
	}
}

func TestReadPreprocess(t *testing.T) {
	fsys := fstest.MapFS{
		"a/preprocess.json":    {Data: []byte(`{"mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375], "scale": 255, "resize": "stretch"}`)},
		"bad/preprocess.json":  {Data: []byte(`{"mean": [1, 2]}`)},
		"typo/preprocess.json": {Data: []byte(`{"means": [1, 2, 3]}`)},
		"zero/preprocess.json": {Data: []byte(`{"std": [0]}`)},
		"mode/preprocess.json": {Data: []byte(`{"resize": "pad"}`)},
	}
	p, err := ReadPreprocess(fsys, "a/preprocess.json")
	if err != nil {
		t.Fatal(err)
	}
	n := p.Normal()
	if n.Mean[1] != 116.28 || n.Std[2] != 57.375 || n.Scale != 255 || n.BGR || n.Resize != ResizeStretch {
		t.Errorf("read %+v", n)
	}
	for dir, want := range map[string]string{"bad": "2 values", "typo": "means", "zero": "std must not be 0", "mode": `"pad"`} {
		_, err := ReadPreprocess(fsys, dir+"/preprocess.json")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), PreprocessFile) {
			t.Errorf("%s: %v, want an error naming %s and %q", dir, err, PreprocessFile, want)
		}
	}
}

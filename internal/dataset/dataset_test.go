package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/testref"
	"github.com/convscope/convscope/internal/zoo"
)

// writeIDX writes an unsigned-byte IDX file.
func writeIDX(t *testing.T, path string, dims []int, data []byte, gz bool) {
	t.Helper()
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	out := b.Bytes()
	if gz {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(out)
		w.Close()
		out = z.Bytes()
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// synthIDX writes n 28×28 images whose pixels encode their index, with
// labels i%10, under the given split prefix.
func synthIDX(t *testing.T, dir, prefix string, n int, gz bool, dotted bool) {
	pix := make([]byte, n*28*28)
	lab := make([]byte, n)
	for i := 0; i < n; i++ {
		lab[i] = byte(i % 10)
		for k := 0; k < 28*28; k++ {
			pix[i*784+k] = byte((i*7 + k) % 256)
		}
	}
	ext := ""
	if gz {
		ext = ".gz"
	}
	sep := "-"
	if dotted {
		sep = "."
	}
	writeIDX(t, filepath.Join(dir, prefix+"-images"+sep+"idx3-ubyte"+ext), []int{n, 28, 28}, pix, gz)
	writeIDX(t, filepath.Join(dir, prefix+"-labels"+sep+"idx1-ubyte"+ext), []int{n}, lab, gz)
}

func TestIDX(t *testing.T) {
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		synthIDX(t, dir, "train", 30, gz, false)
		synthIDX(t, dir, "t10k", 12, gz, true)
		tr, err := Open("mnist:"+dir, true, 64)
		if err != nil {
			t.Fatal(err)
		}
		te, err := Open("fashion-mnist:"+dir, false, 64)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Len() != 30 || te.Len() != 12 || tr.C != 1 || tr.H != 28 || tr.W != 28 {
			t.Fatalf("gz=%v: got %d and %d images of %d×%d×%d", gz, tr.Len(), te.Len(), tr.C, tr.H, tr.W)
		}
		if tr.Labels[13] != 3 || tr.Image(5)[10] != byte((5*7+10)%256) {
			t.Fatalf("wrong content")
		}
		if te.Classes[9] != "Ankle boot" || tr.Classes[9] != "9" {
			t.Fatalf("classes %v %v", te.Classes, tr.Classes)
		}
	}
}

func TestIDXErrors(t *testing.T) {
	cases := map[string][]byte{
		"bad magic":  {1, 2, 8, 1, 0, 0, 0, 1, 5},
		"float type": {0, 0, 0x0d, 1, 0, 0, 0, 1, 5, 5, 5, 5},
		"truncated":  {0, 0, 8, 1, 0, 0, 0, 9, 1, 2},
		"huge":       {0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2},
		"empty":      {},
	}
	for name, b := range cases {
		if _, _, err := ReadIDX(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	dir := t.TempDir()
	synthIDX(t, dir, "train", 5, false, false)
	writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte"), []int{4}, []byte{1, 2, 3, 4}, false)
	if _, err := Open("mnist:"+dir, true, 28); err == nil || !strings.Contains(err.Error(), "shapes") {
		t.Errorf("mismatched counts: %v", err)
	}
	writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte"), []int{5}, []byte{1, 2, 3, 4, 10}, false)
	if _, err := Open("mnist:"+dir, true, 28); err == nil || !strings.Contains(err.Error(), "label 10") {
		t.Errorf("bad label: %v", err)
	}
	if _, err := Open("mnist:"+dir, false, 28); err == nil {
		t.Errorf("missing test split: no error")
	}
}

func TestSpecs(t *testing.T) {
	for _, bad := range []string{"", "imagenet", "mnist", "cifar10", "folder:"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	sp, err := ParseSpec("fashion-mnist")
	if err != nil || sp.Dir != FashionMNISTDir {
		t.Fatalf("%+v %v", sp, err)
	}
	_, err = Open("fashion-mnist:"+filepath.Join(t.TempDir(), "nothing"), true, 64)
	if err == nil || !strings.Contains(err.Error(), FashionMNISTInstall) {
		t.Fatalf("missing Fashion-MNIST: %v", err)
	}
}

func TestCIFAR10(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cifar-10-batches-bin")
	os.MkdirAll(dir, 0o755)
	rec := func(label byte, v byte) []byte {
		r := make([]byte, cifarRecord)
		r[0] = label
		for k := 1; k < cifarRecord; k++ {
			r[k] = v + byte(k/1024) // R, G, B planes differ
		}
		return r
	}
	for b := 1; b <= 5; b++ {
		var data []byte
		for i := 0; i < 3; i++ {
			data = append(data, rec(byte((b+i)%10), byte(10*b+i))...)
		}
		os.WriteFile(filepath.Join(dir, "data_batch_"+string(rune('0'+b))+".bin"), data, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "test_batch.bin"), append(rec(7, 1), rec(2, 2)...), 0o644)
	tr, err := Open("cifar10:"+filepath.Dir(dir), true, 64)
	if err != nil {
		t.Fatal(err)
	}
	te, err := Open("cifar10:"+dir, false, 64)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 15 || te.Len() != 2 || tr.C != 3 || tr.H != 32 {
		t.Fatalf("%d %d %d", tr.Len(), te.Len(), tr.C)
	}
	if te.Labels[0] != 7 || te.Image(1)[0] != 2 || te.Image(1)[1024] != 3 || tr.Classes[0] != "airplane" {
		t.Fatalf("wrong content")
	}
	os.WriteFile(filepath.Join(dir, "test_batch.bin"), make([]byte, 100), 0o644)
	if _, err := Open("cifar10:"+dir, false, 64); err == nil {
		t.Fatal("short batch: no error")
	}
}

func writePNG(t *testing.T, path string, c color.RGBA, w, h int) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		m.Pix[4*i], m.Pix[4*i+1], m.Pix[4*i+2], m.Pix[4*i+3] = c.R, c.G, c.B, 255
	}
	var b bytes.Buffer
	png.Encode(&b, m)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "cat", "a.png"), color.RGBA{200, 10, 10, 255}, 20, 10)
	writePNG(t, filepath.Join(dir, "cat", "b.PNG"), color.RGBA{210, 10, 10, 255}, 8, 8)
	writePNG(t, filepath.Join(dir, "dog", "c.png"), color.RGBA{10, 10, 200, 255}, 5, 9)
	os.WriteFile(filepath.Join(dir, "dog", "notes.txt"), []byte("x"), 0o644)
	s, err := Open("folder:"+dir, true, 8)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 || len(s.Classes) != 2 || s.Classes[1] != "dog" || s.Labels[2] != 1 || s.H != 8 || s.C != 3 {
		t.Fatalf("%+v", s.Classes)
	}
	if px := s.Image(2); px[0] != 10 || px[128] != 200 {
		t.Fatalf("pixels %v %v", px[0], px[128])
	}
	os.WriteFile(filepath.Join(dir, "cat", "broken.png"), []byte("not a png"), 0o644)
	if _, err := Open("folder:"+dir, true, 8); err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Fatalf("broken image: %v", err)
	}
}

func TestTinyImageNetLayout(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "train", "n01", "images", "n01_0.png"), color.RGBA{255, 0, 0, 255}, 64, 64)
	writePNG(t, filepath.Join(dir, "train", "n01", "images", "n01_1.png"), color.RGBA{250, 0, 0, 255}, 64, 64)
	writePNG(t, filepath.Join(dir, "train", "n02", "images", "n02_0.png"), color.RGBA{0, 255, 0, 255}, 64, 64)
	os.WriteFile(filepath.Join(dir, "train", "n01", "n01_boxes.txt"), []byte("x"), 0o644)
	writePNG(t, filepath.Join(dir, "val", "images", "val_0.png"), color.RGBA{0, 250, 0, 255}, 64, 64)
	writePNG(t, filepath.Join(dir, "val", "images", "val_1.png"), color.RGBA{240, 0, 0, 255}, 64, 64)
	os.WriteFile(filepath.Join(dir, "val", "val_annotations.txt"), []byte("val_0.png\tn02\t0\t0\t1\t1\nval_1.png\tn01\t0\t0\t1\t1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "words.txt"), []byte("n01\tgoldfish, Carassius auratus\nn02\tEuropean fire salamander\nn03\tother\n"), 0o644)
	tr, err := Open("folder:"+dir, true, 32)
	if err != nil {
		t.Fatal(err)
	}
	va, err := Open("folder:"+dir, false, 32)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 3 || va.Len() != 2 || va.Labels[0] != 1 || va.Labels[1] != 0 {
		t.Fatalf("train %d val %d labels %v", tr.Len(), va.Len(), va.Labels)
	}
	if tr.Classes[0] != "goldfish" || tr.Classes[1] != "European fire salamander" {
		t.Fatalf("classes %q", tr.Classes)
	}
}

// The plain rendering of a grey example is what the app computes for the
// same image saved as a PNG: imageio's fit, replicated to RGB.
func TestLoaderMatchesImageio(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	s := &Set{Name: "t", Classes: []string{"a", "b"}, C: 1, H: 28, W: 28, Pix: make([]uint8, 2*784), Labels: []int32{0, 1}}
	for i := range s.Pix {
		s.Pix[i] = uint8(rng.IntN(256))
	}
	l := &Loader{Set: s, Size: 64, Channels: 3}
	got := make([]float32, 3*64*64)
	if y := l.Sample(got, 1, nil); y != 1 {
		t.Fatalf("label %d", y)
	}
	var b bytes.Buffer
	png.Encode(&b, &image.Gray{Pix: s.Image(1), Stride: 28, Rect: image.Rect(0, 0, 28, 28)})
	want, err := imageio.Load(&b, 64, 64, imageio.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("[%d] loader %v, imageio %v", i, got[i], want[i])
		}
	}
	// Augmented samples stay in [0, 1], depend on the generator only, and
	// sometimes differ between channels (colourisation).
	l.Aug = Augment{Shift: 4, Flip: true, Colourise: true}
	coloured := 0
	for i := 0; i < 40; i++ {
		a, c := make([]float32, len(got)), make([]float32, len(got))
		l.Sample(a, 0, rand.New(rand.NewPCG(9, uint64(i))))
		l.Sample(c, 0, rand.New(rand.NewPCG(9, uint64(i))))
		for k := range a {
			if a[k] != c[k] || a[k] < 0 || a[k] > 1 {
				t.Fatalf("sample %d: [%d] %v vs %v", i, k, a[k], c[k])
			}
		}
		for k := 0; k < 4096; k++ {
			if a[k] != a[4096+k] {
				coloured++
				break
			}
		}
	}
	if coloured < 15 || coloured > 38 {
		t.Fatalf("%d of 40 samples coloured", coloured)
	}
	// A colour set into a grey model, and jitter.
	cs := &Set{Name: "c", Classes: []string{"a"}, C: 3, H: 8, W: 8, Pix: make([]uint8, 192), Labels: []int32{0}}
	for i := range cs.Pix {
		cs.Pix[i] = uint8(i)
	}
	grey := make([]float32, 64)
	(&Loader{Set: cs, Size: 8, Channels: 1}).Sample(grey, 0, nil)
	if want := (0.299*1 + 0.587*65 + 0.114*129) / 255; grey[1] < float32(want)-1e-6 || grey[1] > float32(want)+1e-6 {
		t.Fatalf("luma %v, want %v", grey[1], want)
	}
	col := make([]float32, 192)
	(&Loader{Set: cs, Size: 8, Channels: 3, Aug: Augment{Jitter: 0.3}}).Sample(col, 0, rand.New(rand.NewPCG(1, 2)))
	for _, v := range col {
		if v < 0 || v > 1 {
			t.Fatalf("jittered value %v", v)
		}
	}
}

func TestSplitAndSlug(t *testing.T) {
	tr, va := Split(100, 0.1, 3)
	tr2, va2 := Split(100, 0.1, 3)
	if len(tr) != 90 || len(va) != 10 || tr[0] == va[0] {
		t.Fatalf("%d %d", len(tr), len(va))
	}
	for i := range va {
		if va[i] != va2[i] {
			t.Fatal("split not deterministic")
		}
	}
	seen := map[int]bool{}
	for _, i := range append(tr2, va2...) {
		if seen[i] {
			t.Fatalf("index %d twice", i)
		}
		seen[i] = true
	}
	for in, want := range map[string]string{"T-shirt/top": "tshirt", "Ankle boot": "ankle_boot", "Trouser": "trouser", "???": "class", "European fire salamander": "european_fire_salamander"} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// Fashion-MNIST as Debian installs it. Skipped when absent, except in CI.
func TestFashionMNISTInstalled(t *testing.T) {
	testref.Need(t, FashionMNISTDir, "Fashion-MNIST ("+FashionMNISTInstall+")")
	te, err := Open("fashion-mnist", false, 64)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Open("fashion-mnist", true, 64)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 60000 || te.Len() != 10000 || te.H != 28 || te.W != 28 {
		t.Fatalf("%d train, %d test images of %d×%d", tr.Len(), te.Len(), te.H, te.W)
	}
	if strings.Join(te.Classes, ",") != strings.Join(zoo.FashionMNISTLabels, ",") {
		t.Fatalf("class names %q differ from zoo's %q", te.Classes, zoo.FashionMNISTLabels)
	}
	counts := make([]int, 10)
	for _, l := range te.Labels {
		counts[l]++
	}
	for c, n := range counts {
		if n != 1000 {
			t.Fatalf("class %d has %d test images", c, n)
		}
	}
}

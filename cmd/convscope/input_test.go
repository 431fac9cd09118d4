package main

import (
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFreeModel writes a TF.js model with a free input size
// ([null, null, null, 3]): a 1×1 convolution whose class 0 reads the first
// channel and class 1 the third, then global average pooling. Its logits
// are the means of the first and third input planes. It returns the path
// of model.json.
func writeFreeModel(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	js := `{"modelTopology":{"model_config":{"class_name":"Sequential","config":{"layers":[
	{"class_name":"Conv2D","config":{"name":"conv","batch_input_shape":[null,null,null,3],"filters":2,"kernel_size":[1,1],"use_bias":false}},
	{"class_name":"GlobalAveragePooling2D","config":{"name":"gap"}}]}}},
	"weightsManifest":[{"paths":["group1-shard1of1.bin"],"weights":[{"name":"conv/kernel","shape":[1,1,3,2],"dtype":"float32"}]}]}`
	// HWIO kernel [1,1,3,2]: (in c, out k) at 2c+k.
	w := []float32{1, 0, 0, 0, 0, 1}
	bin := make([]byte, 4*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint32(bin[4*i:], math.Float32bits(v))
	}
	for name, b := range map[string][]byte{"model.json": []byte(js), "group1-shard1of1.bin": bin, "labels.txt": []byte("first\nthird\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "model.json")
}

// writeTwoPixels writes a 2×1 PNG: A = (255, 0, 51), B = (0, 102, 255).
func writeTwoPixels(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 1))
	img.SetRGBA(0, 0, color.RGBA{255, 0, 51, 255})
	img.SetRGBA(1, 0, color.RGBA{0, 102, 255, 255})
	p := filepath.Join(t.TempDir(), "two.png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPredictInputAndPreprocessing runs a free-size model at --input 3,1,2
// on the two-pixel image, whose logits (the means of the first and third
// planes) are worked out by hand for each preprocessing.
func TestPredictInputAndPreprocessing(t *testing.T) {
	model, img := writeFreeModel(t), writeTwoPixels(t)
	if _, _, err := runCLI(t, "predict", "--model", model, img); err == nil || !strings.Contains(err.Error(), "--input 3,224,224") {
		t.Fatalf("a free input size without --input: %v, want an error naming --input 3,224,224", err)
	}
	if _, _, err := runCLI(t, "analyze", model); err == nil || !strings.Contains(err.Error(), "--input 3,224,224") {
		t.Fatalf("analyze of a free input size without --input: %v", err)
	}
	if out, stderr, err := runCLI(t, "analyze", "--format", "json", "--input", "3,1,2", model); err != nil || !strings.Contains(out, `"input"`) {
		t.Fatalf("analyze --input 3,1,2: %v %s", err, stderr)
	}
	logits := func(args ...string) []float32 {
		t.Helper()
		stdout, stderr, err := runCLI(t, append(append([]string{"predict", "--json", "--model", model, "--input", "3,1,2"}, args...), img)...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		var out predictOutput
		if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out.Results) != 1 {
			t.Fatalf("%v: %v %s", args, err, stdout)
		}
		return out.Results[0].Logits
	}
	check := func(what string, got []float32, want ...float32) {
		t.Helper()
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-4*max(1, math.Abs(float64(want[i]))) {
				t.Errorf("%s: logits %v, want %v", what, got, want)
				return
			}
		}
	}
	// R (1 + 0)/2, B (0.2 + 1)/2.
	check("default", logits(), 0.5, 0.6)
	// B,G,R in 0–255 minus 104, 117, 123: B (−53 + 151)/2 = 49, R (132 − 123)/2 = 4.5.
	check("caffe", logits("--bgr", "--scale", "255", "--mean", "104,117,123"), 49, 4.5)
	// torchvision: ((1 − .485) + (0 − .485))/2/.229 = 0.065502, ((.2 − .406) + (1 − .406))/2/.225 = 0.862222.
	check("torchvision", logits("--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225"), 0.065502, 0.862222)
	// preprocess.json beside the model: [0, 255]: R 127.5, B (51 + 255)/2 = 153.
	if err := os.WriteFile(filepath.Join(filepath.Dir(model), "preprocess.json"), []byte(`{"scale": 255}`), 0o644); err != nil {
		t.Fatal(err)
	}
	check("preprocess.json", logits(), 127.5, 153)
	// A flag overrides the file's field.
	check("--scale 1 over the file", logits("--scale", "1"), 0.5, 0.6)
	for _, bad := range [][]string{{"--mean", "1,2"}, {"--resize", "pad"}, {"--scale", "0"}, {"--std", "0"}} {
		if _, _, err := runCLI(t, append(append([]string{"predict", "--model", model, "--input", "3,1,2"}, bad...), img)...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/testref"
)

// runCLI runs the command line in-process and returns stdout, stderr and
// the error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, stdio{strings.NewReader(""), &out, &errb})
	return out.String(), errb.String(), err
}

// The reference classes, in the original model's output order
// (../shared/reference/README.md).
var explainerClasses = []string{"lifeboat", "ladybug", "pizza", "bell pepper", "school bus", "koala", "espresso", "red panda", "orange", "sport car"}

func writeLabels(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "labels.txt")
	if err := os.WriteFile(p, []byte(strings.Join(explainerClasses, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPredictJSONMatchesReference(t *testing.T) {
	dir := testref.Dir(t, "cnn-explainer")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Images map[string]struct {
			PredictedClass string    `json:"predictedClass"`
			Probabilities  []float64 `json:"probabilities"`
		} `json:"images"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	var images []string
	for name := range exp.Images {
		images = append(images, filepath.Join(dir, "images", name))
	}
	sort.Strings(images)
	args := append([]string{"predict", "--json", "--model", filepath.Join(dir, "model.json"), "--labels", writeLabels(t)}, images...)
	stdout, stderr, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("predict: %v\n%s", err, stderr)
	}
	var got predictOutput
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value")
	}
	if strings.Join(got.Classes, ",") != strings.Join(explainerClasses, ",") {
		t.Errorf("classes %v", got.Classes)
	}
	if len(got.Results) != len(images) {
		t.Fatalf("%d results for %d images", len(got.Results), len(images))
	}
	for _, r := range got.Results {
		want := exp.Images[filepath.Base(r.Image)]
		if r.Class != want.PredictedClass || got.Classes[r.Index] != r.Class {
			t.Errorf("%s: class %q (index %d), want %q", r.Image, r.Class, r.Index, want.PredictedClass)
		}
		for i, p := range r.Probabilities {
			if d := float64(p) - want.Probabilities[i]; d > 1e-5 || d < -1e-5 {
				t.Errorf("%s: probability %d = %v, want %v", r.Image, i, p, want.Probabilities[i])
			}
		}
		if len(r.Logits) != 10 {
			t.Errorf("%s: %d logits", r.Image, len(r.Logits))
		}
	}
}

// The JPEGs, decoded like Chromium, give the classes TF.js gave for the
// PNGs Chromium decoded them to.
func TestPredictJPEGs(t *testing.T) {
	dir := testref.Dir(t, "cnn-explainer")
	jpegs, _ := filepath.Glob(filepath.Join(dir, "images", "*.jpeg"))
	if len(jpegs) != 10 {
		t.Fatalf("found %d JPEGs", len(jpegs))
	}
	args := append([]string{"predict", "--model", filepath.Join(dir, "model.json"), "--labels", writeLabels(t)}, jpegs...)
	stdout, stderr, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("predict: %v\n%s", err, stderr)
	}
	want := map[string]string{"boat": "lifeboat", "bug": "ladybug", "bus": "school bus", "car": "sport car", "espresso": "espresso",
		"koala": "koala", "orange": "orange", "panda": "red panda", "pepper": "bell pepper", "pizza": "pizza"}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines:\n%s", len(lines), stdout)
	}
	for _, l := range lines {
		file, rest, _ := strings.Cut(l, ": ")
		stem := strings.TrimSuffix(filepath.Base(file), "_1.jpeg")
		if !strings.HasPrefix(rest, want[stem]+" (") {
			t.Errorf("%s: %q, want class %q", file, rest, want[stem])
		}
	}
}

func TestPredictErrors(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "notes.png")
	if err := os.WriteFile(garbage, []byte("this is not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	tiny := filepath.Join(t.TempDir(), "tiny.prototxt")
	os.WriteFile(tiny, []byte(`input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: 2 kernel_size: 3 } }`), 0o644)
	manifest := filepath.Join(t.TempDir(), "mobilenet-weights_manifest.json")
	os.WriteFile(manifest, []byte(`[{"paths": ["group1-shard1of1.bin"], "weights": [{"name": "conv/kernel", "shape": [3, 3, 3, 8], "dtype": "float32"}]}]`), 0o644)
	cases := []struct {
		name string
		args []string
		want string // in stderr or the error
		code int
	}{
		{"prototxt without weights", []string{"predict", "--model", tiny, garbage}, "tiny.prototxt defines the network only, without weights", 1},
		{"prototxt without weights names the caffemodel", []string{"predict", "--model", tiny, garbage}, "put its weights tiny.caffemodel beside it", 1},
		{"weights manifest only", []string{"predict", "--model", manifest, garbage}, "holds weights (a TF.js weights manifest) but no network definition", 1},
		{"weights manifest only, analyze", []string{"analyze", manifest}, "holds weights (a TF.js weights manifest) but no network definition", 1},
		{"no images", []string{"predict"}, "at least one image", 2},
		{"missing file", []string{"predict", "/nonexistent/x.png"}, "/nonexistent/x.png", 1},
		{"not an image", []string{"predict", garbage}, "unrecognised image format", 1},
		{"missing model", []string{"predict", "--model", "/nonexistent/model.json", garbage}, "/nonexistent", 1},
		{"bad flag", []string{"predict", "--bogus"}, "bogus", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, err := runCLI(t, c.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if msg := stderr + err.Error(); !strings.Contains(msg, c.want) {
				t.Errorf("message %q does not mention %q", msg, c.want)
			}
			if code := exitCode(err); code != c.code {
				t.Errorf("exit code %d, want %d", code, c.code)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/dataset"
	"github.com/convscope/convscope/internal/testref"
)

func cliRun(ctx context.Context, args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	err := run(ctx, args, stdio{strings.NewReader(""), &out, &errb})
	return out.String(), errb.String(), err
}

// patternFolder writes a folder dataset (train/ and val/) of 16×16 images
// in three easily told apart classes.
func patternFolder(t *testing.T, perClass int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, split := range []string{"train", "val"} {
		for c, name := range []string{"horizontal", "vertical", "dots"} {
			os.MkdirAll(filepath.Join(dir, split, name), 0o755)
			for i := 0; i < perClass; i++ {
				m := image.NewRGBA(image.Rect(0, 0, 16, 16))
				for y := 0; y < 16; y++ {
					for x := 0; x < 16; x++ {
						on := [3]bool{y/2%2 == 0, x/2%2 == 0, x%4 == 1 && y%4 == 1}[c]
						v := uint8(rng.IntN(60))
						if on {
							v += 180
						}
						o := m.PixOffset(x, y)
						m.Pix[o], m.Pix[o+1], m.Pix[o+2], m.Pix[o+3] = v, v/2, 255-v, 255
					}
				}
				f, err := os.Create(filepath.Join(dir, split, name, fmt.Sprintf("%d.png", i)))
				if err != nil {
					t.Fatal(err)
				}
				png.Encode(f, m)
				f.Close()
			}
		}
	}
	return dir
}

func TestTrainAndEvalFolder(t *testing.T) {
	data := patternFolder(t, 12)
	out := filepath.Join(t.TempDir(), "model")
	stdout, stderr, err := cliRun(context.Background(), "train", "--dataset", "folder:"+data, "--input", "16", "--epochs", "3",
		"--batch", "6", "--lr", "3e-3", "--val", "0.25", "--seed", "2", "--out", out)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, stdout, stderr)
	}
	// Not a terminal: one plain line per epoch.
	if n := strings.Count(stdout, "val acc"); n != 3 || strings.Contains(stdout, "\r") {
		t.Errorf("%d epoch lines in:\n%s", n, stdout)
	}
	for _, f := range []string{"model.json", "group1-shard1of1.bin", "metrics.json", "curves.svg", "examples/00_dots.png", "examples/01_horizontal.png", "examples/02_vertical.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	var m trainMetrics
	b, _ := os.ReadFile(filepath.Join(out, "metrics.json"))
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Epochs) != 3 || !m.Completed || m.Test == nil || m.Test.Examples != 36 || m.Config.TrainN != 27 || m.Config.ValN != 9 {
		t.Fatalf("metrics: %s", b)
	}
	if svg, _ := os.ReadFile(filepath.Join(out, "curves.svg")); !bytes.HasPrefix(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("polyline")) {
		t.Errorf("curves.svg: %.200s", svg)
	}
	stdout, _, err = cliRun(context.Background(), "eval", "--model", filepath.Join(out, "model.json"), "--dataset", "folder:"+data, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil || len(raw) != 3 || raw["accuracy"] == nil || raw["per_class"] == nil || raw["confusion"] == nil {
		t.Fatalf("eval --json: %s (%v)", stdout, err)
	}
	var ev evalOutput
	json.Unmarshal([]byte(stdout), &ev)
	total := 0
	for _, row := range ev.Conf {
		for _, v := range row {
			total += v
		}
	}
	if total != 36 || len(ev.PerClass) != 3 || ev.Accuracy != m.Test.Accuracy {
		t.Fatalf("eval %+v, train's test accuracy %v", ev, m.Test.Accuracy)
	}
	if ev.Accuracy < 0.6 {
		t.Errorf("accuracy %.2f on three easy classes", ev.Accuracy)
	}
	stdout, _, err = cliRun(context.Background(), "eval", "--model", filepath.Join(out, "model.json"), "--dataset", "folder:"+data)
	if err != nil || !strings.Contains(stdout, "accuracy") || !strings.Contains(stdout, "confusion matrix") {
		t.Fatalf("eval: %v\n%s", err, stdout)
	}
}

func TestTrainInterrupted(t *testing.T) {
	data := patternFolder(t, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "model")
	_, _, err := cliRun(ctx, "train", "--dataset", "folder:"+data, "--input", "16", "--out", out)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("cancelled training: %v", err)
	}
}

func TestTrainEvalUsage(t *testing.T) {
	for _, args := range [][]string{
		{"train", "--out", "x"},
		{"train", "--dataset", "fashion-mnist"},
		{"train", "--dataset", "imagenet", "--out", "x"},
		{"train", "--dataset", "fashion-mnist", "--arch", "resnet", "--out", "x"},
		{"eval"},
		{"eval", "--dataset", "mnist"},
	} {
		if _, _, err := cliRun(context.Background(), args...); exitCode(err) != 2 {
			t.Errorf("%q: %v (exit %d), want a usage error", args, err, exitCode(err))
		}
	}
}

// The embedded default model on the Fashion-MNIST test set (the first 2,000
// images, to keep the test short; `convscope eval --dataset fashion-mnist`
// reports the full figure).
func TestEvalDefaultModelFashionMNIST(t *testing.T) {
	testref.Need(t, dataset.FashionMNISTDir, "Fashion-MNIST ("+dataset.FashionMNISTInstall+")")
	stdout, _, err := cliRun(context.Background(), "eval", "--dataset", "fashion-mnist", "--limit", "2000", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var ev evalOutput
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Accuracy < 0.85 {
		t.Errorf("default model: accuracy %.4f on the first 2,000 test images", ev.Accuracy)
	}
}

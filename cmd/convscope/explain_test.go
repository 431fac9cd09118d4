package main

import (
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/attrib"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/zoo"
)

// TestExplainCLI: --json prints attrib's map of the image as the model
// sees it, --out writes the overlay at the input size (or the map alone at
// its resolution), and ig draws a progress bar.
func TestExplainCLI(t *testing.T) {
	dir := t.TempDir()
	ex := zoo.Examples()[0]
	img := filepath.Join(dir, ex.Name)
	if err := os.WriteFile(img, ex.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runCLI(t, "explain", "--method", "gradcam", "--class", "3", "--json", img)
	if err != nil {
		t.Fatal(err)
	}
	var got explainOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	g, err := zoo.Default()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(img)
	x, err := imageio.LoadWith(f, 64, 64, imageio.DefaultLimits(), imageio.Preprocess{})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	want, err := attrib.Explain(context.Background(), g, x, attrib.Options{Method: attrib.GradCAM, Class: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got.Class != 3 || got.Layer != "max_pool_2" || got.Shape != [2]int{13, 13} || got.Label != g.ClassNames(10)[3] {
		t.Fatalf("JSON %+v", got)
	}
	for i := range want.Map {
		if got.Map[i] != want.Map[i] {
			t.Fatalf("map[%d] = %v, attrib %v", i, got.Map[i], want.Map[i])
		}
	}
	for _, c := range []struct {
		args []string
		size int
	}{
		{[]string{"--method", "gradcam"}, 64},
		{[]string{"--method", "gradcam", "--map-only"}, 13},
		{[]string{"--method", "ig", "--steps", "4"}, 64},
	} {
		out := filepath.Join(dir, "map.png")
		stdout, stderr, err := runCLI(t, append(append([]string{"explain"}, c.args...), "--out", out, img)...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout, "written to "+out) {
			t.Errorf("stdout %q", stdout)
		}
		if c.args[1] == "ig" && !strings.Contains(stderr, "##] 4/4") {
			t.Errorf("progress %q", stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		m, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := m.Bounds(); b.Dx() != c.size || b.Dy() != c.size {
			t.Errorf("%v: PNG %v, want %d×%d", c.args, b, c.size, c.size)
		}
	}
}

func TestExplainCLIErrors(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "x.png")
	os.WriteFile(img, zoo.Examples()[0].Data, 0o644)
	tiny := filepath.Join(dir, "tiny.prototxt")
	os.WriteFile(tiny, []byte(`input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: 2 kernel_size: 3 } }
layer { name: "fc" type: "InnerProduct" bottom: "c" top: "fc" inner_product_param { num_output: 3 } }`), 0o644)
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"explain", "--method", "lime", "--json", img}, `--method: unknown method "lime"`, 2},
		{[]string{"explain", "--method", "saliency", img}, "needs --out FILE.png or --json", 2},
		{[]string{"explain", "--json", img}, "needs --method", 2},
		{[]string{"explain", "--method", "saliency", "--json"}, "needs one image", 2},
		{[]string{"explain", "--method", "gradcam", "--layer", "output", "--json", img}, "--layer: layer \"output\" outputs [10]", 2},
		{[]string{"explain", "--method", "ig", "--steps", "999", "--json", img}, "--steps: steps must be between 1 and 256", 2},
		{[]string{"explain", "--method", "saliency", "--class", "12", "--json", img}, "--class: class 12 is out of range", 2},
		{[]string{"explain", "--method", "saliency", "--model", tiny, "--json", img}, "tiny.prototxt defines the network only, without weights", 1},
	} {
		_, stderr, err := runCLI(t, c.args...)
		if err == nil {
			t.Fatalf("%v: no error", c.args)
		}
		if msg := stderr + err.Error(); !strings.Contains(msg, c.want) {
			t.Errorf("%v: message %q does not mention %q", c.args, msg, c.want)
		}
		if code := exitCode(err); code != c.code {
			t.Errorf("%v: exit code %d, want %d", c.args, code, c.code)
		}
	}
}

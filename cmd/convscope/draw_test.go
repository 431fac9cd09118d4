package main

import (
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// analyze --format svg|png --out draws every layer of the model.
func TestAnalyzeDrawings(t *testing.T) {
	dir := t.TempDir()
	svgPath, pngPath := filepath.Join(dir, "g.svg"), filepath.Join(dir, "g.png")
	model := writeFile(t, "small.prototxt", smallNet)
	if _, _, err := analyzeCLI(t, "--format", "svg", "--out", svgPath, model); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal(b, &doc); err != nil || doc.XMLName.Local != "svg" {
		t.Fatalf("not an SVG document: %v %v", doc.XMLName, err)
	}
	// smallNet: the input and conv1, relu1, pool1, fc, prob.
	for _, name := range []string{"img", "conv1", "relu1", "pool1", "fc", "prob"} {
		if !strings.Contains(string(b), `data-node="`+name+`"`) {
			t.Errorf("%s is not drawn", name)
		}
	}
	if _, _, err := analyzeCLI(t, "--format", "png", "--out", pngPath, "preset:tinyvgg"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X < 90 || s.Y < 14*57 {
		t.Errorf("PNG of %v for 15 boxes of 57 px in a chain", s)
	}
	out, _, err := analyzeCLI(t, "--format", "svg", "preset:tinyvgg")
	if err != nil || !strings.HasPrefix(out, "<?xml") {
		t.Errorf("svg to stdout: %v %.40q", err, out)
	}
	if _, _, err := analyzeCLI(t, "--format", "gif", model); err == nil || !strings.Contains(err.Error(), "svg, png") {
		t.Errorf("--format gif: %v", err)
	}
}

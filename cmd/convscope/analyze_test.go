package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/convscope/convscope/internal/server"
	"github.com/convscope/convscope/internal/testref"
)

func analyzeCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"analyze"}, args...), stdio{strings.NewReader(""), &out, &errb})
	return out.String(), errb.String(), err
}

const smallNet = `name: "small"
input: "img" input_dim: 10 input_dim: 3 input_dim: 32 input_dim: 32
layer { name: "conv1" type: "Convolution" bottom: "img" top: "conv1"
  convolution_param { num_output: 16 kernel_size: 3 pad: 1 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "fc" type: "InnerProduct" bottom: "pool1" top: "fc"
  inner_product_param { num_output: 1000 } }
layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
`

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeAnalysis(t *testing.T, stdout string) analyzeOutput {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var o analyzeOutput
	if err := dec.Decode(&o); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value")
	}
	return o
}

func TestAnalyzeJSON(t *testing.T) {
	p := writeFile(t, "small.prototxt", smallNet)
	stdout, stderr, err := analyzeCLI(t, "--format", "json", p)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	o := decodeAnalysis(t, stdout)
	// conv1: 16·3·3·3 + 16 = 448 params, 16·32·32 cells × 27 MACs;
	// fc: 1000·(16·16·16) + 1000 params and 1000·4096 MACs.
	wantParams := int64(448 + 4096*1000 + 1000)
	wantMACs := int64(16*32*32*27 + 1000*4096)
	if o.Name != "small" || o.Format != "caffe" || !slices.Equal(o.Input, []int{3, 32, 32}) || o.Params != wantParams || o.MACs != wantMACs {
		t.Errorf("header %+v, want small/caffe/[3 32 32]/%d params/%d MACs", o, wantParams, wantMACs)
	}
	// Peak: while pool1 runs, conv1 (ReLU'd in place, 16·32·32) and pool1
	// (16·16·16) are live; at conv1 only img (3·32·32) and conv1 are.
	if o.PeakActivationBytes != (16*32*32+16*16*16)*4 || o.PeakLayer != "pool1" {
		t.Errorf("peak %d at %s", o.PeakActivationBytes, o.PeakLayer)
	}
	var names []string
	for _, l := range o.Layers {
		names = append(names, l.Name)
	}
	if want := []string{"img", "conv1", "relu1", "pool1", "fc", "prob"}; !slices.Equal(names, want) {
		t.Fatalf("layers %v, want %v", names, want)
	}
	in, fc := o.Layers[0], o.Layers[4]
	if in.Type != "Input" || !slices.Equal(in.Output, []int{3, 32, 32}) || in.Inputs == nil || len(in.Inputs) != 0 {
		t.Errorf("input entry %+v", in)
	}
	if fc.Type != "InnerProduct" || !slices.Equal(fc.Output, []int{1000, 1, 1}) || fc.MACs != 4096*1000 || !slices.Equal(fc.Inputs, []string{"pool1"}) {
		t.Errorf("fc entry %+v", fc)
	}
	if pool := o.Layers[3]; !slices.Equal(pool.Inputs, []string{"relu1"}) || !slices.Equal(pool.Output, []int{16, 16, 16}) {
		t.Errorf("pool entry %+v", pool)
	}

	// --input overrides the size, also after the file name.
	stdout, _, err = analyzeCLI(t, p, "--format=json", "--input", "3,64,48")
	if err != nil {
		t.Fatal(err)
	}
	o = decodeAnalysis(t, stdout)
	if !slices.Equal(o.Input, []int{3, 64, 48}) || !slices.Equal(o.Layers[3].Output, []int{16, 32, 24}) {
		t.Errorf("--input: input %v pool %v", o.Input, o.Layers[3].Output)
	}
}

func TestAnalyzeTextFormats(t *testing.T) {
	p := writeFile(t, "small.prototxt", smallNet)
	stdout, _, err := analyzeCLI(t, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Layer (type)", "conv1 (Convolution)", "16×32×32", "4,097,000", "Total params:", "4,097,448 (4.10M)", "MACs per image:", "Peak activation memory:", "(in place)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	// Aligned: every layer row is as wide as the header row or narrower,
	// and the Params column ends at the same place in each row.
	lines := strings.Split(stdout, "\n")
	var head string
	for _, l := range lines {
		if strings.HasPrefix(l, "Layer (type)") {
			head = l
		}
	}
	end := strings.Index(head, "Params") + len("Params")
	for _, l := range lines {
		if strings.HasPrefix(l, "fc (InnerProduct)") && !strings.HasSuffix(strings.TrimRight(string([]rune(l)[:len([]rune(head[:end]))]), " "), "4,097,000") {
			t.Errorf("Params column not aligned:\n%s\n%s", head, l)
		}
	}

	stdout, _, err = analyzeCLI(t, "--format", "csv", p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || len(rows) != 7 || rows[0][0] != "name" || rows[5][0] != "fc" || rows[5][4] != "1000x1x1" || rows[5][5] != "4097000" {
		t.Errorf("csv %v (%v)", rows, err)
	}

	stdout, _, err = analyzeCLI(t, "--format", "markdown", p)
	if err != nil || !strings.Contains(stdout, "| conv1 (Convolution) | 16×32×32 | 448 |") || !strings.Contains(stdout, "- **Total params:**") {
		t.Errorf("markdown (%v):\n%s", err, stdout)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	sizeless := writeFile(t, "nosize.prototxt", `
layer { name: "data" type: "Data" top: "data" top: "label" data_param { source: "x" } }
layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 } }`)
	_, _, err := analyzeCLI(t, sizeless)
	if err == nil || !strings.Contains(err.Error(), "--input") {
		t.Errorf("a file without an input size: %v", err)
	}
	stdout, _, err := analyzeCLI(t, "--format", "json", "--input", "1,28,28", sizeless)
	if err != nil {
		t.Fatal(err)
	}
	if o := decodeAnalysis(t, stdout); o.Params != 28*28*10+10 {
		t.Errorf("params %d", o.Params)
	}

	var u usageError
	for _, args := range [][]string{{}, {"--format", "yaml", sizeless}, {"--input", "3,x,4", sizeless}, {"a", "b"}} {
		if _, _, err := analyzeCLI(t, args...); !errors.As(err, &u) {
			t.Errorf("analyze %v: %v, want a usage error", args, err)
		}
	}
	bad := writeFile(t, "bad.prototxt", `input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
layer { name: "z" type: "Zorblax" bottom: "x" top: "z" }`)
	// An unknown layer type is shown, with a warning naming it (on stderr
	// for JSON).
	if _, stderr, err := analyzeCLI(t, "--format", "json", bad); err != nil || !strings.Contains(stderr, "unsupported operator(s) Zorblax") {
		t.Errorf("unknown layer: %v, stderr %q", err, stderr)
	}
	if _, _, err := analyzeCLI(t, filepath.Join(t.TempDir(), "missing.prototxt")); err == nil {
		t.Error("a missing file")
	}
}

// TestAnalyzeReferenceAlexNet checks the CLI's JSON against the reference
// figures for AlexNet.
func TestAnalyzeReferenceAlexNet(t *testing.T) {
	dir := testref.Dir(t, "caffe")
	stdout, _, err := analyzeCLI(t, "--format", "json", filepath.Join(dir, "bvlc_alexnet_deploy.prototxt"))
	if err != nil {
		t.Fatal(err)
	}
	o := decodeAnalysis(t, stdout)
	var convFC int64
	for _, l := range o.Layers {
		if l.Type == "Convolution" || l.Type == "InnerProduct" {
			convFC += l.MACs
		}
	}
	if o.Params != 60965224 || convFC != 724406816 || !slices.Equal(o.Input, []int{3, 227, 227}) || o.Layers[0].Name != "data" {
		t.Errorf("AlexNet: params %d, conv+fc MACs %d, input %v, first %q", o.Params, convFC, o.Input, o.Layers[0].Name)
	}
}

// A preset analyses like a file: the totals equal the preset's own count.
func TestAnalyzePreset(t *testing.T) {
	out, stderr, err := runCLI(t, "analyze", "--format", "json", "preset:resnet50")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var r struct {
		Params int64 `json:"params"`
		MACs   int64 `json:"macs"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// torchvision's ResNet-50: 25,557,032 parameters.
	if r.Params != 25557032 || r.MACs < 4.07e9 || r.MACs > 4.11e9 {
		t.Errorf("resnet50: %d params, %d MACs", r.Params, r.MACs)
	}
	if _, _, err := runCLI(t, "analyze", "preset:nosuchnet"); err == nil || !strings.Contains(err.Error(), "resnet50") {
		t.Errorf("unknown preset: %v (want the list of names)", err)
	}
}

// TestAnalyzeFormatsMatchServer: the Scope page's downloads
// (GET /api/presets/NAME?format=…) are byte for byte what the command prints.
func TestAnalyzeFormatsMatchServer(t *testing.T) {
	srv, err := server.New(server.Config{UI: fstest.MapFS{"index.html": {Data: []byte("<html></html>")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"csv", "markdown", "json", "dot"} {
		out, _, err := analyzeCLI(t, "--format", f, "preset:squeezenet1.1")
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		httpHandler(srv).ServeHTTP(w, httptest.NewRequest("GET", "/api/presets/squeezenet1.1?format="+f, nil))
		if w.Code != 200 {
			t.Fatalf("%s: status %d %s", f, w.Code, w.Body)
		}
		if w.Body.String() != out {
			t.Errorf("%s: the server's download differs from the command's output:\n%.400s\nvs\n%.400s", f, w.Body, out)
		}
	}
}

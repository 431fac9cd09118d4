//go:build !(js && wasm)

package server

import (
	"bytes"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/badinput"
	_ "github.com/convscope/convscope/internal/format/caffe"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/zoo"
)

// TestCatalogueAPI posts every entry of the bad-input catalogue to the run
// endpoint, as a raw body and as a multipart upload: each broken file gets
// its status and message as a JSON error, the 1×1 image runs.
func TestCatalogueAPI(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, im := range badinput.Images() {
		t.Run(im.Name, func(t *testing.T) {
			var mp bytes.Buffer
			mw := multipart.NewWriter(&mp)
			fw, _ := mw.CreateFormFile("image", "upload")
			fw.Write(im.Data)
			mw.Close()
			for _, req := range []struct {
				kind, ctype string
				body        []byte
			}{{"raw", "", im.Data}, {"multipart", mw.FormDataContentType(), mp.Bytes()}} {
				w := do(t, s, "POST", "/api/models/default/run", bytes.NewReader(req.body), req.ctype)
				if im.Status == 200 {
					if w.Code != 200 || w.Header().Get("Content-Type") != BinaryContentType {
						t.Fatalf("%s: %d %s", req.kind, w.Code, w.Body)
					}
					r, _ := parseRun(t, w)
					if len(r.Probabilities) != 10 {
						t.Fatalf("%s: %d probabilities", req.kind, len(r.Probabilities))
					}
					continue
				}
				wantError(t, w, im.Status, im.ForAPI())
				if b := w.Body.String(); strings.Contains(b, "goroutine") || strings.Contains(b, ".go:") {
					t.Errorf("%s: error body leaks internals: %s", req.kind, b)
				}
			}
		})
	}
	// The pixel limit is the configured one.
	small := newTestServer(t, Config{MaxPixels: 1000})
	if w := do(t, small, "POST", "/api/models/default/run", bytes.NewReader(badinput.OnePixelPNG()), ""); w.Code != 200 {
		t.Errorf("1×1 under a 1000-pixel limit: %d %s", w.Code, w.Body)
	}
	wantError(t, do(t, small, "POST", "/api/models/default/run", bytes.NewReader(pngBytes(t, 40, 40)), ""), 413, "40×40 = 1600 pixels, more than the limit of 1000")
}

// TestCatalogueModelFiles: a broken model file given to the server fails
// New with the adapter's message, naming the file.
func TestCatalogueModelFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	g, err := zoo.Default()
	if err != nil {
		t.Fatal(err)
	}
	js, bin, err := tfjs.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	write("short/"+tfjs.ShardName, bin[:100])
	const in8 = `input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8` + "\n"
	cases := []struct{ file, want string }{
		{write("short/model.json", js), "the weights file is shorter than the model says"},
		{write("cycle.prototxt", []byte(in8+`layer { name: "a" type: "ReLU" bottom: "b" top: "a" }
layer { name: "b" type: "ReLU" bottom: "a" top: "b" }`)), `graph has a cycle through node "a"`},
		{write("huge.prototxt", []byte(in8+`layer { name: "fc" type: "InnerProduct" bottom: "x" top: "fc" inner_product_param { num_output: 1000000000000 } }`)), "num_output 1000000000000 is larger than 1073741824"},
		{write("empty.prototxt", nil), "the file is empty"},
	}
	for _, c := range cases {
		_, err := New(Config{UI: testUI, Models: []ModelSpec{{Path: c.file}}})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.file)) {
			t.Errorf("%s: %v, want an error naming the file and %q", c.file, err, c.want)
		}
	}
}

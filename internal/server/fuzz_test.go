//go:build !(js && wasm)

package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/convscope/convscope/internal/badinput"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/caffe"
	"github.com/convscope/convscope/internal/graph"
)

var (
	fuzzOnce sync.Once
	fuzzSrv  *Server
	fuzzErr  error
)

func fuzzServer(t testing.TB) *Server {
	fuzzOnce.Do(func() { fuzzSrv, fuzzErr = New(Config{MaxBodyBytes: 1 << 20}) })
	if fuzzErr != nil {
		t.Fatal(fuzzErr)
	}
	return fuzzSrv
}

// checkAnswer asserts what every API answer must be: a status below 500
// (or 503 when busy), and for an error a JSON body {"error": "..."} with no
// stack trace in it.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if rec.Code >= 400 {
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
			t.Fatalf("status %d without a JSON error: %q", rec.Code, rec.Body.String())
		}
		if strings.Contains(e.Error, "goroutine ") || strings.Contains(e.Error, ".go:") {
			t.Fatalf("error leaks a stack: %q", e.Error)
		}
	}
}

func multipartBody(field, name string, data []byte) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile(field, name)
	fw.Write(data)
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

// FuzzRunRequest sends arbitrary bodies, content types and queries to
// POST /api/models/default/run (raw and multipart parsing, image decoding,
// the run itself).
func FuzzRunRequest(f *testing.F) {
	for _, im := range badinput.Images() {
		f.Add(im.Data, "image/png", "")
		ct, body := multipartBody("image", im.Name, im.Data)
		f.Add(body, ct, "max_channels=3")
	}
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc\r\n--x--"), "multipart/form-data; boundary=x", "")
	f.Add([]byte{}, "multipart/form-data", "max_channels=-1")
	f.Add([]byte("{}"), "application/json", "example=../../etc/passwd")
	f.Fuzz(func(t *testing.T, body []byte, contentType, query string) {
		s := fuzzServer(t)
		req := httptest.NewRequest("POST", "/api/models/default/run", bytes.NewReader(body))
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		checkAnswer(t, rec)
	})
}

// FuzzAnalyzeRequest sends arbitrary model uploads to POST /api/analyze
// (multipart parsing, format sniffing, every importer, the analysis) and
// POST /api/models (the same, then compiling the model for running).
func FuzzAnalyzeRequest(f *testing.F) {
	proto := "input: \"data\" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n" +
		"layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"c\" convolution_param { num_output: 2 kernel_size: 3 } }\n"
	f.Add([]byte(proto), "text/plain", "name=net.prototxt")
	f.Add([]byte(proto), "text/plain", "name=net.prototxt&input=3,9,9")
	ct, body := multipartBody("file", "net.prototxt", []byte(proto))
	f.Add(body, ct, "")
	f.Add([]byte(`{"modelTopology":{"class_name":"Sequential","config":{"layers":[]}}}`), "application/json", "name=model.json")
	f.Add([]byte{0x08, 0x07, 0x12, 0x00}, "application/octet-stream", "name=m.onnx")
	f.Fuzz(func(t *testing.T, body []byte, contentType, query string) {
		s := fuzzServer(t)
		for _, path := range []string{"/api/analyze", "/api/models"} {
			req := httptest.NewRequest("POST", path, bytes.NewReader(body))
			req.URL.RawQuery = query
			req.Header.Set("Content-Type", contentType)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			checkAnswer(t, rec)
		}
	})
}

// FuzzSourcePosition: placing an error in a source text never panics and
// answers a line and column inside the text, or 0, 0: the position of a
// syntax error the prototxt parser reports, or the `name:` line of the
// layer a graph.NodeError names.
func FuzzSourcePosition(f *testing.F) {
	f.Add([]byte("layer {\n  name: \"c1\"\n  type: \"X\"\n}\n"), "c1")
	f.Add([]byte("a\nb"), "a")
	f.Add([]byte("name: 'x\\\"y'"), `x"y`)
	f.Add([]byte("layer { name: \"é\" }\n é: ="), "é")
	f.Add([]byte("\x00binary\nname: \"binary\""), "binary")
	f.Fuzz(func(t *testing.T, src []byte, name string) {
		lines := strings.Split(string(src), "\n")
		inside := func(what string, line, col int) {
			t.Helper()
			if line == 0 && col == 0 {
				return
			}
			if line < 1 || line > len(lines) || col < 1 || col > utf8.RuneCountInString(lines[line-1])+1 {
				t.Fatalf("%s placed at %d:%d, outside the text (%d lines)", what, line, col, len(lines))
			}
		}
		ne := graph.NodeErrorf(name, "layer %q (X): bad", name)
		line, col := sourcePosition(src, "caffe", fmt.Errorf("net.prototxt (caffe): %w", ne))
		inside("layer "+strconv.Quote(name), line, col)
		if line > 0 && !strings.HasPrefix(string([]rune(lines[line-1])[col-1:]), "name") {
			t.Fatalf("layer %q placed at %d:%d, not on a name field: %q", name, line, col, lines[line-1])
		}
		if bytes.IndexByte(src, 0) >= 0 && line != 0 {
			t.Fatalf("placed %d:%d in a binary file", line, col)
		}
		if l, c := sourcePosition(src, "onnx", ne); l != 0 || c != 0 {
			t.Fatalf("an onnx file's layer placed at %d:%d", l, c)
		}
		if _, err := caffe.ParseText(src); err != nil {
			line, col := sourcePosition(src, "caffe", err)
			var se *format.SyntaxError
			if errors.As(err, &se) != (line > 0) || line > 0 && !strings.Contains(err.Error(), fmt.Sprintf("(line %d:%d)", line, col)) {
				t.Fatalf("syntax error %v placed at %d:%d", err, line, col)
			}
			inside("syntax error", line, col)
		}
	})
}

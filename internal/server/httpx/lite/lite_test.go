package lite

// These tests compare the package with net/http, natively. The router is
// compared on every pattern the server registers (and more) by
// internal/server's TestRoutesMatchNetHTTP.

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestStatusText(t *testing.T) {
	for code := 0; code < 1000; code++ {
		if got, want := StatusText(code), http.StatusText(code); got != want {
			t.Errorf("StatusText(%d) = %q, net/http %q", code, got, want)
		}
	}
}

func TestCanonicalHeaderKey(t *testing.T) {
	keys := []string{"", "a", "A", "content-type", "CONTENT-TYPE", "Content-Type", "x-FOO-bar", "sec-fetch-site",
		"-x-", "a--b", "a_b", "foo bar", "Foo Bar", "ümlaut", "x:y", "x-1-y", "1a", "www-authenticate", "etag", "X\tY",
		"accept-encoding", "c\x00t", "x~y|z", "dnt", "If-None-Match"}
	for c := 0; c < 256; c++ {
		keys = append(keys, "x-"+string(rune(c))+"b", string([]byte{byte(c)})+"a-b")
	}
	for _, k := range keys {
		if got, want := CanonicalHeaderKey(k), http.CanonicalHeaderKey(k); got != want {
			t.Errorf("CanonicalHeaderKey(%q) = %q, net/http %q", k, got, want)
		}
	}
}

func TestHeader(t *testing.T) {
	h, n := Header{}, http.Header{}
	for _, kv := range [][2]string{{"content-type", "a"}, {"X-Foo", "1"}, {"x-foo", "2"}, {"foo bar", "3"}} {
		h.Add(kv[0], kv[1])
		n.Add(kv[0], kv[1])
	}
	h.Set("x-bar", "b")
	n.Set("x-bar", "b")
	h.Del("CONTENT-TYPE")
	n.Del("CONTENT-TYPE")
	if !reflect.DeepEqual(map[string][]string(h), map[string][]string(n)) {
		t.Fatalf("header %v, net/http %v", h, n)
	}
	for _, k := range []string{"x-foo", "X-Bar", "foo bar", "missing"} {
		if h.Get(k) != n.Get(k) || !reflect.DeepEqual(h.Values(k), n.Values(k)) {
			t.Errorf("%s: %q %q, net/http %q %q", k, h.Get(k), h.Values(k), n.Get(k), n.Values(k))
		}
	}
	if c := h.Clone(); !reflect.DeepEqual(c, h) {
		t.Errorf("clone %v of %v", c, h)
	}
}

func TestNewRequest(t *testing.T) {
	for _, tc := range []struct{ method, url string }{
		{"GET", "http://static.site/api/models?x=1"},
		{"POST", "http://static.site:/api/models/a%2Fb/run"},
		{"", "http://h:8080/x"},
		{"bad method", "http://h/"},
		{"GET", "http://h/%zz"},
		{"GET", "/relative"},
	} {
		l, lerr := NewRequest(tc.method, tc.url, strings.NewReader("body"))
		n, nerr := http.NewRequest(tc.method, tc.url, strings.NewReader("body"))
		if (lerr == nil) != (nerr == nil) {
			t.Errorf("%s %s: error %v, net/http %v", tc.method, tc.url, lerr, nerr)
			continue
		}
		if lerr != nil {
			continue
		}
		if l.Method != n.Method || l.URL.String() != n.URL.String() || l.Host != n.Host || l.ContentLength != n.ContentLength || l.URL.EscapedPath() != n.URL.EscapedPath() {
			t.Errorf("%s %s: %s %s %s %d, net/http %s %s %s %d", tc.method, tc.url, l.Method, l.URL, l.Host, l.ContentLength, n.Method, n.URL, n.Host, n.ContentLength)
		}
		if b, _ := io.ReadAll(l.Body); string(b) != "body" {
			t.Errorf("body %q", b)
		}
		if l.Context() == nil {
			t.Error("no context")
		}
	}
}

func TestPathValue(t *testing.T) {
	mux := NewServeMux()
	var got []string
	mux.HandleFunc("GET /a/{x}/b/{rest...}", func(w ResponseWriter, r *Request) {
		r.SetPathValue("other", "o")
		r.SetPathValue("x", r.PathValue("x")+"!")
		got = []string{r.Pattern, r.PathValue("x"), r.PathValue("rest"), r.PathValue("other"), r.PathValue("none")}
	})
	r, _ := NewRequest("GET", "http://h/a/%C3%A9/b/c%2Fd/e", nil)
	mux.ServeHTTP(&recorder{h: Header{}}, r)
	if want := []string{"GET /a/{x}/b/{rest...}", "é!", "c/d/e", "o", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if r.WithContext(t.Context()).Context() != t.Context() {
		t.Error("WithContext")
	}
}

func TestBadPatterns(t *testing.T) {
	for _, p := range []string{"", "GET", "GET host/", "bad method /x", "GET /a/../b", "/{x", "/a{x}", "/{x...}/y", "/{$}/y", "/{1x}", "/{x}/{x}", "/{}",
		"GET /dup", // registered twice
	} {
		t.Run(p, func(t *testing.T) {
			mux := NewServeMux()
			mux.HandleFunc("GET /dup", func(ResponseWriter, *Request) {})
			defer func() {
				if recover() == nil {
					t.Errorf("%q: no panic", p)
				}
			}()
			mux.HandleFunc(p, func(ResponseWriter, *Request) {})
		})
	}
}

func TestMaxBytesReader(t *testing.T) {
	data := []byte("0123456789abcdef")
	for limit := int64(-1); limit <= 18; limit++ {
		for _, half := range []bool{false, true} {
			read := func(rc io.ReadCloser) (string, error) {
				var b bytes.Buffer
				buf := make([]byte, 3)
				for {
					n, err := rc.Read(buf)
					b.Write(buf[:n])
					if err != nil {
						return b.String(), err
					}
				}
			}
			src := func() io.ReadCloser {
				var r io.Reader = bytes.NewReader(data)
				if half {
					r = iotest.HalfReader(r)
				}
				return io.NopCloser(r)
			}
			lb, lerr := read(MaxBytesReader(nil, src(), limit))
			nb, nerr := read(http.MaxBytesReader(httptest.NewRecorder(), src(), limit))
			var lm *MaxBytesError
			var nm *http.MaxBytesError
			if lb != nb || lerr.Error() != nerr.Error() || errors.As(lerr, &lm) != errors.As(nerr, &nm) || lm != nil && lm.Limit != nm.Limit {
				t.Errorf("limit %d: %q %v, net/http %q %v", limit, lb, lerr, nb, nerr)
			}
		}
	}
}

func TestMultipartReader(t *testing.T) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("image", "a.png")
	fw.Write([]byte("\x89PNG..."))
	mw.WriteField("name", "x")
	mw.Close()
	for _, ct := range []string{mw.FormDataContentType(), "multipart/mixed; boundary=" + mw.Boundary(), "multipart/form-data", "text/plain", "", "multipart/form-data; boundary=\"x"} {
		l, _ := NewRequest("POST", "http://h/", bytes.NewReader(body.Bytes()))
		n := httptest.NewRequest("POST", "/", bytes.NewReader(body.Bytes()))
		l.Header.Set("Content-Type", ct)
		n.Header.Set("Content-Type", ct)
		lr, lerr := l.MultipartReader()
		nr, nerr := n.MultipartReader()
		if (lerr == nil) != (nerr == nil) || lerr != nil && lerr.Error() != nerr.Error() {
			t.Errorf("%q: error %v, net/http %v", ct, lerr, nerr)
			continue
		}
		if lerr == nil {
			if got, want := liteParts(lr, 0), stdParts(nr, 0); got != want {
				t.Errorf("%q: %s, net/http %s", ct, got, want)
			}
		}
		if _, err := l.MultipartReader(); err == nil {
			t.Errorf("%q: a second MultipartReader", ct)
		}
	}
}

func TestDetectContentType(t *testing.T) {
	samples := [][]byte{nil, []byte("\x89PNG\r\n\x1a\nrest"), []byte("\xff\xd8\xff\xe0"), []byte("GIF89a..."), []byte("GIF87a"),
		[]byte("BM...."), []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), []byte("RIFF\x10\x00\x00\x00WAVE"), []byte("\x00\x00\x01\x00\x01"), []byte("\x00\x00\x02\x00")}
	// The default model's example images and imageio's test images.
	files, _ := filepath.Glob("../../../zoo/*/examples/*")
	more, _ := filepath.Glob("../../../imageio/testdata/*")
	for _, f := range append(files, more...) {
		if b, err := os.ReadFile(f); err == nil {
			samples = append(samples, b)
		}
	}
	images := 0
	for _, b := range samples {
		want := http.DetectContentType(b)
		if !strings.HasPrefix(want, "image/") {
			want = "application/octet-stream"
		} else {
			images++
		}
		if got := DetectContentType(b); got != want {
			t.Errorf("%q…: %q, want %q", b[:min(len(b), 12)], got, want)
		}
	}
	if images < 20 {
		t.Errorf("only %d images", images)
	}
}

func TestServeContent(t *testing.T) {
	for _, method := range []string{"GET", "HEAD"} {
		r, _ := NewRequest(method, "http://h/x", nil)
		w := &recorder{h: Header{}}
		ServeContent(w, r, "", time.Time{}, strings.NewReader("GIF89a..."))
		n := httptest.NewRecorder()
		http.ServeContent(n, httptest.NewRequest(method, "/x", nil), "", time.Time{}, strings.NewReader("GIF89a..."))
		if w.status != n.Code || w.body.String() != n.Body.String() || w.h.Get("Content-Type") != n.Header().Get("Content-Type") || w.h.Get("Content-Length") != n.Header().Get("Content-Length") {
			t.Errorf("%s: %d %q %v, net/http %d %q %v", method, w.status, w.body.String(), w.h, n.Code, n.Body.String(), n.Header())
		}
	}
}

func TestResponseController(t *testing.T) {
	w := &recorder{h: Header{}}
	if err := NewResponseController(wrapper{w}).Flush(); err != nil || !w.flushed {
		t.Errorf("Flush: %v, flushed %v", err, w.flushed)
	}
	if err := NewResponseController(wrapper{w}).SetReadDeadline(time.Now()); !errors.Is(err, ErrNotSupported) {
		t.Errorf("SetReadDeadline: %v", err)
	}
}

type wrapper struct{ ResponseWriter }

func (w wrapper) Unwrap() ResponseWriter { return w.ResponseWriter }

// recorder is a ResponseWriter that keeps the response.
type recorder struct {
	h       Header
	status  int
	body    bytes.Buffer
	flushed bool
}

func (w *recorder) Header() Header { return w.h }
func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(StatusOK)
	return w.body.Write(b)
}
func (w *recorder) Flush() { w.flushed = true }

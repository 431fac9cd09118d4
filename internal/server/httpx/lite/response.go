package lite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Methods (net/http's constants).
const (
	MethodGet     = "GET"
	MethodHead    = "HEAD"
	MethodPost    = "POST"
	MethodPut     = "PUT"
	MethodPatch   = "PATCH"
	MethodDelete  = "DELETE"
	MethodConnect = "CONNECT"
	MethodOptions = "OPTIONS"
	MethodTrace   = "TRACE"
)

// A ResponseWriter builds the response of a request, as
// http.ResponseWriter: Header before WriteHeader, then Write.
type ResponseWriter interface {
	Header() Header
	Write([]byte) (int, error)
	WriteHeader(statusCode int)
}

// A Handler answers requests.
type Handler interface {
	ServeHTTP(ResponseWriter, *Request)
}

// HandlerFunc makes a function a Handler.
type HandlerFunc func(ResponseWriter, *Request)

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w ResponseWriter, r *Request) { f(w, r) }

// A Flusher is a ResponseWriter that can send what was written so far.
type Flusher interface {
	Flush()
}

// ErrAbortHandler is the panic value that aborts a handler (net/http's:
// the server recovers other panics and repanics this one).
var ErrAbortHandler = errors.New("net/http: abort Handler")

// ErrNotSupported is returned by ResponseController's methods when the
// writer cannot do it.
var ErrNotSupported = errors.New("feature not supported")

// A ResponseController reaches the methods of a ResponseWriter that its
// interface does not have, looking through writers that wrap another one
// (an Unwrap() ResponseWriter method), like http.ResponseController.
type ResponseController struct {
	rw ResponseWriter
}

// NewResponseController returns the controller of rw.
func NewResponseController(rw ResponseWriter) *ResponseController {
	return &ResponseController{rw}
}

type unwrapper interface {
	Unwrap() ResponseWriter
}

// Flush sends what was written so far, if the writer can.
func (c *ResponseController) Flush() error {
	rw := c.rw
	for {
		switch t := rw.(type) {
		case interface{ FlushError() error }:
			return t.FlushError()
		case Flusher:
			t.Flush()
			return nil
		case unwrapper:
			rw = t.Unwrap()
		default:
			return fmt.Errorf("%w", ErrNotSupported)
		}
	}
}

// SetReadDeadline sets the deadline for reading the request body, if the
// writer can.
func (c *ResponseController) SetReadDeadline(deadline time.Time) error {
	rw := c.rw
	for {
		switch t := rw.(type) {
		case interface{ SetReadDeadline(time.Time) error }:
			return t.SetReadDeadline(deadline)
		case unwrapper:
			rw = t.Unwrap()
		default:
			return fmt.Errorf("%w", ErrNotSupported)
		}
	}
}

// Error answers a plain-text error: the status code and the message and a
// newline as the body, like http.Error.
func Error(w ResponseWriter, msg string, code int) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}

// NotFound answers 404 "404 page not found".
func NotFound(w ResponseWriter, r *Request) { Error(w, "404 page not found", StatusNotFound) }

// Redirect answers a redirect to target (an absolute path, with or without
// a query, or a URL) with the status code, like http.Redirect.
func Redirect(w ResponseWriter, r *Request, target string, code int) {
	if u, err := url.Parse(target); err == nil && u.Scheme == "" && u.Host == "" {
		if target == "" || target[0] != '/' {
			old := r.URL.EscapedPath()
			if old == "" {
				old = "/"
			}
			dir, _ := path.Split(old)
			target = dir + target
		}
		var query string
		if i := strings.Index(target, "?"); i != -1 {
			target, query = target[:i], target[i:]
		}
		trailing := strings.HasSuffix(target, "/")
		target = path.Clean(target)
		if trailing && !strings.HasSuffix(target, "/") {
			target += "/"
		}
		target += query
	}
	h := w.Header()
	_, hadCT := h["Content-Type"]
	h.Set("Location", hexEscapeNonASCII(target))
	if !hadCT && (r.Method == "GET" || r.Method == "HEAD") {
		h.Set("Content-Type", "text/html; charset=utf-8")
	}
	w.WriteHeader(code)
	if !hadCT && r.Method == "GET" {
		fmt.Fprintln(w, "<a href=\""+htmlReplacer.Replace(target)+"\">"+StatusText(code)+"</a>.\n")
	}
}

var htmlReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

// hexEscapeNonASCII %-escapes the bytes of s that are not ASCII.
func hexEscapeNonASCII(s string) string {
	var b []byte
	pos := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			b = append(b, s[pos:i]...)
			b = append(b, '%')
			b = strconv.AppendInt(b, int64(s[i]), 16)
			pos = i + 1
		}
	}
	if b == nil {
		return s
	}
	return string(append(b, s[pos:]...))
}

// MaxBytesReader limits a request body to n bytes, like
// http.MaxBytesReader: reading more fails with a *MaxBytesError.
func MaxBytesReader(w ResponseWriter, r io.ReadCloser, n int64) io.ReadCloser {
	n = max(n, 0)
	return &maxBytesReader{r: r, i: n, n: n}
}

// MaxBytesError is the error of a MaxBytesReader read past its limit.
type MaxBytesError struct {
	Limit int64
}

func (e *MaxBytesError) Error() string { return "http: request body too large" }

type maxBytesReader struct {
	r   io.ReadCloser
	i   int64 // the limit
	n   int64 // bytes left
	err error // sticky
}

func (l *maxBytesReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// One byte more than is left tells whether the body goes past it.
	if int64(len(p))-1 > l.n {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	if int64(n) <= l.n {
		l.n -= int64(n)
		l.err = err
		return n, err
	}
	n, l.n = int(l.n), 0
	l.err = &MaxBytesError{l.i}
	return n, l.err
}

func (l *maxBytesReader) Close() error { return l.r.Close() }

// ServeContent answers content whole with status 200 (no body for HEAD),
// with Content-Length and, unless the header has one, the Content-Type of
// name's extension or else DetectContentType's. Unlike http.ServeContent
// it ignores modtime, Range and conditional requests: the static site's
// engine serves example images to the UI's fetch, which asks for none.
func ServeContent(w ResponseWriter, r *Request, name string, modtime time.Time, content io.ReadSeeker) {
	b, err := io.ReadAll(content)
	if err != nil {
		Error(w, "500 Internal Server Error", StatusInternalServerError)
		return
	}
	h := w.Header()
	if _, ok := h["Content-Type"]; !ok {
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = DetectContentType(b)
		}
		h.Set("Content-Type", ct)
	}
	if h.Get("Content-Encoding") == "" {
		h.Set("Content-Length", strconv.Itoa(len(b)))
	}
	w.WriteHeader(StatusOK)
	if r.Method != MethodHead {
		w.Write(b)
	}
}

// DetectContentType returns the type of an image in a format the server
// decodes (PNG, JPEG, GIF, WebP, BMP, ICO) from its first bytes, with
// http.DetectContentType's answer for it; anything else is
// "application/octet-stream".
func DetectContentType(data []byte) string {
	for _, s := range imageSigs {
		if bytes.HasPrefix(data, []byte(s.prefix)) &&
			(s.at == 0 || len(data) >= s.at+len(s.then) && string(data[s.at:s.at+len(s.then)]) == s.then) {
			return s.ct
		}
	}
	return "application/octet-stream"
}

var imageSigs = []struct {
	prefix string
	at     int // offset of then
	then   string
	ct     string
}{
	{prefix: "\x00\x00\x01\x00", ct: "image/x-icon"},
	{prefix: "\x00\x00\x02\x00", ct: "image/x-icon"},
	{prefix: "BM", ct: "image/bmp"},
	{prefix: "GIF87a", ct: "image/gif"},
	{prefix: "GIF89a", ct: "image/gif"},
	{prefix: "RIFF", at: 8, then: "WEBPVP", ct: "image/webp"},
	{prefix: "\x89PNG\x0D\x0A\x1A\x0A", ct: "image/png"},
	{prefix: "\xFF\xD8\xFF", ct: "image/jpeg"},
}

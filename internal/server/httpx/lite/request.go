package lite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
)

// A Request is an HTTP request as a handler sees it: the fields and
// methods of http.Request that the server uses.
type Request struct {
	Method string
	URL    *url.URL
	Header Header
	// Body is the request body; NewRequest makes it non-nil.
	Body io.ReadCloser
	// ContentLength is the body's length, -1 if unknown.
	ContentLength int64
	// Host is the host (and port) the request is for.
	Host string
	// Pattern is the ServeMux pattern that matched the request.
	Pattern string

	ctx         context.Context
	pat         *pattern
	matches     []string // wildcard values, in the order of pat's wildcards
	otherValues map[string]string
	multipart   bool // MultipartReader was called
}

// NewRequest returns a request for method and an absolute or
// origin-form URL, with an empty header and the context
// context.Background(), like http.NewRequest. A *bytes.Reader,
// *bytes.Buffer or *strings.Reader body sets ContentLength.
func NewRequest(method, target string, body io.Reader) (*Request, error) {
	if method == "" {
		method = "GET"
	}
	if !validMethod(method) {
		return nil, fmt.Errorf("net/http: invalid method %q", method)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	if strings.LastIndex(u.Host, ":") > strings.LastIndex(u.Host, "]") {
		u.Host = strings.TrimSuffix(u.Host, ":") // an empty port
	}
	r := &Request{ctx: context.Background(), Method: method, URL: u, Header: Header{}, Host: u.Host}
	switch v := body.(type) {
	case nil:
		return r, nil
	case *bytes.Buffer:
		r.ContentLength = int64(v.Len())
	case *bytes.Reader:
		r.ContentLength = int64(v.Len())
	case *strings.Reader:
		r.ContentLength = int64(v.Len())
	}
	rc, ok := body.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(body)
	}
	r.Body = rc
	return r, nil
}

// validMethod reports whether m is a token (RFC 7230).
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		if !tokenByte(m[i]) {
			return false
		}
	}
	return true
}

// Context returns the request's context (context.Background() if none).
func (r *Request) Context() context.Context {
	if r.ctx != nil {
		return r.ctx
	}
	return context.Background()
}

// WithContext returns a shallow copy of r with its context changed to ctx.
func (r *Request) WithContext(ctx context.Context) *Request {
	if ctx == nil {
		panic("nil context")
	}
	r2 := new(Request)
	*r2 = *r
	r2.ctx = ctx
	return r2
}

// PathValue returns the value of the named wildcard of the pattern that
// matched the request (unescaped), or a value set by SetPathValue, or "".
func (r *Request) PathValue(name string) string {
	if i := r.pat.wildcardIndex(name); i >= 0 {
		return r.matches[i]
	}
	return r.otherValues[name]
}

// SetPathValue sets what PathValue(name) returns.
func (r *Request) SetPathValue(name, value string) {
	if i := r.pat.wildcardIndex(name); i >= 0 {
		r.matches[i] = value
		return
	}
	if r.otherValues == nil {
		r.otherValues = map[string]string{}
	}
	r.otherValues[name] = value
}

// Errors of MultipartReader (net/http's texts).
var (
	ErrNotMultipart    = errors.New("request Content-Type isn't multipart/form-data")
	ErrMissingBoundary = errors.New("no multipart boundary param in Content-Type")
)

// MultipartReader returns a reader of the parts of a multipart/form-data
// or multipart/mixed body, like http.Request.MultipartReader.
func (r *Request) MultipartReader() (*MultipartReader, error) {
	if r.multipart {
		return nil, errors.New("http: MultipartReader called twice")
	}
	r.multipart = true
	v := r.Header.Get("Content-Type")
	if v == "" {
		return nil, ErrNotMultipart
	}
	if r.Body == nil {
		return nil, errors.New("missing form body")
	}
	d, params, err := mime.ParseMediaType(v)
	if err != nil || !(d == "multipart/form-data" || d == "multipart/mixed") {
		return nil, ErrNotMultipart
	}
	boundary, ok := params["boundary"]
	if !ok {
		return nil, ErrMissingBoundary
	}
	return NewMultipartReader(r.Body, boundary), nil
}

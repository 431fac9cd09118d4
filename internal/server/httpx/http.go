//go:build !(js && wasm)

package httpx

import (
	"io"
	"mime/multipart"
	"net/http"
	"time"
)

type (
	Request            = http.Request
	ResponseWriter     = http.ResponseWriter
	Header             = http.Header
	Handler            = http.Handler
	HandlerFunc        = http.HandlerFunc
	ServeMux           = http.ServeMux
	MaxBytesError      = http.MaxBytesError
	ResponseController = http.ResponseController
	// Part is a part of a multipart body (Request.MultipartReader).
	Part = multipart.Part
)

// ErrAbortHandler is http.ErrAbortHandler.
var ErrAbortHandler = http.ErrAbortHandler

// NewServeMux is http.NewServeMux.
func NewServeMux() *ServeMux { return http.NewServeMux() }

// NewRequest is http.NewRequest.
func NewRequest(method, url string, body io.Reader) (*Request, error) {
	return http.NewRequest(method, url, body)
}

// NewResponseController is http.NewResponseController.
func NewResponseController(rw ResponseWriter) *ResponseController {
	return http.NewResponseController(rw)
}

// MaxBytesReader is http.MaxBytesReader.
func MaxBytesReader(w ResponseWriter, r io.ReadCloser, n int64) io.ReadCloser {
	return http.MaxBytesReader(w, r, n)
}

// ServeContent is http.ServeContent.
func ServeContent(w ResponseWriter, r *Request, name string, modtime time.Time, content io.ReadSeeker) {
	http.ServeContent(w, r, name, modtime, content)
}

// DetectContentType is http.DetectContentType.
func DetectContentType(data []byte) string { return http.DetectContentType(data) }

// StatusText is http.StatusText.
func StatusText(code int) string { return http.StatusText(code) }

// The methods and status codes the server uses.
const (
	MethodGet     = http.MethodGet
	MethodHead    = http.MethodHead
	MethodOptions = http.MethodOptions

	StatusOK                    = http.StatusOK
	StatusCreated               = http.StatusCreated
	StatusAccepted              = http.StatusAccepted
	StatusBadRequest            = http.StatusBadRequest
	StatusForbidden             = http.StatusForbidden
	StatusNotFound              = http.StatusNotFound
	StatusMethodNotAllowed      = http.StatusMethodNotAllowed
	StatusConflict              = http.StatusConflict
	StatusRequestEntityTooLarge = http.StatusRequestEntityTooLarge
	StatusUnsupportedMediaType  = http.StatusUnsupportedMediaType
	StatusUnprocessableEntity   = http.StatusUnprocessableEntity
	StatusInternalServerError   = http.StatusInternalServerError
	StatusNotImplemented        = http.StatusNotImplemented
	StatusServiceUnavailable    = http.StatusServiceUnavailable
)

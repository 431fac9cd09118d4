//go:build js && wasm

package httpx

import (
	"io"
	"time"

	"github.com/convscope/convscope/internal/server/httpx/lite"
)

type (
	Request            = lite.Request
	ResponseWriter     = lite.ResponseWriter
	Header             = lite.Header
	Handler            = lite.Handler
	HandlerFunc        = lite.HandlerFunc
	ServeMux           = lite.ServeMux
	MaxBytesError      = lite.MaxBytesError
	ResponseController = lite.ResponseController
	// Part is a part of a multipart body (Request.MultipartReader).
	Part = lite.Part
)

// ErrAbortHandler is lite.ErrAbortHandler.
var ErrAbortHandler = lite.ErrAbortHandler

// NewServeMux is lite.NewServeMux.
func NewServeMux() *ServeMux { return lite.NewServeMux() }

// NewRequest is lite.NewRequest.
func NewRequest(method, url string, body io.Reader) (*Request, error) {
	return lite.NewRequest(method, url, body)
}

// NewResponseController is lite.NewResponseController.
func NewResponseController(rw ResponseWriter) *ResponseController {
	return lite.NewResponseController(rw)
}

// MaxBytesReader is lite.MaxBytesReader.
func MaxBytesReader(w ResponseWriter, r io.ReadCloser, n int64) io.ReadCloser {
	return lite.MaxBytesReader(w, r, n)
}

// ServeContent is lite.ServeContent.
func ServeContent(w ResponseWriter, r *Request, name string, modtime time.Time, content io.ReadSeeker) {
	lite.ServeContent(w, r, name, modtime, content)
}

// DetectContentType is lite.DetectContentType.
func DetectContentType(data []byte) string { return lite.DetectContentType(data) }

// StatusText is lite.StatusText.
func StatusText(code int) string { return lite.StatusText(code) }

// The methods and status codes the server uses.
const (
	MethodGet     = lite.MethodGet
	MethodHead    = lite.MethodHead
	MethodOptions = lite.MethodOptions

	StatusOK                    = lite.StatusOK
	StatusCreated               = lite.StatusCreated
	StatusAccepted              = lite.StatusAccepted
	StatusBadRequest            = lite.StatusBadRequest
	StatusForbidden             = lite.StatusForbidden
	StatusNotFound              = lite.StatusNotFound
	StatusMethodNotAllowed      = lite.StatusMethodNotAllowed
	StatusConflict              = lite.StatusConflict
	StatusRequestEntityTooLarge = lite.StatusRequestEntityTooLarge
	StatusUnsupportedMediaType  = lite.StatusUnsupportedMediaType
	StatusUnprocessableEntity   = lite.StatusUnprocessableEntity
	StatusInternalServerError   = lite.StatusInternalServerError
	StatusNotImplemented        = lite.StatusNotImplemented
	StatusServiceUnavailable    = lite.StatusServiceUnavailable
)

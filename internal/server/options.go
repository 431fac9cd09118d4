package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/server/httpx"
)

// uploadOptions are the options of POST /api/analyze and POST /api/models,
// given as query parameters or multipart fields (docs/api.md).
type uploadOptions struct {
	input []int // C,H,W of the first input; nil: the file's
	// pre is the model's preprocessing: an uploaded preprocess.json with
	// the fields given laid over it (nil when neither is given).
	pre *imageio.Preprocess
}

// maxFieldBytes bounds a multipart field that is not a file.
const maxFieldBytes = 1 << 10

// readField reads a small multipart field into fields.
func readField(part *httpx.Part, fields url.Values) error {
	defer part.Close()
	name := part.FormName()
	switch name {
	case "input", "mean", "std", "scale", "bgr", "resize":
	default:
		return nil // ignored, as before
	}
	b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
	if err != nil {
		return readError(err)
	}
	if len(b) > maxFieldBytes {
		return errorStatus(httpx.StatusBadRequest, "the multipart field %q is longer than %d bytes", name, maxFieldBytes)
	}
	fields.Set(name, string(b))
	return nil
}

// parseUploadOptions reads input, mean, std, scale, bgr and resize, and the
// uploaded preprocess.json if there is one. A bad value is a 400 naming it.
func parseUploadOptions(fields url.Values, files format.MemFS) (uploadOptions, error) {
	var o uploadOptions
	if v := fields.Get("input"); v != "" {
		d, err := analyze.ParseCHW(v)
		if err != nil {
			return o, errorStatus(httpx.StatusBadRequest, "?input=%s: %v", clip(v, maxNameLen), err)
		}
		o.input = d
	}
	var pre imageio.Preprocess
	set := false
	if b, ok := files[imageio.PreprocessFile]; ok {
		p, err := imageio.DecodePreprocess(bytes.NewReader(b))
		if err != nil {
			return o, errorStatus(httpx.StatusUnprocessableEntity, "%v", err)
		}
		pre, set = p, true
	}
	pre, given, err := layPreprocess(fields, pre)
	if err != nil {
		return o, err
	}
	if set || given {
		o.pre = &pre
	}
	return o, nil
}

// layPreprocess lays the preprocessing fields given (mean, std, scale, bgr,
// resize) over pre; given tells whether there was any. A bad value, or a
// result that fails Check, is a 400 naming it.
func layPreprocess(fields url.Values, pre imageio.Preprocess) (_ imageio.Preprocess, given bool, _ error) {
	bad := func(name string, err error) error {
		return errorStatus(httpx.StatusBadRequest, "%s=%s: %v", name, clip(fields.Get(name), maxNameLen), err)
	}
	for _, name := range []string{"mean", "std"} {
		v := fields.Get(name)
		if v == "" {
			continue
		}
		f, err := imageio.ParseFloats(v)
		if err != nil {
			return pre, false, bad(name, err)
		}
		if name == "mean" {
			pre.Mean = f
		} else {
			pre.Std = f
		}
		given = true
	}
	if v := fields.Get("scale"); v != "" {
		f, err := strconv.ParseFloat(v, 32)
		if err != nil || !(f > 0) {
			return pre, false, bad("scale", errors.New("not a positive number"))
		}
		pre.Scale, given = float32(f), true
	}
	if v := fields.Get("bgr"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return pre, false, bad("bgr", errors.New("not true or false"))
		}
		pre.BGR, given = b, true
	}
	if v := fields.Get("resize"); v != "" {
		pre.Resize, given = v, true
	}
	if given {
		if err := pre.Check(); err != nil {
			return pre, false, errorStatus(httpx.StatusBadRequest, "preprocessing: %v", err)
		}
	}
	return pre, given, nil
}

// freeSizeError turns a *format.FreeSizeError about the upload main into
// a 422 that names the input field and carries the suggested size, so that
// a client can ask for one; other errors are placed as usual.
func freeSizeError(main string, err error) error {
	var fe *format.FreeSizeError
	if !errors.As(err, &fe) {
		return errorStatus(httpx.StatusUnprocessableEntity, "%s: %v", main, err)
	}
	he := errorStatus(httpx.StatusUnprocessableEntity,
		"%s: input %q leaves its size open (%v per image); pass ?input=C,H,W or the multipart field input, e.g. input=%s",
		main, fe.Input, fmtFree(fe), format.JoinSize(fe.Suggest)).(*httpError)
	he.free = fe
	return he
}

func fmtFree(fe *format.FreeSizeError) string {
	s := ""
	for i, d := range fe.Shape {
		if i > 0 {
			s += "×"
		}
		if d <= 0 {
			s += "?"
		} else {
			s += fmt.Sprint(d)
		}
	}
	return s
}

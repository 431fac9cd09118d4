package lite

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// liteParts and stdParts describe the parts of a multipart body as read by
// lite and by mime/multipart: headers, form and file names, bodies (every
// skip-th part only partly read, the rest skipped by NextPart) and the
// error that ended it.
func liteParts(r *MultipartReader, skip int) string {
	var b strings.Builder
	for i := 0; ; i++ {
		p, err := r.NextPart()
		if err != nil {
			return b.String() + "end: " + describeErr(err)
		}
		fmt.Fprintf(&b, "%v %q %q ", map[string][]string(p.Header), p.FormName(), p.FileName())
		b.WriteString(readPart(p, skip > 0 && i%skip == 0) + "\n")
	}
}

func stdParts(r *multipart.Reader, skip int) string {
	var b strings.Builder
	for i := 0; ; i++ {
		p, err := r.NextPart()
		if err != nil {
			return b.String() + "end: " + describeErr(err)
		}
		fmt.Fprintf(&b, "%v %q %q ", map[string][]string(p.Header), p.FormName(), p.FileName())
		b.WriteString(readPart(p, skip > 0 && i%skip == 0) + "\n")
	}
}

func readPart(p io.Reader, partly bool) string {
	if partly {
		buf := make([]byte, 3)
		n, err := io.ReadFull(p, buf)
		return fmt.Sprintf("%q…%s", buf[:n], describeErr(err))
	}
	data, err := io.ReadAll(p)
	return fmt.Sprintf("%q %s", data, describeErr(err))
}

// describeErr is the error's text, and whether it is (or wraps) a
// MaxBytesError.
func describeErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	var lm *MaxBytesError
	var nm *http.MaxBytesError
	if errors.As(err, &lm) || errors.As(err, &nm) {
		return "MaxBytesError: " + err.Error()
	}
	return err.Error()
}

// TestMultipartMatchesMime reads generated multipart bodies — well-formed
// ones with CRLF or LF lines, preambles, epilogues, boundary-like text in
// the data, folded and odd headers, then truncated or limited ones, read
// whole, a byte or half a buffer at a time — with lite and with
// mime/multipart, and compares what they read.
func TestMultipartMatchesMime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	boundaries := []string{"xyz", "----WebKitFormBoundary7MA4YWxkTrZu0gW", strings.Repeat("b", 70), "a'b(c)+_,-./:=?"}
	contents := []string{"", "a", "hello\r\nworld", "\r\n", "--", "\r\n--", "x\r\n--B", "--B", "\r\n--Bq\r\n", "\n--B-x", "line\n"}
	headers := []string{
		"Content-Disposition: form-data; name=\"image\"; filename=\"dir/a.png\"\r\nContent-Type: image/png\r\n",
		"Content-Disposition: form-data; name=\"input\"\r\n",
		"content-disposition: form-data; name=file; filename=\"C:\\\\x\\\\m.onnx\"\r\nX-A: 1\r\nx-a: 2\r\n",
		"Content-Disposition: attachment; name=\"x\"\r\n",
		"Content-Disposition: form-data;\r\n name=\"folded\"\r\n",
		"Content-Disposition: bad;;\r\n",
		"",
		"X-Empty:\r\n:novalue\r\n",
		"Bad Key: v\r\n",
		"NoColon\r\n",
		"Content-Disposition: form-data; name=\"file\"; filename=\"" + strings.Repeat("n", 5000) + "\"\r\n",
		"X-Tab:\ta\tb \r\n\t c\r\n",
		" Initial: space\r\n",
	}
	n := 0
	for round := 0; round < 3000; round++ {
		b := boundaries[rng.IntN(len(boundaries))]
		nl := "\r\n"
		if rng.IntN(4) == 0 {
			nl = "\n"
		}
		var body strings.Builder
		if rng.IntN(3) == 0 {
			body.WriteString("preamble" + nl + "--" + b + "x" + nl)
		}
		parts := rng.IntN(4)
		for i := 0; i < parts; i++ {
			sep := "--" + b
			if rng.IntN(5) == 0 {
				sep += " \t"
			}
			body.WriteString(sep + nl)
			h := headers[rng.IntN(len(headers))]
			if rng.IntN(8) == 0 {
				h = headers[rng.IntN(len(headers))] + h
			}
			body.WriteString(strings.ReplaceAll(h, "\r\n", nl) + nl)
			c := strings.ReplaceAll(contents[rng.IntN(len(contents))], "B", b)
			if rng.IntN(6) == 0 {
				big := make([]byte, rng.IntN(20000))
				for j := range big {
					big[j] = "ab\r\n-"[rng.IntN(5)]
				}
				c += string(big)
			}
			body.WriteString(c + nl)
		}
		switch rng.IntN(4) {
		case 0: // no final boundary
		case 1:
			body.WriteString("--" + b + "--")
		default:
			body.WriteString("--" + b + "--" + nl + "epilogue")
		}
		data := body.String()
		if rng.IntN(4) == 0 && len(data) > 0 {
			data = data[:rng.IntN(len(data))]
		}
		limit := int64(-1)
		if rng.IntN(5) == 0 {
			limit = rng.Int64N(int64(len(data)) + 10)
		}
		chunking := rng.IntN(3)
		src := func() io.ReadCloser {
			var r io.Reader = strings.NewReader(data)
			switch chunking {
			case 1:
				r = iotest.OneByteReader(r)
			case 2:
				r = iotest.HalfReader(r)
			}
			return io.NopCloser(r)
		}
		lsrc, nsrc := src(), src()
		if limit >= 0 {
			lsrc = MaxBytesReader(nil, lsrc, limit)
			nsrc = http.MaxBytesReader(httptest.NewRecorder(), nsrc, limit)
		}
		skip := rng.IntN(3)
		got := liteParts(NewMultipartReader(lsrc, b), skip)
		want := stdParts(multipart.NewReader(nsrc, b), skip)
		if got != want {
			t.Errorf("body %q (limit %d, chunking %d, skip %d):\nlite:\n%s\nmime/multipart:\n%s", data[:min(len(data), 400)], limit, chunking, skip, got, want)
			if n++; n > 5 {
				t.FailNow()
			}
		}
	}
}

package lite

// A multipart/form-data reader, adapted from Go's mime/multipart (go1.26;
// Copyright 2010 The Go Authors, BSD-style license): the boundary scanning
// is that package's; the part headers are read here (mime/multipart reads
// them with net/textproto, which imports net). It saves the static site's
// module about 0.1 MB gzip (mime/multipart also links crypto/rand and
// math/big for its writer's random boundaries).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"path/filepath"
)

// Limits of one part's header.
const (
	maxPartHeaderBytes = 64 << 10
	maxPartHeaders     = 1000
	peekBufferSize     = 4096
)

// A MultipartReader reads the parts of a multipart body, like
// multipart.Reader (NextPart only). Content-Transfer-Encoding is not
// decoded (browsers do not send it).
type MultipartReader struct {
	br          *bufio.Reader
	currentPart *Part
	partsRead   int

	nl               []byte // "\r\n" or "\n" (set after seeing the first boundary line)
	nlDashBoundary   []byte // nl + "--boundary"
	dashBoundaryDash []byte // "--boundary--"
	dashBoundary     []byte // "--boundary"
}

// NewMultipartReader returns a reader of the parts of r, a multipart body
// with the boundary.
func NewMultipartReader(r io.Reader, boundary string) *MultipartReader {
	b := []byte("\r\n--" + boundary + "--")
	return &MultipartReader{
		br:               bufio.NewReaderSize(&stickyErrorReader{r: r}, peekBufferSize),
		nl:               b[:2],
		nlDashBoundary:   b[:len(b)-2],
		dashBoundaryDash: b[2:],
		dashBoundary:     b[2 : len(b)-2],
	}
}

// stickyErrorReader does not call Read on its reader once it has failed.
type stickyErrorReader struct {
	r   io.Reader
	err error
}

func (r *stickyErrorReader) Read(p []byte) (n int, _ error) {
	if r.err != nil {
		return 0, r.err
	}
	n, r.err = r.r.Read(p)
	return n, r.err
}

// A Part is one part of a multipart body: its header, and its body to Read.
type Part struct {
	Header Header

	mr                *MultipartReader
	disposition       string
	dispositionParams map[string]string

	n       int   // known data bytes waiting in mr.br
	total   int64 // total data bytes read already
	err     error // error to return when n == 0
	readErr error // read error observed from mr.br
}

// FormName returns the name parameter of a form-data Content-Disposition,
// or "".
func (p *Part) FormName() string {
	p.parseContentDisposition()
	if p.disposition != "form-data" {
		return ""
	}
	return p.dispositionParams["name"]
}

// FileName returns the base of the filename parameter of the
// Content-Disposition, or "".
func (p *Part) FileName() string {
	p.parseContentDisposition()
	if f := p.dispositionParams["filename"]; f != "" {
		return filepath.Base(f)
	}
	return ""
}

func (p *Part) parseContentDisposition() {
	if p.dispositionParams != nil {
		return
	}
	var err error
	p.disposition, p.dispositionParams, err = mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		p.dispositionParams = map[string]string{}
	}
}

// Read reads the body of the part.
func (p *Part) Read(d []byte) (int, error) {
	br := p.mr.br
	// Read into the buffer until there is data to return or a reason to
	// stop (the boundary or a read error).
	for p.n == 0 && p.err == nil {
		peek, _ := br.Peek(br.Buffered())
		p.n, p.err = scanUntilBoundary(peek, p.mr.dashBoundary, p.mr.nlDashBoundary, p.total, p.readErr)
		if p.n == 0 && p.err == nil {
			_, p.readErr = br.Peek(len(peek) + 1)
			if p.readErr == io.EOF {
				p.readErr = io.ErrUnexpectedEOF
			}
		}
	}
	if p.n == 0 {
		return 0, p.err
	}
	n := min(len(d), p.n)
	n, _ = br.Read(d[:n])
	p.total += int64(n)
	p.n -= n
	if p.n == 0 {
		return n, p.err
	}
	return n, nil
}

// Close skips the rest of the part's body.
func (p *Part) Close() error {
	io.Copy(io.Discard, p)
	return nil
}

// scanUntilBoundary returns how many bytes of buf are the part's data and
// the error to return once they are read (io.EOF at the boundary).
// dashBoundary is "--boundary", nlDashBoundary "\r\n--boundary" or
// "\n--boundary"; total is the data read so far (at 0 a leading
// "--boundary" counts); readErr the error that followed buf.
func scanUntilBoundary(buf, dashBoundary, nlDashBoundary []byte, total int64, readErr error) (int, error) {
	if total == 0 {
		if bytes.HasPrefix(buf, dashBoundary) {
			switch matchAfterPrefix(buf, dashBoundary, readErr) {
			case -1:
				return len(dashBoundary), nil
			case 0:
				return 0, nil
			case +1:
				return 0, io.EOF
			}
		}
		if bytes.HasPrefix(dashBoundary, buf) {
			return 0, readErr
		}
	}
	if i := bytes.Index(buf, nlDashBoundary); i >= 0 {
		switch matchAfterPrefix(buf[i:], nlDashBoundary, readErr) {
		case -1:
			return i + len(nlDashBoundary), nil
		case 0:
			return i, nil
		case +1:
			return i, io.EOF
		}
	}
	if bytes.HasPrefix(nlDashBoundary, buf) {
		return 0, readErr
	}
	// Up to the last \n the data cannot be the boundary, nor after it if
	// what follows is not a prefix of it.
	i := bytes.LastIndexByte(buf, nlDashBoundary[0])
	if i >= 0 && bytes.HasPrefix(nlDashBoundary, buf[i:]) {
		return i, nil
	}
	return len(buf), readErr
}

// matchAfterPrefix reports whether buf, which starts with prefix, is a
// boundary (+1), is not (-1), or cannot tell yet (0).
func matchAfterPrefix(buf, prefix []byte, readErr error) int {
	if len(buf) == len(prefix) {
		if readErr != nil {
			return +1
		}
		return 0
	}
	c := buf[len(prefix)]
	if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
		return +1
	}
	if c == '-' {
		if len(buf) == len(prefix)+1 {
			if readErr != nil {
				return -1
			}
			return 0
		}
		if buf[len(prefix)+1] == '-' {
			return +1
		}
	}
	return -1
}

// NextPart returns the next part, or io.EOF after the last one.
func (r *MultipartReader) NextPart() (*Part, error) {
	if r.currentPart != nil {
		r.currentPart.Close()
	}
	if string(r.dashBoundary) == "--" {
		return nil, fmt.Errorf("multipart: boundary is empty")
	}
	expectNewPart := false
	for {
		line, err := r.br.ReadSlice('\n')
		if err == io.EOF && r.isFinalBoundary(line) {
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("multipart: NextPart: %w", err)
		}
		if r.isBoundaryDelimiterLine(line) {
			r.partsRead++
			h, err := readPartHeader(r.br)
			if err != nil {
				return nil, err
			}
			r.currentPart = &Part{Header: h, mr: r}
			return r.currentPart, nil
		}
		if r.isFinalBoundary(line) {
			return nil, io.EOF
		}
		if expectNewPart {
			return nil, fmt.Errorf("multipart: expecting a new Part; got line %q", string(line))
		}
		if r.partsRead == 0 {
			continue // the preamble
		}
		// The newline between the previous part's body and the boundary.
		if bytes.Equal(line, r.nl) {
			expectNewPart = true
			continue
		}
		return nil, fmt.Errorf("multipart: unexpected line in Next(): %q", line)
	}
}

// isFinalBoundary matches `^--boundary--[ \t]*(\r\n)?$`.
func (r *MultipartReader) isFinalBoundary(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, r.dashBoundaryDash)
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t")
	return len(rest) == 0 || bytes.Equal(rest, r.nl)
}

// isBoundaryDelimiterLine matches "--boundary", spaces and tabs, a newline
// (RFC 2046 5.1); lines ending in "\n" alone are accepted when the first
// boundary line does.
func (r *MultipartReader) isBoundaryDelimiterLine(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, r.dashBoundary)
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t")
	if r.partsRead == 0 && len(rest) == 1 && rest[0] == '\n' {
		r.nl = r.nl[1:]
		r.nlDashBoundary = r.nlDashBoundary[1:]
	}
	return bytes.Equal(rest, r.nl)
}

var errMessageTooLarge = errors.New("message too large")

// readPartHeader reads the header of a part up to its empty line, as
// net/textproto's ReadMIMEHeader does: "Name: value" lines, names made
// canonical (kept as they are if they have a space), values without the
// spaces around them; a line starting with a space or a tab continues the
// one before it.
func readPartHeader(br *bufio.Reader) (Header, error) {
	h := Header{}
	budget := maxPartHeaderBytes
	if b, err := br.Peek(1); err == nil && (b[0] == ' ' || b[0] == '\t') {
		line, err := readLine(br, &budget)
		if err != nil {
			return h, err
		}
		return h, fmt.Errorf("malformed MIME header initial line: %q", line)
	}
	for count := 0; ; count++ {
		kv, err := readContinuedLine(br, &budget)
		if len(kv) == 0 {
			return h, err
		}
		k, v, ok := bytes.Cut(kv, []byte(":"))
		if !ok {
			return h, fmt.Errorf("malformed MIME header line: %q", kv)
		}
		key, ok := headerName(k)
		if !ok {
			return h, fmt.Errorf("malformed MIME header line: %q", kv)
		}
		for _, c := range v {
			if c < 0x20 && c != '\t' || c == 0x7f {
				return h, fmt.Errorf("malformed MIME header line: %q", key+":"+string(v))
			}
		}
		if count >= maxPartHeaders {
			return nil, errMessageTooLarge
		}
		h[key] = append(h[key], string(bytes.TrimLeft(v, " \t")))
		if err != nil {
			return h, err
		}
	}
}

// headerName is a header line's name, canonical; false if it is empty or
// has a byte that is neither a token character nor a space.
func headerName(k []byte) (string, bool) {
	if len(k) == 0 {
		return "", false
	}
	space := false
	for _, c := range k {
		if c == ' ' {
			space = true
		} else if !tokenByte(c) {
			return "", false
		}
	}
	if space {
		return string(k), true
	}
	return CanonicalHeaderKey(string(k)), true
}

// readContinuedLine reads a header line and the lines that continue it
// (starting with spaces or tabs), joined by one space, trimmed.
func readContinuedLine(br *bufio.Reader, budget *int) ([]byte, error) {
	line, err := readLine(br, budget)
	if err != nil || len(line) == 0 {
		return line, err
	}
	if bytes.IndexByte(line, ':') < 0 {
		return nil, fmt.Errorf("malformed MIME header: missing colon: %q", line)
	}
	buf := bytes.Trim(line, " \t")
	for {
		b, err := br.Peek(1)
		if err != nil || b[0] != ' ' && b[0] != '\t' {
			return buf, nil
		}
		for b, err := br.Peek(1); err == nil && (b[0] == ' ' || b[0] == '\t'); b, err = br.Peek(1) {
			br.Discard(1)
		}
		buf = append(buf, ' ')
		line, err := readLine(br, budget)
		if err != nil {
			return buf, nil
		}
		buf = append(buf, bytes.Trim(line, " \t")...)
	}
}

// readLine reads a line without its "\n" or "\r\n" (as bufio's ReadLine:
// a line cut by the end or an error too), taking its length from budget.
func readLine(br *bufio.Reader, budget *int) ([]byte, error) {
	var line []byte
	for {
		l, err := br.ReadSlice('\n')
		if *budget -= len(l); *budget < 0 {
			return nil, errMessageTooLarge
		}
		line = append(line, l...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(line) == 0 {
			return nil, err
		}
		// A line cut by an error is a line; the error comes next time.
		if l, ok := bytes.CutSuffix(line, []byte("\n")); ok {
			line = bytes.TrimSuffix(l, []byte("\r"))
		}
		return line, nil
	}
}

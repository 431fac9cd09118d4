package server

// Memory limits and admission (docs/security.md, "Memory budget"): one
// server-wide budget of bytes that request bodies, imports, uploaded models
// with their engines and runs reserve before they allocate; the import
// budget of one upload; the same-origin check of the state-changing and
// expensive endpoints; bodies larger than the limit answered with a 413 the
// client can read.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/server/httpx"
)

// Defaults of the memory limits.
const (
	// DefaultMaxMemory is Config.MaxMemory's default: 512 MiB.
	DefaultMaxMemory = 512 << 20
	// DefaultMaxImportBytes is Config.MaxImportBytes' default: 512 MiB.
	DefaultMaxImportBytes = 512 << 20
	// ImportFactor and ImportFloor make the import budget of an upload of
	// n bytes: min(ImportFactor·n + ImportFloor, Config.MaxImportBytes).
	// 8 covers uint8-quantised weights decoded to float32 (the shard plus
	// four bytes per value) with room for folded shapes; the floor covers
	// small files with legitimately large constants.
	ImportFactor = 8
	ImportFloor  = 64 << 20
	// drainLimit bounds the bytes of a too-large body read and discarded
	// so that the client, which sends its whole body before reading the
	// answer, gets the 413 instead of a connection reset.
	drainLimit = 256 << 20
	// drainTime bounds the time spent draining it.
	drainTime = 10 * time.Second
	// freeAfter: after a request that reserved this many bytes of the
	// memory budget (a large body, any import, a big run) the heap is
	// returned to the operating system (freeSoon).
	freeAfter = 8 << 20
)

// memBudget is the server-wide memory budget: a weighted semaphore of
// bytes. Holders reserve before they allocate and give back when the memory
// is unreachable again.
//
// Uploads (their bodies, imports, the uploaded models and their engines)
// may fill it up to uploadCeiling only: the rest is kept for runs, so that
// hostile uploads cannot starve the runs of the models being explored.
type memBudget struct {
	mu            sync.Mutex
	limit         int64
	uploadCeiling int64 // RunShare of limit is kept for runs
	used          int64
	freed         chan struct{} // closed (and replaced) whenever bytes are given back
}

// RunShare is the part of the memory budget that uploads cannot take: it
// is kept for runs and their request bodies.
const RunShare = 4 // one fourth

func newMemBudget(limit int64) *memBudget {
	return &memBudget{limit: limit, uploadCeiling: limit - limit/RunShare, freed: make(chan struct{})}
}

// ceiling is how far a holder may fill the budget.
func (b *memBudget) ceiling(upload bool) int64 {
	if upload {
		return b.uploadCeiling
	}
	return b.limit
}

// busy is the 503 of a reservation of n bytes that found no room in time.
func (b *memBudget) busy(n int64) error {
	return &httpError{status: httpx.StatusServiceUnavailable, msg: fmt.Sprintf(
		"the server is busy: this request needs %s of its memory budget (serve --max-memory, %s), of which %s is in use; retry shortly",
		format.Bytes(n), format.Bytes(b.limit), format.Bytes(b.inUse()))}
}

func (b *memBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// tryTake reserves n bytes for an upload if they are free below the
// upload ceiling.
func (b *memBudget) tryTake(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.uploadCeiling-b.used {
		return false
	}
	b.used += n
	return true
}

// take reserves n bytes, waiting up to wait for them (wait < 0: not at
// all), for an upload (below the upload ceiling) or a run. More than the
// ceiling is a 413 at once; no room in time a 503 (errors carry the status).
func (b *memBudget) take(ctx context.Context, n int64, wait time.Duration, what string, upload bool) error {
	ceil := b.ceiling(upload)
	if n > ceil {
		part := "whole memory budget"
		if upload {
			part = fmt.Sprintf("part of the memory budget uploads may use (%d/%d of it)", RunShare-1, RunShare)
		}
		return errorStatus(httpx.StatusRequestEntityTooLarge, "%s needs %s, more than the %s of %s (serve --max-memory %s)", what, format.Bytes(n), part, format.Bytes(ceil), format.Bytes(b.limit))
	}
	var deadline <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		deadline = t.C
	}
	for {
		b.mu.Lock()
		if n <= ceil-b.used {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		freed := b.freed
		b.mu.Unlock()
		if wait < 0 {
			return b.busy(n)
		}
		select {
		case <-freed:
		case <-deadline:
			return b.busy(n)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// give returns n bytes.
func (b *memBudget) give(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	if b.used < 0 {
		panic("server: memory budget given back more than taken")
	}
	close(b.freed)
	b.freed = make(chan struct{})
	b.mu.Unlock()
}

// reservation is memory taken for one request, given back once.
type reservation struct {
	b    *memBudget
	mu   sync.Mutex
	held int64
}

// add reserves n more bytes for the request (see memBudget.take).
func (r *reservation) add(ctx context.Context, n int64, wait time.Duration, what string, upload bool) error {
	if err := r.b.take(ctx, n, wait, what, upload); err != nil {
		return err
	}
	r.mu.Lock()
	r.held += n
	r.mu.Unlock()
	return nil
}

// release gives everything back; after a large reservation the heap is
// soon returned to the operating system (freeSoon).
func (r *reservation) release() {
	r.mu.Lock()
	n := r.held
	r.held = 0
	r.mu.Unlock()
	r.b.give(n)
	if n >= freeAfter {
		freeSoon()
	}
}

// freeSoon has the heap returned to the operating system
// (debug.FreeOSMemory) once the process has had no such request for
// freeDelay: a request that held much memory (a large body, an import, a
// big run) leaves garbage that the collector would otherwise keep resident
// on an idle server. Under a steady load of them nothing is forced (the Go
// memory limit bounds the heap then), so the forced collections do not
// compete with the requests.
func freeSoon() {
	freeOnce.Do(func() {
		go func() {
			for range freeKick {
				quiet := time.NewTimer(freeDelay)
				for waiting := true; waiting; {
					select {
					case <-freeKick:
						quiet.Reset(freeDelay)
					case <-quiet.C:
						waiting = false
					}
				}
				debug.FreeOSMemory()
			}
		}()
	})
	select {
	case freeKick <- struct{}{}:
	default: // one is pending
	}
}

var (
	freeOnce sync.Once
	freeKick = make(chan struct{}, 1)
)

// freeDelay is the quiet time after which freeSoon frees.
const freeDelay = time.Second

// memWait is how long a request waits for memory of the budget.
func (s *Server) memWait() time.Duration { return s.cfg.RunWait }

// admitBody admits a request body before it is read: a body announced
// larger than MaxBodyBytes is answered 413 at once (after draining it), and
// MaxBodyBytes (or the announced length, when smaller) is reserved from the
// memory budget, waiting as runs wait for a slot. The returned reservation
// lives as long as the request; r.Body is replaced by a reader limited to
// MaxBodyBytes that drains an over-long body before it fails.
func (s *Server) admitBody(w httpx.ResponseWriter, r *httpx.Request, upload bool) (*reservation, error) {
	res := &reservation{b: s.mem}
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		drain(w, r.Body, r.ContentLength)
		return res, tooLarge(limit)
	}
	n := limit
	if r.ContentLength >= 0 {
		n = r.ContentLength
	}
	if err := res.add(r.Context(), n, s.memWait(), "the request body", upload); err != nil {
		return res, err
	}
	r.Body = &drainingBody{ReadCloser: httpx.MaxBytesReader(w, r.Body, limit), orig: r.Body, w: w}
	return res, nil
}

func tooLarge(limit int64) error {
	return errorStatus(httpx.StatusRequestEntityTooLarge, "the request body is larger than the limit of %d bytes (serve --max-upload)", limit)
}

// readBody reads a whole body whose announced length (admitted by
// admitBody) is n, or -1: into one buffer of that size rather than a
// doubling series whose garbage the budget does not count.
func readBody(body io.Reader, n int64) ([]byte, error) {
	var buf bytes.Buffer
	if n > 0 {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead free at the end
	}
	_, err := buf.ReadFrom(body)
	return buf.Bytes(), err
}

// drainingBody is a body limited by httpx.MaxBytesReader that, when the
// limit is hit, reads and discards the rest of the original body (bounded
// by drainLimit and drainTime) so that the 413 reaches a client that sends
// its whole body before it reads.
type drainingBody struct {
	io.ReadCloser
	orig    io.ReadCloser
	w       httpx.ResponseWriter
	drained bool
}

func (b *drainingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *httpx.MaxBytesError
	if err != nil && errors.As(err, &mbe) && !b.drained {
		b.drained = true
		drain(b.w, b.orig, -1)
	}
	return n, err
}

// drain discards up to drainLimit bytes of body within drainTime; a body
// announced (length ≥ 0) larger than drainLimit is not drained: the
// connection is closed after the answer instead.
func drain(w httpx.ResponseWriter, body io.Reader, length int64) {
	if length > drainLimit {
		w.Header().Set("Connection", "close")
		return
	}
	rc := httpx.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(drainTime))
	if n, _ := io.CopyN(io.Discard, body, drainLimit); n == drainLimit {
		w.Header().Set("Connection", "close")
	}
	rc.SetReadDeadline(time.Time{})
}

// importBudget is the format.Budget of importing an upload of size bytes:
// ImportFactor × size + ImportFloor, at most Config.MaxImportBytes.
func (s *Server) importBudget(size int64) *format.Budget {
	n := min(ImportFactor*size+ImportFloor, s.cfg.MaxImportBytes)
	why := fmt.Sprintf("%d × the upload's %s + %s, at most serve --max-import-bytes %s", ImportFactor, format.Bytes(size), format.Bytes(ImportFloor), format.Bytes(s.cfg.MaxImportBytes))
	return format.NewBudget(n, why)
}

// sameOrigin checks a request to a state-changing or expensive endpoint:
// anything but GET and HEAD, and the GET run of an example. A browser
// request from another site (Sec-Fetch-Site other than same-origin or
// none, or an Origin that is not this server) gets the reason; requests
// without those headers (the CLI, curl) pass.
func sameOrigin(r *httpx.Request) string {
	if (r.Method == httpx.MethodGet || r.Method == httpx.MethodHead || r.Method == httpx.MethodOptions) && !strings.HasSuffix(r.URL.Path, "/run") {
		return ""
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return fmt.Sprintf("cross-site request refused: %s %s is accepted only from this server's own pages (Sec-Fetch-Site: %s)", r.Method, r.URL.Path, site)
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if o == "null" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.EqualFold(u.Host, r.Host) {
			return fmt.Sprintf("cross-site request refused: %s %s is accepted only from this server's own pages (Origin %q is not http://%s)", r.Method, r.URL.Path, o, r.Host)
		}
	}
	return ""
}

// maxNameLen caps the display name of a model (runes) and maxIDLen its id
// (bytes): a model file may name itself with megabytes.
const (
	maxNameLen = 128
	maxIDLen   = 64
)

// clip shortens s to at most n runes, marking a cut with "…".
func clip(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k] + "…"
		}
		i++
	}
	return s
}

// modelMem is what an uploaded model holds of the memory budget: its
// weights and each engine compiled for it. It is given back when the model
// is dropped and no request uses it any more.
type modelMem struct {
	b       *memBudget
	mu      sync.Mutex
	held    int64
	refs    int
	dropped bool
}

// grow reserves n more bytes for the model if they are free (an engine
// for one more concurrent run); false: use the engines it has.
func (mm *modelMem) grow(n int64) bool {
	if !mm.b.tryTake(n) {
		return false
	}
	mm.mu.Lock()
	mm.held += n
	mm.mu.Unlock()
	return true
}

// shrink gives back n bytes grown for an engine that was not compiled.
func (mm *modelMem) shrink(n int64) {
	mm.mu.Lock()
	mm.held -= n
	mm.mu.Unlock()
	mm.b.give(n)
}

// acquire marks the model in use; false if it was dropped.
func (mm *modelMem) acquire() bool {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if mm.dropped {
		return false
	}
	mm.refs++
	return true
}

// release ends a use; drop marks the model dropped. The memory is given
// back when both the model is dropped and nothing uses it.
func (mm *modelMem) release() { mm.end(-1, false) }
func (mm *modelMem) drop()    { mm.end(0, true) }

func (mm *modelMem) end(ref int, drop bool) {
	mm.mu.Lock()
	mm.refs += ref
	mm.dropped = mm.dropped || drop
	var n int64
	if mm.dropped && mm.refs == 0 {
		n, mm.held = mm.held, 0
	}
	mm.mu.Unlock()
	mm.b.give(n)
}

// runBytes is the memory a run reserves besides its body: the decoder's
// copy of the file, the decoded image (RGBA, and a JPEG's YCbCr planes: 8
// bytes a pixel, from the header; an image whose header cannot be read, or
// with more than maxPixels, fails before decoding), the image fitted to the
// model's input (RGBA, then float32 CHW, then grey if the model wants it)
// and the response (responseBytes).
func runBytes(file []byte, m *model, opt runOptions, maxPixels int64) (n int64) {
	hw := int64(m.input.h) * int64(m.input.w)
	base := int64(len(file)) + 16*hw + 4*hw + responseBytes(m, opt)
	n = base
	defer func() {
		if recover() != nil { // a decoder's panic: imageio reports it
			n = base
		}
	}()
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(file)); err == nil {
		if px := int64(cfg.Width) * int64(cfg.Height); px >= 0 && px <= maxPixels {
			n += 8 * px
		}
	}
	return n
}

// responseBytes bounds the bytes of a run's response: the float32 values
// it sends (max_channels of each map unless expanded) and its header.
func responseBytes(m *model, opt runOptions) int64 {
	var n int64
	for name, sh := range m.shapes {
		per := sh.PerImage()
		elems := int64(per.Elems())
		if opt.maxChannels > 0 && len(per) >= 3 && per[0] > opt.maxChannels && !opt.expand[name] {
			elems = int64(opt.maxChannels) * int64(graph.Shape(per[1:]).Elems())
		}
		n += 4 * elems
	}
	return n + 64<<10
}

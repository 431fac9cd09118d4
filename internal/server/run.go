package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/server/httpx"
	"github.com/convscope/convscope/internal/tensor"
)

// runHeader is the JSON header of a run response (docs/api.md).
type runHeader struct {
	Format string `json:"format"` // "convscope-run/1"
	Model  string `json:"model"`
	Source string `json:"source"` // "upload" or "example:<name>"
	Input  string `json:"input"`  // name of the preprocessed input value
	// Preprocess is the preprocessing this run used: the model's, with the
	// request's mean, std, scale, bgr and resize laid over it.
	Preprocess    imageio.Preprocess `json:"preprocess"`
	Probabilities []num              `json:"probabilities"`
	Logits        []num              `json:"logits"`
	Predicted     int                `json:"predicted"` // index of the largest probability, -1 without classes
	Class         string             `json:"class"`
	Values        []valueBlob        `json:"values"`
	DecodeMS      float64            `json:"decode_ms"`
	RunMS         float64            `json:"run_ms"`
}

// valueBlob places one value in the data section.
type valueBlob struct {
	Name     string `json:"name"`
	Node     string `json:"node"` // producing node; "" for the graph input
	Op       string `json:"op"`   // operator kind; "Input" for the graph input
	Shape    []int  `json:"shape"`
	Channels int    `json:"channels"` // channels (first dimension) present in the data
	Offset   int    `json:"offset"`   // bytes from the start of the data section
	Length   int    `json:"length"`   // float32 elements present
	Min      num    `json:"min"`      // over the whole value, not just the present channels
	Max      num    `json:"max"`
}

// httpError is an error with the status code it should be answered with.
type httpError struct {
	status int
	msg    string
	// line and column (1-based; 0 = unknown) place the problem in the
	// uploaded text file; the error body then carries them.
	line, column int
	// free, if set, is an input whose size the upload leaves open; the
	// error body then carries "input_free" (docs/api.md).
	free *format.FreeSizeError
}

func (e *httpError) Error() string { return e.msg }

func errorStatus(status int, format string, a ...any) error {
	return &httpError{status: status, msg: fmt.Sprintf(format, a...)}
}

// imageReader returns the image bytes of a run request: an example named by
// ?example=, a multipart field "image", or the raw body.
func (s *Server) imageReader(w httpx.ResponseWriter, r *httpx.Request, m *model) (io.Reader, string, error) {
	if name := r.URL.Query().Get("example"); name != "" {
		e, ok := m.exampleByName(name)
		if !ok {
			return nil, "", errorStatus(httpx.StatusNotFound, "model %q has no example image %q", m.id, name)
		}
		return bytes.NewReader(e.data), "example:" + e.name, nil
	}
	body := r.Body // limited by admitBody
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if params["boundary"] == "" {
			return nil, "", errorStatus(httpx.StatusBadRequest, "multipart body without a boundary")
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, "", errorStatus(httpx.StatusBadRequest, "bad multipart body: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return nil, "", errorStatus(httpx.StatusBadRequest, `the multipart body has no field "image"`)
			}
			if err != nil {
				return nil, "", readError(err)
			}
			if part.FormName() == "image" {
				return part, "upload", nil
			}
			part.Close()
		}
	}
	return body, "upload", nil
}

// requestImage reads the image file of a run or explain request (body,
// multipart field or ?example=): the body is admitted against the memory
// budget first. The reservation comes back even with an error; the caller
// releases it.
func (s *Server) requestImage(w httpx.ResponseWriter, r *httpx.Request, m *model) (*reservation, []byte, string, error) {
	res := &reservation{b: s.mem}
	if r.URL.Query().Get("example") == "" {
		var err error
		if res, err = s.admitBody(w, r, false); err != nil {
			return res, nil, "", err
		}
	}
	src, source, err := s.imageReader(w, r, m)
	if err != nil {
		return res, nil, "", err
	}
	file, err := readImage(src)
	return res, file, source, err
}

// readError maps an error met while reading the request body.
func readError(err error) error {
	var mbe *httpx.MaxBytesError
	if errors.As(err, &mbe) {
		return errorStatus(httpx.StatusRequestEntityTooLarge, "the request body is larger than the limit of %d bytes", mbe.Limit)
	}
	return errorStatus(httpx.StatusBadRequest, "cannot read the request body: %v", err)
}

// readImage reads the whole image file of a request (at most MaxBodyBytes,
// enforced by the reader), before a run slot is taken, so that a slow client
// does not hold one.
func readImage(src io.Reader) ([]byte, error) {
	file, err := io.ReadAll(src)
	if err != nil {
		return nil, readError(err)
	}
	if len(file) == 0 {
		return nil, errorStatus(httpx.StatusBadRequest, "the request has no image: send the image file as the body or as the multipart field \"image\"")
	}
	return file, nil
}

// errBusy answers a run request that found no free slot in time.
var errBusy = &httpError{status: httpx.StatusServiceUnavailable, msg: "the server is busy: too many runs in progress; retry shortly"}

// errUploadsBusy answers an upload that found no free import slot in time.
var errUploadsBusy = &httpError{status: httpx.StatusServiceUnavailable, msg: "the server is busy: too many uploads being imported; retry shortly"}

// acquireRun takes a run slot, waiting at most Config.RunWait, and returns
// the function that frees it. Without a slot it returns errBusy (503; the
// caller adds Retry-After), or the context's error if the request ends.
func (s *Server) acquireRun(ctx context.Context) (func(), error) {
	if err := s.acquire(ctx, s.runSem, errBusy); err != nil {
		return nil, err
	}
	return func() { <-s.runSem }, nil
}

// acquire takes a token of sem, waiting at most Config.RunWait; busy is
// the error when none frees up in time.
func (s *Server) acquire(ctx context.Context, sem chan struct{}, busy error) error {
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	if s.cfg.RunWait < 0 {
		return busy
	}
	t := time.NewTimer(s.cfg.RunWait)
	defer t.Stop()
	s.runWaiting.Add(1)
	defer s.runWaiting.Add(-1)
	select {
	case sem <- struct{}{}:
		return nil
	case <-t.C:
		return busy
	case <-ctx.Done():
		return ctx.Err()
	}
}

// decodeImage turns the request's image file into the model input.
// pre is the run's preprocessing (runOptions.pre).
func (s *Server) decodeImage(ctx context.Context, file []byte, m *model, pre imageio.Preprocess) ([]float32, error) {
	select {
	case s.decodeSem <- struct{}{}:
		defer func() { <-s.decodeSem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	x, err := imageio.LoadWith(bytes.NewReader(file), m.input.w, m.input.h, s.imageLimits, pre)
	if err != nil {
		switch {
		case errors.Is(err, imageio.ErrUnknownFormat):
			return nil, errorStatus(httpx.StatusUnsupportedMediaType, "%v", err)
		case errors.Is(err, imageio.ErrFileTooLarge), errors.Is(err, imageio.ErrTooManyPixels):
			return nil, errorStatus(httpx.StatusRequestEntityTooLarge, "%v", err)
		}
		return nil, errorStatus(httpx.StatusBadRequest, "cannot decode the image: %v", err)
	}
	if m.input.c == 1 {
		// Luma (ITU-R BT.601), as image/color's Gray conversion.
		hw := m.input.h * m.input.w
		g := make([]float32, hw)
		for i := range g {
			g[i] = 0.299*x[i] + 0.587*x[hw+i] + 0.114*x[2*hw+i]
		}
		x = g
	}
	pre.Apply(x, m.input.c)
	return x, nil
}

// runOptions are the query parameters of a run request.
type runOptions struct {
	maxChannels int             // 0 = all
	expand      map[string]bool // values sent with all their channels
	// pre is the run's preprocessing: the model's, with the query's mean,
	// std, scale, bgr and resize laid over it (the Explainer's
	// preprocessing panel tries other conventions without a new upload).
	pre imageio.Preprocess
}

// maxExpand caps the expand= parameters of one run request.
const maxExpand = 64

func parseRunOptions(r *httpx.Request, m *model) (runOptions, error) {
	var o runOptions
	q := r.URL.Query()
	pre, _, err := layPreprocess(q, m.pre)
	if err != nil {
		return o, err
	}
	o.pre = pre
	if v := q.Get("max_channels"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return o, errorStatus(httpx.StatusBadRequest, "max_channels must be a non-negative integer, got %q", v)
		}
		o.maxChannels = n
	}
	if ex := q["expand"]; len(ex) > 0 {
		if len(ex) > maxExpand {
			return o, errorStatus(httpx.StatusBadRequest, "at most %d expand= parameters, got %d", maxExpand, len(ex))
		}
		o.expand = map[string]bool{}
		for _, v := range ex {
			o.expand[v] = true
		}
	}
	return o, nil
}

// program takes an engine of m, waiting at most Config.RunWait for one
// (503 when all stay busy).
func (s *Server) program(ctx context.Context, m *model) (*engine.Program, error) {
	if s.cfg.RunWait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.RunWait)
		defer cancel()
	}
	prog, err := m.pool.get(ctx)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return nil, errorStatus(httpx.StatusServiceUnavailable, "the server is busy: every engine of model %q is running; retry shortly", m.id)
	}
	return prog, err
}

// run executes the model's engine prog on x and encodes the binary
// response.
func (s *Server) run(m *model, prog *engine.Program, x []float32, source string, opt runOptions, decodeTime time.Duration) ([]byte, error) {
	t0 := time.Now()
	vals, err := prog.Run(x)
	if err != nil {
		return nil, err
	}
	runTime := time.Since(t0)

	h := runHeader{
		Format: "convscope-run/1", Model: m.id, Source: source, Input: m.input.name, Preprocess: opt.pre.Normal(),
		Probabilities: []num{}, Logits: []num{}, Predicted: -1, Values: []valueBlob{},
		DecodeMS: ms(decodeTime), RunMS: ms(runTime),
	}
	if m.classes > 0 {
		logits := vals[m.logits].Data[:m.classes]
		var probs []float32
		if m.probs != "" {
			probs = vals[m.probs].Data[:m.classes]
		} else {
			probs = softmax(logits)
		}
		h.Logits, h.Probabilities = nums(logits), nums(probs)
		best := 0
		for i, p := range probs {
			if p > probs[best] {
				best = i
			}
		}
		h.Predicted, h.Class = best, m.labels[best]
	}
	producers := m.g.Producers()
	var p packer
	for _, name := range prog.Values {
		t := vals[name]
		if t == nil {
			continue
		}
		shape := graph.Shape(t.Shape).PerImage()
		data := t.Data
		lo, hi := minMax(data)
		ch := 1
		if len(shape) > 0 {
			ch = shape[0]
		}
		if opt.maxChannels > 0 && len(shape) >= 3 && ch > opt.maxChannels && !opt.expand[name] {
			plane := graph.Shape(shape[1:]).Elems()
			ch, data = opt.maxChannels, data[:opt.maxChannels*plane]
		}
		node, op := "", "Input"
		if n := producers[name]; n != nil {
			node, op = n.Name, n.Op.Kind()
		}
		h.Values = append(h.Values, valueBlob{
			Name: name, Node: node, Op: op, Shape: ints(shape), Channels: ch,
			Offset: p.add(data), Length: len(data), Min: num(lo), Max: num(hi),
		})
	}
	return p.encode(h)
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }

// softmax of a vector: the engine's kernel (one definition of the
// arithmetic, so a map's probabilities are the run's).
func softmax(x []float32) []float32 {
	out := make([]float32, len(x))
	tensor.Softmax(out, x, 1, len(x), 1, false)
	return out
}

// paramsHeader is the JSON header of GET /api/models/{id}/params/{layer}.
type paramsHeader struct {
	Format string      `json:"format"` // "convscope-params/1"
	Model  string      `json:"model"`
	Layer  string      `json:"layer"`
	Params []paramBlob `json:"params"`
}

type paramBlob struct {
	Name   string `json:"name"`
	Shape  []int  `json:"shape"`
	Offset *int   `json:"offset,omitempty"` // only in the binary form
	Length int    `json:"length"`
	Min    num    `json:"min"`
	Max    num    `json:"max"`
	Data   []num  `json:"data,omitempty"` // only in the JSON form
	// Stats are the tensor's statistics and histogram (min, max, mean,
	// std, sparsity; docs/api.md).
	Stats analyze.WeightStats `json:"stats"`
}

// maxJSONParams bounds the parameters sent as JSON numbers.
const maxJSONParams = 1 << 20

func paramsResponse(m *model, n *graph.Node, asJSON bool) (any, []byte, error) {
	h := paramsHeader{Format: "convscope-params/1", Model: m.id, Layer: n.Name, Params: []paramBlob{}}
	total := 0
	for _, name := range n.ParamNames() {
		total += len(n.Params[name].Data)
	}
	if asJSON && total > maxJSONParams {
		return nil, nil, errorStatus(httpx.StatusUnprocessableEntity, "layer %q has %d parameters, more than the %d sent as JSON; use the binary form (omit format=json)", n.Name, total, maxJSONParams)
	}
	var p packer
	for _, name := range n.ParamNames() {
		t := n.Params[name]
		lo, hi := minMax(t.Data)
		b := paramBlob{Name: name, Shape: ints(t.Shape), Length: len(t.Data), Min: num(lo), Max: num(hi), Stats: analyze.Weights(t.Data)}
		if asJSON {
			b.Data = nums(t.Data)
		} else {
			off := p.add(t.Data)
			b.Offset = &off
		}
		h.Params = append(h.Params, b)
	}
	if asJSON {
		return h, nil, nil
	}
	b, err := p.encode(h)
	return nil, b, err
}

// wantsJSON reports whether the client asked for ?format=json.
func wantsJSON(r *httpx.Request) bool {
	return strings.EqualFold(r.URL.Query().Get("format"), "json")
}

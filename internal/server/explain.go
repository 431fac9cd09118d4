package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/convscope/convscope/internal/attrib"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/server/httpx"
)

// explainTimeout bounds one attribution request (VGG16's occlusion map is
// the slowest: about a minute on two cores).
const explainTimeout = 3 * time.Minute

// explainBatch is the batch of integrated gradients' steps or occlusion's
// placements run at once when its memory is at most explainBatchBytes
// (the tiny models); larger models run one image at a time, each
// convolution split over the cores.
const (
	explainBatch      = 8
	explainBatchBytes = 256 << 20
)

// routesExplain adds the attribution route (docs/api.md).
func (s *Server) routesExplain(mux router) {
	mux.HandleFunc("POST /api/models/{id}/explain", s.handleExplain)
	mux.HandleFunc("GET /api/models/{id}/explain", func(w httpx.ResponseWriter, r *httpx.Request) {
		w.Header().Set("Allow", "POST")
		writeError(w, httpx.StatusMethodNotAllowed, "method GET is not allowed for "+r.URL.Path+": POST the image to it (or ?example=NAME)")
	})
}

// explainResponse is the JSON answer of POST /api/models/{id}/explain.
type explainResponse struct {
	Model       string `json:"model"`
	Source      string `json:"source"`
	Method      string `json:"method"`
	Class       int    `json:"class"`
	Label       string `json:"label"`
	Layer       string `json:"layer"`
	Shape       [2]int `json:"shape"`
	Map         []num  `json:"map"`
	Min         num    `json:"min"`
	Max         num    `json:"max"`
	Predicted   int    `json:"predicted"`
	Probability num    `json:"probability"`
	// Logits names the value whose entry is differentiated (the input of
	// the final softmax, or the output).
	Logits string `json:"logits"`
	// Steps, Patch and Stride are the parameters ig and occlusion used.
	Steps  int     `json:"steps,omitempty"`
	Patch  int     `json:"patch,omitempty"`
	Stride int     `json:"stride,omitempty"`
	MS     float64 `json:"ms"`
}

// parseExplain reads the attribution options of the query.
func parseExplain(r *httpx.Request, m *model) (attrib.Options, bool, error) {
	q := r.URL.Query()
	opt := attrib.Options{Method: q.Get("method"), Class: -1, Layer: q.Get("layer")}
	if opt.Method == "" {
		return opt, false, errorStatus(httpx.StatusBadRequest, "method is missing: method=saliency, gradcam, ig or occlusion")
	}
	ints := []struct {
		name string
		dst  *int
	}{{"class", &opt.Class}, {"steps", &opt.Steps}, {"patch", &opt.Patch}, {"stride", &opt.Stride}}
	for _, f := range ints {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || f.name != "class" && n == 0 {
			return opt, false, errorStatus(httpx.StatusBadRequest, "%s must be a %s integer, got %q", f.name,
				map[bool]string{true: "non-negative", false: "positive"}[f.name == "class"], clip(v, maxNameLen))
		}
		*f.dst = n
	}
	if opt.Class >= m.classes {
		return opt, false, errorStatus(httpx.StatusBadRequest, "class %d is out of range: model %q has %d classes (0…%d)", opt.Class, m.id, m.classes, m.classes-1)
	}
	stream := q.Get("stream") == "1"
	return opt, stream, nil
}

// handleExplain answers POST /api/models/{id}/explain: an attribution map
// of the image (body, multipart field "image" or ?example=) for a class.
func (s *Server) handleExplain(w httpx.ResponseWriter, r *httpx.Request) {
	m := s.model(w, r)
	if m == nil {
		return
	}
	if !m.runnable {
		writeError(w, httpx.StatusBadRequest, fmt.Sprintf("model: model %q cannot be run on an image: %s", m.id, m.whyNot))
		return
	}
	if m.classes == 0 {
		writeError(w, httpx.StatusBadRequest, fmt.Sprintf("model: model %q has no class scores to explain (its output is not a vector of classes)", m.id))
		return
	}
	if m.mem != nil {
		if !m.mem.acquire() {
			writeError(w, httpx.StatusNotFound, fmt.Sprintf("model %q was dropped to make room for newer uploads", m.id))
			return
		}
		defer m.mem.release()
	}
	opt, stream, err := parseExplain(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pre, _, err := layPreprocess(r.URL.Query(), m.pre)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The method and layer are checked before the body is read.
	if _, err := attribCheck(m, opt); err != nil {
		s.fail(w, r, err)
		return
	}
	res, file, source, err := s.requestImage(w, r, m)
	defer res.release()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	grad := opt.Method != attrib.Occlusion
	batch := 1
	if opt.Method == attrib.IG || opt.Method == attrib.Occlusion {
		if b, err := attrib.Bytes(m.g, explainBatch, grad); err == nil && b <= explainBatchBytes {
			batch = explainBatch
		}
	}
	need, err := attrib.Bytes(m.g, batch, grad)
	if err != nil {
		s.fail(w, r, attribError(err))
		return
	}
	opt.MaxBytes = need
	if err := res.add(r.Context(), runBytes(file, m, runOptions{}, s.cfg.MaxPixels)+need, s.memWait(), "the attribution", false); err != nil {
		s.fail(w, r, err)
		return
	}
	release, err := s.acquireRun(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(r.Context(), explainTimeout)
	defer cancel()
	x, err := s.decodeImage(ctx, file, m, pre)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	opt.Baseline = s.blankInput(m, pre, 0)
	opt.Fill = s.blankInput(m, pre, 0.5)
	var sw *progressWriter
	if stream {
		sw = newProgressWriter(w)
		opt.Progress = sw.progress
	}
	t0 := time.Now()
	out, err := attrib.Explain(ctx, m.g, x, opt)
	if err != nil {
		err = attribError(err)
		if sw != nil && sw.started {
			sw.line(map[string]any{"error": err.Error()})
			return
		}
		s.fail(w, r, err)
		return
	}
	body := explainResponse{Model: m.id, Source: source, Method: out.Method, Class: out.Class, Label: m.labels[out.Class],
		Layer: out.Layer, Shape: [2]int{out.H, out.W}, Map: nums(out.Map), Predicted: out.Predicted,
		Probability: num(out.Probability), Logits: out.Logits, MS: ms(time.Since(t0))}
	lo, hi := minMax(out.Map)
	body.Min, body.Max = num(lo), num(hi)
	switch out.Method {
	case attrib.IG:
		body.Steps = opt.Steps
		if body.Steps == 0 {
			body.Steps = attrib.DefaultSteps
		}
	case attrib.Occlusion:
		body.Patch, body.Stride, _ = attrib.OcclusionGeometry(out.H, out.W, opt.Patch, opt.Stride)
	}
	if sw != nil {
		sw.line(map[string]any{"result": body})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, httpx.StatusOK, body)
}

// attribCheck validates the method and layer before the image is read.
func attribCheck(m *model, opt attrib.Options) (string, error) {
	switch opt.Method {
	case attrib.Saliency, attrib.IG, attrib.Occlusion:
		if opt.Layer != "" {
			return "", errorStatus(httpx.StatusBadRequest, "layer applies to method=gradcam only, not to %s", opt.Method)
		}
		return "", nil
	case attrib.GradCAM:
		l, err := attrib.CAMLayer(m.g, opt.Layer)
		return l, attribError(err)
	}
	return "", errorStatus(httpx.StatusBadRequest, "unknown method %q: use saliency, gradcam, ig or occlusion", clip(opt.Method, maxNameLen))
}

// attribError maps attrib's errors: a bad option or model is a 400 naming
// it, the memory budget a 503.
func attribError(err error) error {
	var ae *attrib.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae):
		return errorStatus(httpx.StatusBadRequest, "%s: %s", ae.Field, ae.Msg)
	case errors.Is(err, attrib.ErrBudget):
		return errorStatus(httpx.StatusServiceUnavailable, "%v", err)
	}
	return err
}

// blankInput is the model input of a uniform image of value v in [0, 1]
// (0: black, integrated gradients' baseline; 0.5: occlusion's grey), after
// the run's preprocessing.
func (s *Server) blankInput(m *model, pre imageio.Preprocess, v float32) []float32 {
	x := make([]float32, m.input.c*m.input.h*m.input.w)
	for i := range x {
		x[i] = v
	}
	pre.Apply(x, m.input.c)
	return x
}

// progressWriter streams an attribution as NDJSON (?stream=1): lines
// {"done":d,"total":n} while ig or occlusion runs, then {"result":{…}} or
// {"error":"…"}.
type progressWriter struct {
	mu      sync.Mutex
	w       httpx.ResponseWriter
	rc      *httpx.ResponseController
	started bool
	last    time.Time
}

func newProgressWriter(w httpx.ResponseWriter) *progressWriter {
	return &progressWriter{w: w, rc: httpx.NewResponseController(w)}
}

// progress writes a progress line, at most every 100 ms (and the last).
func (p *progressWriter) progress(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.lineLocked(map[string]int{"done": done, "total": total})
}

func (p *progressWriter) line(v any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lineLocked(v)
}

func (p *progressWriter) lineLocked(v any) {
	if !p.started {
		p.started = true
		h := p.w.Header()
		h.Set("Content-Type", "application/x-ndjson")
		h.Set("Cache-Control", "no-store")
		p.w.WriteHeader(httpx.StatusOK)
	}
	b, _ := json.Marshal(v)
	p.w.Write(append(b, '\n'))
	p.rc.Flush()
}

package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/server/httpx"
)

// routesDiff registers the Scope's Compare endpoint.
func (s *Server) routesDiff(mux router) {
	mux.HandleFunc("POST /api/diff", s.handleDiff)
	mux.HandleFunc("GET /api/diff", func(w httpx.ResponseWriter, r *httpx.Request) {
		w.Header().Set("Allow", "POST")
		writeError(w, httpx.StatusMethodNotAllowed, "method GET is not allowed for "+r.URL.Path+": POST {\"a\": …, \"b\": …} to it")
	})
}

// diffSource is one side of POST /api/diff: a preset, or one model file
// given as text (a prototxt, a Keras/TF.js JSON …) or as base64 bytes
// (JSON's []byte: an .onnx, .keras, .caffemodel-less binary …).
type diffSource struct {
	Preset string `json:"preset"`
	Name   string `json:"name"`
	Text   string `json:"text"`
	Data   []byte `json:"data"`
}

type diffRequest struct {
	A       *diffSource `json:"a"`
	B       *diffSource `json:"b"`
	Count   string      `json:"count"`
	Include string      `json:"include"`
}

// diffAnswer is the answer of POST /api/diff: the comparison and both
// analyses (with their graphs, as GET /api/presets/{name} answers them).
type diffAnswer struct {
	Diff *analyze.Diff  `json:"diff"`
	A    *scopeAnalysis `json:"a"`
	B    *scopeAnalysis `json:"b"`
}

func (s *Server) handleDiff(w httpx.ResponseWriter, r *httpx.Request) {
	res, err := s.admitBody(w, r, true)
	defer res.release()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := readBody(r.Body, r.ContentLength)
	if err != nil {
		var mb *httpx.MaxBytesError
		if errors.As(err, &mb) {
			err = tooLarge(s.cfg.MaxBodyBytes)
		}
		s.fail(w, r, err)
		return
	}
	var req diffRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, httpx.StatusBadRequest, "the body is not a diff request ({\"a\": {\"preset\": NAME} or {\"name\": FILE, \"text\": …} or {\"name\": FILE, \"data\": BASE64}, \"b\": …}): "+err.Error())
		return
	}
	if req.A == nil || req.B == nil {
		writeError(w, httpx.StatusBadRequest, "the diff request needs both \"a\" and \"b\"")
		return
	}
	q := r.URL.Query()
	if req.Count != "" {
		q.Set("count", req.Count)
	}
	if req.Include != "" {
		q.Set("include", req.Include)
	}
	var ans diffAnswer
	for i, src := range []*diffSource{req.A, req.B} {
		side := "ab"[i : i+1]
		a, err := s.diffSide(r, src)
		if err != nil {
			var he *httpError
			if errors.As(err, &he) {
				c := *he
				c.msg = side + ": " + he.msg
				err = &c
			}
			s.fail(w, r, err)
			return
		}
		if a, err = withConvention(a, q); err != nil {
			writeError(w, httpx.StatusBadRequest, err.Error())
			return
		}
		if i == 0 {
			ans.A = a
		} else {
			ans.B = a
		}
	}
	ra, rb := *ans.A.report, *ans.B.report // CompareReports sets a's convention
	ans.Diff = analyze.CompareReports(&ra, &rb, ans.A.source, ans.B.source, ans.A.Format, ans.B.Format)
	writeJSON(w, httpx.StatusOK, ans)
}

// diffSide analyses one source of a diff request.
func (s *Server) diffSide(r *httpx.Request, src *diffSource) (*scopeAnalysis, error) {
	n := 0
	for _, set := range []bool{src.Preset != "", src.Text != "", len(src.Data) > 0} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errorStatus(httpx.StatusBadRequest, "give exactly one of \"preset\", \"text\" or \"data\"")
	}
	if src.Preset != "" {
		return presetAnalysis(strings.ToLower(strings.TrimPrefix(src.Preset, PresetPrefix)))
	}
	name, err := uploadName(src.Name)
	if err != nil {
		return nil, errorStatus(httpx.StatusBadRequest, "bad file name %q: a model file needs a name such as net.prototxt or model.onnx", src.Name)
	}
	data := src.Data
	if src.Text != "" {
		data = []byte(src.Text)
	}
	if err := s.acquire(r.Context(), s.uploadSem, errUploadsBusy); err != nil {
		return nil, err
	}
	defer func() { <-s.uploadSem }()
	a, err := s.analyzeUpload(r.Context(), format.MemFS{name: data}, name, nil)
	if err != nil {
		return nil, err
	}
	return a, nil
}

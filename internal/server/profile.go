package server

// POST /api/profile (docs/api.md, "Profile"): the Scope's Profile button
// times every layer of a preset (with seeded random weights) or of a
// served model on the engine (internal/profile).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/profile"
	"github.com/convscope/convscope/internal/server/httpx"
	"github.com/convscope/convscope/internal/zoo"
)

// Limits of a profile request.
const (
	DefaultProfileRuns = 5
	MaxProfileRuns     = 20
	// MaxProfileTime ends a profile after the run during which it passed.
	MaxProfileTime = 20 * time.Second
	// maxProfileBody bounds the request's JSON.
	maxProfileBody = 4 << 10
	// profileSeed seeds a preset's weights and the input.
	profileSeed = 1
)

// profileRequest is the body of POST /api/profile: a preset or a served
// model's id, and the runs.
type profileRequest struct {
	Preset string `json:"preset"`
	Model  string `json:"model"`
	Runs   int    `json:"runs"`
}

// profileResponse is profile.Result with where the model came from.
type profileResponse struct {
	*profile.Result
	Source string `json:"source"` // "preset:NAME" or "model:ID"
}

func (s *Server) routesProfile(mux router) {
	mux.HandleFunc("POST /api/profile", s.handleProfile)
	mux.HandleFunc("GET /api/profile", func(w httpx.ResponseWriter, r *httpx.Request) {
		w.Header().Set("Allow", "POST")
		writeError(w, httpx.StatusMethodNotAllowed, "method GET is not allowed for "+r.URL.Path+`: POST {"preset": NAME} or {"model": ID} to it`)
	})
}

func (s *Server) handleProfile(w httpx.ResponseWriter, r *httpx.Request) {
	req, err := readProfileRequest(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.profile(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, httpx.StatusOK, res)
}

func readProfileRequest(w httpx.ResponseWriter, r *httpx.Request) (profileRequest, error) {
	var req profileRequest
	dec := json.NewDecoder(httpx.MaxBytesReader(w, r.Body, maxProfileBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var mbe *httpx.MaxBytesError
		if errors.As(err, &mbe) {
			return req, errorStatus(httpx.StatusRequestEntityTooLarge, "the profile request is larger than %d bytes", maxProfileBody)
		}
		if errors.Is(err, io.EOF) {
			return req, errorStatus(httpx.StatusBadRequest, `the profile request is empty: send {"preset": NAME} or {"model": ID}, and "runs"`)
		}
		return req, errorStatus(httpx.StatusBadRequest, "bad profile request: %v", err)
	}
	if (req.Preset == "") == (req.Model == "") {
		return req, errorStatus(httpx.StatusBadRequest, `the profile request needs exactly one of "preset" and "model"`)
	}
	if req.Runs == 0 {
		req.Runs = DefaultProfileRuns
	}
	if req.Runs < 1 || req.Runs > MaxProfileRuns {
		return req, errorStatus(httpx.StatusBadRequest, "runs %d: give 1 to %d", req.Runs, MaxProfileRuns)
	}
	return req, nil
}

// profile runs req. One profile runs at a time (it occupies the processor),
// and it holds a run slot and the memory of its weights and keep-all
// engine, as runs do; it ends after MaxProfileTime.
func (s *Server) profile(ctx context.Context, req profileRequest) (*profileResponse, error) {
	if err := s.acquire(ctx, s.profileSem, &httpError{status: httpx.StatusServiceUnavailable, msg: "the server is busy: another profile is running; retry shortly"}); err != nil {
		return nil, err
	}
	defer func() { <-s.profileSem }()
	opt := profile.Options{Runs: req.Runs, MaxTime: MaxProfileTime, Seed: profileSeed}
	res := &reservation{b: s.mem}
	defer res.release()
	if req.Preset != "" {
		return s.profilePreset(ctx, req.Preset, opt, res)
	}
	m := s.lookup(req.Model)
	if m == nil {
		return nil, errorStatus(httpx.StatusNotFound, "no model %q (GET /api/models lists the models served)", clip(req.Model, maxNameLen))
	}
	if !m.runnable {
		return nil, errorStatus(httpx.StatusUnprocessableEntity, "model %q cannot be run: %s", m.id, m.whyNot)
	}
	if m.mem != nil {
		if !m.mem.acquire() {
			return nil, errorStatus(httpx.StatusNotFound, "model %q was dropped to make room for newer uploads", m.id)
		}
		defer m.mem.release()
	}
	// Analyse a copy of the node list: Analyze sorts it, and runs read the
	// model's graph meanwhile.
	g := *m.g
	g.Nodes = slices.Clone(m.g.Nodes)
	r, err := analyze.Analyze(&g)
	if err != nil {
		return nil, err
	}
	prog, err := s.program(ctx, m) // a keep-all engine of the model's pool
	if err != nil {
		return nil, err
	}
	defer m.pool.put(prog)
	return s.timeProgram(ctx, prog, r, opt, "model:"+m.id, false)
}

// profilePreset builds the preset, reserves its weights' and keep-all
// engine's memory, gives it seeded random weights and times it.
func (s *Server) profilePreset(ctx context.Context, name string, opt profile.Options, res *reservation) (*profileResponse, error) {
	g, err := zoo.Preset(name, false)
	if err != nil {
		return nil, errorStatus(httpx.StatusNotFound, "%v", err)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		return nil, err
	}
	if err := res.add(ctx, r.ParamBytes, s.memWait(), "the weights of preset "+name, false); err != nil {
		return nil, err
	}
	if _, err := zoo.FillWeights(g, profileSeed); err != nil {
		return nil, err
	}
	shapes, err := g.InferShapes(1)
	if err != nil {
		return nil, err
	}
	_, bytes, err := engineBytes(g, shapes, true)
	if err != nil {
		return nil, err
	}
	if err := res.add(ctx, bytes, s.memWait(), "the engine of preset "+name, false); err != nil {
		return nil, err
	}
	prog, err := engine.Compile(g, 1)
	if err != nil {
		return nil, err
	}
	return s.timeProgram(ctx, prog, r, opt, "preset:"+strings.ToLower(strings.TrimSpace(name)), true)
}

// timeProgram takes a run slot and profiles prog.
func (s *Server) timeProgram(ctx context.Context, prog *engine.Program, r *analyze.Report, opt profile.Options, source string, random bool) (*profileResponse, error) {
	release, err := s.acquireRun(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := profile.RunProgram(ctx, prog, r, opt)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	res.RandomWeights = random
	if res.Model == "" {
		res.Model = source
	}
	return &profileResponse{Result: res, Source: source}, nil
}

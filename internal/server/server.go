package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log"
	"net"
	"net/url"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/server/httpx"
)

// Config configures a Server.
type Config struct {
	// Models are served after the embedded default model, in this order.
	Models []ModelSpec
	// MaxBodyBytes caps request bodies (default 32 MiB).
	MaxBodyBytes int64
	// MaxPixels caps the width×height of an uploaded image, checked from
	// its header before decoding (default 50 000 000).
	MaxPixels int64
	// MaxRuns bounds the runs (decode + forward pass) in progress at once
	// (default GOMAXPROCS).
	MaxRuns int
	// RunWait is how long a run request waits for a free slot when MaxRuns
	// are in progress before it is answered 503 with Retry-After (default
	// 2 s; a negative value means no wait).
	RunWait time.Duration
	// CheckHost, when set, answers 403 to requests whose Host header is not
	// a loopback name or address (localhost, 127.0.0.0/8, ::1). It guards a
	// server bound to loopback against DNS rebinding.
	CheckHost bool
	// MaxUploadedModels caps the models added with POST /api/models; the
	// oldest upload is dropped when a new one would exceed it (default 8;
	// negative: uploads are refused).
	MaxUploadedModels int
	// MaxUploadActivations caps the activation elements of one image (all
	// values of a forward pass together) of a model added with POST
	// /api/models, checked before anything is allocated (default 2^26 =
	// 128 MiB of float32; each engine of the model holds that much).
	MaxUploadActivations int64
	// MaxMemory is the server-wide memory budget in bytes (default
	// DefaultMaxMemory): request bodies, imports of uploads (their import
	// budget), uploaded models with their engines and runs reserve from it
	// before they allocate; see docs/security.md.
	MaxMemory int64
	// MaxImportBytes caps the import budget of one upload (default
	// DefaultMaxImportBytes; see Server.importBudget).
	MaxImportBytes int64
	// MaxUploads bounds the uploads (POST /api/analyze and /api/models)
	// imported at once (default GOMAXPROCS).
	MaxUploads int
	// UI is the file tree of the web UI (default: the embedded web/dist).
	UI fs.FS
	// Log receives one line per server error (default: discarded).
	Log *log.Logger
	// DataDir holds the training studio's checkpoints and uploaded dataset
	// (DataDir/train); empty: training is off.
	DataDir string
	// Train caps what the training studio accepts (zero fields: defaults).
	Train TrainLimits
}

// Defaults of Config.
const (
	DefaultMaxBodyBytes = 32 << 20
	DefaultMaxPixels    = imageio.DefaultMaxPixels
	DefaultRunWait      = 2 * time.Second
	DefaultMaxUploaded  = 8
	// DefaultMaxUploadActivations is Config.MaxUploadActivations' default.
	DefaultMaxUploadActivations = 1 << 25
)

// Server is convscope's HTTP handler.
type Server struct {
	cfg Config
	// mu guards models, byID and uploaded: POST /api/models adds models
	// while other requests read them.
	mu          sync.RWMutex
	models      []*model
	byID        map[string]*model
	uploaded    []string // ids of uploaded models, oldest first
	uploads     int      // uploads served so far: numbers their ids, never reused
	decodeSem   chan struct{}
	uploadSem   chan struct{} // one token per upload being imported (Config.MaxUploads)
	mem         *memBudget    // Config.MaxMemory
	runSem      chan struct{} // one token per run in progress (Config.MaxRuns)
	runWaiting  atomic.Int32  // run requests waiting for a slot
	profileSem  chan struct{} // one profile at a time (profile.go)
	imageLimits imageio.Limits
	mux         *httpx.ServeMux
	trainer     *trainer // the training studio's job
}

// New loads the default model and the models of cfg and returns the
// server.
func New(cfg Config) (*Server, error) {
	orDefault(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	orDefault(&cfg.MaxPixels, DefaultMaxPixels)
	orDefault(&cfg.MaxRuns, max(1, runtime.GOMAXPROCS(0)))
	if cfg.RunWait == 0 {
		cfg.RunWait = DefaultRunWait
	}
	if cfg.MaxUploadedModels == 0 {
		cfg.MaxUploadedModels = DefaultMaxUploaded
	}
	orDefault(&cfg.MaxUploadActivations, DefaultMaxUploadActivations)
	orDefault(&cfg.MaxMemory, DefaultMaxMemory)
	orDefault(&cfg.MaxImportBytes, DefaultMaxImportBytes)
	orDefault(&cfg.MaxUploads, max(1, runtime.GOMAXPROCS(0)))
	if cfg.UI == nil {
		cfg.UI = defaultUI()
	}
	if cfg.Log == nil {
		cfg.Log = log.New(io.Discard, "", 0)
	}
	s := &Server{
		cfg: cfg, byID: map[string]*model{},
		decodeSem:   make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
		uploadSem:   make(chan struct{}, cfg.MaxUploads),
		mem:         newMemBudget(cfg.MaxMemory),
		runSem:      make(chan struct{}, cfg.MaxRuns),
		profileSem:  make(chan struct{}, 1),
		imageLimits: imageio.Limits{MaxPixels: cfg.MaxPixels, MaxBytes: cfg.MaxBodyBytes},
	}
	cfg.Train.withDefaults()
	s.cfg.Train = cfg.Train
	def, err := loadDefault()
	if err != nil {
		return nil, err
	}
	s.add(def, "")
	for _, spec := range cfg.Models {
		m, err := loadSpec(spec)
		if err != nil {
			return nil, err
		}
		base := m.name
		if m.format == "preset" {
			base = strings.TrimPrefix(m.file, PresetPrefix)
		}
		s.add(m, base)
	}
	s.trainer = newTrainer(s, cfg.DataDir)
	s.routes()
	return s, nil
}

// orDefault sets a limit that is not positive to its default.
func orDefault[T int | int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// add registers a model under a unique id derived from base.
func (s *Server) add(m *model, base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(m, base, false)
}

// addLocked registers m; without an id it gets slug(base) (the first free
// one of base, base-2, … among the models served), or for an upload
// slug(base)-N, N counting the uploads: a dropped upload's id is never given
// again, and nothing about dropped models is kept.
func (s *Server) addLocked(m *model, base string, upload bool) {
	if m.id == "" {
		b := slug(base)
		if b == DefaultID {
			b = "default-model"
		}
		id := b
		if upload {
			s.uploads++
			id = fmt.Sprintf("%s-%d", b, s.uploads)
		}
		for i := 2; s.byID[id] != nil; i++ {
			id = fmt.Sprintf("%s-%d", b, i)
		}
		m.id = id
	}
	s.models = append(s.models, m)
	s.byID[m.id] = m
}

// ModelIDs lists the ids of the served models, the default one first.
func (s *Server) ModelIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, len(s.models))
	for i, m := range s.models {
		ids[i] = m.id
	}
	return ids
}

// router is where the server registers its routes: its ServeMux, or a
// test's list of the patterns (the routes test runs them through
// net/http's ServeMux and the static site engine's).
type router interface {
	HandleFunc(pattern string, handler func(httpx.ResponseWriter, *httpx.Request))
}

func (s *Server) routes() {
	mux := httpx.NewServeMux()
	s.register(mux)
	s.mux = mux
}

// register adds the server's routes to mux.
func (s *Server) register(mux router) {
	mux.HandleFunc("GET /api/models", s.handleModels)
	mux.HandleFunc("POST /api/models", s.handleUploadModel)
	mux.HandleFunc("GET /api/models/{id}", s.handleModel)
	mux.HandleFunc("POST /api/models/{id}/run", s.handleRun)
	mux.HandleFunc("GET /api/models/{id}/run", func(w httpx.ResponseWriter, r *httpx.Request) {
		w.Header().Set("Allow", "POST")
		writeError(w, httpx.StatusMethodNotAllowed, "method GET is not allowed for "+r.URL.Path+": POST the image to it")
	})
	mux.HandleFunc("GET /api/models/{id}/examples", s.handleExamples)
	mux.HandleFunc("GET /api/models/{id}/examples/{name}", s.handleExample)
	mux.HandleFunc("GET /api/models/{id}/examples/{name}/run", s.handleRun)
	mux.HandleFunc("GET /api/models/{id}/params/{layer...}", s.handleParams)
	s.registerScope(mux)
	s.routesProfile(mux)
	s.routesExplain(mux)
	s.routesTrain(mux)
	s.routesDiff(mux)
	mux.HandleFunc("GET /", s.handleUI)
}

// Content-Security-Policy values: DefaultCSP goes on every response (API
// answers, errors, assets), UICSP replaces it on index.html.
const (
	DefaultCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	UICSP      = "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

// setSecurityHeaders sets the headers every response carries.
func setSecurityHeaders(h httpx.Header) {
	h.Set("Content-Security-Policy", DefaultCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

// ServeHTTP implements httpx.Handler.
func (s *Server) ServeHTTP(w httpx.ResponseWriter, r *httpx.Request) {
	setSecurityHeaders(w.Header())
	if s.cfg.CheckHost && !loopbackHost(r.Host) {
		writeError(w, httpx.StatusForbidden, fmt.Sprintf("host %q is not allowed: this server answers to localhost only", r.Host))
		return
	}
	if why := sameOrigin(r); why != "" {
		writeError(w, httpx.StatusForbidden, why)
		return
	}
	jw := &jsonErrorWriter{ResponseWriter: w, req: r}
	defer s.recoverPanic(jw, r)
	s.mux.ServeHTTP(jw, r)
	jw.finish()
}

// recoverPanic turns a panic in a handler into a logged 500 with the body
// {"error": "internal error"} (no panic value or stack in the body). If the
// response had already started, the connection is aborted instead, so that
// the client does not take a truncated body for a whole one.
func (s *Server) recoverPanic(jw *jsonErrorWriter, r *httpx.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == httpx.ErrAbortHandler {
		panic(v)
	}
	s.cfg.Log.Printf("%s %s: panic: %v", r.Method, r.URL.Path, v)
	if jw.wrote && !jw.plain {
		panic(httpx.ErrAbortHandler)
	}
	h := jw.ResponseWriter.Header()
	for k := range h {
		delete(h, k)
	}
	setSecurityHeaders(h)
	writeError(jw.ResponseWriter, httpx.StatusInternalServerError, "internal error")
}

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// jsonErrorWriter turns the plain-text errors of net/http (the router's 404
// and 405, http.Error; lite.Error under js/wasm) into JSON bodies.
type jsonErrorWriter struct {
	httpx.ResponseWriter
	req      *httpx.Request
	status   int
	wrote    bool
	plain    bool // capturing a plain-text error body
	captured strings.Builder
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote, w.status = true, code
	if code >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.plain = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(httpx.StatusOK)
	}
	if w.plain {
		if w.captured.Len() < 4096 {
			w.captured.Write(b)
		}
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives httpx.ResponseController the connection's writer.
func (w *jsonErrorWriter) Unwrap() httpx.ResponseWriter { return w.ResponseWriter }

func (w *jsonErrorWriter) finish() {
	if !w.plain {
		return
	}
	msg := strings.TrimSpace(w.captured.String())
	if msg == "" {
		msg = httpx.StatusText(w.status)
	}
	if w.status == httpx.StatusMethodNotAllowed {
		msg = fmt.Sprintf("method %s is not allowed for %s (allowed: %s)", w.req.Method, w.req.URL.Path, w.Header().Get("Allow"))
	}
	w.Header().Del("X-Content-Type-Options")
	writeError(w.ResponseWriter, w.status, msg)
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w httpx.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, httpx.StatusInternalServerError, "encoding the response: "+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Length")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeError writes {"error": msg}.
func writeError(w httpx.ResponseWriter, status int, msg string) {
	writeErrorAt(w, status, msg, 0, 0)
}

// writeErrorAt writes {"error": msg, "line": line, "column": column}; a
// zero line (unknown) is left out, as is a zero column.
func writeErrorAt(w httpx.ResponseWriter, status int, msg string, line, column int) {
	b, _ := json.Marshal(struct {
		Error  string `json:"error"`
		Line   int    `json:"line,omitempty"`
		Column int    `json:"column,omitempty"`
	}{msg, line, column})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeFreeSize writes a 422 about an input size left open:
// {"error": msg, "input_free": {"input": NAME, "shape": [C, H, W] (-1
// free), "suggest": [C, H, W]}}.
func writeFreeSize(w httpx.ResponseWriter, he *httpError) {
	type free struct {
		Input   string `json:"input"`
		Shape   []int  `json:"shape"`
		Suggest []int  `json:"suggest"`
	}
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
		Free  free   `json:"input_free"`
	}{he.msg, free{he.free.Input, he.free.Shape, he.free.Suggest}})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(he.status)
	w.Write(append(b, '\n'))
}

// fail answers an error: an *httpError with its status, a cancelled
// request with 503, anything else with 500 (logged).
func (s *Server) fail(w httpx.ResponseWriter, r *httpx.Request, err error) {
	var he *httpError
	switch {
	case errors.As(err, &he) && he.free != nil:
		writeFreeSize(w, he)
	case errors.As(err, &he) && he.line > 0:
		writeErrorAt(w, he.status, he.msg, he.line, he.column)
	case errors.As(err, &he):
		if he.status == httpx.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "1")
		}
		writeError(w, he.status, he.msg)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, httpx.StatusServiceUnavailable, "the request was cancelled: "+err.Error())
	default:
		s.cfg.Log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
		writeError(w, httpx.StatusInternalServerError, err.Error())
	}
}

func (s *Server) model(w httpx.ResponseWriter, r *httpx.Request) *model {
	id := r.PathValue("id")
	m := s.lookup(id)
	if m == nil {
		writeError(w, httpx.StatusNotFound, fmt.Sprintf("no model %q (GET /api/models lists the models served)", clip(id, maxNameLen)))
	}
	return m
}

func (s *Server) handleModels(w httpx.ResponseWriter, r *httpx.Request) {
	writeJSON(w, httpx.StatusOK, map[string]any{"models": s.summaries()})
}

// lookup returns the model with the id, or nil.
func (s *Server) lookup(id string) *model {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byID[id]
}

// summaries lists the served models, the default one first.
func (s *Server) summaries() []modelSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := make([]modelSummary, len(s.models))
	for i, m := range s.models {
		list[i] = m.summary()
	}
	return list
}

func (s *Server) handleModel(w httpx.ResponseWriter, r *httpx.Request) {
	if m := s.model(w, r); m != nil {
		writeJSON(w, httpx.StatusOK, m.detail())
	}
}

func (s *Server) handleExamples(w httpx.ResponseWriter, r *httpx.Request) {
	m := s.model(w, r)
	if m == nil {
		return
	}
	writeJSON(w, httpx.StatusOK, map[string]any{"examples": m.detail().ExampleList})
}

func exampleURL(id, name string) string {
	return "/api/models/" + url.PathEscape(id) + "/examples/" + url.PathEscape(name)
}

func (s *Server) handleExample(w httpx.ResponseWriter, r *httpx.Request) {
	m := s.model(w, r)
	if m == nil {
		return
	}
	e, ok := m.exampleByName(r.PathValue("name"))
	if !ok {
		writeError(w, httpx.StatusNotFound, fmt.Sprintf("model %q has no example image %q", m.id, r.PathValue("name")))
		return
	}
	h := w.Header()
	h.Set("Content-Type", httpx.DetectContentType(e.data))
	h.Set("Cache-Control", "public, max-age=3600")
	httpx.ServeContent(w, r, "", time.Time{}, strings.NewReader(string(e.data)))
}

// handleRun answers POST /api/models/{id}/run (an uploaded image or
// ?example=) and GET /api/models/{id}/examples/{name}/run.
func (s *Server) handleRun(w httpx.ResponseWriter, r *httpx.Request) {
	m := s.model(w, r)
	if m == nil {
		return
	}
	if name := r.PathValue("name"); name != "" {
		q := r.URL.Query()
		q.Set("example", name)
		r.URL.RawQuery = q.Encode()
	}
	if !m.runnable {
		writeError(w, httpx.StatusUnprocessableEntity, fmt.Sprintf("model %q cannot be run on an image: %s", m.id, m.whyNot))
		return
	}
	if m.mem != nil {
		if !m.mem.acquire() {
			writeError(w, httpx.StatusNotFound, fmt.Sprintf("model %q was dropped to make room for newer uploads", m.id))
			return
		}
		defer m.mem.release()
	}
	opt, err := parseRunOptions(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, file, source, err := s.requestImage(w, r, m)
	defer res.release()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Memory, then an engine of the model, then a run slot: a run waiting
	// for memory or for its model's engine does not hold a slot that runs
	// of other models could use.
	if err := res.add(r.Context(), runBytes(file, m, opt, s.cfg.MaxPixels), s.memWait(), "the run", false); err != nil {
		s.fail(w, r, err)
		return
	}
	prog, err := s.program(r.Context(), m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer m.pool.put(prog)
	release, err := s.acquireRun(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer release()
	t0 := time.Now()
	x, err := s.decodeImage(r.Context(), file, m, opt.pre)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := s.run(m, prog, x, source, opt, time.Since(t0))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", BinaryContentType)
	h.Set("Cache-Control", "no-store")
	w.Write(body)
}

func (s *Server) handleParams(w httpx.ResponseWriter, r *httpx.Request) {
	m := s.model(w, r)
	if m == nil {
		return
	}
	n := m.g.Node(r.PathValue("layer"))
	if n == nil {
		writeError(w, httpx.StatusNotFound, fmt.Sprintf("model %q has no layer %q", m.id, r.PathValue("layer")))
		return
	}
	asJSON := wantsJSON(r)
	v, b, err := paramsResponse(m, n, asJSON)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if asJSON {
		writeJSON(w, httpx.StatusOK, v)
		return
	}
	w.Header().Set("Content-Type", BinaryContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// BootstrapID is the id of the JSON data block that index.html carries:
// {"models": <GET /api/models list>, "model": <GET /api/models/{id}> of the
// model named by ?model= or the default one}. It spares the UI two round
// trips before its first run request.
const BootstrapID = "convscope-bootstrap"

// UIMaxChannels is the max_channels the UI asks for (maps drawn per layer);
// the preloaded first run uses it so that the UI's request matches.
const UIMaxChannels = 16

// withBootstrap inserts the bootstrap data block before </head>. The JSON is
// HTML-escaped by encoding/json (<, > and & become \u003c …), so it cannot
// close the script element; a data block is not executed, so the page's CSP
// needs no exception.
func (s *Server) withBootstrap(page, modelID, exampleName string) string {
	return s.bootstrapPage(page, modelID, exampleName, true)
}

// StaticIndex is index.html of a static site (convscope export-site): the
// bootstrap data block of the default model, without the preload of its
// first run (no server answers /api/ there; the in-browser engine does).
func (s *Server) StaticIndex(page string) string {
	return s.bootstrapPage(page, "", "", false)
}

// bootstrapPage inserts the bootstrap block and, with preload, the preload
// link of the UI's first run request.
func (s *Server) bootstrapPage(page, modelID, exampleName string, withPreload bool) string {
	i := strings.Index(page, "</head>")
	if i < 0 {
		return page
	}
	m := s.lookup(modelID)
	if m == nil {
		m = s.lookup(DefaultID)
	}
	preload := ""
	if withPreload && m.runnable && len(m.examples) > 0 {
		e := m.examples[0]
		if x, ok := m.exampleByName(exampleName); ok {
			e = x
		}
		// The UI's first request; fetched while its script loads.
		href := exampleURL(m.id, e.name) + "/run?max_channels=" + strconv.Itoa(UIMaxChannels)
		preload = `<link rel="preload" as="fetch" crossorigin="anonymous" href="` + html.EscapeString(href) + `">` + "\n"
	}
	b, err := json.Marshal(map[string]any{"models": s.summaries(), "model": m.detail()})
	if err != nil {
		return page
	}
	return page[:i] + preload + `<script type="application/json" id="` + BootstrapID + `">` + string(b) + "</script>\n" + page[i:]
}

// IsAPIRoute reports whether a request is for an API endpoint this server
// has (whatever the method): the static site's engine answers the other
// /api/ paths "not available in the static site".
func (s *Server) IsAPIRoute(method, p string) bool {
	for _, m := range []string{method, "GET", "POST"} {
		r := &httpx.Request{Method: m, URL: &url.URL{Path: p}, Host: "site"}
		if _, pattern := s.mux.Handler(r); pattern != "" && pattern != "GET /" {
			return true
		}
	}
	return false
}

// handleUI serves the embedded UI: index.html for "/", files by path,
// 404 for directories and anything missing.
func (s *Server) handleUI(w httpx.ResponseWriter, r *httpx.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeError(w, httpx.StatusNotFound, "no API endpoint "+r.Method+" "+r.URL.Path+" (see docs/api.md)")
		return
	}
	p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if p == "" {
		p = "index.html"
	}
	if !fs.ValidPath(p) {
		writeError(w, httpx.StatusNotFound, "not found: "+r.URL.Path)
		return
	}
	f, err := s.cfg.UI.Open(p)
	if err != nil {
		writeError(w, httpx.StatusNotFound, "not found: "+r.URL.Path)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		writeError(w, httpx.StatusNotFound, "not found: "+r.URL.Path)
		return
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		rs = strings.NewReader(string(b))
	}
	h := w.Header()
	if strings.HasPrefix(p, "assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if p == "index.html" {
		h.Set("Content-Security-Policy", UICSP)
		if page, err := io.ReadAll(rs); err == nil {
			q := r.URL.Query()
			rs = strings.NewReader(s.withBootstrap(string(page), q.Get("model"), q.Get("example")))
		}
	}
	httpx.ServeContent(w, r, p, time.Time{}, rs)
}

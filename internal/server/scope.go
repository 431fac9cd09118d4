package server

// The Scope API (docs/api.md, "Scope"): static analysis of the preset
// networks and of uploaded model files, for the Scope page. Nothing here
// runs a model: a request parses a file (or builds a preset without
// weights), validates it and infers its shapes, within graph.DefaultLimits.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/format"
	_ "github.com/convscope/convscope/internal/format/caffe" // the formats an upload may be in
	_ "github.com/convscope/convscope/internal/format/onnx"
	_ "github.com/convscope/convscope/internal/format/tfjs"
	_ "github.com/convscope/convscope/internal/format/tflite"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/server/httpx"
	"github.com/convscope/convscope/internal/zoo"
)

// registerScope adds the Scope endpoints to mux.
func (s *Server) registerScope(mux router) {
	mux.HandleFunc("GET /api/presets", s.handlePresets)
	mux.HandleFunc("GET /api/presets/{name}", s.handlePreset)
	mux.HandleFunc("POST /api/analyze", s.handleAnalyze)
	mux.HandleFunc("GET /api/analyze", func(w httpx.ResponseWriter, r *httpx.Request) {
		w.Header().Set("Allow", "POST")
		writeError(w, httpx.StatusMethodNotAllowed, "method GET is not allowed for "+r.URL.Path+": POST the model file to it")
	})
}

// MaxUploadFiles caps the files of one POST /api/analyze (a TF.js model is
// model.json and its weight shards).
const MaxUploadFiles = 64

// presetEntry is one entry of GET /api/presets.
type presetEntry struct {
	zoo.Info
	Params int64 `json:"params"`
	MACs   int64 `json:"macs"`
	Layers int   `json:"layers"` // nodes, graph inputs excluded
}

// scopeAnalysis is the answer of GET /api/presets/{name} and POST
// /api/analyze: the object `convscope analyze --format json` prints, plus
// the graph to draw (and, for a preset, its description).
type scopeAnalysis struct {
	analyze.JSONReport
	Preset *zoo.Info  `json:"preset,omitempty"`
	Graph  scopeGraph `json:"graph"`

	report *analyze.Report // for the ?format= text forms
	source string          // the file (or preset) name, for their titles
}

// scopeGraph is the DAG of a model. Nodes lists the graph inputs (op
// "Input") and then every node in topological order: Nodes[i] describes
// the same layer as layers[i] of the analysis.
type scopeGraph struct {
	Inputs  []valueInfo `json:"inputs"`  // graph inputs, per-image shapes
	Outputs []string    `json:"outputs"` // nodes (or inputs) producing the graph outputs
	Nodes   []scopeNode `json:"nodes"`
}

type scopeNode struct {
	Name string `json:"name"`
	Type string `json:"type"` // as written in the model file; "Input" for graph inputs
	Op   string `json:"op"`   // canonical operator kind; "Input" for graph inputs
	// Traits are the operator's (graph.Traits; family "input" for graph
	// inputs): what the Scope folds, colours and groups by.
	Traits graph.Traits `json:"traits"`
	// Inputs are the nodes (or graph inputs) producing this node's
	// inputs, in input order (a name may repeat); Values are the names of
	// those values and Outputs the values this node produces.
	Inputs  []string `json:"inputs"`
	Values  []string `json:"input_values"`
	Outputs []string `json:"outputs"`
	Shape   []int    `json:"shape"` // per-image shape of the first output
	// InPlace is set when the output lives in the input's memory (a view
	// or an in-place elementwise update; analyze's peak-memory model).
	InPlace bool           `json:"in_place"`
	Attrs   map[string]any `json:"attrs"`
}

// scopeGraphOf describes g, which analyze.Analyze has validated (and so
// sorted) and r reports.
func scopeGraphOf(g *graph.Graph, r *analyze.Report) (scopeGraph, error) {
	sg := scopeGraph{Inputs: []valueInfo{}, Outputs: []string{}, Nodes: []scopeNode{}}
	if len(r.Layers) != len(g.Inputs)+len(g.Nodes) {
		return sg, fmt.Errorf("analysis has %d layers for %d inputs and %d nodes", len(r.Layers), len(g.Inputs), len(g.Nodes))
	}
	producer := map[string]string{}
	for i, in := range g.Inputs {
		l := r.Layers[i]
		shape := []int{}
		if len(l.OutputShapes) > 0 {
			shape = ints(l.OutputShapes[0])
		}
		producer[in.Name] = in.Name
		sg.Inputs = append(sg.Inputs, valueInfo{Name: in.Name, Shape: shape})
		sg.Nodes = append(sg.Nodes, scopeNode{
			Name: in.Name, Type: analyze.InputKind, Op: analyze.InputKind, Traits: l.Traits,
			Inputs: []string{}, Values: []string{}, Outputs: []string{in.Name},
			Shape: shape, Attrs: map[string]any{},
		})
	}
	for i, n := range g.Nodes {
		l := r.Layers[len(g.Inputs)+i]
		if l.Name != n.Name {
			return sg, fmt.Errorf("analysis layer %d is %q, not node %q", len(g.Inputs)+i, l.Name, n.Name)
		}
		// Batch-1 shapes, as the operators expect them.
		in := make([]graph.Shape, len(l.InputShapes))
		for k, s := range l.InputShapes {
			in[k] = append(graph.Shape{1}, s...)
		}
		sn := scopeNode{
			Name: n.Name, Type: l.Type, Op: l.Kind, Traits: l.Traits,
			Inputs: make([]string, len(n.Inputs)), Values: append([]string{}, n.Inputs...),
			Outputs: append([]string{}, n.Outputs...), Shape: []int{},
			InPlace: l.Shared, Attrs: attrs(n.Op, in),
		}
		for k, v := range n.Inputs {
			sn.Inputs[k] = producer[v]
		}
		if len(l.OutputShapes) > 0 {
			sn.Shape = ints(l.OutputShapes[0])
		}
		for _, o := range n.Outputs {
			producer[o] = n.Name
		}
		sg.Nodes = append(sg.Nodes, sn)
	}
	seen := map[string]bool{}
	for _, o := range g.Outputs {
		if p := producer[o]; p != "" && !seen[p] {
			seen[p] = true
			sg.Outputs = append(sg.Outputs, p)
		}
	}
	return sg, nil
}

// analyzeGraph analyses g (whose format is fmtName) for the Scope API.
func analyzeGraph(g *graph.Graph, fmtName, name string) (*scopeAnalysis, error) {
	r, err := analyze.Analyze(g)
	if err != nil {
		return nil, err
	}
	if r.Name == "" {
		r.Name = name
	}
	sg, err := scopeGraphOf(g, r)
	if err != nil {
		return nil, err
	}
	return &scopeAnalysis{JSONReport: analyze.JSON(r, fmtName), Graph: sg, report: r, source: name}, nil
}

// Presets are fixed: their analyses are computed once, on first use.
var (
	presetMu       sync.Mutex
	presetAnalyses = map[string]*scopeAnalysis{}
	presetList     = sync.OnceValues(buildPresetList)
)

// presetAnalysis returns the cached analysis of a preset (by its exact,
// lower-case name).
func presetAnalysis(name string) (*scopeAnalysis, error) {
	info, ok := zoo.PresetInfo(name)
	if !ok {
		return nil, errorStatus(httpx.StatusNotFound, "unknown preset %q (presets: %s)", name, strings.Join(zoo.PresetNames(), ", "))
	}
	presetMu.Lock()
	defer presetMu.Unlock()
	if a := presetAnalyses[name]; a != nil {
		return a, nil
	}
	g, err := zoo.Preset(name, false)
	if err != nil {
		return nil, err
	}
	a, err := analyzeGraph(g, "preset", name)
	if err != nil {
		return nil, fmt.Errorf("preset %s: %w", name, err)
	}
	a.Preset = &info
	a.source = PresetPrefix + name // as `convscope analyze preset:NAME` names it
	presetAnalyses[name] = a
	return a, nil
}

func buildPresetList() ([]presetEntry, error) {
	list := []presetEntry{}
	for _, name := range zoo.PresetNames() {
		a, err := presetAnalysis(name)
		if err != nil {
			return nil, err
		}
		list = append(list, presetEntry{Info: *a.Preset, Params: a.Params, MACs: a.MACs, Layers: len(a.Graph.Nodes) - len(a.Graph.Inputs)})
	}
	return list, nil
}

func (s *Server) handlePresets(w httpx.ResponseWriter, r *httpx.Request) {
	list, err := presetList()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, httpx.StatusOK, map[string]any{"presets": list})
}

func (s *Server) handlePreset(w httpx.ResponseWriter, r *httpx.Request) {
	name := r.PathValue("name")
	a, err := presetAnalysis(strings.ToLower(name))
	if err != nil {
		if _, ok := zoo.PresetInfo(strings.ToLower(name)); !ok {
			err = errorStatus(httpx.StatusNotFound, "unknown preset %q (presets: %s)", name, strings.Join(zoo.PresetNames(), ", "))
		}
		s.fail(w, r, err)
		return
	}
	s.writeAnalysis(w, r, a)
}

// writeAnalysis answers an analysis: the JSON object with the graph, or
// with ?format=csv|markdown|json exactly what `convscope analyze --format`
// prints, as a download.
func (s *Server) writeAnalysis(w httpx.ResponseWriter, r *httpx.Request, a *scopeAnalysis) {
	a, err := withConvention(a, r.URL.Query())
	if err != nil {
		writeError(w, httpx.StatusBadRequest, err.Error())
		return
	}
	f := r.URL.Query().Get("format")
	if f == "" {
		writeJSON(w, httpx.StatusOK, a)
		return
	}
	var ct, ext string
	switch f {
	case "csv":
		ct, ext = "text/csv; charset=utf-8", ".csv"
	case "markdown", "md":
		ct, ext = "text/markdown; charset=utf-8", ".md"
	case "json":
		ct, ext = "application/json; charset=utf-8", ".json"
	case "dot":
		ct, ext = "text/vnd.graphviz; charset=utf-8", ".dot"
	default:
		writeError(w, httpx.StatusBadRequest, fmt.Sprintf("?format=%s: unknown format (csv, markdown, json, dot)", f))
		return
	}
	var b bytes.Buffer
	if err := analyze.Write(&b, a.report, f, a.source, a.Format); err != nil {
		s.fail(w, r, err)
		return
	}
	base := strings.TrimSuffix(path.Base(a.source), path.Ext(a.source))
	if a.Preset != nil {
		base = a.Preset.Name
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": slug(base) + "-analysis" + ext}))
	w.WriteHeader(httpx.StatusOK)
	w.Write(b.Bytes())
}

// handleAnalyze answers POST /api/analyze: a model file as the raw body
// (?name= gives its file name) or as one or more multipart "file" parts.
func (s *Server) handleAnalyze(w httpx.ResponseWriter, r *httpx.Request) {
	files, main, opts, release, err := s.readUpload(w, r)
	defer release()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.analyzeUpload(r.Context(), files, main, opts.input)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAnalysis(w, r, a)
}

// analyzeUpload loads main from files and analyses it.
func (s *Server) analyzeUpload(ctx context.Context, files format.MemFS, main string, override []int) (*scopeAnalysis, error) {
	g, fmtName, done, err := s.openUpload(ctx, files, main, false, override)
	defer done()
	if err != nil {
		return nil, err
	}
	g.Name = clip(g.Name, maxNameLen)
	if len(g.Inputs) == 0 {
		return nil, errorStatus(httpx.StatusUnprocessableEntity, "%s: the model has no input", main)
	}
	for _, in := range g.Inputs {
		if _, err := format.FillInput(in.Name, in.Shape, nil); err != nil {
			return nil, freeSizeError(main, err)
		}
	}
	a, err := analyzeGraph(g, fmtName, main)
	if err != nil {
		return nil, placed(files[main], fmtName, err, main+": "+err.Error())
	}
	return a, nil
}

// openUpload reads the model main of an upload within its import budget
// (Server.importBudget), whose charges it reserves from the memory budget
// as the importer makes them (with evict, dropping the oldest uploads to
// make room); done (never nil) gives them back. An unknown format is a 400, an import
// past the budget a 413, a file its importer refuses a 422 placed in its
// text.
func (s *Server) openUpload(ctx context.Context, files format.MemFS, main string, evict bool, input []int) (g *graph.Graph, fmtName string, done func(), err error) {
	b := s.importBudget(files.Size())
	res := &reservation{b: s.mem}
	// Each charge of the import is reserved from the memory budget as it
	// is made (a hostile file that fails early reserves little).
	b.Reserve = func(n int64) error {
		if evict { // a model upload: older uploads make room, as they would for the model
			if err := s.makeRoom(ctx, n, "importing the upload"); err != nil {
				return err
			}
			res.mu.Lock()
			res.held += n
			res.mu.Unlock()
			return nil
		}
		return res.add(ctx, n, s.memWait(), "importing the upload", true)
	}
	g, fmtName, err = format.OpenFSWith(files, main, format.Options{Budget: b, Input: input})
	if err != nil {
		var be *format.BudgetError
		var he *httpError
		var fe *format.FreeSizeError
		switch {
		case errors.As(err, &fe):
			err = freeSizeError(main, fe)
		case errors.As(err, &he): // no room in the memory budget
			err = he
		case errors.Is(err, format.ErrUnknown):
			err = errorStatus(httpx.StatusBadRequest, "%v", err)
		case errors.As(err, &be):
			err = errorStatus(httpx.StatusRequestEntityTooLarge, "%v", err)
		default:
			err = placed(files[main], fmtName, err, err.Error())
		}
		return nil, "", res.release, err
	}
	return g, fmtName, res.release, nil
}

// placed returns a 422 with message msg about err, a problem with the file
// src of format fmtName, placed at the position in src that err is about,
// if any.
func placed(src []byte, fmtName string, err error, msg string) error {
	he := &httpError{status: httpx.StatusUnprocessableEntity, msg: msg}
	he.line, he.column = sourcePosition(src, fmtName, err)
	return he
}

// readUpload admits and reads an uploaded model's files (uploadedModel),
// then waits for one of the Config.MaxUploads import slots (as long as a
// run waits for a run slot). release (never nil) gives the slot and the
// body's memory back.
func (s *Server) readUpload(w httpx.ResponseWriter, r *httpx.Request) (files format.MemFS, main string, opts uploadOptions, release func(), err error) {
	res, err := s.admitBody(w, r, true)
	release = res.release
	if err != nil {
		return nil, "", opts, release, err
	}
	files, main, fields, err := s.uploadedModel(w, r)
	if err != nil {
		return nil, "", opts, release, err
	}
	if opts, err = parseUploadOptions(fields, files); err != nil {
		return nil, "", opts, release, err
	}
	if err := s.acquire(r.Context(), s.uploadSem, errUploadsBusy); err != nil {
		return nil, "", opts, release, err
	}
	release = func() { <-s.uploadSem; res.release() }
	return files, main, opts, release, nil
}

// uploadedModel reads the files of POST /api/analyze (at most MaxBodyBytes
// in all) and picks the model file among them.
func (s *Server) uploadedModel(w httpx.ResponseWriter, r *httpx.Request) (format.MemFS, string, url.Values, error) {
	body := r.Body // limited by admitBody
	want := r.URL.Query().Get("name")
	files := format.MemFS{}
	fields := url.Values{}
	for k, v := range r.URL.Query() {
		fields[k] = v
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		name := "model"
		if want != "" {
			n, err := uploadName(want)
			if err != nil {
				return nil, "", nil, err
			}
			name = n
		}
		b, err := readBody(body, r.ContentLength)
		if err != nil {
			return nil, "", nil, readError(err)
		}
		if len(b) == 0 {
			return nil, "", nil, errorStatus(httpx.StatusBadRequest, "the request has no model file: send it as the body (with ?name=FILE) or as multipart \"file\" parts")
		}
		files[name] = b
		return files, name, fields, nil
	}
	if params["boundary"] == "" {
		return nil, "", nil, errorStatus(httpx.StatusBadRequest, "multipart body without a boundary")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", nil, errorStatus(httpx.StatusBadRequest, "bad multipart body: %v", err)
	}
	var order []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", nil, readError(err)
		}
		if part.FormName() != "file" {
			if err := readField(part, fields); err != nil {
				return nil, "", nil, err
			}
			continue
		}
		if len(order) == MaxUploadFiles {
			return nil, "", nil, errorStatus(httpx.StatusBadRequest, "more than %d files in one upload", MaxUploadFiles)
		}
		name, err := uploadName(part.FileName())
		if err != nil {
			return nil, "", nil, err
		}
		if _, dup := files[name]; dup {
			return nil, "", nil, errorStatus(httpx.StatusBadRequest, "the file %q is uploaded twice", name)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, "", nil, readError(err)
		}
		files[name] = b
		order = append(order, name)
	}
	if len(order) == 0 {
		return nil, "", nil, errorStatus(httpx.StatusBadRequest, `the multipart body has no "file" part`)
	}
	if want != "" {
		name, err := uploadName(want)
		if err != nil {
			return nil, "", nil, err
		}
		if files[name] == nil {
			return nil, "", nil, errorStatus(httpx.StatusBadRequest, "?name=%s names none of the uploaded files (%s)", want, strings.Join(order, ", "))
		}
		return files, name, fields, nil
	}
	main, err := mainFile(order)
	if err != nil {
		return nil, "", nil, err
	}
	if len(files[main]) == 0 {
		return nil, "", nil, errorStatus(httpx.StatusBadRequest, "the uploaded file %q is empty", main)
	}
	return files, main, fields, nil
}

// uploadName reduces a client's file name to a base name usable in a
// MemFS.
func uploadName(name string) (string, error) {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "" || base == "." || base == "/" || base == ".." || strings.ContainsAny(base, "\x00") {
		return "", errorStatus(httpx.StatusBadRequest, "bad file name %q: each \"file\" part needs a file name such as model.prototxt, model.onnx or model.json", name)
	}
	return base, nil
}

// mainFile picks the model among uploaded files: the only one, else the
// one TF.js model.json (or other .json), Caffe .prototxt, ONNX .onnx or
// Keras .keras/.h5 or TFLite .tflite file.
func mainFile(names []string) (string, error) {
	if len(names) == 1 {
		return names[0], nil
	}
	// preprocess.json goes with the model; it is never the model.
	names = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == imageio.PreprocessFile })
	for _, exts := range [][]string{{".json"}, {".prototxt", ".pbtxt", ".pt"}, {".onnx"}, {".keras", ".h5", ".hdf5"}, {".tflite"}} {
		var found []string
		for _, n := range names {
			if format.HasExt(n, exts...) {
				found = append(found, n)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		default:
			return "", errorStatus(httpx.StatusBadRequest, "cannot tell which uploaded file is the model (%s); pass ?name=FILE", strings.Join(found, ", "))
		}
	}
	return "", errorStatus(httpx.StatusBadRequest, "none of the uploaded files (%s) is a model definition (model.json, .prototxt, .onnx, .keras, .h5 or .tflite); pass ?name=FILE", strings.Join(names, ", "))
}

package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	_ "github.com/convscope/convscope/internal/format/caffe" // the importers the checker measures
	_ "github.com/convscope/convscope/internal/format/onnx"
	_ "github.com/convscope/convscope/internal/format/tfjs"
	_ "github.com/convscope/convscope/internal/format/tflite"
	"github.com/convscope/convscope/internal/graph"
)

// ListPath is the corpus list, relative to the repository root.
const ListPath = "scripts/corpus/corpus.json"

// Tolerance is the largest relative output error accepted:
// max|ours − theirs| / max|theirs|.
const Tolerance = 1e-4

// List is corpus.json: the packages and the models in them.
type List struct {
	Packages map[string]Package `json:"packages"`
	Models   []Model            `json:"models"`
}

// Package is one pinned download (npm tarball or Debian .deb).
type Package struct {
	Client  string `json:"client"`
	Name    string `json:"name"`
	Version string `json:"version"`
	File    string `json:"file"`
	SHA256  string `json:"sha256"`
}

// Model is one corpus model and its expected outcome.
type Model struct {
	ID      string `json:"id"`
	Package string `json:"package"`
	// Path is the model file inside the extracted package; FileName, when
	// set, is the model's name in the cache (a model joined from chunks).
	Path     string `json:"path"`
	FileName string `json:"file"`
	Format   string `json:"format"` // onnx, tfjs-layers, tfjs-graph, caffe
	What     string `json:"what"`
	// FreeInput describes the input dimensions the file leaves open, if any.
	FreeInput string `json:"free_input"`
	// Input is C, H, W: the size to run the model at.
	Input []int `json:"input"`
	// Outputs, when set, are the outputs compared (the ones the model's
	// package reads); otherwise every output of the framework.
	Outputs    []string   `json:"outputs"`
	Preprocess Preprocess `json:"preprocess"`
	// Params is the independent parameter count (scripts/corpus/oracle.mjs).
	Params int64 `json:"params"`
	// Expect is the expected outcome, one of Levels: "matches" (the
	// default for a model with weights: loads, parameters equal, runs,
	// outputs within the tolerance), "runs", "loads" (the default without
	// weights: loads with the right parameter count) or "refused" (the
	// file is refused with an error). A model that reaches less fails;
	// one that reaches more is reported as better than expected.
	Expect string `json:"expect"`
	// Tolerance, when set, replaces the default Tolerance for this model;
	// Why gives the reason for it or for an Expect below "matches".
	Tolerance float64 `json:"tolerance"`
	Why       string  `json:"why"`
}

// Levels are the outcomes of Model.Expect, in order: each includes the
// ones before it.
var Levels = []string{"refused", "loads", "runs", "matches"}

// level is the index of an outcome in Levels (-1 if unknown).
func level(s string) int { return slices.Index(Levels, s) }

// checkLevel is the outcome a check belongs to: a failure of it matters
// when the model is expected to reach that outcome.
var checkLevel = map[string]string{
	"oracle": "refused", "load": "loads", "input": "loads", "analyze": "loads", "params": "loads",
	"run": "runs", "parity": "matches",
}

// expected returns the model's expected outcome and tolerance.
func (m Model) expected(run bool) (string, float64) {
	e, tol := m.Expect, m.Tolerance
	if e == "" {
		e = "loads"
		if run {
			e = "matches"
		}
	}
	if tol <= 0 {
		tol = Tolerance
	}
	return e, tol
}

// Preprocess is x = (p·Scale − Mean) / Std for a pixel p in [0, 1], in
// the model's channel order (BGR when BGR is set).
type Preprocess struct {
	Scale  float64   `json:"scale"`
	Mean   []float64 `json:"mean"`
	Std    []float64 `json:"std"`
	BGR    bool      `json:"bgr"`
	Source string    `json:"source"`
}

// ReadList reads corpus.json below the repository root.
func ReadList(root string) (*List, error) {
	b, err := os.ReadFile(filepath.Join(root, ListPath))
	if err != nil {
		return nil, err
	}
	var l List
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("%s: %w", ListPath, err)
	}
	return &l, nil
}

// DefaultCache is the cache fetch.sh fills: $CONVSCOPE_CORPUS_CACHE, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/convscope-corpus.
func DefaultCache() string {
	if d := os.Getenv("CONVSCOPE_CORPUS_CACHE"); d != "" {
		return d
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "convscope-corpus")
}

// FindRoot walks up from dir to the directory holding go.mod.
func FindRoot(dir string) (string, error) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// File is the model file fetch.sh laid out in the cache.
func (m Model) File(cache string) string {
	name := filepath.Base(m.Path)
	if m.FileName != "" {
		name = m.FileName
	}
	if strings.HasPrefix(m.Format, "tfjs") {
		name = "model.json"
	}
	return filepath.Join(cache, "models", m.ID, name)
}

// Meta is the oracle's meta.json for one model.
type Meta struct {
	ID        string   `json:"id"`
	Params    int64    `json:"params"`
	Run       bool     `json:"run"`
	Reason    string   `json:"reason"`
	Framework string   `json:"framework"`
	MS        float64  `json:"ms"`
	Input     Tensor   `json:"input"`
	Outputs   []Tensor `json:"outputs"`
}

// Tensor describes one tensor file the oracle wrote.
type Tensor struct {
	Name   string `json:"name"`
	Shape  []int  `json:"shape"`
	Layout string `json:"layout"` // NHWC for TF.js maps, NCHW or "" otherwise
	File   string `json:"file"`
}

// Result is the outcome of the checks of one model.
type Result struct {
	ID, Format string
	// Expect is the expected outcome, Reached the one reached (Levels).
	Expect, Reached string
	Tolerance       float64
	Loads           bool
	Layers          int // analyze's layers (graph inputs not counted)
	// Params is convscope's count of every stored parameter (analysis's
	// ParamBytes / 4, statistics included, as the independent counts are).
	Params, Independent int64
	// Runs is "yes", "no" or "—" (not runnable: no weights).
	Runs   string
	MaxRel float64 // NaN when not compared
	// Ours and Theirs are the run times of one forward pass in ms.
	Ours, Theirs float64
	// Check names the first check that failed ("" when all passed) and
	// Failure its reason, one line.
	Check, Failure string

	dir string // the model's cache folder, left out of failures
}

// Failed reports whether the model fell short of its expected outcome:
// a check of that outcome or an earlier one failed.
func (r Result) Failed() bool {
	return r.Check != "" && level(checkLevel[r.Check]) <= level(r.Expect)
}

// Better reports whether the model reached more than expected (corpus.json
// should then expect it).
func (r Result) Better() bool { return level(r.Reached) > level(r.Expect) }

// reach sets the outcome reached from the checks that failed.
func (r *Result) reach(hasWeights bool) {
	switch {
	case !r.Loads:
		r.Reached = "refused"
	case r.Check != "" && level(checkLevel[r.Check]) <= level("loads"):
		r.Reached = "—" // loaded, but with the wrong parameter count
	case r.Runs != "yes":
		r.Reached = "loads"
	case r.Check == "run":
		r.Reached = "loads"
	case r.Check == "parity" || !hasWeights:
		r.Reached = "runs"
	default:
		r.Reached = "matches"
	}
}

func (r *Result) fail(check string, err error) {
	if r.Check == "" {
		r.Check = check
		r.Failure, _, _ = strings.Cut(err.Error(), "\n")
		r.Failure = strings.ReplaceAll(r.Failure, r.dir, "")
	}
}

// Check runs every check on one model: load, input size, parameter count,
// compile and run, output parity with the oracle. A panic in convscope is
// a failure of the check it happened in.
func Check(m Model, cache string) (r Result) {
	r = Result{ID: m.ID, Format: m.Format, Runs: "no", MaxRel: math.NaN(), Independent: m.Params,
		dir: filepath.Join(cache, "models", m.ID) + string(filepath.Separator)}
	r.Expect, r.Tolerance = m.expected(true)
	check := "load"
	var meta *Meta
	defer func() {
		if p := recover(); p != nil {
			r.fail(check, fmt.Errorf("panic: %v", p))
			r.Expect = "matches" // a panic is never an expected outcome
		}
		r.reach(meta != nil && meta.Run)
	}()
	if level(m.Expect) < 0 && m.Expect != "" {
		r.fail("oracle", fmt.Errorf("corpus.json: expect %q is not one of %q", m.Expect, Levels))
		return r
	}
	meta, err := readMeta(cache, m.ID)
	if err != nil {
		r.fail("oracle", err)
		return r
	}
	r.Expect, r.Tolerance = m.expected(meta.Run)
	if meta.Params != m.Params {
		r.fail("oracle", fmt.Errorf("oracle counted %d parameters, corpus.json says %d", meta.Params, m.Params))
		return r
	}
	g, _, err := format.OpenWith(m.File(cache), format.Options{Input: m.Input})
	if err != nil {
		r.fail("load", err)
		return r
	}
	r.Loads = true
	check = "input"
	if err := setInput(g, m.Input); err != nil {
		r.fail(check, err)
		return r
	}
	check = "analyze"
	rep, err := analyze.Analyze(g)
	if err != nil {
		r.fail(check, err)
		return r
	}
	for _, l := range rep.Layers {
		if l.Kind != "Input" {
			r.Layers++
		}
	}
	r.Params = rep.ParamBytes / analyze.BytesPerElem
	if r.Params != m.Params {
		r.fail("params", fmt.Errorf("convscope counts %d parameters, the independent count is %d (%+d)", r.Params, m.Params, r.Params-m.Params))
	}
	if !meta.Run {
		r.Runs = "—"
		return r
	}
	check = "run"
	x, err := readInput(cache, meta)
	if err != nil {
		r.fail("oracle", err)
		return r
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		r.fail(check, err)
		return r
	}
	if _, err := p.Run(x); err != nil { // the first run allocates
		r.fail(check, err)
		return r
	}
	t0 := time.Now()
	vals, err := p.Run(x)
	if err != nil {
		r.fail(check, err)
		return r
	}
	r.Ours = float64(time.Since(t0).Microseconds()) / 1000
	r.Theirs = meta.MS
	r.Runs = "yes"
	check = "parity"
	byIndex := len(g.Outputs) == len(meta.Outputs)
	r.MaxRel = 0
	for i, o := range meta.Outputs {
		// Match by name among the graph's outputs (ONNX keeps the names),
		// else by position: a TF.js layer's name is its pre-activation
		// value, not the output (see internal/format/tfjs).
		name := ""
		if slices.Contains(g.Outputs, o.Name) {
			name = o.Name
		} else if byIndex {
			name = g.Outputs[i]
		}
		want, err := readF32(filepath.Join(cache, "oracle", m.ID, o.File), graph.Shape(o.Shape).Elems())
		if err != nil {
			r.fail("oracle", err)
			return r
		}
		got := vals[name]
		if got == nil {
			r.fail(check, fmt.Errorf("no value for the framework's output %q (outputs %q)", o.Name, g.Outputs))
			return r
		}
		gotShape, gotData := got.Shape, got.Data
		if o.Layout == "NHWC" && len(gotShape) == 4 {
			gotShape, gotData = NCHWToNHWC(gotShape, gotData)
		}
		if !graph.Shape(gotShape).Equal(o.Shape) {
			r.fail(check, fmt.Errorf("output %q has shape %v, the framework's %q has %v", name, graph.Shape(gotShape), o.Name, graph.Shape(o.Shape)))
			return r
		}
		r.MaxRel = max(r.MaxRel, MaxRel(gotData, want))
	}
	if !(r.MaxRel <= r.Tolerance) {
		r.fail(check, fmt.Errorf("outputs differ from %s by %.3g relative (tolerance %g)", meta.Framework, r.MaxRel, r.Tolerance))
	}
	return r
}

// setInput gives the first input the size C,H,W (batch left to the
// engine) when the file leaves it open, and checks it otherwise.
func setInput(g *graph.Graph, chw []int) error {
	if len(g.Inputs) == 0 {
		return errors.New("the model has no input")
	}
	in := &g.Inputs[0]
	want := append(graph.Shape{-1}, chw...)
	if len(in.Shape) != len(want) {
		return fmt.Errorf("input %q has shape %v; the corpus runs it at C,H,W = %v", in.Name, in.Shape, graph.Shape(chw))
	}
	for i, d := range in.Shape[1:] {
		if d > 0 && d != chw[i] {
			return fmt.Errorf("input %q has shape %v; corpus.json says C,H,W = %v", in.Name, in.Shape, graph.Shape(chw))
		}
	}
	in.Shape = want
	return nil
}

func readMeta(cache, id string) (*Meta, error) {
	p := filepath.Join(cache, "oracle", id, "meta.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w (run scripts/corpus/oracle.mjs)", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &m, nil
}

// readInput reads the oracle's input tensor, in NCHW.
func readInput(cache string, meta *Meta) ([]float32, error) {
	s := meta.Input.Shape
	x, err := readF32(filepath.Join(cache, "oracle", meta.ID, meta.Input.File), graph.Shape(s).Elems())
	if err != nil {
		return nil, err
	}
	if meta.Input.Layout == "NHWC" && len(s) == 4 {
		_, x = NHWCToNCHW(s, x)
	}
	return x, nil
}

// readF32 reads n little-endian float32 values.
func readF32(path string, n int) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) != 4*n {
		return nil, fmt.Errorf("%s has %d bytes, want %d float32 values", path, len(b), n)
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x, nil
}

// NHWCToNCHW transposes a [N, H, W, C] tensor; it returns the new shape.
func NHWCToNCHW(s []int, x []float32) ([]int, []float32) {
	n, h, w, c := s[0], s[1], s[2], s[3]
	y := make([]float32, len(x))
	for b := range n {
		for i := range h * w {
			for k := range c {
				y[(b*c+k)*h*w+i] = x[(b*h*w+i)*c+k]
			}
		}
	}
	return []int{n, c, h, w}, y
}

// NCHWToNHWC transposes a [N, C, H, W] tensor; it returns the new shape.
func NCHWToNHWC(s []int, x []float32) ([]int, []float32) {
	n, c, h, w := s[0], s[1], s[2], s[3]
	y := make([]float32, len(x))
	for b := range n {
		for k := range c {
			for i := range h * w {
				y[(b*h*w+i)*c+k] = x[(b*c+k)*h*w+i]
			}
		}
	}
	return []int{n, h, w, c}, y
}

// MaxRel is max|a−b| / max|b| (the denominator at least 1e-30); NaN in a
// or b gives +Inf.
func MaxRel(a, b []float32) float64 {
	var diff, scale float64
	for i := range b {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		diff = max(diff, d)
		scale = max(scale, math.Abs(float64(b[i])))
	}
	return diff / max(scale, 1e-30)
}

// WriteTable prints the results as a Markdown table and a summary line.
func WriteTable(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "| model | format | layers | params ours / independent | expected | reached | max rel. error | ms ours / framework | failure or note |")
	fmt.Fprintln(w, "| --- | --- | ---: | --- | --- | --- | --- | --- | --- |")
	failed, better := 0, 0
	for _, r := range rs {
		layers, params := "—", "— / "+fmt.Sprint(r.Independent)
		if r.Loads {
			layers = fmt.Sprint(r.Layers)
		}
		if r.Params > 0 || (r.Loads && r.Check != "input" && r.Check != "analyze") {
			params = fmt.Sprintf("%d / %d", r.Params, r.Independent)
		}
		rel, ms := "—", "—"
		if !math.IsNaN(r.MaxRel) {
			rel = fmt.Sprintf("%.2g", r.MaxRel)
			if r.Tolerance != Tolerance {
				rel += fmt.Sprintf(" (≤ %g)", r.Tolerance)
			}
		}
		if r.Runs == "yes" {
			ms = fmt.Sprintf("%s / %s", msString(r.Ours), msString(r.Theirs))
		}
		note := "—"
		switch {
		case r.Failed():
			failed++
			note = "**" + r.Check + "**: " + r.Failure
		case r.Better():
			better++
			note = "better than expected: set expect to " + r.Reached + " in corpus.json"
		case r.Check != "":
			note = "expected: " + r.Check + ": " + r.Failure
		}
		note = strings.ReplaceAll(note, "|", `\|`)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.ID, r.Format, layers, params, r.Expect, r.Reached, rel, ms, note)
	}
	fmt.Fprintf(w, "\n%d models: %d as expected, %d failed", len(rs), len(rs)-failed, failed)
	if better > 0 {
		fmt.Fprintf(w, ", %d better than expected", better)
	}
	fmt.Fprintln(w)
}

// msString prints a time in ms with two significant digits below 10.
func msString(ms float64) string {
	if ms < 10 {
		return fmt.Sprintf("%.1f", ms)
	}
	return fmt.Sprintf("%.0f", ms)
}

package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/zoo"
)

// ModelSpec names a model to serve besides the embedded default one.
type ModelSpec struct {
	// Path is the model file (any registered format). Class names are read
	// from labels.txt beside it unless Labels is set.
	Path string
	// Labels, if set, is a class-name file (one name per line) that
	// overrides the model's own.
	Labels string
	// Examples, if set, is a folder of example images (JPEG, PNG, GIF, WebP,
	// BMP) offered for this model. Without it a model offers the images of
	// an "examples" folder beside its file, if there is one.
	Examples string
	// Input, if set, is the size (C,H,W) of the model's first input: it
	// fills the sizes the file leaves open (format.Options.Input).
	Input []int
	// Preprocess, if set, is the model's preprocessing; without it a
	// preprocess.json beside the model file is read, if there is one.
	Preprocess *imageio.Preprocess
	// FS, if set, holds the files: Path, Labels and Examples are then
	// slash-separated paths in it instead of the operating system's (the
	// static site's engine has no file system of its own).
	FS fs.FS
}

// dir returns the folder of the file p as a file system, and p's name in it.
func (spec ModelSpec) dir(p string) (fs.FS, string) {
	if spec.FS == nil {
		return os.DirFS(filepath.Dir(p)), filepath.Base(p)
	}
	d, name := path.Split(p)
	if d == "" {
		return spec.FS, name
	}
	sub, err := fs.Sub(spec.FS, strings.TrimSuffix(d, "/"))
	if err != nil {
		return noFS{err}, name
	}
	return sub, name
}

// noFS is a file system whose every Open fails with err.
type noFS struct{ err error }

func (n noFS) Open(string) (fs.File, error) { return nil, n.err }

// DefaultID is the id of the embedded default model.
const DefaultID = "default"

// Limits on example folders.
const (
	maxExamples     = 100
	maxExampleBytes = 8 << 20
)

// example is one example image of a model.
type example struct {
	name string
	data []byte
}

// inputSpec is the image input of a runnable model.
type inputSpec struct {
	name    string
	c, h, w int
}

// model is a loaded model with everything the handlers need.
type model struct {
	id, name, format, file string
	g                      *graph.Graph
	shapes                 map[string]graph.Shape // batch 1
	labels                 []string
	labelsSource           string // "labels.txt", "--labels", "model", "none"
	examples               []example
	pre                    imageio.Preprocess // how an image becomes its input

	runnable bool
	whyNot   string // why the model cannot be run on an image
	input    inputSpec
	// logits and probs name the values holding the class scores; probs is
	// empty when the model ends without a softmax (the server then computes
	// it). classes is 0 for a model without a class vector output.
	logits, probs string
	classes       int

	pool *progPool
	// mem is what an uploaded model holds of the server's memory budget
	// (nil for the models the server was started with); engineBytes is
	// the estimate of one engine's memory charged for each of its engines.
	mem         *modelMem
	engineBytes int64
}

// loadDefault loads the embedded default model.
func loadDefault() (*model, error) {
	g, err := zoo.Default()
	if err != nil {
		return nil, fmt.Errorf("default model: %w", err)
	}
	m := &model{id: DefaultID, name: zoo.DefaultName, format: "tfjs", file: "(embedded)", g: g}
	m.labelsSource = "model"
	for _, e := range zoo.Examples() {
		m.examples = append(m.examples, example{name: e.Name, data: e.Data})
	}
	if err := m.prepare(0, nil); err != nil {
		return nil, fmt.Errorf("default model: %w", err)
	}
	return m, nil
}

// PresetPrefix names a built-in network instead of a file ("preset:resnet18");
// presets are served with deterministic random weights, to explore their
// structure and activations.
const PresetPrefix = "preset:"

// loadSpec loads a model file given on the command line.
func loadSpec(spec ModelSpec) (*model, error) {
	var m *model
	if name, ok := strings.CutPrefix(spec.Path, PresetPrefix); ok {
		g, err := zoo.Preset(name, true)
		if err != nil {
			return nil, err
		}
		m = &model{format: "preset", file: spec.Path, g: g, name: name + " (random weights)", labelsSource: "model"}
	} else {
		var g *graph.Graph
		var formatName string
		var err error
		if spec.FS == nil {
			g, formatName, err = format.OpenWith(spec.Path, format.Options{Input: spec.Input})
		} else {
			g, formatName, err = format.OpenFSWith(spec.FS, spec.Path, format.Options{Input: spec.Input})
		}
		if err != nil {
			return nil, err
		}
		dir, _ := spec.dir(spec.Path)
		m = &model{format: formatName, file: filepath.Base(spec.Path), g: g, name: DisplayName(spec.Path), labelsSource: "model"}
		if spec.Preprocess == nil {
			pre, err := imageio.ReadPreprocess(dir, imageio.PreprocessFile)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: %w", filepath.Join(filepath.Dir(spec.Path), imageio.PreprocessFile), err)
			}
			m.pre = pre
		}
		if _, err := fs.Stat(dir, format.LabelsFile); err == nil {
			m.labelsSource = format.LabelsFile
		}
	}
	if spec.Preprocess != nil {
		if err := spec.Preprocess.Check(); err != nil {
			return nil, fmt.Errorf("%s: preprocessing: %w", spec.Path, err)
		}
		m.pre = *spec.Preprocess
	}
	if spec.Input != nil && m.format == "preset" && len(m.g.Inputs) > 0 {
		m.g.Inputs[0].Shape = append(graph.Shape{-1}, spec.Input...)
	}
	g := m.g
	if spec.Labels != "" {
		dir, base := spec.dir(spec.Labels)
		labels, err := format.ReadLabels(dir, base)
		if err != nil {
			return nil, fmt.Errorf("--labels %s: %w", spec.Labels, err)
		}
		g.Labels = labels
		m.labelsSource = "--labels"
	}
	exDir := spec.Examples
	if exDir == "" && m.format != "preset" {
		if d, _ := spec.dir(spec.Path); isDir(d, "examples") {
			exDir = filepath.Join(filepath.Dir(spec.Path), "examples")
			if spec.FS != nil {
				exDir = path.Join(path.Dir(spec.Path), "examples")
			}
		}
	}
	if exDir != "" {
		d, name := spec.dir(exDir)
		ex, err := readExamples(d, name, exDir)
		if err != nil {
			return nil, err
		}
		m.examples = ex
	}
	if err := m.prepare(0, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Path, err)
	}
	return m, nil
}

// DisplayName is the short name a model file is served under (its id is
// made from it): its folder's name for generic file names (model.json, model.onnx,
// deploy.prototxt), else the file name without its extension.
func DisplayName(p string) string {
	base := filepath.Base(p)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	switch strings.ToLower(stem) {
	case "model", "deploy", "net", "network", "graph":
		if dir := filepath.Base(filepath.Dir(p)); dir != "." && dir != string(filepath.Separator) && dir != "" {
			return dir
		}
	}
	return stem
}

// slug turns a display name into an id: lower case letters, digits, '-',
// '_' and '.', nothing else.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	id := strings.Trim(b.String(), "-.")
	if len(id) > maxIDLen {
		id = strings.Trim(id[:maxIDLen], "-.")
	}
	if id == "" {
		id = "model"
	}
	return id
}

// isDir reports whether name is a folder in fsys.
func isDir(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && st.IsDir()
}

// readExamples reads the image files of the folder name of fsys (not
// recursively); dir names it in errors.
func readExamples(fsys fs.FS, name, dir string) ([]example, error) {
	entries, err := fs.ReadDir(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("--examples %s: %w", dir, err)
	}
	var out []example
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !imageio.IsImageName(e.Name()) {
			continue
		}
		if len(out) == maxExamples {
			return nil, fmt.Errorf("--examples %s: more than %d images", dir, maxExamples)
		}
		b, err := format.ReadFile(fsys, path.Join(name, e.Name()), maxExampleBytes)
		if err != nil {
			return nil, fmt.Errorf("--examples: %w", err)
		}
		out = append(out, example{name: e.Name(), data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// prepare infers shapes, finds the image input and the class output, checks
// the labels and compiles a first Program (so that a model that cannot run
// is reported at start-up, not on the first request).
//
// maxActivations > 0 caps the elements of all values of one image, checked
// before anything is compiled (the engine allocates every value): a small
// uploaded file with a huge input cannot exhaust the memory. 0: no cap.
//
// reserve, if not nil, is called with the bytes of the weights and the
// first engine before that engine is compiled; its error is returned as is.
// Further engines (for concurrent runs) are then compiled only while
// m.mem can grow by m.engineBytes.
func (m *model) prepare(maxActivations int64, reserve func(int64) error) error {
	shapes, err := m.g.InferShapes(1)
	unsupported := graph.IsUnsupported(err)
	if unsupported { // shown, not run: the shapes that can be known
		shapes, err = m.g.InferPartial(1)
	}
	if err != nil {
		return err
	}
	m.shapes = shapes
	elems, bytes, err := engineBytes(m.g, shapes, !unsupported)
	if err != nil {
		return err
	}
	m.engineBytes = bytes
	if maxActivations > 0 {
		if elems > maxActivations {
			return fmt.Errorf("one image's activations need %d MiB, more than the %d MiB an uploaded model may use (analyse it instead, or serve it with --model)",
				elems*4>>20, maxActivations*4>>20)
		}
	}
	m.findOutput()
	if m.classes > 0 {
		if err := format.CheckLabels(m.g, m.classes); err != nil {
			return err
		}
	}
	m.labels = m.g.Labels
	if len(m.labels) == 0 {
		m.labelsSource = "none"
		for i := range m.classes {
			m.labels = append(m.labels, fmt.Sprintf("class %d", i))
		}
	}
	m.runnable, m.whyNot = true, ""
	if unsupported {
		m.runnable = false
		m.whyNot = fmt.Sprintf("it uses %s, which convscope does not support: it shows the graph but cannot run it", opList(m.g.Unsupported()))
		if reserve != nil { // shown, not run: only its weights stay
			return reserve(weightBytes(m.g))
		}
		return nil
	}
	if err := m.findInput(); err != nil {
		m.runnable, m.whyNot = false, err.Error()
		return nil
	}
	if err := m.g.HasWeights(shapes); err != nil {
		m.runnable, m.whyNot = false, format.ExplainMissingWeights(m.file, err).Error()
		return nil
	}
	if reserve != nil {
		if err := reserve(weightBytes(m.g) + m.engineBytes); err != nil {
			return err
		}
	}
	first, err := engine.Compile(m.g, 1)
	if err != nil {
		m.runnable, m.whyNot = false, err.Error()
		return nil
	}
	m.pool = newProgPool(m.g, runtime.GOMAXPROCS(0), first)
	if m.mem != nil {
		m.pool.grow = func() bool { return m.mem.grow(m.engineBytes) }
		m.pool.shrink = func() { m.mem.shrink(m.engineBytes) }
	}
	return nil
}

// weightBytes is the memory of a graph's parameters.
func weightBytes(g *graph.Graph) int64 {
	var n int64
	for _, nd := range g.Nodes {
		for _, t := range nd.Params {
			n += 4 * int64(len(t.Data))
		}
	}
	return n
}

// findInput accepts exactly one input of shape [N, C, H, W] with C = 1 or 3.
func (m *model) findInput() error {
	if len(m.g.Inputs) != 1 {
		return fmt.Errorf("the model has %d inputs; only single-image models can be run", len(m.g.Inputs))
	}
	in := m.g.Inputs[0]
	s := m.shapes[in.Name]
	if len(s) != 4 || (s[1] != 1 && s[1] != 3) {
		return fmt.Errorf("the model input %q has shape %v; an image input [N, 1 or 3, H, W] is needed", in.Name, s)
	}
	m.input = inputSpec{name: in.Name, c: s[1], h: s[2], w: s[3]}
	return nil
}

// findOutput locates the logits and probabilities: if the first graph
// output is a softmax, its input holds the logits; otherwise the output
// itself is taken as logits and the probabilities are computed.
func (m *model) findOutput() {
	if len(m.g.Outputs) == 0 {
		return
	}
	out := m.g.Outputs[0]
	classes := func(v string) int {
		s := m.shapes[v].PerImage()
		if len(s) == 0 {
			return 0
		}
		n := s.Elems()
		for _, d := range s {
			if d != n && d != 1 {
				return 0
			}
		}
		return n
	}
	m.logits = out
	if p := m.g.Producers()[out]; p != nil {
		if _, ok := p.Op.(*graph.Softmax); ok && len(p.Inputs) == 1 {
			m.probs, m.logits = out, p.Inputs[0]
		}
	}
	m.classes = classes(m.logits)
	if m.classes == 0 {
		m.probs, m.logits = "", ""
	}
}

// progPool hands out Programs of one model, at most size at once; it
// compiles new ones on demand up to size.
type progPool struct {
	g    *graph.Graph
	free chan *engine.Program
	sem  chan struct{} // one token per Program that exists
	// grow, if set, reserves the memory of one more Program (shrink gives
	// it back); without it the pool waits for an idle one.
	grow   func() bool
	shrink func()
}

func newProgPool(g *graph.Graph, size int, first *engine.Program) *progPool {
	size = max(1, size)
	p := &progPool{g: g, free: make(chan *engine.Program, size), sem: make(chan struct{}, size)}
	if first != nil {
		p.sem <- struct{}{}
		p.free <- first
	}
	return p
}

// get returns an idle Program, compiling one if none is idle and the pool
// is not full, or waits for one.
func (p *progPool) get(ctx context.Context) (*engine.Program, error) {
	select {
	case prog := <-p.free:
		return prog, nil
	default:
	}
	sem, grown := p.sem, false
	if p.grow != nil {
		if grown = len(p.sem) < cap(p.sem) && p.grow(); !grown {
			sem = nil // no memory for another Program: wait for one
		}
	}
	unreserve := func() {
		if grown {
			p.shrink()
		}
	}
	select {
	case prog := <-p.free:
		unreserve()
		return prog, nil
	case sem <- struct{}{}:
		prog, err := engine.Compile(p.g, 1)
		if err != nil {
			<-p.sem
			unreserve()
			return nil, err
		}
		return prog, nil
	case <-ctx.Done():
		unreserve()
		return nil, ctx.Err()
	}
}

// put returns a Program to the pool.
func (p *progPool) put(prog *engine.Program) { p.free <- prog }

// exampleByName finds an example image.
func (m *model) exampleByName(name string) (example, bool) {
	for _, e := range m.examples {
		if e.name == name {
			return e, true
		}
	}
	return example{}, false
}

// opList names operators in a sentence: "operator Foo", "operators A, B".
func opList(ops []string) string {
	if len(ops) == 1 {
		return "operator " + ops[0]
	}
	return "operators " + strings.Join(ops, ", ")
}

// engineBytes estimates the memory of one keep-all engine (engine.Compile)
// of g, whose batch-1 shapes are given: its values' elements and its bytes.
// packs: add the convolution weights the engine packs (the graph is
// runnable).
func engineBytes(g *graph.Graph, shapes map[string]graph.Shape, packs bool) (elems, bytes int64, err error) {
	var scratch int64
	for _, sh := range shapes {
		elems += int64(sh.Elems())
	}
	for _, n := range g.Nodes {
		switch n.Op.(type) {
		case *graph.Conv:
			// The engine's scratch: a convolution's padded input (twice
			// its size bounds the padding) or its column matrix (within
			// that or engine.ColumnScratchMin) …
			if len(n.Inputs) > 0 {
				scratch = max(scratch, 2*int64(shapes[n.Inputs[0]].Elems()), engine.ColumnScratchMin)
			}
		case *graph.ConvTranspose:
			scratch = max(scratch, 1<<24) // … a transposed one's columns, at most 2²⁴ (engine.maxDeconvScratch)
		}
	}
	// Every value, and the scratch buffer the steps share …
	bytes = 4 * (elems + scratch)
	if packs {
		// (exactly, where the graph is runnable: a flat output or a
		// bordered copy can exceed twice the input)
		sb, err := engine.ScratchBytes(g)
		if err != nil {
			return 0, 0, err
		}
		bytes = max(bytes, 4*elems+sb)
		// … and the convolution weights each engine packs for its kernels.
		packed, err := engine.PlanBytes(g)
		if err != nil {
			return 0, 0, err
		}
		bytes += packed
	}
	return elems, bytes, nil
}

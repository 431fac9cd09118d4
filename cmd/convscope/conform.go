package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format/onnx"
	"github.com/convscope/convscope/internal/graph"
)

func init() {
	register(command{
		name:    "conform",
		summary: "run ONNX backend test cases through the importer and engine",
		run:     runConform,
	})
}

// Tolerances of the ONNX backend tests: |got − want| ≤ atol + rtol·|want|.
const (
	conformRtol = 1e-3
	conformAtol = 1e-7
)

// Conformance case outcomes.
const (
	statusPass        = "PASS"
	statusFail        = "FAIL"
	statusUnsupported = "UNSUPPORTED"
)

// conformResult is the outcome of one test case.
type conformResult struct {
	Name     string  `json:"name"`
	Path     string  `json:"path"`
	Status   string  `json:"status"`
	MaxError float64 `json:"max_error"`
	// Operator is the unsupported ONNX operator (UNSUPPORTED only).
	Operator string `json:"operator,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// line renders the result as one line of the text report.
func (r conformResult) line() string {
	switch r.Status {
	case statusPass:
		return fmt.Sprintf("PASS %s (max error %.3g)", r.Name, r.MaxError)
	case statusUnsupported:
		switch {
		case r.Operator == "":
			return fmt.Sprintf("UNSUPPORTED %s: %s", r.Name, r.Detail)
		case r.Detail != "":
			return fmt.Sprintf("UNSUPPORTED %s: %s (%s)", r.Name, r.Operator, r.Detail)
		}
		return fmt.Sprintf("UNSUPPORTED %s: %s", r.Name, r.Operator)
	}
	s := fmt.Sprintf("FAIL %s: max error %.3g", r.Name, r.MaxError)
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	return s
}

const conformUsage = `usage: convscope conform [--json] PATH...

Runs ONNX backend test cases through the ONNX importer and the engine and
prints one line per case (PASS, FAIL with the maximum error, or UNSUPPORTED
with the operator), then a summary. A PATH is a directory holding model.onnx
and test_data_set_*/ (input_N.pb, output_N.pb), or a light_<net>.onnx file
with light_<net>_output_0.pb beside it (its input is arange(n)/n in the
input's shape). A case passes when every output has the expected shape and
|got - want| <= 1e-7 + 1e-3*|want| everywhere. The exit status is 0 only if
every case passes.

flags:
  --json   print a JSON report instead of text
`

func runConform(ctx context.Context, args []string, io stdio) error {
	var paths []string
	jsonOut := false
	for i, a := range args {
		switch {
		case a == "--":
			paths = append(paths, args[i+1:]...)
		case a == "-json" || a == "--json":
			jsonOut = true
			continue
		case a == "-h" || a == "-help" || a == "--help":
			fmt.Fprint(io.out, conformUsage)
			return nil
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprint(io.err, conformUsage)
			return usagef("conform: unknown flag %s", a)
		default:
			paths = append(paths, a)
			continue
		}
		break
	}
	if len(paths) == 0 {
		fmt.Fprint(io.err, conformUsage)
		return usagef("conform: no test case given")
	}
	var results []conformResult
	counts := map[string]int{}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := conformCase(p)
		results = append(results, r)
		counts[r.Status]++
		if !jsonOut {
			fmt.Fprintln(io.out, r.line())
		}
	}
	summary := fmt.Sprintf("%d passed, %d failed, %d unsupported", counts[statusPass], counts[statusFail], counts[statusUnsupported])
	if jsonOut {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		err := enc.Encode(struct {
			Cases       []conformResult `json:"cases"`
			Passed      int             `json:"passed"`
			Failed      int             `json:"failed"`
			Unsupported int             `json:"unsupported"`
		}{results, counts[statusPass], counts[statusFail], counts[statusUnsupported]})
		if err != nil {
			return err
		}
	} else {
		fmt.Fprintln(io.out, summary)
	}
	if counts[statusPass] != len(results) {
		return fmt.Errorf("conform: %d of %d cases did not pass", len(results)-counts[statusPass], len(results))
	}
	return nil
}

// conformCase runs one test case directory or light model file.
func conformCase(p string) conformResult {
	r := conformResult{Path: p, Name: filepath.Base(filepath.Clean(p)), Status: statusFail}
	fail := func(err error) conformResult {
		var u *onnx.UnsupportedError
		if errors.As(err, &u) {
			r.Status, r.Operator, r.Detail = statusUnsupported, u.Op, u.Detail
			return r
		}
		r.Status, r.Detail = statusFail, err.Error()
		return r
	}
	st, err := os.Stat(p)
	if err != nil {
		return fail(err)
	}
	var model string
	var sets []conformSet
	if st.IsDir() {
		model = filepath.Join(p, "model.onnx")
		dirs, _ := filepath.Glob(filepath.Join(p, "test_data_set_*"))
		sort.Strings(dirs)
		if len(dirs) == 0 {
			return fail(fmt.Errorf("%s holds no test_data_set_*", p))
		}
		for _, d := range dirs {
			sets = append(sets, conformSet{dir: d})
		}
	} else {
		if !strings.HasSuffix(p, ".onnx") {
			return fail(fmt.Errorf("%s is neither a test case directory nor an .onnx file", p))
		}
		model = p
		r.Name = strings.TrimSuffix(r.Name, ".onnx")
		sets = []conformSet{{light: strings.TrimSuffix(p, ".onnx") + "_output_0.pb"}}
	}
	data, err := readLimited(model, onnx.MaxFileSize)
	if err != nil {
		return fail(err)
	}
	for _, set := range sets {
		maxErr, err := set.run(data, filepath.Dir(model))
		r.MaxError = math.Max(r.MaxError, maxErr)
		if err != nil {
			if len(sets) > 1 {
				err = fmt.Errorf("%s: %w", filepath.Base(set.dir), err)
			}
			return fail(err)
		}
	}
	r.Status = statusPass
	return r
}

func readLimited(name string, limit int64) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return os.ReadFile(name)
}

// conformSet is one set of inputs and expected outputs: a test_data_set_N
// directory, or the expected output of a light model (whose input is
// generated).
type conformSet struct {
	dir   string
	light string
}

// readTensors reads prefix_0.pb, prefix_1.pb, … from dir.
func readTensors(dir, prefix string) ([]*onnx.Tensor, error) {
	var ts []*onnx.Tensor
	for i := 0; ; i++ {
		name := filepath.Join(dir, prefix+"_"+strconv.Itoa(i)+".pb")
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			return ts, nil
		}
		if err != nil {
			return nil, err
		}
		t, err := onnx.ReadTensor(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		ts = append(ts, t)
	}
}

// run imports, compiles and runs the model on the set's inputs and returns
// the largest absolute error; the error is nil when every output is within
// tolerance.
func (s conformSet) run(model []byte, modelDir string) (float64, error) {
	infos, err := onnx.Inputs(model)
	if err != nil {
		return 0, err
	}
	known := map[string]*onnx.Tensor{}
	var wants []*onnx.Tensor
	if s.light != "" {
		b, err := os.ReadFile(s.light)
		if err != nil {
			return 0, err
		}
		want, err := onnx.ReadTensor(b)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", filepath.Base(s.light), err)
		}
		wants = []*onnx.Tensor{want}
		for _, in := range infos {
			known[in.Name] = arangeInput(in)
		}
	} else {
		ins, err := readTensors(s.dir, "input")
		if err != nil {
			return 0, err
		}
		if wants, err = readTensors(s.dir, "output"); err != nil {
			return 0, err
		}
		if len(ins) > len(infos) {
			return 0, fmt.Errorf("%d inputs given for a model with %d", len(ins), len(infos))
		}
		byName := map[string]bool{}
		for _, in := range infos {
			byName[in.Name] = true
		}
		for i, t := range ins {
			name := t.Name
			if !byName[name] {
				name = infos[i].Name // unnamed test data goes in order
			}
			known[name] = t
		}
	}
	shapes := map[string][]int{}
	for name, t := range known {
		shapes[name] = t.Shape
	}
	g, err := onnx.Decode(model, onnx.Options{Known: known, Shapes: shapes, FS: os.DirFS(modelDir), Dir: "."})
	if err != nil {
		return 0, err
	}
	prog, err := engine.CompileFinal(g, 1) // only the outputs are compared
	if err != nil {
		return 0, err
	}
	feeds := make([][]float32, len(g.Inputs))
	for i, in := range g.Inputs {
		t, ok := known[in.Name]
		if !ok {
			return 0, fmt.Errorf("no value given for input %q", in.Name)
		}
		feeds[i] = t.Float32()
	}
	vals, err := prog.Run(feeds...)
	if err != nil {
		return 0, err
	}
	if len(wants) != len(g.Outputs) {
		return 0, fmt.Errorf("the model has %d outputs, the test data %d", len(g.Outputs), len(wants))
	}
	var maxErr float64
	var bad error
	for i, name := range g.Outputs {
		got, want := vals[name], wants[i]
		if !graph.Shape(got.Shape).Equal(want.Shape) {
			return 0, fmt.Errorf("output %q has shape %v, want %v", name, graph.Shape(got.Shape), graph.Shape(want.Shape))
		}
		w := want.Float32()
		for j, v := range got.Data {
			g64, w64 := float64(v), float64(w[j])
			if math.IsNaN(g64) && math.IsNaN(w64) {
				continue
			}
			d := math.Abs(g64 - w64)
			if g64 == w64 { // equal infinities
				d = 0
			}
			if math.IsNaN(d) {
				d = math.Inf(1)
			}
			maxErr = math.Max(maxErr, d)
			if !(d <= conformAtol+conformRtol*math.Abs(w64)) && bad == nil {
				bad = fmt.Errorf("output %q[%d] = %g, want %g", name, j, v, w[j])
			}
		}
	}
	return maxErr, bad
}

// arangeInput is the generated input of a light model:
// arange(n).reshape(shape)/n as float32, unknown dimensions being 1.
func arangeInput(in onnx.InputInfo) *onnx.Tensor {
	shape := make([]int, len(in.Shape))
	n := 1
	for i, d := range in.Shape {
		shape[i] = max(d, 1)
		n *= shape[i]
	}
	t := &onnx.Tensor{Name: in.Name, Type: onnx.TensorProto_FLOAT, Shape: shape, Floats: make([]float32, n)}
	for i := range t.Floats {
		t.Floats[i] = float32(float64(i) / float64(n))
	}
	return t
}

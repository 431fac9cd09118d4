package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/format/onnx"
	"github.com/convscope/convscope/internal/testref"
)

// conformExpectedUnsupported are the reference cases the IR cannot express,
// with the reason. They must be reported UNSUPPORTED (never FAIL); every
// other case must PASS.
var conformExpectedUnsupported = map[string]string{}

// referenceCases lists every ONNX backend case of the reference data.
func referenceCases(t *testing.T) []string {
	dir := testref.Dir(t, "onnx")
	var paths []string
	for _, pattern := range []string{"node/test_*", "pytorch-converted/test_*", "light/*.onnx"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	sort.Strings(paths)
	if len(paths) < 100 {
		t.Fatalf("found only %d reference cases in %s", len(paths), dir)
	}
	return paths
}

// TestConformReference runs every reference case through the conform
// command (importer + engine) and checks each outcome.
func TestConformReference(t *testing.T) {
	paths := referenceCases(t)
	stdout, stderr, err := runCLI(t, append([]string{"conform", "--json"}, paths...)...)
	var report struct {
		Cases                       []conformResult
		Passed, Failed, Unsupported int
	}
	if jerr := json.Unmarshal([]byte(stdout), &report); jerr != nil {
		t.Fatalf("conform --json: %v\nstdout: %s\nstderr: %s", jerr, stdout, stderr)
	}
	if len(report.Cases) != len(paths) {
		t.Fatalf("%d results for %d cases", len(report.Cases), len(paths))
	}
	for _, r := range report.Cases {
		why, expected := conformExpectedUnsupported[r.Name]
		switch {
		case expected && r.Status != statusUnsupported:
			t.Errorf("%s: %s (%s), expected UNSUPPORTED because %s", r.Name, r.Status, r.Detail, why)
		case !expected && r.Status != statusPass:
			t.Errorf("%s", r.line())
		}
	}
	if report.Failed != 0 || report.Unsupported != len(conformExpectedUnsupported) || report.Passed != len(paths)-len(conformExpectedUnsupported) {
		t.Errorf("summary %d passed, %d failed, %d unsupported", report.Passed, report.Failed, report.Unsupported)
	}
	if (err == nil) != (report.Passed == len(paths)) {
		t.Errorf("exit error %v with %d of %d passing", err, report.Passed, len(paths))
	}
}

// writeCase writes a backend test case directory: a model computing
// op(x) on a [2, 2] input, the input, and the given expected output.
func writeCase(t *testing.T, root, name, op string, in, want []float32) string {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Join(dir, "test_data_set_0"), 0o755); err != nil {
		t.Fatal(err)
	}
	shape := &onnx.TensorShapeProto{Dim: []*onnx.TensorShapeProto_Dimension{
		{Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: 2}},
		{Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: 2}},
	}}
	vi := func(name string) *onnx.ValueInfoProto {
		return &onnx.ValueInfoProto{Name: proto.String(name), Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{
			TensorType: &onnx.TypeProto_Tensor{ElemType: proto.Int32(1), Shape: shape}}}}
	}
	m := &onnx.ModelProto{IrVersion: proto.Int64(8),
		OpsetImport: []*onnx.OperatorSetIdProto{{Version: proto.Int64(13)}},
		Graph: &onnx.GraphProto{Name: proto.String(name),
			Node:   []*onnx.NodeProto{{OpType: proto.String(op), Input: []string{"x"}, Output: []string{"y"}, Name: proto.String("n")}},
			Input:  []*onnx.ValueInfoProto{vi("x")},
			Output: []*onnx.ValueInfoProto{vi("y")}}}
	write := func(p string, msg proto.Message) {
		b, err := proto.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tensor := func(name string, v []float32) *onnx.TensorProto {
		return &onnx.TensorProto{Name: proto.String(name), Dims: []int64{2, 2}, DataType: proto.Int32(1), FloatData: v}
	}
	write("model.onnx", m)
	write("test_data_set_0/input_0.pb", tensor("x", in))
	write("test_data_set_0/output_0.pb", tensor("y", want))
	return dir
}

func TestConformOutput(t *testing.T) {
	root := t.TempDir()
	pass := writeCase(t, root, "relu_ok", "Relu", []float32{-1, 2, -3, 4}, []float32{0, 2, 0, 4})
	near := writeCase(t, root, "relu_within_tolerance", "Relu", []float32{-1, 2000, -3, 4}, []float32{0, 2001, 0, 4})
	fail := writeCase(t, root, "relu_wrong", "Relu", []float32{-1, 2, -3, 4}, []float32{0, 2, 0, 4.5})
	unsup := writeCase(t, root, "foo", "Foo", []float32{1, 2, 3, 4}, []float32{1, 2, 3, 4})

	stdout, _, err := runCLI(t, "conform", pass, near)
	if err != nil {
		t.Fatalf("all passing: %v\n%s", err, stdout)
	}
	if !strings.HasSuffix(stdout, "2 passed, 0 failed, 0 unsupported\n") || !strings.HasPrefix(stdout, "PASS relu_ok") {
		t.Errorf("output:\n%s", stdout)
	}

	stdout, _, err = runCLI(t, "conform", pass, fail, unsup, filepath.Join(root, "missing"))
	if err == nil || exitCode(err) != 1 {
		t.Errorf("failures gave error %v (exit %d), want exit status 1", err, exitCode(err))
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	want := []string{
		"PASS relu_ok",
		"FAIL relu_wrong: max error 0.5",
		"UNSUPPORTED foo: Foo",
		"FAIL missing:",
		"1 passed, 2 failed, 1 unsupported",
	}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", stdout)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d is %q, want it to start with %q", i, lines[i], w)
		}
	}

	if _, _, err := runCLI(t, "conform"); exitCode(err) != 2 {
		t.Errorf("no arguments: %v, want a usage error", err)
	}
	if _, _, err := runCLI(t, "conform", "--frobnicate", pass); exitCode(err) != 2 {
		t.Errorf("unknown flag: %v, want a usage error", err)
	}
}

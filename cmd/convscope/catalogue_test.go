package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/badinput"
	"github.com/convscope/convscope/internal/format/onnx"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

// TestCatalogueImages feeds every entry of the bad-input catalogue to
// `convscope predict`: each broken file fails with its own message (and
// does not stop the other images), the 1×1 image works.
func TestCatalogueImages(t *testing.T) {
	dir := t.TempDir()
	for i, im := range badinput.Images() {
		t.Run(im.Name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(im.Name, " ", "_")+".img")
			if err := os.WriteFile(p, im.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, err := runCLI(t, "predict", p)
			if im.Status == 200 {
				if err != nil || !strings.HasPrefix(stdout, p+": ") {
					t.Fatalf("#%d: %v\nstdout %q\nstderr %q", i, err, stdout, stderr)
				}
				return
			}
			if err == nil || exitCode(err) != 1 {
				t.Fatalf("error %v, want exit status 1", err)
			}
			if want := "convscope: " + p + ": " + im.Want; !strings.Contains(stderr, want) {
				t.Errorf("stderr %q\ndoes not contain %q", stderr, want)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stderr shows a crash: %q", stderr)
			}
		})
	}
}

// onnxModel returns a Conv model with input x [1,3,8,8] and the given
// weight initializers.
func onnxModel(t *testing.T, inits ...*onnx.TensorProto) []byte {
	t.Helper()
	dim := func(d int64) *onnx.TensorShapeProto_Dimension {
		return &onnx.TensorShapeProto_Dimension{Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: d}}
	}
	in := &onnx.ValueInfoProto{Name: proto.String("x"), Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{TensorType: &onnx.TypeProto_Tensor{
		ElemType: proto.Int32(int32(onnx.TensorProto_FLOAT)),
		Shape:    &onnx.TensorShapeProto{Dim: []*onnx.TensorShapeProto_Dimension{dim(1), dim(3), dim(8), dim(8)}},
	}}}}
	conv := &onnx.NodeProto{Name: proto.String("conv"), OpType: proto.String("Conv"), Input: []string{"x", "W"}, Output: []string{"y"},
		Attribute: []*onnx.AttributeProto{{Name: proto.String("kernel_shape"), Type: onnx.AttributeProto_INTS.Enum(), Ints: []int64{3, 3}}}}
	g := &onnx.GraphProto{Name: proto.String("catalogue"), Node: []*onnx.NodeProto{conv}, Input: []*onnx.ValueInfoProto{in},
		Output: []*onnx.ValueInfoProto{{Name: proto.String("y")}}, Initializer: inits}
	m := &onnx.ModelProto{IrVersion: proto.Int64(8), Graph: g,
		OpsetImport: []*onnx.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(13)}}}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawWeights is a float initializer W with the given dims and n values in
// raw_data.
func rawWeights(dims []int64, n int) *onnx.TensorProto {
	b := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(0.5))
	}
	return &onnx.TensorProto{Name: proto.String("W"), Dims: dims, DataType: proto.Int32(int32(onnx.TensorProto_FLOAT)), RawData: b}
}

// TestCatalogueModels feeds broken model files of every format to
// `convscope analyze` and `convscope predict --model`: each fails at load
// with the message it deserves, never with a crash or an allocation.
func TestCatalogueModels(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const in8 = `input: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8` + "\n"
	proto := func(name, text string) string { return write(name+".prototxt", []byte(text)) }

	// TF.js: the default model, re-encoded.
	js, bin, err := tfjs.Marshal(mustDefault(t))
	if err != nil {
		t.Fatal(err)
	}
	tfjsModel := func(name string, js, bin []byte) string {
		write(filepath.Join(name, tfjs.ShardName), bin)
		return write(filepath.Join(name, "model.json"), js)
	}
	firstDense := bytes.Index(js, []byte(`"class_name":"Dense"`))
	if firstDense < 0 {
		t.Fatalf("no Dense layer in %s", js)
	}
	unknownClass := bytes.Replace(js, []byte(`"class_name":"Dense"`), []byte(`"class_name":"Zorblax"`), 1)

	img := write("one.png", badinput.OnePixelPNG())

	cases := []struct {
		name, file, want string
	}{
		{"prototxt cycle", proto("cycle", in8+`layer { name: "a" type: "ReLU" bottom: "b" top: "a" }
layer { name: "b" type: "ReLU" bottom: "a" top: "b" }`), `(caffe): graph has a cycle through node "a" (it depends on its own output "a")`},
		{"prototxt missing bottom", proto("missing", in8+`layer { name: "a" type: "ReLU" bottom: "nope" top: "a" }`), `layer "a" (ReLU): bottom "nope" is not produced by any layer or input`},
		{"prototxt negative dim", proto("negdim", `input: "x" input_dim: 1 input_dim: -3 input_dim: 8 input_dim: 8
layer { name: "a" type: "ReLU" bottom: "x" top: "a" }`), `input "x": shape [1 -3 8 8] has a negative dimension`},
		{"prototxt zero num_output", proto("zeroout", in8+`layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: 0 kernel_size: 3 } }`), `layer "c" (Convolution): num_output must be positive`},
		{"prototxt negative num_output", proto("negout", in8+`layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: -4 kernel_size: 3 } }`), `invalid value for uint64 type: -4`},
		{"prototxt 10^12 outputs", proto("huge", in8+`layer { name: "fc" type: "InnerProduct" bottom: "x" top: "fc" inner_product_param { num_output: 1000000000000 } }`), `layer "fc" (InnerProduct): num_output 1000000000000 is larger than 1073741824`},
		{"prototxt truncated", proto("trunc", in8+`layer { name: "a" type: "ReLU" bottom: "x" top: "a"`), `(caffe): parsing prototxt: proto: unexpected EOF`},
		{"onnx missing initializer", write("noinit.onnx", onnxModel(t)), `node "conv" (Conv): the weight: input "W" is not a graph input, an initializer or the output of any node (a missing initializer?)`},
		{"onnx raw_data shorter than dims", write("short.onnx", onnxModel(t, rawWeights([]int64{4, 3, 3, 3}, 10))), `tensor "W": raw data has 40 bytes, shape [4, 3, 3, 3] of FLOAT needs 432`},
		{"onnx truncated", write("trunc.onnx", onnxModel(t, rawWeights([]int64{4, 3, 3, 3}, 108))[:300]), `(onnx): not a valid ONNX model: proto: cannot parse invalid wire-format data`},
		{"tfjs weights shorter", tfjsModel("short", js, bin[:len(bin)/2]), `(tfjs): weight "output/kernel" needs 67600 bytes, but weight group 1 has only 27800 left (shards [group1-shard1of1.bin]): the weights file is shorter than the model says`},
		{"tfjs truncated json", tfjsModel("truncjson", js[:len(js)/2], bin), `model.json is not valid JSON`},
		{"empty file", write("empty.onnx", nil), `the file is empty`},
	}
	// An unknown layer type or class: analyze shows every layer ("?" where
	// the shapes are unknown) and warns naming it; predict refuses, naming it.
	for _, c := range []struct{ file, op, layer string }{
		{proto("unknown", in8+`layer { name: "z" type: "Zorblax" bottom: "x" top: "z" }`+"\n"+`layer { name: "r" type: "ReLU" bottom: "z" top: "r" }`), "Zorblax", "z (Zorblax)"},
		{tfjsModel("zorblax", unknownClass, bin), "Zorblax", "output (Zorblax)"},
	} {
		stdout, _, err := runCLI(t, "analyze", c.file)
		if err != nil || !strings.Contains(stdout, c.layer+"  ") || !strings.Contains(stdout, "Warning: unsupported operator(s) "+c.op+":") {
			t.Errorf("analyze %s: %v\n%s", c.file, err, stdout)
		}
		_, stderr, err := runCLI(t, "predict", "--model", c.file, img)
		if err == nil || exitCode(err) != 1 || !strings.Contains(stderr+err.Error(), "operator "+c.op+" is not supported") {
			t.Errorf("predict %s: %v %s", c.file, err, stderr)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, args := range [][]string{{"analyze", c.file}, {"predict", "--model", c.file, img}} {
				stdout, stderr, err := runCLI(t, args...)
				if err == nil {
					t.Fatalf("%v: no error; stdout %q", args, stdout)
				}
				if testing.Verbose() {
					t.Logf("%v: %s", args[0], stderr+err.Error())
				}
				// protobuf-go randomly writes "proto:" + U+00A0 or a space, so
				// that nobody depends on its messages' exact text.
				msg := strings.ReplaceAll(stderr+err.Error(), "\u00a0", " ")
				if !strings.Contains(msg, c.want) {
					t.Errorf("%v: message %q\ndoes not contain %q", args, msg, c.want)
				}
				if exitCode(err) != 1 || strings.Contains(msg, "goroutine") {
					t.Errorf("%v: exit %d, message %q", args, exitCode(err), msg)
				}
			}
		})
	}
}

func mustDefault(t *testing.T) *graph.Graph {
	t.Helper()
	g, err := zoo.Default()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

package caffe

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

func mustParse(t *testing.T, text string) *graph.Graph {
	t.Helper()
	g, err := Parse([]byte(text), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return g
}

func mustShapes(t *testing.T, g *graph.Graph) map[string]graph.Shape {
	t.Helper()
	s, err := g.InferShapes(1)
	if err != nil {
		t.Fatalf("InferShapes: %v", err)
	}
	return s
}

func checkShape(t *testing.T, shapes map[string]graph.Shape, value string, want ...int) {
	t.Helper()
	got, ok := shapes[value]
	if !ok {
		t.Errorf("no value %q", value)
		return
	}
	if !got.Equal(want) {
		t.Errorf("%s: shape %v, want %v", value, got, graph.Shape(want))
	}
}

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name, head string
		want       bool
	}{
		{"deploy.prototxt", "", true},
		{"x.caffemodel", "\x0a\x05", true},
		{"net.pt", "name: \"x\"\ninput: \"data\"\n", true},
		{"net.pt", "PK\x03\x04\x00\x00binary", false},
		{"net.pt", "# a long licence header without any statement yet", true},
		{"net.txt", "# comment\nname: \"n\"\nlayer {\n  name: \"a\"", true},
		{"net.txt", "layers{ name: 'a' }", true},
		{"model.json", `{"modelTopology": {"layers": []}}`, false},
		{"notes.txt", "hello world", false},
	} {
		if got := Sniff(c.name, []byte(c.head)); got != c.want {
			t.Errorf("Sniff(%q, %q) = %v, want %v", c.name, c.head, got, c.want)
		}
	}
}

const v1Net = `
name: "tiny_v1"
input: "data"
input_dim: 10
input_dim: 3
input_dim: 32
input_dim: 32
layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1"
  blobs_lr: 1 blobs_lr: 2
  convolution_param { num_output: 8 kernel_size: 5 stride: 1 pad: 2 } }
layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" }
layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
layers { name: "fc" type: INNER_PRODUCT bottom: "pool1" top: "fc"
  inner_product_param { num_output: 10 } }
layers { name: "prob" type: SOFTMAX bottom: "fc" top: "prob" }
`

func TestV1Syntax(t *testing.T) {
	g := mustParse(t, v1Net)
	if g.Name != "tiny_v1" {
		t.Errorf("name %q", g.Name)
	}
	var types, kinds []string
	for _, n := range g.Nodes {
		types = append(types, n.Type)
		kinds = append(kinds, n.Op.Kind())
	}
	if want := []string{"convolution", "relu", "pooling", "inner_product", "softmax"}; !slices.Equal(types, want) {
		t.Errorf("types %v, want %v", types, want)
	}
	if want := []string{"Conv", "Relu", "MaxPool", "Dense", "Softmax"}; !slices.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	if !g.Inputs[0].Shape.Equal(graph.Shape{-1, 3, 32, 32}) {
		t.Errorf("input %v", g.Inputs[0].Shape)
	}
	s := mustShapes(t, g)
	checkShape(t, s, "conv1", 1, 8, 32, 32)
	checkShape(t, s, "pool1", 1, 8, 16, 16) // ceil((32-3)/2)+1 = 16
	checkShape(t, s, "prob", 1, 10)
	if !slices.Equal(g.Outputs, []string{"prob"}) {
		t.Errorf("outputs %v", g.Outputs)
	}
}

func TestDataLayerInput(t *testing.T) {
	g := mustParse(t, `
layer { name: "data" type: "Data" top: "data" top: "label"
  transform_param { crop_size: 227 mirror: false mean_value: [104, 117, 123] }
  data_param { source: "x_lmdb" batch_size: 50 backend: LMDB } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
  convolution_param { num_output: 4 kernel_size: 11 stride: 4 } }`)
	if len(g.Inputs) != 1 || g.Inputs[0].Name != "data" || !g.Inputs[0].Shape.Equal(graph.Shape{-1, 3, 227, 227}) {
		t.Fatalf("inputs %v (want only data, 3×227×227: the unread label is not an input)", g.Inputs)
	}
	checkShape(t, mustShapes(t, g), "conv", 1, 4, 55, 55)

	// Grey ImageData with new_height/new_width and no crop.
	g = mustParse(t, `
layers { name: "data" type: IMAGE_DATA top: "data" top: "label"
  image_data_param { source: "list.txt" new_height: 64 new_width: 48 is_color: false } }
layers { name: "ip" type: INNER_PRODUCT bottom: "data" top: "ip" inner_product_param { num_output: 2 } }`)
	if !g.Inputs[0].Shape.Equal(graph.Shape{-1, 1, 64, 48}) {
		t.Errorf("ImageData input %v", g.Inputs[0].Shape)
	}

	// No size at all: the graph loads; its input size is unknown (-1).
	g = mustParse(t, `
layer { name: "data" type: "Data" top: "data" data_param { source: "x" } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 2 } }`)
	if !g.Inputs[0].Shape.Equal(graph.Shape{-1, 3, -1, -1}) {
		t.Errorf("sizeless Data input %v", g.Inputs[0].Shape)
	}
	if _, err := g.InferShapes(1); err == nil || !strings.Contains(err.Error(), "unknown size") {
		t.Errorf("InferShapes of an unknown size: %v", err)
	}

	// Input layer and input_shape.
	g = mustParse(t, `
layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 2 dim: 7 dim: 9 } } }
layer { name: "r" type: "ReLU" bottom: "x" top: "y" }`)
	if g.Inputs[0].Name != "x" || !g.Inputs[0].Shape.Equal(graph.Shape{-1, 2, 7, 9}) {
		t.Errorf("Input layer: %v", g.Inputs)
	}
	g = mustParse(t, `input: "x" input_shape { dim: 2 dim: 5 }
layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y" inner_product_param { num_output: 3 } }`)
	checkShape(t, mustShapes(t, g), "y", 1, 3)
}

func TestInPlaceNaming(t *testing.T) {
	g := mustParse(t, `
input: "data" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 4 kernel_size: 3 pad: 1 bias_term: false } }
layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }
layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }
layer { name: "pool" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool"
  pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
layer { name: "sum" type: "Eltwise" bottom: "conv1" bottom: "conv1" top: "sum" }`)
	type nv struct{ name, in, out string }
	var got []nv
	for _, n := range g.Nodes {
		got = append(got, nv{n.Name, n.Inputs[0], n.Outputs[0]})
	}
	want := []nv{
		{"conv1", "data", "conv1"},
		{"bn1", "conv1", "bn1"},
		{"scale1", "bn1", "scale1"},
		// "pool" is also a blob name, so the value is named blob@layer.
		{"pool", "scale1", "conv1@pool"},
		{"pool1", "conv1@pool", "pool"},
		{"sum", "conv1@pool", "sum"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("nodes (name, first input, output):\n got %v\nwant %v", got, want)
	}
	if bn := g.Node("bn1").Op.(*graph.BatchNorm); !bn.NoAffine || bn.Epsilon != 1e-5 {
		t.Errorf("BatchNorm %+v", bn)
	}
	if sc := g.Node("scale1").Op.(*graph.Affine); !sc.Bias || sc.NoScale {
		t.Errorf("Scale %+v", sc)
	}
	if !slices.Equal(g.Outputs, []string{"pool", "sum"}) {
		t.Errorf("outputs %v", g.Outputs)
	}
	s := mustShapes(t, g)
	checkShape(t, s, "pool", 1, 4, 4, 4)
	checkShape(t, s, "sum", 1, 4, 8, 8)
}

const trainVal = `
name: "tv"
layer { name: "data" type: "Data" top: "data" top: "label" include { phase: TRAIN }
  transform_param { crop_size: 32 } data_param { source: "train" batch_size: 64 } }
layer { name: "data" type: "Data" top: "data" top: "label" include { phase: TEST }
  transform_param { crop_size: 28 } data_param { source: "val" batch_size: 10 } }
layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "ip1" inner_product_param { num_output: 5 } }
layer { name: "drop" type: "Dropout" bottom: "ip1" top: "ip1" exclude { phase: TEST } }
layer { name: "accuracy" type: "Accuracy" bottom: "ip1" bottom: "label" top: "accuracy" include { phase: TEST } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip1" bottom: "label" top: "loss" }
`

func TestPhaseRules(t *testing.T) {
	g := mustParse(t, trainVal)
	var names []string
	for _, n := range g.Nodes {
		names = append(names, n.Name)
	}
	if want := []string{"ip1", "loss"}; !slices.Equal(names, want) {
		t.Errorf("nodes %v, want %v (TRAIN dropout and Accuracy dropped)", names, want)
	}
	if len(g.Inputs) != 1 || !g.Inputs[0].Shape.Equal(graph.Shape{-1, 3, 28, 28}) {
		t.Errorf("inputs %v, want the TEST data layer's 3×28×28 only", g.Inputs)
	}
	loss := g.Node("loss")
	if _, ok := loss.Op.(*graph.Softmax); !ok || loss.Type != "SoftmaxWithLoss" || !slices.Equal(loss.Inputs, []string{"ip1"}) {
		t.Errorf("loss node %+v (want a Softmax of ip1 typed SoftmaxWithLoss)", loss)
	}
	if !slices.Equal(g.Outputs, []string{"loss"}) {
		t.Errorf("outputs %v", g.Outputs)
	}

	// A TRAIN-only loss is kept as the softmax when nothing else applies
	// one (nin); a DIGITS-style net picks its deploy stage.
	g = mustParse(t, strings.Replace(trainVal, `top: "loss" }`, `top: "loss" include { phase: TRAIN } }`, 1))
	if n := g.Node("loss"); n == nil {
		t.Error("a TRAIN-only SoftmaxWithLoss was not kept as the deploy softmax")
	}
	g = mustParse(t, `
layer { name: "train-data" type: "Data" top: "data" top: "label" include { stage: "train" }
  transform_param { crop_size: 16 } }
layer { name: "deploy-in" type: "Input" top: "data" include { stage: "deploy" }
  input_param { shape { dim: 1 dim: 1 dim: 20 dim: 20 } } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 3 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" exclude { stage: "deploy" } }
layer { name: "softmax" type: "Softmax" bottom: "ip" top: "softmax" include { stage: "deploy" } }`)
	if g.Node("loss") != nil || g.Node("softmax") == nil || !g.Inputs[0].Shape.Equal(graph.Shape{-1, 1, 20, 20}) {
		t.Errorf("DIGITS deploy stage: nodes %v inputs %v", g.Nodes, g.Inputs)
	}
	// A data layer only for TRAIN still defines the input.
	g = mustParse(t, `
layer { name: "d" type: "Data" top: "data" include { phase: TRAIN } transform_param { crop_size: 12 } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 3 } }`)
	if len(g.Inputs) != 1 || !g.Inputs[0].Shape.Equal(graph.Shape{-1, 3, 12, 12}) {
		t.Errorf("TRAIN-only data layer: inputs %v", g.Inputs)
	}
}

func TestMixedSyntax(t *testing.T) {
	// Netscope's presets put an Input layer in the new syntax before V1
	// layers; the two lists are interleaved by their dependencies.
	g := mustParse(t, `
layers { name: "fc" type: INNER_PRODUCT bottom: "data" top: "fc" inner_product_param { num_output: 2 } }
layer { name: "data" type: "data" top: "data" input_param { shape { dim: 10 dim: 3 dim: 4 dim: 4 } } }
layers { name: "prob" type: SOFTMAX bottom: "fc" top: "prob" }`)
	checkShape(t, mustShapes(t, g), "prob", 1, 2)
	if g.Nodes[0].Type != "inner_product" {
		t.Errorf("first node %q %q", g.Nodes[0].Name, g.Nodes[0].Type)
	}
}

func TestLayerTypes(t *testing.T) {
	g := mustParse(t, `
input: "data" input_shape { dim: 1 dim: 4 dim: 8 dim: 8 }
layer { name: "conv_hw" type: "Convolution" bottom: "data" top: "conv_hw"
  convolution_param { num_output: 6 kernel_h: 3 kernel_w: 1 pad_h: 1 pad_w: 0 stride_h: 2 stride_w: 1 } }
layer { name: "conv_rep" type: "Convolution" bottom: "data" top: "conv_rep"
  convolution_param { num_output: 6 kernel_size: 3 kernel_size: 1 pad: 1 pad: 0 stride: 2 stride: 1 } }
layer { name: "dil" type: "Convolution" bottom: "data" top: "dil"
  convolution_param { num_output: 4 kernel_size: 3 dilation: 2 pad: 2 } }
layer { name: "dw" type: "Convolution" bottom: "data" top: "dw"
  convolution_param { num_output: 4 group: 4 kernel_size: 3 pad: 1 bias_term: false } }
layer { name: "deconv" type: "Deconvolution" bottom: "data" top: "deconv"
  convolution_param { num_output: 2 kernel_size: 4 stride: 2 pad: 1 } }
layer { name: "maxp" type: "Pooling" bottom: "data" top: "maxp" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
layer { name: "floorp" type: "Pooling" bottom: "data" top: "floorp" pooling_param { pool: MAX kernel_size: 3 stride: 2 round_mode: FLOOR } }
layer { name: "gap" type: "Pooling" bottom: "data" top: "gap" pooling_param { pool: AVE global_pooling: true } }
layer { name: "sum" type: "Eltwise" bottom: "data" bottom: "dil" top: "sum" eltwise_param { operation: SUM coeff: 1 coeff: -1 } }
layer { name: "prod" type: "Eltwise" bottom: "data" bottom: "dw" top: "prod" eltwise_param { operation: PROD } }
layer { name: "mx" type: "Eltwise" bottom: "data" bottom: "dw" top: "mx" eltwise_param { operation: MAX } }
layer { name: "cat" type: "Concat" bottom: "data" bottom: "dw" top: "cat" }
layer { name: "sl" type: "Slice" bottom: "cat" top: "s1" top: "s2" slice_param { slice_point: 2 } }
layer { name: "sp" type: "Split" bottom: "s2" top: "a" top: "b" }
layer { name: "crop" type: "Crop" bottom: "deconv" bottom: "data" top: "crop" crop_param { axis: 2 offset: 4 } }
layer { name: "perm" type: "Permute" bottom: "data" top: "perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "flat" type: "Flatten" bottom: "data" top: "flat" }
layer { name: "resh" type: "Reshape" bottom: "data" top: "resh" reshape_param { shape { dim: 0 dim: -1 dim: 16 } } }
layer { name: "pow" type: "Power" bottom: "data" top: "pow" power_param { power: 2 scale: 0.5 shift: 1 } }
layer { name: "prelu" type: "PReLU" bottom: "data" top: "prelu" }
layer { name: "elu" type: "ELU" bottom: "data" top: "elu" elu_param { alpha: 0.5 } }
layer { name: "leaky" type: "ReLU" bottom: "data" top: "leaky" relu_param { negative_slope: 0.1 } }
layer { name: "sig" type: "Sigmoid" bottom: "data" top: "sig" }
layer { name: "th" type: "TanH" bottom: "data" top: "th" }
layer { name: "lrn" type: "LRN" bottom: "data" top: "lrn" lrn_param { local_size: 3 alpha: 0.0001 beta: 0.75 } }
layer { name: "zoom" type: "Interp" bottom: "data" top: "zoom" interp_param { zoom_factor: 2 } }
layer { name: "shrink" type: "Interp" bottom: "data" top: "shrink" interp_param { shrink_factor: 3 } }
layer { name: "fixed" type: "Interp" bottom: "data" top: "fixed" interp_param { height: 5 width: 7 } }
layer { name: "up" type: "Upsample" bottom: "data" top: "up" upsample_param { scale: 2 } }
layer { name: "bias" type: "Bias" bottom: "data" top: "bias" }
layer { name: "se" type: "Scale" bottom: "data" bottom: "gap" top: "se" scale_param { axis: 0 } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 3 bias_term: false } }
layer { name: "sm" type: "Softmax" bottom: "ip" top: "sm" }`)
	s := mustShapes(t, g)
	checkShape(t, s, "conv_hw", 1, 6, 4, 8)
	checkShape(t, s, "conv_rep", 1, 6, 4, 8)
	checkShape(t, s, "dil", 1, 4, 8, 8)
	checkShape(t, s, "dw", 1, 4, 8, 8)
	checkShape(t, s, "deconv", 1, 2, 16, 16)
	checkShape(t, s, "maxp", 1, 4, 4, 4)   // ceil((8-3)/2)+1 = 4
	checkShape(t, s, "floorp", 1, 4, 3, 3) // floor
	checkShape(t, s, "gap", 1, 4, 1, 1)
	checkShape(t, s, "sum", 1, 4, 8, 8)
	checkShape(t, s, "cat", 1, 8, 8, 8)
	checkShape(t, s, "s1", 1, 2, 8, 8)
	checkShape(t, s, "s2", 1, 6, 8, 8)
	checkShape(t, s, "a", 1, 6, 8, 8)
	checkShape(t, s, "b", 1, 6, 8, 8)
	checkShape(t, s, "crop", 1, 2, 8, 8)
	checkShape(t, s, "perm", 1, 8, 8, 4)
	checkShape(t, s, "flat", 1, 256)
	checkShape(t, s, "resh", 1, 16, 16)
	checkShape(t, s, "zoom", 1, 4, 15, 15) // 8 + 7·(2−1)
	checkShape(t, s, "shrink", 1, 4, 3, 3) // (8−1)/3 + 1
	checkShape(t, s, "fixed", 1, 4, 5, 7)
	checkShape(t, s, "up", 1, 4, 16, 16)
	checkShape(t, s, "se", 1, 4, 8, 8)
	checkShape(t, s, "sm", 1, 3)

	want := map[string]string{
		"conv_hw": "Conv", "deconv": "ConvTranspose", "maxp": "MaxPool", "gap": "GlobalAveragePool",
		"sum": "Add", "prod": "Mul", "mx": "Max", "sl": "Slice", "sp": "Identity", "sp/1": "Identity",
		"crop": "Crop", "perm": "Transpose", "flat": "Flatten", "resh": "Reshape", "pow": "Power",
		"prelu": "PRelu", "elu": "Elu", "leaky": "LeakyRelu", "sig": "Sigmoid", "th": "Tanh", "lrn": "LRN",
		"zoom": "Resize", "up": "Resize", "bias": "Affine", "se": "Mul", "ip": "Dense", "sm": "Softmax",
	}
	for name, kind := range want {
		n := g.Node(name)
		if n == nil {
			t.Errorf("no node %q", name)
			continue
		}
		if n.Op.Kind() != kind {
			t.Errorf("%s: kind %s, want %s", name, n.Op.Kind(), kind)
		}
	}
	conv := g.Node("conv_hw").Op.(*graph.Conv)
	if conv.Kernel != [2]int{3, 1} || conv.Stride != [2]int{2, 1} || conv.Pads != [4]int{1, 0, 1, 0} || !conv.Bias {
		t.Errorf("conv_hw window %+v", conv)
	}
	if c := g.Node("dw").Op.(*graph.Conv); c.Groups != 4 || c.Bias {
		t.Errorf("depthwise %+v", c)
	}
	if c := g.Node("dil").Op.(*graph.Conv); c.Dilation != [2]int{2, 2} {
		t.Errorf("dilation %+v", c)
	}
	if p := g.Node("gap").Op.(*graph.Pool); !p.Global || p.Type != graph.AvgPool || !p.CountIncludePad {
		t.Errorf("global pool %+v", p)
	}
	if p := g.Node("maxp").Op.(*graph.Pool); !p.CeilMode {
		t.Errorf("Caffe pooling must round up: %+v", p)
	}
	if e := g.Node("sum").Op.(*graph.Eltwise); !slices.Equal(e.Coeffs, []float32{1, -1}) {
		t.Errorf("coeffs %v", e.Coeffs)
	}
	if a := g.Node("leaky").Op.(*graph.Activation); a.Alpha != 0.1 {
		t.Errorf("leaky alpha %v", a.Alpha)
	}
	if p := g.Node("pow").Op.(*graph.Power); *p != (graph.Power{Exponent: 2, Scale: 0.5, Shift: 1}) {
		t.Errorf("power %+v", p)
	}
	if l := g.Node("lrn").Op.(*graph.LRN); l.Size != 3 || l.Bias != 1 || l.Beta != 0.75 {
		t.Errorf("lrn %+v", l)
	}
	if b := g.Node("bias").Op.(*graph.Affine); !b.NoScale || !b.Bias {
		t.Errorf("bias %+v", b)
	}
}

func TestBadNetworks(t *testing.T) {
	const in = `input: "data" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
`
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"cycle", in + `
layer { name: "a" type: "ReLU" bottom: "b" top: "a" }
layer { name: "b" type: "ReLU" bottom: "a" top: "b" }`, []string{"cycle"}},
		{"missing bottom", in + `
layer { name: "r" type: "ReLU" bottom: "nope" top: "r" }`, []string{`"r"`, `"nope"`, "not produced"}},
		{"num_output 1e12", in + `
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 1000000000000 kernel_size: 1 } }`,
			[]string{`"c"`, "num_output", "1000000000000"}},
		{"num_output 4e9", in + `
layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4000000000 } }`,
			[]string{`"fc"`, "num_output"}},
		{"huge output", in + `
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 100000000 kernel_size: 1 } }`,
			[]string{`"c"`, "elements"}},
		{"huge input", `input: "data" input_dim: 1 input_dim: 3 input_dim: 100000 input_dim: 100000
layer { name: "r" type: "ReLU" bottom: "data" top: "r" }`, []string{"data", "elements"}},
		{"zero num_output", in + `
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 0 kernel_size: 1 } }`,
			[]string{`"c"`, "num_output must be positive"}},
		{"negative input dim", `input: "data" input_dim: 1 input_dim: -3 input_dim: 8 input_dim: 8`, []string{`"data"`, "negative"}},
		{"negative input_shape", `input: "data" input_shape { dim: 1 dim: 3 dim: -8 dim: 8 }`, []string{"negative"}},
		{"negative reshape", in + `
layer { name: "rs" type: "Reshape" bottom: "data" top: "rs" reshape_param { shape { dim: 0 dim: -5 } } }`, []string{`"rs"`, "-5"}},
		{"bad reshape", in + `
layer { name: "rs" type: "Reshape" bottom: "data" top: "rs" reshape_param { shape { dim: 0 dim: 7 dim: -1 } } }`, []string{`"rs"`, "reshape"}},
		{"no input", `layer { name: "r" type: "ReLU" bottom: "x" top: "r" }`, []string{"not produced"}},
		{"empty", ``, []string{"no input"}},
		{"garbage", `layer { name: "a" {{{`, []string{"parsing prototxt"}},
		{"within channel", in + `
layer { name: "n" type: "LRN" bottom: "data" top: "n" lrn_param { norm_region: WITHIN_CHANNEL } }`, []string{`"n"`, "WITHIN_CHANNEL"}},
		{"no kernel", in + `
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 } }`, []string{`"c"`, "kernel size"}},
		{"kernel too big", in + `
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 9 } }`, []string{`"c"`, "larger than"}},
		{"two producers", in + `
layer { name: "a" type: "ReLU" bottom: "data" top: "x" }
layer { name: "b" type: "Sigmoid" bottom: "data" top: "x" }`, []string{`"b"`, `"x"`, "already produced"}},
		{"3-D kernel", in + `
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 1 kernel_size: 1 kernel_size: 1 } }`, []string{`"c"`, "2-D"}},
		{"bad groups", in + `
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 4 kernel_size: 1 group: 2 } }`, []string{`"c"`, "groups"}},
		{"bad slice", in + `
layer { name: "s" type: "Slice" bottom: "data" top: "a" top: "b" slice_param { slice_point: 5 } }`, []string{`"s"`, "Slice"}},
		{"concat mismatch", in + `
layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { kernel_size: 2 stride: 2 } }
layer { name: "cat" type: "Concat" bottom: "data" bottom: "p" top: "cat" }`, []string{`"cat"`, "Concat"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.text), nil)
			if err == nil {
				t.Fatalf("no error")
			}
			t.Log(err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadFromFS(t *testing.T) {
	fsys := format.MemFS{"net.prototxt": []byte(v1Net)}
	g, name, err := format.OpenFS(fsys, "net.prototxt")
	if err != nil || name != "caffe" {
		t.Fatalf("OpenFS: %v, %q", err, name)
	}
	if g.Name != "tiny_v1" || g.Node("conv1").Params != nil {
		t.Errorf("graph %q, conv params %v", g.Name, g.Node("conv1").Params)
	}
}

func TestManyLayers(t *testing.T) {
	var b strings.Builder
	b.WriteString(`input: "data" input_shape { dim: 1 dim: 2 }` + "\n")
	for range 5000 {
		b.WriteString(`layer { name: "r" type: "ReLU" bottom: "data" top: "data" }` + "\n")
	}
	// 5000 in-place layers of one name: unique names in linear time.
	g := mustParse(t, b.String())
	if len(g.Nodes) != 5000 || g.Nodes[1].Name != "r#2" || g.Nodes[4999].Name != "r#5000" || g.Outputs[0] != "r#5000" {
		t.Errorf("nodes %d, second %q, last %q, outputs %v", len(g.Nodes), g.Nodes[1].Name, g.Nodes[4999].Name, g.Outputs)
	}
	for range graph.DefaultLimits.MaxNodes - 4999 {
		b.WriteString(`layer { name: "r" type: "ReLU" bottom: "data" top: "data" }` + "\n")
	}
	if _, err := Parse([]byte(b.String()), nil); err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Errorf("too many layers: %v", err)
	}
}

// TestTypedErrors: a syntax error carries the position prototext reports
// in its message, an error about a layer the layer's name, and
// LayerPosition finds that layer's name field.
func TestTypedErrors(t *testing.T) {
	_, err := ParseText([]byte("name: \"x\"\nlayer {\n  name: = \"a\"\n}\n"))
	var se *format.SyntaxError
	if !errors.As(err, &se) || se.Line != 3 || !strings.Contains(err.Error(), fmt.Sprintf("(line %d:%d)", se.Line, se.Column)) {
		t.Fatalf("syntax error %v: %+v", err, se)
	}
	text := "name: \"x\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n" +
		"layer {\n  name: \"c1\"\n  type: \"Convolution\"\n  bottom: \"data\"\n  top: \"c1\"\n}\n"
	_, err = Parse([]byte(text), nil)
	var ne *graph.NodeError
	if !errors.As(err, &ne) || ne.Node != "c1" || !strings.Contains(err.Error(), `layer "c1" (Convolution)`) {
		t.Fatalf("layer error %v: %+v", err, ne)
	}
	if l, c := LayerPosition([]byte(text), "c1"); l != 5 || c != 3 {
		t.Errorf("LayerPosition(c1) = %d:%d, want 5:3", l, c)
	}
	if l, c := LayerPosition([]byte(text), "c2"); l != 0 || c != 0 {
		t.Errorf("LayerPosition(c2) = %d:%d, want 0:0", l, c)
	}
	// Only a layer's own name field counts: not the net's name, a
	// parameter's, a comment or a string; any order, either quote, escapes.
	text = "name: \"r\"\n# layer { name: \"r\" }\nlayer { type: \"é\" param { name: \"r\" } bottom: \"name: 'r'\"\n" +
		"  top: \"r\" name: 'r' }\nlayers: { name: \"q\\\"x\" }\n"
	for _, c := range []struct {
		name         string
		line, column int
	}{{"r", 4, 12}, {`q"x`, 5, 11}, {"é", 0, 0}} {
		if l, col := LayerPosition([]byte(text), c.name); l != c.line || col != c.column {
			t.Errorf("LayerPosition(%q) = %d:%d, want %d:%d", c.name, l, col, c.line, c.column)
		}
	}
	if _, err := ParseText([]byte(text)); err != nil {
		t.Fatalf("the text is not a valid prototxt: %v", err)
	}
}

// TestProtoNamespace: the messages are registered under convscope.caffe
// (not Caffe's global "caffe") from a file path of their own, so another
// caffe.proto linked into the same binary cannot conflict.
func TestProtoNamespace(t *testing.T) {
	d := (&NetParameter{}).ProtoReflect().Descriptor()
	if d.FullName() != "convscope.caffe.NetParameter" || d.ParentFile().Path() != "internal/format/caffe/caffe.proto" {
		t.Errorf("NetParameter registered as %s in %s", d.FullName(), d.ParentFile().Path())
	}
}

// A layer type convscope cannot represent (unknown, or known but not
// supported) is kept as a graph.Unknown node with its type, parameters and
// blobs; the layers before it keep their shapes, the ones after it have
// none, and the engine refuses the graph naming the type.
func TestUnknownLayersAreKept(t *testing.T) {
	text := `input: "data" input_shape { dim: 1 dim: 2 dim: 4 dim: 4 }
layer { name: "r" type: "ReLU" bottom: "data" top: "r" }
layer { name: "weird" type: "Frobnicate" bottom: "r" top: "weird" frobnicate_param { x: 1 } }
layer { name: "py" type: "Python" bottom: "weird" top: "py" }
layer { name: "c" type: "Convolution" bottom: "py" top: "c" convolution_param { num_output: 3 kernel_size: 1 } }
layer { name: "p" type: "Pooling" bottom: "r" top: "p" pooling_param { pool: MAX global_pooling: true } }`
	// prototext refuses an unknown field: use the layer without it.
	text = strings.Replace(text, " frobnicate_param { x: 1 }", "", 1)
	g := mustParse(t, text)
	if got := g.Unsupported(); !slices.Equal(got, []string{"Frobnicate", "Python"}) {
		t.Fatalf("Unsupported() = %v", got)
	}
	if u, ok := g.Node("py").Op.(*graph.Unknown); !ok || u.Type != "Python" {
		t.Fatalf("py is %#v", g.Node("py").Op)
	}
	shapes, err := g.InferPartial(1)
	if err != nil {
		t.Fatal(err)
	}
	if !shapes["p"].Equal(graph.Shape{1, 2, 1, 1}) {
		t.Errorf("p: %v", shapes["p"])
	}
	for _, v := range []string{"weird", "py", "c"} {
		if _, ok := shapes[v]; ok {
			t.Errorf("%s has a shape", v)
		}
	}
	if _, err := g.InferShapes(1); !graph.IsUnsupported(err) || !strings.Contains(err.Error(), "Frobnicate") {
		t.Errorf("InferShapes: %v", err)
	}
}

package badinput

// Hostile model files (issue 15): tiny uploads that made the server
// allocate gigabytes before it had a memory budget. They are generated here,
// not committed, and used by the server and importer tests and by
// cmd/loadtest.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/onnx"
)

// HugeConstantLen is the length of finding 1's ConstantOfShape: 2³⁰ − 1024
// int64 elements (8 GiB), just under the 2³⁰-element limit on one tensor.
const HugeConstantLen = 1<<30 - 1024

// ConstantOfShapeONNX is a small runnable ONNX model (an image input, a
// Gemm classifier) with count unused ConstantOfShape nodes, each of shape
// [n] and type int64: constant folding would materialise count × 8n bytes.
// With count 1 and n = HugeConstantLen it is the 734-byte file of finding 1
// (a few bytes more or less, with its classifier).
func ConstantOfShapeONNX(n int64, count int) []byte {
	m := classifier("hostile-constant")
	g := m.Graph
	g.Initializer = append(g.Initializer, &onnx.TensorProto{Name: proto.String("huge_shape"), Dims: []int64{1},
		DataType: proto.Int32(int32(onnx.TensorProto_INT64)), Int64Data: []int64{n}})
	value := &onnx.TensorProto{Name: proto.String("value"), Dims: []int64{1}, DataType: proto.Int32(int32(onnx.TensorProto_INT64)), Int64Data: []int64{7}}
	for i := range count {
		out := fmt.Sprintf("unused_%d", i)
		g.Node = append(g.Node, &onnx.NodeProto{OpType: proto.String("ConstantOfShape"), Name: proto.String(out),
			Input: []string{"huge_shape"}, Output: []string{out},
			Attribute: []*onnx.AttributeProto{{Name: proto.String("value"), Type: onnx.AttributeProto_TENSOR.Enum(), T: value}}})
	}
	return marshal(m)
}

// LongNameONNX is a small runnable ONNX model whose graph name is nameLen
// bytes long (finding 4).
func LongNameONNX(nameLen int) []byte {
	m := classifier(strings.Repeat("N", nameLen))
	return marshal(m)
}

// WideONNX is a runnable ONNX model with an input of 3×side×side whose
// activations are 2 × 3·side² + 14 elements (the input and its Relu) and
// whose weights are 16 values (finding 5: uploads just under the activation
// cap). side = 2364 is just under serve's default cap of 2²⁵.
func WideONNX(side int64) []byte {
	return marshal(classifierSized("wide", side))
}

// ExternalDataONNX is finding 3: a model.onnx whose count float
// initializers all point at offset 0 of one external file of fileBytes
// bytes, and that file. Reading every initializer would materialise
// count × fileBytes.
func ExternalDataONNX(count, fileBytes int) format.MemFS {
	m := classifier("hostile-external")
	g := m.Graph
	for i := range count {
		g.Initializer = append(g.Initializer, &onnx.TensorProto{
			Name: proto.String(fmt.Sprintf("ext_%d", i)), Dims: []int64{int64(fileBytes / 4)},
			DataType:     proto.Int32(int32(onnx.TensorProto_FLOAT)),
			DataLocation: onnx.TensorProto_EXTERNAL.Enum(),
			ExternalData: []*onnx.StringStringEntryProto{
				{Key: proto.String("location"), Value: proto.String("weights.bin")},
				{Key: proto.String("offset"), Value: proto.String("0")},
				{Key: proto.String("length"), Value: proto.String(fmt.Sprint(fileBytes / 4 * 4))},
			},
		})
	}
	return format.MemFS{"model.onnx": marshal(m), "weights.bin": make([]byte, fileBytes)}
}

// RepeatedShardTFJS is finding 2: a TF.js model.json whose manifest lists
// one shard of shardBytes bytes repeats times, for one uint8-quantised
// weight of shardBytes × repeats elements (decoded to float32: 4 × that).
func RepeatedShardTFJS(shardBytes, repeats int) format.MemFS {
	paths := make([]string, repeats)
	for i := range paths {
		paths[i] = "group1-shard1of1.bin"
	}
	n := shardBytes * repeats
	mj := map[string]any{
		"format": "layers-model",
		"modelTopology": map[string]any{
			"class_name": "Sequential",
			"config": map[string]any{"name": "hostile-shards", "layers": []any{
				map[string]any{"class_name": "Flatten", "config": map[string]any{"name": "flatten", "batch_input_shape": []any{nil, 1, 1, n}}},
				map[string]any{"class_name": "Dense", "config": map[string]any{"name": "dense", "units": 1, "use_bias": false}},
			}},
		},
		"weightsManifest": []any{map[string]any{
			"paths": paths,
			"weights": []any{map[string]any{"name": "dense/kernel", "shape": []int{n, 1}, "dtype": "float32",
				"quantization": map[string]any{"dtype": "uint8", "scale": 1, "min": 0}}},
		}},
	}
	b, err := json.Marshal(mj)
	if err != nil {
		panic(err)
	}
	return format.MemFS{"model.json": b, "group1-shard1of1.bin": make([]byte, shardBytes)}
}

// classifier is a runnable ONNX model: x [1, 3, 4, 4] → Relu →
// GlobalAveragePool → Flatten → Gemm (3 → 4) → Softmax.
func classifier(name string) *onnx.ModelProto { return classifierSized(name, 4) }

func classifierSized(name string, side int64) *onnx.ModelProto {
	f := func(name string, dims ...int64) *onnx.TensorProto {
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		return &onnx.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(onnx.TensorProto_FLOAT)),
			RawData: make([]byte, 4*n)}
	}
	node := func(op string, ins []string, out string) *onnx.NodeProto {
		return &onnx.NodeProto{OpType: proto.String(op), Name: proto.String(out), Input: ins, Output: []string{out}}
	}
	dim := func(d int64) *onnx.TensorShapeProto_Dimension {
		return &onnx.TensorShapeProto_Dimension{Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: d}}
	}
	x := &onnx.ValueInfoProto{Name: proto.String("x"), Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{TensorType: &onnx.TypeProto_Tensor{
		ElemType: proto.Int32(int32(onnx.TensorProto_FLOAT)),
		Shape:    &onnx.TensorShapeProto{Dim: []*onnx.TensorShapeProto_Dimension{dim(1), dim(3), dim(side), dim(side)}},
	}}}}
	g := &onnx.GraphProto{
		Name:        proto.String(name),
		Input:       []*onnx.ValueInfoProto{x},
		Initializer: []*onnx.TensorProto{f("w", 3, 4), f("b", 4)},
		Node: []*onnx.NodeProto{
			node("Relu", []string{"x"}, "relu"),
			node("GlobalAveragePool", []string{"relu"}, "pool"),
			node("Flatten", []string{"pool"}, "flat"),
			node("Gemm", []string{"flat", "w", "b"}, "logits"),
			node("Softmax", []string{"logits"}, "probs"),
		},
		Output: []*onnx.ValueInfoProto{{Name: proto.String("probs")}},
	}
	return &onnx.ModelProto{IrVersion: proto.Int64(8), Graph: g,
		OpsetImport: []*onnx.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(13)}}}
}

func marshal(m *onnx.ModelProto) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// ZipBombKeras is a .keras archive whose config.json declares declared
// bytes in its zip header but inflates to inflated zero bytes (a zip bomb
// that lies about its size: about inflated/1000 bytes of file).
func ZipBombKeras(declared, inflated int) []byte {
	var deflated bytes.Buffer
	fw, err := flate.NewWriter(&deflated, flate.BestCompression)
	if err != nil {
		panic(err)
	}
	zeros := make([]byte, 1<<20)
	for n := inflated; n > 0; n -= len(zeros) {
		fw.Write(zeros[:min(n, len(zeros))])
	}
	fw.Close()
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	w, err := z.CreateRaw(&zip.FileHeader{Name: "config.json", Method: zip.Deflate,
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: uint64(declared)})
	if err != nil {
		panic(err)
	}
	w.Write(deflated.Bytes())
	if err := z.Close(); err != nil {
		panic(err)
	}
	return out.Bytes()
}

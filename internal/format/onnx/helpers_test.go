package onnx

import (
	"encoding/binary"
	"math"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
)

// Builders of small ONNX models for tests.

func node(op string, ins, outs []string, attrs ...*AttributeProto) *NodeProto {
	return &NodeProto{OpType: proto.String(op), Input: ins, Output: outs, Name: proto.String(outs[0]), Attribute: attrs}
}

func aInt(name string, v int64) *AttributeProto {
	return &AttributeProto{Name: proto.String(name), Type: AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func aInts(name string, v ...int64) *AttributeProto {
	return &AttributeProto{Name: proto.String(name), Type: AttributeProto_INTS.Enum(), Ints: v}
}

func aFloat(name string, v float32) *AttributeProto {
	return &AttributeProto{Name: proto.String(name), Type: AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

func aString(name, v string) *AttributeProto {
	return &AttributeProto{Name: proto.String(name), Type: AttributeProto_STRING.Enum(), S: []byte(v)}
}

func aTensor(name string, t *TensorProto) *AttributeProto {
	return &AttributeProto{Name: proto.String(name), Type: AttributeProto_TENSOR.Enum(), T: t}
}

// vi declares a tensor value; a negative dimension is symbolic.
func vi(name string, dt TensorProto_DataType, dims ...int64) *ValueInfoProto {
	shape := &TensorShapeProto{}
	for _, d := range dims {
		if d < 0 {
			shape.Dim = append(shape.Dim, &TensorShapeProto_Dimension{Value: &TensorShapeProto_Dimension_DimParam{DimParam: "N"}})
		} else {
			shape.Dim = append(shape.Dim, &TensorShapeProto_Dimension{Value: &TensorShapeProto_Dimension_DimValue{DimValue: d}})
		}
	}
	return &ValueInfoProto{Name: proto.String(name), Type: &TypeProto{Value: &TypeProto_TensorType{TensorType: &TypeProto_Tensor{ElemType: proto.Int32(int32(dt)), Shape: shape}}}}
}

func fin(name string, dims ...int64) *ValueInfoProto { return vi(name, TensorProto_FLOAT, dims...) }

func ftensor(name string, dims []int64, v ...float32) *TensorProto {
	return &TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(TensorProto_FLOAT)), FloatData: v}
}

// rawFloats stores v as raw_data.
func rawFloats(name string, dims []int64, v ...float32) *TensorProto {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return &TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(TensorProto_FLOAT)), RawData: b}
}

func itensor(name string, dims []int64, v ...int64) *TensorProto {
	return &TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(TensorProto_INT64)), Int64Data: v}
}

type modelSpec struct {
	opset   int64
	ir      int64
	nodes   []*NodeProto
	inputs  []*ValueInfoProto
	outputs []string
	inits   []*TensorProto
}

func (s modelSpec) bytes(t testing.TB) []byte {
	t.Helper()
	ir := s.ir
	if ir == 0 {
		ir = 8
	}
	g := &GraphProto{Name: proto.String("test"), Node: s.nodes, Input: s.inputs, Initializer: s.inits}
	for _, o := range s.outputs {
		g.Output = append(g.Output, &ValueInfoProto{Name: proto.String(o)})
	}
	m := &ModelProto{IrVersion: proto.Int64(ir), Graph: g,
		OpsetImport: []*OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(s.opset)}}}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// load imports a model built from s.
func (s modelSpec) load(t testing.TB, opts Options) *graph.Graph {
	t.Helper()
	g, err := Decode(s.bytes(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// run executes g on feeds (in graph input order) and returns its outputs.
func run(t testing.TB, g *graph.Graph, feeds ...[]float32) map[string]*graph.Tensor {
	t.Helper()
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run(feeds...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*graph.Tensor{}
	for _, name := range g.Outputs {
		v := vals[name]
		out[name] = &graph.Tensor{Shape: v.Shape, Data: append([]float32(nil), v.Data...)}
	}
	return out
}

func near(t testing.TB, what string, got *graph.Tensor, shape []int, want ...float32) {
	t.Helper()
	if shape != nil && !graph.Shape(got.Shape).Equal(shape) {
		t.Fatalf("%s: shape %v, want %v", what, graph.Shape(got.Shape), graph.Shape(shape))
	}
	if len(got.Data) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got.Data, want)
	}
	for i := range want {
		if d := math.Abs(float64(got.Data[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s: got %v, want %v", what, got.Data, want)
		}
	}
}

// kinds lists the operator kinds of g's nodes in order.
func kinds(g *graph.Graph) []string {
	var k []string
	for _, n := range g.Nodes {
		k = append(k, n.Op.Kind())
	}
	return k
}

func seq(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i + 1)
	}
	return v
}

package onnx

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// TestFreeInputSize imports x: [N, 3, H, W] (dim_param H and W, as most
// exports leave them) → GlobalAveragePool: refused with a
// *format.FreeSizeError suggesting 3,224,224 without a size; an input size
// must agree with the fixed channels and have the input's rank; 3,4,5 runs,
// and the channel means of 1…60 are 10.5, 30.5, 50.5 by hand.
func TestFreeInputSize(t *testing.T) {
	x := vi("x", TensorProto_FLOAT, -1, 3, -1, -1)
	x.GetType().GetTensorType().GetShape().Dim[2].Value = &TensorShapeProto_Dimension_DimParam{DimParam: "H"}
	x.GetType().GetTensorType().GetShape().Dim[3].Value = &TensorShapeProto_Dimension_DimParam{DimParam: "W"}
	spec := modelSpec{opset: 13, inputs: []*ValueInfoProto{x}, outputs: []string{"y"},
		nodes: []*NodeProto{node("GlobalAveragePool", []string{"x"}, []string{"y"})}}
	b := spec.bytes(t)

	_, err := Decode(b, Options{})
	var fe *format.FreeSizeError
	if !errors.As(err, &fe) || !reflect.DeepEqual(fe.Suggest, []int{3, 224, 224}) || !strings.Contains(err.Error(), "--input 3,224,224") {
		t.Fatalf("without a size: %v, want a FreeSizeError suggesting --input 3,224,224", err)
	}
	for _, bad := range [][]int{{1, 4, 5}, {3, 4}} {
		if _, err := Decode(b, Options{Input: bad}); err == nil || !strings.Contains(err.Error(), `"x"`) {
			t.Errorf("input size %v: %v, want an error naming the input", bad, err)
		}
	}
	g := spec.load(t, Options{Input: []int{3, 4, 5}})
	if want := (graph.Shape{-1, 3, 4, 5}); !reflect.DeepEqual(g.Inputs[0].Shape, want) {
		t.Fatalf("input shape %v, want %v (batch still free)", g.Inputs[0].Shape, want)
	}
	out := run(t, g, seq(60))
	near(t, "y", out["y"], []int{1, 3, 1, 1}, 10.5, 30.5, 50.5)

	// The same through format.OpenFSWith, as analyze, predict and serve
	// open files.
	g, _, err = format.OpenFSWith(format.MemFS{"m.onnx": b}, "m.onnx", format.Options{Input: []int{3, 8, 8}})
	if err != nil || !reflect.DeepEqual(g.Inputs[0].Shape, graph.Shape{-1, 3, 8, 8}) {
		t.Fatalf("OpenFSWith: %v, %v", g, err)
	}
}

package onnx

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/testref"
)

// TestHostileAttributes imports every reference node model with each
// attribute replaced by extreme values: the importer must return an error
// or a valid graph, never panic.
func TestHostileAttributes(t *testing.T) {
	dir := testref.Dir(t, "onnx")
	models, _ := filepath.Glob(filepath.Join(dir, "*", "test_*", "model.onnx"))
	ints := []int64{-1, 0, 1 << 31, -(1 << 31), 1 << 40, math.MaxInt64, math.MinInt64}
	floats := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, -1e30}
	tried, ran := 0, 0
	for _, p := range models {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		try := func(m *ModelProto) {
			tried++
			data, err := proto.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			g, err := Decode(data, Options{MaxElems: 1 << 22})
			if err != nil {
				return
			}
			if err := g.Validate(); err != nil {
				t.Errorf("%s: imported graph does not validate: %v", p, err)
			}
			// Run what imports, when it is small.
			shapes, err := g.InferShapes(1)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				return
			}
			total := 0
			for _, s := range shapes {
				total += s.Elems()
			}
			if total > 1<<22 {
				return
			}
			prog, err := engine.Compile(g, 1)
			if err != nil {
				return
			}
			feeds := make([][]float32, len(g.Inputs))
			for i, in := range g.Inputs {
				feeds[i] = make([]float32, shapes[in.Name].Elems())
			}
			ran++
			if _, err := prog.Run(feeds...); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		m := &ModelProto{}
		if err := proto.Unmarshal(b, m); err != nil {
			t.Fatal(err)
		}
		for ni, n := range m.GetGraph().GetNode() {
			for ai, a := range n.GetAttribute() {
				switch {
				case a.I != nil:
					for _, v := range ints {
						c := proto.Clone(m).(*ModelProto)
						c.Graph.Node[ni].Attribute[ai].I = proto.Int64(v)
						try(c)
					}
				case len(a.Ints) > 0:
					for j := range a.Ints {
						for _, v := range ints {
							c := proto.Clone(m).(*ModelProto)
							c.Graph.Node[ni].Attribute[ai].Ints[j] = v
							try(c)
						}
					}
					c := proto.Clone(m).(*ModelProto)
					c.Graph.Node[ni].Attribute[ai].Ints = a.Ints[:len(a.Ints)-1]
					try(c)
				case a.F != nil:
					for _, v := range floats {
						c := proto.Clone(m).(*ModelProto)
						c.Graph.Node[ni].Attribute[ai].F = proto.Float32(v)
						try(c)
					}
				}
			}
			// Drop each input and each output of the node.
			for j := range n.Input {
				c := proto.Clone(m).(*ModelProto)
				in := c.Graph.Node[ni].Input
				c.Graph.Node[ni].Input = append(in[:j:j], in[j+1:]...)
				try(c)
			}
		}
		// Extreme declared input dimensions.
		for ii, in := range m.GetGraph().GetInput() {
			dims := in.GetType().GetTensorType().GetShape().GetDim()
			for di := range dims {
				for _, v := range []int64{0, -5, 1 << 40, 100000} {
					c := proto.Clone(m).(*ModelProto)
					c.Graph.Input[ii].Type.GetTensorType().Shape.Dim[di].Value = &TensorShapeProto_Dimension_DimValue{DimValue: v}
					try(c)
				}
			}
		}
	}
	t.Logf("%d variants of %d models, %d run", tried, len(models), ran)
}

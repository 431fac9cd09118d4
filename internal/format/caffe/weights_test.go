package caffe

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

const weightsNet = `
name: "w"
input: "data" input_dim: 1 input_dim: 2 input_dim: 4 input_dim: 4
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
  convolution_param { num_output: 3 kernel_size: 3 } }
layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }
layer { name: "scale" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }
layer { name: "prelu" type: "PReLU" bottom: "conv" top: "conv" prelu_param { channel_shared: true } }
layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 2 } }
layer { name: "fct" type: "InnerProduct" bottom: "conv" top: "fct" inner_product_param { num_output: 2 bias_term: false transpose: true } }
`

func seq(n int, start float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = start + float32(i)
	}
	return v
}

func shaped(data []float32, dims ...int64) *BlobProto {
	return &BlobProto{Data: data, Shape: &BlobShape{Dim: dims}}
}

func legacy(data []float32, n, c, h, w int32) *BlobProto {
	return &BlobProto{Data: data, Num: proto.Int32(n), Channels: proto.Int32(c), Height: proto.Int32(h), Width: proto.Int32(w)}
}

// weightsModel is a caffemodel for weightsNet, written with the generated
// code: new-style layers with shaped blobs, one V1 layer with legacy 4-D
// blob shapes, double data, and layers the prototxt does not have.
func weightsModel() *NetParameter {
	return &NetParameter{
		Name: proto.String("w"),
		Layer: []*LayerParameter{
			{Name: proto.String("data"), Type: proto.String("Input")},
			{Name: proto.String("conv"), Type: proto.String("Convolution"), Blobs: []*BlobProto{
				shaped(seq(54, 0), 3, 2, 3, 3), shaped([]float32{0.5, 1.5, 2.5}, 3),
			}},
			{Name: proto.String("bn"), Type: proto.String("BatchNorm"), Blobs: []*BlobProto{
				shaped([]float32{2, 4, 6}, 3), shaped([]float32{8, 10, 12}, 3), shaped([]float32{2}, 1),
			}},
			{Name: proto.String("scale"), Type: proto.String("Scale"), Blobs: []*BlobProto{
				{DoubleData: []float64{1, 2, 3}, Shape: &BlobShape{Dim: []int64{3}}}, shaped([]float32{-1, -2, -3}, 3),
			}},
			{Name: proto.String("prelu"), Type: proto.String("PReLU"), Blobs: []*BlobProto{shaped([]float32{0.25})}},
			{Name: proto.String("fct"), Type: proto.String("InnerProduct"), Blobs: []*BlobProto{
				shaped(seq(24, 100), 12, 2), // [In, Out] because of transpose
			}},
			{Name: proto.String("not_in_prototxt"), Type: proto.String("Convolution"), Blobs: []*BlobProto{shaped([]float32{1}, 1)}},
		},
		Layers: []*V1LayerParameter{
			{Name: proto.String("fc"), Type: V1LayerParameter_INNER_PRODUCT.Enum(), Blobs: []*BlobProto{
				legacy(seq(2*12, 10), 1, 1, 2, 12), legacy([]float32{7, 8}, 1, 1, 1, 2),
			}},
		},
	}
}

func param(t *testing.T, g *graph.Graph, node, name string) *graph.Tensor {
	t.Helper()
	n := g.Node(node)
	if n == nil {
		t.Fatalf("no node %q", node)
	}
	p := n.Param(name)
	if p == nil {
		t.Fatalf("node %q has no %q (has %v)", node, name, n.ParamNames())
	}
	return p
}

func checkParam(t *testing.T, g *graph.Graph, node, name string, shape []int, data []float32) {
	t.Helper()
	p := param(t, g, node, name)
	if !slices.Equal(p.Shape, shape) {
		t.Errorf("%s.%s: shape %v, want %v", node, name, p.Shape, shape)
	}
	if !slices.Equal(p.Data, data) {
		t.Errorf("%s.%s: data %v, want %v", node, name, p.Data, data)
	}
}

func TestCaffemodelRoundTrip(t *testing.T) {
	bin, err := proto.Marshal(weightsModel())
	if err != nil {
		t.Fatal(err)
	}
	fsys := format.MemFS{"w.prototxt": []byte(weightsNet), "w.caffemodel": bin}
	for _, open := range []string{"w.prototxt", "w.caffemodel"} {
		t.Run(open, func(t *testing.T) {
			g, fmtName, err := format.OpenFS(fsys, open)
			if err != nil || fmtName != "caffe" {
				t.Fatalf("OpenFS(%s): %v %q", open, err, fmtName)
			}
			checkParam(t, g, "conv", "weight", []int{3, 2, 3, 3}, seq(54, 0))
			checkParam(t, g, "conv", "bias", []int{3}, []float32{0.5, 1.5, 2.5})
			// Caffe's BatchNorm blobs are divided by the scale factor (2).
			checkParam(t, g, "bn", "mean", []int{3}, []float32{1, 2, 3})
			checkParam(t, g, "bn", "var", []int{3}, []float32{4, 5, 6})
			if len(g.Node("bn").Params) != 2 {
				t.Errorf("bn params %v", g.Node("bn").ParamNames())
			}
			checkParam(t, g, "scale", "scale", []int{3}, []float32{1, 2, 3})
			checkParam(t, g, "scale", "bias", []int{3}, []float32{-1, -2, -3})
			checkParam(t, g, "prelu", "slope", []int{1}, []float32{0.25})
			// Legacy [1,1,2,12] becomes [2, 12].
			checkParam(t, g, "fc", "weight", []int{2, 12}, seq(24, 10))
			checkParam(t, g, "fc", "bias", []int{2}, []float32{7, 8})
			// transpose: stored [12, 2], used [2, 12].
			w := param(t, g, "fct", "weight")
			if !slices.Equal(w.Shape, []int{2, 12}) || w.Data[0] != 100 || w.Data[1] != 102 || w.Data[12] != 101 {
				t.Errorf("transposed weight %v %v", w.Shape, w.Data)
			}
			shapes, err := g.InferShapes(1)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.HasWeights(shapes); err != nil {
				t.Errorf("HasWeights: %v", err)
			}
		})
	}

	// This caffemodel holds weights only (no bottoms, tops or inputs).
	g, _, err := format.OpenFS(format.MemFS{"only.caffemodel": bin}, "only.caffemodel")
	if err == nil {
		t.Errorf("a caffemodel without bottoms and tops loaded: %v", g.Inputs)
	} else {
		t.Log(err)
	}
}

func TestCaffemodelMismatch(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(m *NetParameter)
		want string
	}{
		{"weight count", func(m *NetParameter) { m.Layer[1].Blobs[0] = shaped(seq(17, 0), 17) }, "weight"},
		{"weight shape", func(m *NetParameter) { m.Layer[1].Blobs[0] = shaped(seq(54, 0), 3, 3, 2, 3) }, `parameter "weight" has shape [3, 3, 2, 3], expected [3, 2, 3, 3]`},
		{"missing bias", func(m *NetParameter) { m.Layer[1].Blobs = m.Layer[1].Blobs[:1] }, "has 1 blobs in the weights, expected 2"},
		{"data size", func(m *NetParameter) { m.Layer[1].Blobs[1] = shaped([]float32{1, 2}, 3) }, "holds 2 values, not 3"},
		{"bn factor", func(m *NetParameter) { m.Layer[2].Blobs[2] = shaped([]float32{1, 2}, 2) }, "scale-factor"},
		{"scale size", func(m *NetParameter) { m.Layer[3].Blobs[1] = shaped([]float32{1, 2}, 2) }, `"bias" has shape [2], expected [3]`},
		{"negative blob dim", func(m *NetParameter) { m.Layer[1].Blobs[1] = shaped([]float32{1}, -1) }, "invalid dimension"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := weightsModel()
			c.edit(m)
			bin, err := proto.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse([]byte(weightsNet), bin)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
	if _, err := Parse([]byte(weightsNet), []byte("\xff\xff\xff not a protobuf")); err == nil || !strings.Contains(err.Error(), "caffemodel") {
		t.Errorf("garbage caffemodel: %v", err)
	}
}

package tfjs

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

type kw struct {
	name  string
	shape []int
	data  []float32
}

// loadLayer loads a Sequential model of one Keras layer (config given
// without its name) on an input of batch_input_shape in, with weights.
func loadLayer(t *testing.T, class string, in []int, config string, weights ...kw) *graph.Graph {
	t.Helper()
	shape, _ := json.Marshal(append([]any{nil}, func() []any {
		var a []any
		for _, d := range in {
			a = append(a, d)
		}
		return a
	}()...))
	if config != "" {
		config = "," + config
	}
	layer := fmt.Sprintf(`{"class_name":%q,"config":{"name":"l","batch_input_shape":%s%s}}`, class, shape, config)
	var specs []string
	var data []float32
	for _, w := range weights {
		s, _ := json.Marshal(w.shape)
		specs = append(specs, fmt.Sprintf(`{"name":"l/%s","shape":%s,"dtype":"float32"}`, w.name, s))
		data = append(data, w.data...)
	}
	js := `{"modelTopology":{"model_config":{"class_name":"Sequential","config":{"layers":[` + layer + `]}}},"weightsManifest":[{"paths":["` + ShardName + `"],"weights":[` + strings.Join(specs, ",") + `]}]}`
	g, err := Load(format.MemFS{"model.json": []byte(js), ShardName: floatBytes(data...)}, "model.json")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func runOne(t *testing.T, g *graph.Graph, x []float32) *graph.Tensor {
	t.Helper()
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	return vals[g.Outputs[0]]
}

// The Keras layers of real exports against hand computations; inputs and
// outputs are in the IR's NCHW order.
func TestKerasLayersExt(t *testing.T) {
	for _, tc := range []struct {
		name, class string
		in          []int
		config      string
		weights     []kw
		x           []float32
		shape       []int
		want        []float32
	}{
		{"upsampling nearest", "UpSampling2D", []int{2, 2, 1}, `"size":[2,2]`, nil, []float32{1, 2, 3, 4}, []int{1, 1, 4, 4},
			[]float32{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}},
		// TF.js resizeBilinear: rows and columns at dst/2 = 0, 0.5, 1, 1.5
		// (clamped): [0 4] → 0 2 4 4 in each row.
		{"upsampling bilinear", "UpSampling2D", []int{1, 2, 1}, `"size":[2,2],"interpolation":"bilinear"`, nil, []float32{0, 4}, []int{1, 1, 2, 4},
			[]float32{0, 2, 4, 4, 0, 2, 4, 4}},
		{"rescaling", "Rescaling", []int{1, 2, 1}, `"scale":0.00392156862745098,"offset":-1`, nil, []float32{255, 0}, []int{1, 1, 1, 2}, []float32{0, -1}},
		{"cropping", "Cropping2D", []int{3, 3, 1}, `"cropping":[[1,0],[0,1]]`, nil, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8}, []int{1, 1, 2, 2}, []float32{3, 4, 6, 7}},
		// Each input pixel places itself times the 2×2 kernel.
		{"conv2d transpose valid", "Conv2DTranspose", []int{2, 2, 1}, `"filters":1,"kernel_size":[2,2],"strides":[2,2],"padding":"valid","use_bias":false`,
			[]kw{{"kernel", []int{2, 2, 1, 1}, []float32{1, 10, 100, 1000}}}, []float32{1, 2, 3, 4}, []int{1, 1, 4, 4},
			[]float32{1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000}},
		// Stride 2, kernel 3, same: the 5×5 full output cropped by 0 at the
		// top/left and 1 at the bottom/right; only the top-left pixel is 1.
		{"conv2d transpose same", "Conv2DTranspose", []int{2, 2, 1}, `"filters":1,"kernel_size":3,"strides":2,"padding":"same"`,
			[]kw{{"kernel", []int{3, 3, 1, 1}, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}}, {"bias", []int{1}, []float32{0.5}}}, []float32{1, 0, 0, 0}, []int{1, 1, 4, 4},
			[]float32{1.5, 2.5, 3.5, 0.5, 4.5, 5.5, 6.5, 0.5, 7.5, 8.5, 9.5, 0.5, 0.5, 0.5, 0.5, 0.5}},
		// Depthwise [3, 5] then pointwise [1, 1] and bias 0.5: 3 + 10 + 0.5.
		{"separable", "SeparableConv2D", []int{1, 1, 2}, `"filters":1,"kernel_size":1,"depth_multiplier":1`,
			[]kw{{"depthwise_kernel", []int{1, 1, 2, 1}, []float32{3, 5}}, {"pointwise_kernel", []int{1, 1, 2, 1}, []float32{1, 1}}, {"bias", []int{1}, []float32{0.5}}},
			[]float32{1, 2}, []int{1, 1, 1, 1}, []float32{13.5}},
		{"permute rank 3", "Permute", []int{2, 3}, `"dims":[2,1]`, nil, []float32{0, 1, 2, 3, 4, 5}, []int{1, 3, 2}, []float32{0, 3, 1, 4, 2, 5}},
		// NHWC (1, 2, 3) permuted to (C, H, W) = a (3, 1, 2) NHWC tensor:
		// our NCHW [2, 3, 1] with value 2h' + c'.
		{"permute rank 4", "Permute", []int{1, 2, 3}, `"dims":[3,1,2]`, nil, []float32{0, 1, 2, 3, 4, 5}, []int{1, 2, 3, 1}, []float32{0, 2, 4, 1, 3, 5}},
		// Keras flattens (h, w, c): NCHW value 2c + w in that order.
		{"reshape from a map", "Reshape", []int{1, 2, 3}, `"target_shape":[6]`, nil, []float32{0, 1, 2, 3, 4, 5}, []int{1, 6}, []float32{0, 2, 4, 1, 3, 5}},
		{"reshape to a map", "Reshape", []int{6}, `"target_shape":[1,2,3]`, nil, []float32{0, 1, 2, 3, 4, 5}, []int{1, 3, 1, 2}, []float32{0, 3, 1, 4, 2, 5}},
		// [0 2]: mean 1, var 1 → [−1 1]·[1 2] + [0 1].
		{"layer normalization", "LayerNormalization", []int{1, 2}, `"axis":-1,"epsilon":0`,
			[]kw{{"gamma", []int{2}, []float32{1, 2}}, {"beta", []int{2}, []float32{0, 1}}}, []float32{0, 2}, []int{1, 1, 2}, []float32{-1, 3}},
		{"normalization", "Normalization", []int{1, 1, 2}, `"axis":-1`,
			[]kw{{"mean", []int{2}, []float32{1, 2}}, {"variance", []int{2}, []float32{4, 16}}, {"count", []int{}, []float32{10}}},
			[]float32{5, 6}, []int{1, 2, 1, 1}, []float32{2, 1}},
		// UpscalerJS's custom layers (customLayer): x·beta, and TensorFlow's
		// depth_to_space (NHWC out[i, 2w+j, k] = in[0, w, (2i+j)·2 + k]) on
		// NCHW values 10c + w.
		{"MultiplyBeta", "MultiplyBeta", []int{1, 2, 1}, `"beta":0.2`, nil, []float32{5, -1}, []int{1, 1, 1, 2}, []float32{1, -0.2}},
		{"PixelShuffle2x", "PixelShuffle2x", []int{1, 2, 8}, `"scale":2`, nil,
			[]float32{0, 1, 10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61, 70, 71}, []int{1, 2, 2, 4},
			[]float32{0, 20, 1, 21, 40, 60, 41, 61, 10, 30, 11, 31, 50, 70, 51, 71}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := loadLayer(t, tc.class, tc.in, tc.config, tc.weights...)
			y := runOne(t, g, tc.x)
			if !slices.Equal(y.Shape, tc.shape) {
				t.Fatalf("shape %v, want %v", y.Shape, tc.shape)
			}
			for i := range tc.want {
				if math.Abs(float64(y.Data[i]-tc.want[i])) > 1e-5 {
					t.Fatalf("got %v, want %v", y.Data, tc.want)
				}
			}
		})
	}
}

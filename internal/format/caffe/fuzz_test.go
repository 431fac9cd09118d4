package caffe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/testref"
)

// fuzzSeeds are small hand-made networks that reach most of the importer.
var fuzzSeeds = []string{
	v1Net, trainVal, weightsNet,
	`input: "data" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 4 kernel_size: 3 group: 1 dilation: 2 pad_h: 1 pad_w: 2 } }
layer { name: "r" type: "ReLU" bottom: "c" top: "c" }
layer { name: "p" type: "Pooling" bottom: "c" top: "p" pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
layer { name: "s" type: "Slice" bottom: "p" top: "s1" top: "s2" }
layer { name: "e" type: "Eltwise" bottom: "s1" bottom: "s2" top: "e" eltwise_param { coeff: 1 coeff: 2 } }
layer { name: "i" type: "Interp" bottom: "e" top: "i" interp_param { zoom_factor: 3 shrink_factor: 2 } }
layer { name: "u" type: "Upsample" bottom: "i" top: "u" upsample_param { scale_h: 2 scale_w: 3 } }
layer { name: "pm" type: "Permute" bottom: "u" top: "pm" permute_param { order: 0 order: 3 } }
layer { name: "f" type: "Flatten" bottom: "pm" top: "f" flatten_param { axis: 2 } }`,
	`layers { name: "d" type: DATA top: "data" top: "label" transform_param { crop_size: 9 } include: { phase: TEST } }
layers { name: "dc" type: DECONVOLUTION bottom: "data" top: "dc" convolution_param { num_output: 2 kernel_size: 2 stride: 2 } }
layers { name: "cr" type: CROP bottom: "dc" bottom: "data" top: "cr" }
layers { name: "sp" type: SPLIT bottom: "cr" top: "a" top: "b" }
layers { name: "cat" type: CONCAT bottom: "a" bottom: "b" top: "cat" }
layers { name: "loss" type: SOFTMAX_LOSS bottom: "cat" bottom: "label" }`,
	`input: "x" input_dim: 1 input_dim: 4 input_dim: 2 input_dim: 2
layer { name: "rs" type: "Reshape" bottom: "x" top: "rs" reshape_param { shape { dim: 0 dim: -1 } axis: 1 } }
layer { name: "b" type: "Bias" bottom: "rs" top: "rs" }`,
	`layer { name: "a" type: "ReLU" bottom: "b" top: "a" } layer { name: "b" type: "ReLU" bottom: "a" top: "b" }`,
}

// FuzzPrototxt checks that no text makes the importer or the analysis
// panic or allocate without bound. Seeds: the hand-made networks above and
// the reference prototxts when they are present.
func FuzzPrototxt(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	var files []string
	if dir := testref.Optional(f, "caffe"); dir != "" {
		files, _ = filepath.Glob(filepath.Join(dir, "*.prototxt"))
	}
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 1<<20 {
			return
		}
		g, err := Parse(text, nil)
		if err != nil {
			return
		}
		if _, err := analyze.Analyze(g); err != nil {
			return
		}
	})
}

// FuzzCaffemodel feeds arbitrary .caffemodel bytes for a fixed network:
// the importer must return an error or a graph whose every parameter fits
// its node (the engine compiles it), never panic or allocate without bound.
func FuzzCaffemodel(f *testing.F) {
	bin, err := proto.Marshal(weightsModel())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bin)
	f.Add(bin[:len(bin)/2])
	f.Add(bin[:7])
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, bin []byte) {
		g, err := Parse([]byte(weightsNet), bin)
		if err != nil {
			return
		}
		if _, err := engine.Compile(g, 1); err != nil && !strings.Contains(err.Error(), "structure only") {
			t.Fatalf("accepted weights do not compile: %v", err)
		}
	})
}

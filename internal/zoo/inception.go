package zoo

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// googLeNet builds GoogLeNet (Szegedy et al., 2014, Table 1) as the BVLC
// Caffe deploy definition (models/bvlc_googlenet/deploy.prototxt) has it:
// no auxiliary classifiers, LRN after the first two stages, 3×224×224 input.
// Layer names are the prototxt's (conv1/7x7_s2, pool1/3x3_s2, pool1/norm1,
// inception_3a/1x1 … inception_3a/output, pool5/7x7_s1, loss3/classifier,
// prob).
func googLeNet(seed uint64, weights bool) (*graph.Graph, error) {
	b := newBuilder("googlenet", 3, 224, 224, seed, weights)
	cr := func(name, relu, in string, out, k, stride, pad int) string {
		return b.relu(relu, b.conv(name, in, out, k, stride, pad))
	}
	x := cr("conv1/7x7_s2", "conv1/relu_7x7", "data", 64, 7, 2, 3)
	x = b.pool("pool1/3x3_s2", x, maxPool(3, 2, 0, true))
	x = b.lrn("pool1/norm1", x)
	x = cr("conv2/3x3_reduce", "conv2/relu_3x3_reduce", x, 64, 1, 1, 0)
	x = cr("conv2/3x3", "conv2/relu_3x3", x, 192, 3, 1, 1)
	x = b.lrn("conv2/norm2", x)
	x = b.pool("pool2/3x3_s2", x, maxPool(3, 2, 0, true))
	// Table 1: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj.
	modules := []struct {
		name string
		w    [6]int
	}{
		{"3a", [6]int{64, 96, 128, 16, 32, 32}},
		{"3b", [6]int{128, 128, 192, 32, 96, 64}},
		{"4a", [6]int{192, 96, 208, 16, 48, 64}},
		{"4b", [6]int{160, 112, 224, 24, 64, 64}},
		{"4c", [6]int{128, 128, 256, 24, 64, 64}},
		{"4d", [6]int{112, 144, 288, 32, 64, 64}},
		{"4e", [6]int{256, 160, 320, 32, 128, 128}},
		{"5a", [6]int{256, 160, 320, 32, 128, 128}},
		{"5b", [6]int{384, 192, 384, 48, 128, 128}},
	}
	for _, m := range modules {
		p := "inception_" + m.name + "/"
		w := m.w
		b1 := cr(p+"1x1", p+"relu_1x1", x, w[0], 1, 1, 0)
		b2 := cr(p+"3x3_reduce", p+"relu_3x3_reduce", x, w[1], 1, 1, 0)
		b2 = cr(p+"3x3", p+"relu_3x3", b2, w[2], 3, 1, 1)
		b3 := cr(p+"5x5_reduce", p+"relu_5x5_reduce", x, w[3], 1, 1, 0)
		b3 = cr(p+"5x5", p+"relu_5x5", b3, w[4], 5, 1, 2)
		b4 := b.pool(p+"pool", x, maxPool(3, 1, 1, true))
		b4 = cr(p+"pool_proj", p+"relu_pool_proj", b4, w[5], 1, 1, 0)
		x = b.concat(p+"output", b1, b2, b3, b4)
		switch m.name {
		case "3b":
			x = b.pool("pool3/3x3_s2", x, maxPool(3, 2, 0, true))
		case "4e":
			x = b.pool("pool4/3x3_s2", x, maxPool(3, 2, 0, true))
		}
	}
	x = b.pool("pool5/7x7_s1", x, avgPool(7, 1, 0, true, true))
	x = b.dropout("pool5/drop_7x7_s1", x, 0.4)
	x = b.dense("loss3/classifier", x, 1000)
	return b.finish(b.softmax("prob", x))
}

// inceptionV3 builds Inception v3 (Szegedy et al., 2015, "Rethinking the
// Inception Architecture", Table 1 and Figures 5–7) for 3×299×299 inputs,
// without the auxiliary classifier (it is not part of the inference graph).
// It follows the Caffe port soeaver/caffe-model (inception-v3
// deploy.prototxt), which matches torchvision's inception_v3 layer for layer:
// every convolution is followed by BatchNorm (eps 0.001) and a Scale layer
// and ReLU. Layer names are the prototxt's (conv1_3x3_s2, conv1_3x3_s2_bn,
// conv1_3x3_s2_scale, conv1_3x3_relu, …, inception_a1_1x1,
// inception_a1_output, reduction_a_concat, inception_b1_1x7_reduce, …,
// inception_c2_concat, pool_8x8_s1, classifier, prob). As in that release the
// pooling branch of the last module (inception_c2_pool) is a max pool.
func inceptionV3(seed uint64, weights bool) (*graph.Graph, error) {
	b := newBuilder("inceptionv3", 3, 299, 299, seed, weights)
	// cbr adds convolution, BatchNorm, Scale and ReLU; relu names the ReLU
	// when it is not name+"_relu".
	cbr := func(name, relu, in string, op *graph.Conv) string {
		if relu == "" {
			relu = name + "_relu"
		}
		x := b.convOp(name, in, op)
		x = b.bnScale(name+"_bn", name+"_scale", x, 0.001)
		return b.relu(relu, x)
	}
	c := func(name, in string, out, k, stride, pad int) string {
		return cbr(name, "", in, sq(out, k, stride, pad, false))
	}
	r := func(name, in string, out, kh, kw int) string {
		return cbr(name, "", in, rect(out, kh, kw, kh/2, kw/2))
	}
	x := cbr("conv1_3x3_s2", "conv1_3x3_relu", "data", sq(32, 3, 2, 0, false))
	x = cbr("conv2_3x3_s1", "conv2_3x3_relu", x, sq(32, 3, 1, 0, false))
	x = cbr("conv3_3x3_s1", "conv3_3x3_relu", x, sq(64, 3, 1, 1, false))
	x = b.pool("pool1_3x3_s2", x, maxPool(3, 2, 0, true))
	x = cbr("conv4_3x3_reduce", "conv4_relu_3x3_reduce", x, sq(80, 1, 1, 0, false))
	x = cbr("conv4_3x3", "conv4_relu_3x3", x, sq(192, 3, 1, 0, false))
	x = b.pool("pool2_3x3_s2", x, maxPool(3, 2, 0, true))
	avg := func() *graph.Pool { return avgPool(3, 1, 1, true, true) }

	for i, proj := range []int{32, 64, 64} { // Figure 5 modules, 35×35
		p := fmt.Sprintf("inception_a%d_", i+1)
		b1 := c(p+"1x1", x, 64, 1, 1, 0)
		b2 := c(p+"5x5", c(p+"5x5_reduce", x, 48, 1, 1, 0), 64, 5, 1, 2)
		b3 := c(p+"3x3_reduce", x, 64, 1, 1, 0)
		b3 = c(p+"3x3_2", c(p+"3x3_1", b3, 96, 3, 1, 1), 96, 3, 1, 1)
		b4 := c(p+"pool_proj", b.pool(p+"pool", x, avg()), proj, 1, 1, 0)
		x = b.concat(p+"output", b1, b2, b3, b4)
	}
	{ // grid reduction 35 → 17
		p := "reduction_a_"
		b1 := c(p+"3x3", x, 384, 3, 2, 0)
		b2 := c(p+"3x3_2", c(p+"3x3_2_reduce", x, 64, 1, 1, 0), 96, 3, 1, 1)
		b2 = c(p+"3x3_3", b2, 96, 3, 2, 0)
		b3 := b.pool(p+"pool", x, maxPool(3, 2, 0, true))
		x = b.concat(p+"concat", b1, b2, b3)
	}
	for i, w := range []int{128, 160, 160, 192} { // Figure 6 modules, 17×17
		p := fmt.Sprintf("inception_b%d_", i+1)
		b1 := c(p+"1x1_2", x, 192, 1, 1, 0)
		b2 := r(p+"1x7", c(p+"1x7_reduce", x, w, 1, 1, 0), w, 1, 7)
		b2 = r(p+"7x1", b2, 192, 7, 1)
		b3 := r(p+"7x1_2", c(p+"7x1_reduce", x, w, 1, 1, 0), w, 7, 1)
		b3 = r(p+"7x1_3", r(p+"1x7_2", b3, w, 1, 7), w, 7, 1)
		b3 = r(p+"1x7_3", b3, 192, 1, 7)
		b4 := c(p+"1x1", b.pool(p+"pool_ave", x, avg()), 192, 1, 1, 0)
		x = b.concat(p+"concat", b1, b2, b3, b4)
	}
	{ // grid reduction 17 → 8
		p := "reduction_b_"
		b1 := c(p+"3x3", c(p+"3x3_reduce", x, 192, 1, 1, 0), 320, 3, 2, 0)
		b2 := r(p+"1x7", c(p+"1x7_reduce", x, 192, 1, 1, 0), 192, 1, 7)
		b2 = c(p+"3x3_2", r(p+"7x1", b2, 192, 7, 1), 192, 3, 2, 0)
		b3 := b.pool(p+"pool", x, maxPool(3, 2, 0, true))
		x = b.concat(p+"concat", b1, b2, b3)
	}
	for i := 1; i <= 2; i++ { // Figure 7 modules, 8×8
		p := fmt.Sprintf("inception_c%d_", i)
		b1 := c(p+"1x1_2", x, 320, 1, 1, 0)
		red := c(p+"1x3_reduce", x, 384, 1, 1, 0)
		b2a, b2b := r(p+"1x3", red, 384, 1, 3), r(p+"3x1", red, 384, 3, 1)
		mid := c(p+"3x3", c(p+"3x3_reduce", x, 448, 1, 1, 0), 384, 3, 1, 1)
		b3a, b3b := r(p+"1x3_2", mid, 384, 1, 3), r(p+"3x1_2", mid, 384, 3, 1)
		pool := avg()
		if i == 2 {
			pool = maxPool(3, 1, 1, true)
		}
		b4 := c(p+"1x1", b.pool(p+"pool", x, pool), 192, 1, 1, 0)
		x = b.concat(p+"concat", b1, b2a, b2b, b3a, b3b, b4)
	}
	x = b.pool("pool_8x8_s1", x, globalAvgPool())
	x = b.dropout("pool_8x8_s1_drop", x, 0.2)
	x = b.dense("classifier", x, 1000)
	return b.finish(b.softmax("prob", x))
}

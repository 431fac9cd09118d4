package zoo

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// depthwise describes a 3×3 depthwise convolution over c channels.
func depthwise(c, stride int) *graph.Conv {
	op := sq(c, 3, stride, 1, false)
	op.Groups = c
	return op
}

// mobileNetV1 builds MobileNet v1 1.0-224 exactly as in the paper (Howard
// et al., 2017, Table 1): a 3×3 convolution and 13 depthwise-separable
// blocks, each convolution followed by BatchNorm and ReLU, 7×7 average
// pooling, a 1024→1000 fully connected layer and softmax, 3×224×224 input.
// Node names are those of keras.applications.MobileNet (conv1, conv1_bn,
// conv1_relu, conv_dw_1, conv_dw_1_bn, conv_dw_1_relu, conv_pw_1, …,
// conv_pw_13_relu); the head follows the paper (avgpool, fc, prob) where
// Keras uses an equivalent 1×1 convolution. BatchNorm eps is Keras's 0.001.
func mobileNetV1(seed uint64, weights bool) (*graph.Graph, error) {
	b := newBuilder("mobilenetv1", 3, 224, 224, seed, weights)
	const eps = 0.001
	cbr := func(name, in string, op *graph.Conv) string {
		x := b.bn(name+"_bn", b.convOp(name, in, op), eps)
		return b.relu(name+"_relu", x)
	}
	x := cbr("conv1", "data", sq(32, 3, 2, 1, false))
	// Table 1: output channels and depthwise stride of each separable block.
	blocks := []struct{ out, stride int }{
		{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},
		{512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1},
	}
	for i, blk := range blocks {
		x = cbr(fmt.Sprintf("conv_dw_%d", i+1), x, depthwise(b.shapes[x][1], blk.stride))
		x = cbr(fmt.Sprintf("conv_pw_%d", i+1), x, sq(blk.out, 1, 1, 0, false))
	}
	x = b.pool("avgpool", x, avgPool(7, 1, 0, false, true))
	x = b.dense("fc", x, 1000)
	return b.finish(b.softmax("prob", x))
}

// mobileNetV2 builds torchvision's MobileNet v2 1.0 (Sandler et al., 2018,
// Table 2: expansion t, channels c, repeats n, stride s), 3×224×224 input,
// ReLU6, BatchNorm eps 1e-5, dropout 0.2 before the classifier. Node names
// are torchvision's module paths (features.0.0, features.0.1,
// features.0.2, features.2.conv.0.0, …, features.18.2, classifier.1); the
// residual sums are features.N.add and the functional pooling is avgpool.
func mobileNetV2(seed uint64, weights bool) (*graph.Graph, error) {
	b := newBuilder("mobilenetv2", 3, 224, 224, seed, weights)
	const eps = 1e-5
	// cbr adds a torchvision Conv2dNormActivation: name.0, name.1, name.2.
	cbr := func(name, in string, op *graph.Conv) string {
		x := b.bn(name+".1", b.convOp(name+".0", in, op), eps)
		return b.add(name+".2", "ReLU6", &graph.Activation{Func: graph.Relu6}, x)
	}
	x := cbr("features.0", "data", sq(32, 3, 2, 1, false))
	settings := []struct{ t, c, n, s int }{
		{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
	}
	idx := 1
	for _, st := range settings {
		for i := range st.n {
			stride := st.s
			if i > 0 {
				stride = 1
			}
			p := fmt.Sprintf("features.%d.conv.", idx)
			in := b.shapes[x][1]
			y, k := x, 0
			if st.t != 1 {
				y = cbr(p+"0", y, sq(in*st.t, 1, 1, 0, false))
				k = 1
			}
			y = cbr(fmt.Sprintf("%s%d", p, k), y, depthwise(in*st.t, stride))
			y = b.convOp(fmt.Sprintf("%s%d", p, k+1), y, sq(st.c, 1, 1, 0, false))
			y = b.bn(fmt.Sprintf("%s%d", p, k+2), y, eps)
			if stride == 1 && in == st.c {
				y = b.sum(fmt.Sprintf("features.%d.add", idx), nil, x, y)
			}
			x = y
			idx++
		}
	}
	x = cbr(fmt.Sprintf("features.%d", idx), x, sq(1280, 1, 1, 0, false))
	x = b.pool("avgpool", x, globalAvgPool())
	x = b.dropout("classifier.0", x, 0.2)
	x = b.dense("classifier.1", x, 1000)
	return b.finish(b.softmax("prob", x))
}

package zoo

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// nin builds Network in Network for ImageNet (Lin, Chen & Yan, 2013) as in
// the Caffe model zoo definition (BVLC wiki "Network in Network model",
// nin_imagenet train_val.prototxt): four mlpconv stages of a spatial
// convolution and two 1×1 "cccp" convolutions, global 6×6 average pooling,
// 3×224×224 input. Layer names are the prototxt's (conv1, cccp1, relu0,
// pool0, …, conv4-1024, cccp8-1024, pool4); the training loss is replaced by
// a softmax named prob.
func nin(seed uint64, weights bool) (*graph.Graph, error) {
	b := newBuilder("nin", 3, 224, 224, seed, weights)
	relu := 0
	cr := func(name, in string, out, k, stride, pad int) string {
		x := b.relu(fmt.Sprintf("relu%d", relu), b.conv(name, in, out, k, stride, pad))
		relu++
		if relu == 4 { // the prototxt has no relu4
			relu++
		}
		return x
	}
	x := cr("conv1", "data", 96, 11, 4, 0)
	x = cr("cccp1", x, 96, 1, 1, 0)
	x = cr("cccp2", x, 96, 1, 1, 0)
	x = b.pool("pool0", x, maxPool(3, 2, 0, true))
	x = cr("conv2", x, 256, 5, 1, 2)
	x = cr("cccp3", x, 256, 1, 1, 0)
	x = cr("cccp4", x, 256, 1, 1, 0)
	x = b.pool("pool2", x, maxPool(3, 2, 0, true))
	x = cr("conv3", x, 384, 3, 1, 1)
	x = cr("cccp5", x, 384, 1, 1, 0)
	x = cr("cccp6", x, 384, 1, 1, 0)
	x = b.pool("pool3", x, maxPool(3, 2, 0, true))
	x = b.dropout("drop", x, 0.5)
	x = cr("conv4-1024", x, 1024, 3, 1, 1)
	x = cr("cccp7-1024", x, 1024, 1, 1, 0)
	x = cr("cccp8-1024", x, 1000, 1, 1, 0)
	x = b.pool("pool4", x, avgPool(6, 1, 0, true, true))
	return b.finish(b.softmax("prob", x))
}

// yoloV1 builds YOLO v1 (Redmon et al., 2016, Figure 3): 24 convolutions
// and 2 fully connected layers on a 3×448×448 input, leaky ReLU with slope
// 0.1, output 7×7×30 = 1470 values (no softmax: it is a regression head).
// Layer names are those of the Caffe port in the Netscope presets
// (YOLO.prototxt: conv1…conv24, pool1, pool2, pool6, pool16, fc25, fc26,
// relu1…relu25), which has no dropout layer.
func yoloV1(seed uint64, weights bool) (*graph.Graph, error) {
	b := newBuilder("yolov1", 3, 448, 448, seed, weights)
	leaky := func(name, in string) string {
		return b.add(name, "ReLU", &graph.Activation{Func: graph.LeakyRelu, Alpha: 0.1}, in)
	}
	n := 0
	conv := func(in string, out, k, stride int) string {
		n++
		return leaky(fmt.Sprintf("relu%d", n), b.conv(fmt.Sprintf("conv%d", n), in, out, k, stride, k/2))
	}
	pool := func(in string) string {
		return b.pool(fmt.Sprintf("pool%d", n), in, maxPool(2, 2, 0, true))
	}
	x := pool(conv("data", 64, 7, 2))
	x = pool(conv(x, 192, 3, 1))
	x = conv(x, 128, 1, 1)
	x = conv(x, 256, 3, 1)
	x = conv(x, 256, 1, 1)
	x = pool(conv(x, 512, 3, 1))
	for range 4 {
		x = conv(x, 256, 1, 1)
		x = conv(x, 512, 3, 1)
	}
	x = conv(x, 512, 1, 1)
	x = pool(conv(x, 1024, 3, 1))
	for range 2 {
		x = conv(x, 512, 1, 1)
		x = conv(x, 1024, 3, 1)
	}
	x = conv(x, 1024, 3, 1)
	x = conv(x, 1024, 3, 2)
	x = conv(x, 1024, 3, 1)
	x = conv(x, 1024, 3, 1)
	x = leaky("relu25", b.dense("fc25", x, 4096))
	return b.finish(b.dense("fc26", x, 1470))
}

// tinyVGGPreset is the CNN Explainer Tiny VGG (64×64×3, 10 classes); the
// structure-only form drops the parameters TinyVGG initialises.
func tinyVGGPreset(seed uint64, weights bool) (*graph.Graph, error) {
	g, err := TinyVGG(64, 10, seed)
	if err != nil || weights {
		return g, err
	}
	for _, n := range g.Nodes {
		n.Params = nil
	}
	return g, nil
}

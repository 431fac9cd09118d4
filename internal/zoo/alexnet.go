package zoo

import "github.com/convscope/convscope/internal/graph"

// alexNet builds the BVLC Caffe AlexNet (models/bvlc_alexnet/deploy.prototxt):
// the 2012 network with its two-GPU split kept as groups=2 in conv2, conv4
// and conv5, LRN before pooling, 3×227×227 input. caffeNet=true builds the
// BVLC reference CaffeNet instead (models/bvlc_reference_caffenet), which
// pools before normalising; every convolution and fully connected shape is
// the same. Layer names are the prototxt's.
func alexNet(seed uint64, weights, caffeNet bool) (*graph.Graph, error) {
	name := "alexnet"
	if caffeNet {
		name = "caffenet"
	}
	b := newBuilder(name, 3, 227, 227, seed, weights)
	grouped := func(out, k, pad int) *graph.Conv {
		c := sq(out, k, 1, pad, true)
		c.Groups = 2
		return c
	}
	// normPool applies LRN and 3×3/2 max pooling in the network's order.
	normPool := func(i, x string) string {
		if caffeNet {
			return b.lrn("norm"+i, b.pool("pool"+i, x, maxPool(3, 2, 0, true)))
		}
		return b.pool("pool"+i, b.lrn("norm"+i, x), maxPool(3, 2, 0, true))
	}
	x := b.relu("relu1", b.conv("conv1", "data", 96, 11, 4, 0))
	x = normPool("1", x)
	x = b.relu("relu2", b.convOp("conv2", x, grouped(256, 5, 2)))
	x = normPool("2", x)
	x = b.relu("relu3", b.conv("conv3", x, 384, 3, 1, 1))
	x = b.relu("relu4", b.convOp("conv4", x, grouped(384, 3, 1)))
	x = b.relu("relu5", b.convOp("conv5", x, grouped(256, 3, 1)))
	x = b.pool("pool5", x, maxPool(3, 2, 0, true))
	x = b.dropout("drop6", b.relu("relu6", b.dense("fc6", x, 4096)), 0.5)
	x = b.dropout("drop7", b.relu("relu7", b.dense("fc7", x, 4096)), 0.5)
	x = b.dense("fc8", x, 1000)
	return b.finish(b.softmax("prob", x))
}

package zoo

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// denseNet121 builds torchvision's DenseNet-121 (Huang et al., 2017,
// Table 1: growth rate 32, bottleneck width 4·32, compression 0.5, blocks of
// 6, 12, 24 and 16 layers) for 3×224×224 inputs, BatchNorm eps 1e-5. Node
// names are torchvision's module paths (features.conv0,
// features.denseblock1.denselayer1.norm1, …, features.transition1.conv,
// features.norm5, classifier). torchvision concatenates all earlier feature
// maps at the start of every dense layer; here the same concatenation is
// built incrementally: <layer>.cat joins a layer's input and its 32 new
// channels and feeds the next layer. The final ReLU and pooling, functional
// in torchvision, are named relu and avgpool.
func denseNet121(seed uint64, weights bool) (*graph.Graph, error) {
	b := newBuilder("densenet121", 3, 224, 224, seed, weights)
	const (
		eps    = 1e-5
		growth = 32
	)
	x := b.convOp("features.conv0", "data", sq(64, 7, 2, 3, false))
	x = b.relu("features.relu0", b.bn("features.norm0", x, eps))
	x = b.pool("features.pool0", x, maxPool(3, 2, 1, false))
	for bi, n := range []int{6, 12, 24, 16} {
		blk := fmt.Sprintf("features.denseblock%d.", bi+1)
		for li := 1; li <= n; li++ {
			p := fmt.Sprintf("%sdenselayer%d.", blk, li)
			y := b.relu(p+"relu1", b.bn(p+"norm1", x, eps))
			y = b.convOp(p+"conv1", y, sq(4*growth, 1, 1, 0, false))
			y = b.relu(p+"relu2", b.bn(p+"norm2", y, eps))
			y = b.convOp(p+"conv2", y, sq(growth, 3, 1, 1, false))
			x = b.concat(p+"cat", x, y)
		}
		if bi == 3 {
			break
		}
		t := fmt.Sprintf("features.transition%d.", bi+1)
		x = b.relu(t+"relu", b.bn(t+"norm", x, eps))
		x = b.convOp(t+"conv", x, sq(b.shapes[x][1]/2, 1, 1, 0, false))
		x = b.pool(t+"pool", x, avgPool(2, 2, 0, false, true))
	}
	x = b.relu("relu", b.bn("features.norm5", x, eps))
	x = b.pool("avgpool", x, globalAvgPool())
	x = b.dense("classifier", x, 1000)
	return b.finish(b.softmax("prob", x))
}

package zoo

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// VGG builds VGG-16 or VGG-19 (configurations D and E of Simonyan &
// Zisserman, 2014) for 3×224×224 inputs and 1,000 classes, ending in a
// softmax, with the layer names of the Caffe model zoo definitions (conv1_1,
// relu1_1, …, pool5, fc6, relu6, drop6, …, fc8, prob). weights=false builds
// the structure only.
func VGG(depth int, seed uint64, weights bool) (*graph.Graph, error) {
	var convs []int
	switch depth {
	case 16:
		convs = []int{2, 2, 3, 3, 3}
	case 19:
		convs = []int{2, 2, 4, 4, 4}
	default:
		return nil, fmt.Errorf("VGG depth %d (16 or 19)", depth)
	}
	b := newBuilder(fmt.Sprintf("vgg%d", depth), 3, 224, 224, seed, weights)
	x := "data"
	for blk, n := range convs {
		width := min(64<<blk, 512)
		for i := 1; i <= n; i++ {
			x = b.conv(fmt.Sprintf("conv%d_%d", blk+1, i), x, width, 3, 1, 1)
			x = b.relu(fmt.Sprintf("relu%d_%d", blk+1, i), x)
		}
		x = b.pool(fmt.Sprintf("pool%d", blk+1), x, maxPool(2, 2, 0, true))
	}
	x = b.dropout("drop6", b.relu("relu6", b.dense("fc6", x, 4096)), 0.5)
	x = b.dropout("drop7", b.relu("relu7", b.dense("fc7", x, 4096)), 0.5)
	x = b.dense("fc8", x, 1000)
	return b.finish(b.softmax("prob", x))
}

package zoo

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// squeezeNet builds SqueezeNet v1.0 or v1.1 as released by its authors
// (forresti/SqueezeNet, SqueezeNet_v1.x/deploy.prototxt), 3×227×227 input,
// with the prototxt's layer names (conv1, fire2/squeeze1x1,
// fire2/expand3x3, fire2/concat, …, conv10, pool10, prob). v1.0 keeps the
// release's quirk of a padded 1×1 conv10 (15×15 output).
func squeezeNet(seed uint64, weights, v11 bool) (*graph.Graph, error) {
	name, pools := "squeezenet1.0", map[int]bool{4: true, 8: true}
	if v11 {
		name, pools = "squeezenet1.1", map[int]bool{3: true, 5: true}
	}
	b := newBuilder(name, 3, 227, 227, seed, weights)
	var x string
	if v11 {
		x = b.conv("conv1", "data", 64, 3, 2, 0)
	} else {
		x = b.conv("conv1", "data", 96, 7, 2, 0)
	}
	x = b.relu("relu_conv1", x)
	x = b.pool("pool1", x, maxPool(3, 2, 0, true))
	for i := 2; i <= 9; i++ {
		squeeze := 16 * (1 + (i-2)/2) // 16, 16, 32, 32, 48, 48, 64, 64
		f := fmt.Sprintf("fire%d/", i)
		s := b.relu(f+"relu_squeeze1x1", b.conv(f+"squeeze1x1", x, squeeze, 1, 1, 0))
		e1 := b.relu(f+"relu_expand1x1", b.conv(f+"expand1x1", s, 4*squeeze, 1, 1, 0))
		e3 := b.relu(f+"relu_expand3x3", b.conv(f+"expand3x3", s, 4*squeeze, 3, 1, 1))
		x = b.concat(f+"concat", e1, e3)
		if pools[i] {
			x = b.pool(fmt.Sprintf("pool%d", i), x, maxPool(3, 2, 0, true))
		}
	}
	x = b.dropout("drop9", x, 0.5)
	pad := 1
	if v11 {
		pad = 0
	}
	x = b.relu("relu_conv10", b.conv("conv10", x, 1000, 1, 1, pad))
	x = b.pool("pool10", x, globalAvgPool())
	return b.finish(b.softmax("prob", x))
}

package zoo

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// resNet builds torchvision's ResNet-18/50/101/152 (He et al., 2015,
// Table 1; torchvision.models.resnet) for 3×224×224 inputs. Bottleneck
// blocks put the stride on the 3×3 convolution (torchvision's "ResNet v1.5").
// Convolutions have no bias and are followed by BatchNorm (eps 1e-5);
// pooling rounds down. Node names are torchvision's module paths (conv1,
// bn1, relu, maxpool, layer1.0.conv1, layer1.0.bn1, layer1.0.downsample.0,
// …, avgpool, fc). torchvision reuses one ReLU module per block; here the
// ReLU after bnK is <block>.reluK and the one after the residual sum
// (<block>.add) is <block>.relu. A softmax named prob ends the graph.
func resNet(depth int, seed uint64, weights bool) (*graph.Graph, error) {
	var blocks []int
	bottleneck := depth >= 50
	switch depth {
	case 18:
		blocks = []int{2, 2, 2, 2}
	case 50:
		blocks = []int{3, 4, 6, 3}
	case 101:
		blocks = []int{3, 4, 23, 3}
	case 152:
		blocks = []int{3, 8, 36, 3}
	default:
		return nil, fmt.Errorf("ResNet depth %d (18, 50, 101 or 152)", depth)
	}
	b := newBuilder(fmt.Sprintf("resnet%d", depth), 3, 224, 224, seed, weights)
	const eps = 1e-5
	x := b.convOp("conv1", "data", sq(64, 7, 2, 3, false))
	x = b.relu("relu", b.bn("bn1", x, eps))
	x = b.pool("maxpool", x, maxPool(3, 2, 1, false))
	expansion := 1
	if bottleneck {
		expansion = 4
	}
	in := 64
	for li, n := range blocks {
		width := 64 << li
		for bi := range n {
			p := fmt.Sprintf("layer%d.%d.", li+1, bi)
			stride := 1
			if bi == 0 && li > 0 {
				stride = 2
			}
			var y string
			if bottleneck {
				y = b.relu(p+"relu1", b.bn(p+"bn1", b.convOp(p+"conv1", x, sq(width, 1, 1, 0, false)), eps))
				y = b.relu(p+"relu2", b.bn(p+"bn2", b.convOp(p+"conv2", y, sq(width, 3, stride, 1, false)), eps))
				y = b.bn(p+"bn3", b.convOp(p+"conv3", y, sq(width*4, 1, 1, 0, false)), eps)
			} else {
				y = b.relu(p+"relu1", b.bn(p+"bn1", b.convOp(p+"conv1", x, sq(width, 3, stride, 1, false)), eps))
				y = b.bn(p+"bn2", b.convOp(p+"conv2", y, sq(width, 3, 1, 1, false)), eps)
			}
			short := x
			if stride != 1 || in != width*expansion {
				short = b.convOp(p+"downsample.0", x, sq(width*expansion, 1, stride, 0, false))
				short = b.bn(p+"downsample.1", short, eps)
			}
			x = b.relu(p+"relu", b.sum(p+"add", nil, short, y))
			in = width * expansion
		}
	}
	x = b.pool("avgpool", x, globalAvgPool())
	x = b.dense("fc", x, 1000)
	return b.finish(b.softmax("prob", x))
}

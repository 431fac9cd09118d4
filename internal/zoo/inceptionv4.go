package zoo

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// The Inception-v4 paper family (Szegedy, Ioffe, Vanhoucke & Alemi, 2016,
// Figures 3–9 and 15–19) as ported to PyTorch by Cadene's
// pretrained-models.pytorch, whose module tree timm keeps: every
// convolution is a BasicConv2d (convolution without bias, BatchNorm with eps
// 0.001, ReLU); average pools in the branches do not count padding. Node
// names are the module paths (features.6.branch1.0.conv, mixed_5b.branch0.bn,
// repeat.3.conv2d, …); a module's output node (a concatenation) carries the
// module's own name.

// tfBuilder adds BasicConv2d modules.
type tfBuilder struct{ *builder }

// conv adds name.conv, name.bn and name.relu.
func (b tfBuilder) conv(name, in string, op *graph.Conv) string {
	x := b.convOp(name+".conv", in, op)
	x = b.bn(name+".bn", x, 0.001)
	return b.relu(name+".relu", x)
}

// sq adds a k×k BasicConv2d.
func (b tfBuilder) sq(name, in string, out, k, stride, pad int) string {
	return b.conv(name, in, sq(out, k, stride, pad, false))
}

// rect adds a kh×kw BasicConv2d padded to keep the size.
func (b tfBuilder) rect(name, in string, out, kh, kw int) string {
	return b.conv(name, in, rect(out, kh, kw, kh/2, kw/2))
}

// cv is one BasicConv2d of a chain: out channels, kernel kh×kw and how it
// treats the grid.
type cv struct{ out, kh, kw, mode int }

const (
	same  = iota // stride 1, padded to keep the size
	valid        // stride 1, no padding
	down         // stride 2, no padding
)

// chain adds a Sequential of BasicConv2d modules name.0, name.1, ….
func (b tfBuilder) chain(name, in string, convs ...cv) string {
	x := in
	for i, c := range convs {
		n := fmt.Sprintf("%s.%d", name, i)
		switch c.mode {
		case same:
			x = b.rect(n, x, c.out, c.kh, c.kw)
		case valid:
			x = b.conv(n, x, rect(c.out, c.kh, c.kw, 0, 0))
		case down:
			op := rect(c.out, c.kh, c.kw, 0, 0)
			op.Stride = [2]int{2, 2}
			x = b.conv(n, x, op)
		}
	}
	return x
}

// avgBranch adds the pooling branch: name.0 (3×3 average pool, stride 1,
// padding not counted) and name.1 (1×1 BasicConv2d).
func (b tfBuilder) avgBranch(name, in string, out int) string {
	x := b.pool(name+".0", in, avgPool(3, 1, 1, false, false))
	return b.sq(name+".1", x, out, 1, 1, 0)
}

// inceptionV4 builds Inception-v4 (Figure 9) for 3×299×299 inputs.
func inceptionV4(seed uint64, weights bool) (*graph.Graph, error) {
	b := tfBuilder{newBuilder("inceptionv4", 3, 299, 299, seed, weights)}
	x := b.sq("features.0", "data", 32, 3, 2, 0)
	x = b.sq("features.1", x, 32, 3, 1, 0)
	x = b.sq("features.2", x, 64, 3, 1, 1)
	{ // Mixed_3a (Figure 3)
		p := b.pool("features.3.maxpool", x, maxPool(3, 2, 0, false))
		c := b.sq("features.3.conv", x, 96, 3, 2, 0)
		x = b.concat("features.3", p, c)
	}
	{ // Mixed_4a
		b0 := b.chain("features.4.branch0", x, cv{64, 1, 1, same}, cv{96, 3, 3, valid})
		b1 := b.chain("features.4.branch1", x, cv{64, 1, 1, same}, cv{64, 1, 7, same}, cv{64, 7, 1, same}, cv{96, 3, 3, valid})
		x = b.concat("features.4", b0, b1)
	}
	{ // Mixed_5a
		c := b.sq("features.5.conv", x, 192, 3, 2, 0)
		p := b.pool("features.5.maxpool", x, maxPool(3, 2, 0, false))
		x = b.concat("features.5", c, p)
	}
	i := 6
	module := func() string { i++; return fmt.Sprintf("features.%d", i-1) }
	for range 4 { // Inception-A (Figure 4), 35×35×384
		m := module()
		b0 := b.sq(m+".branch0", x, 96, 1, 1, 0)
		b1 := b.chain(m+".branch1", x, cv{64, 1, 1, same}, cv{96, 3, 3, same})
		b2 := b.chain(m+".branch2", x, cv{64, 1, 1, same}, cv{96, 3, 3, same}, cv{96, 3, 3, same})
		x = b.concat(m, b0, b1, b2, b.avgBranch(m+".branch3", x, 96))
	}
	{ // Reduction-A (Figure 7, k=192, l=224, m=256, n=384)
		m := module()
		b0 := b.sq(m+".branch0", x, 384, 3, 2, 0)
		b1 := b.chain(m+".branch1", x, cv{192, 1, 1, same}, cv{224, 3, 3, same}, cv{256, 3, 3, down})
		x = b.concat(m, b0, b1, b.pool(m+".branch2", x, maxPool(3, 2, 0, false)))
	}
	for range 7 { // Inception-B (Figure 5), 17×17×1024
		m := module()
		b0 := b.sq(m+".branch0", x, 384, 1, 1, 0)
		b1 := b.chain(m+".branch1", x, cv{192, 1, 1, same}, cv{224, 1, 7, same}, cv{256, 7, 1, same})
		b2 := b.chain(m+".branch2", x, cv{192, 1, 1, same}, cv{192, 7, 1, same}, cv{224, 1, 7, same},
			cv{224, 7, 1, same}, cv{256, 1, 7, same})
		x = b.concat(m, b0, b1, b2, b.avgBranch(m+".branch3", x, 128))
	}
	{ // Reduction-B (Figure 8)
		m := module()
		b0 := b.chain(m+".branch0", x, cv{192, 1, 1, same}, cv{192, 3, 3, down})
		b1 := b.chain(m+".branch1", x, cv{256, 1, 1, same}, cv{256, 1, 7, same}, cv{320, 7, 1, same}, cv{320, 3, 3, down})
		x = b.concat(m, b0, b1, b.pool(m+".branch2", x, maxPool(3, 2, 0, false)))
	}
	for range 3 { // Inception-C (Figure 6), 8×8×1536
		m := module()
		b0 := b.sq(m+".branch0", x, 256, 1, 1, 0)
		b1 := b.sq(m+".branch1_0", x, 384, 1, 1, 0)
		b1a := b.rect(m+".branch1_1a", b1, 256, 1, 3)
		b1b := b.rect(m+".branch1_1b", b1, 256, 3, 1)
		b2 := b.sq(m+".branch2_0", x, 384, 1, 1, 0)
		b2 = b.rect(m+".branch2_2", b.rect(m+".branch2_1", b2, 448, 3, 1), 512, 1, 3)
		b2a := b.rect(m+".branch2_3a", b2, 256, 1, 3)
		b2b := b.rect(m+".branch2_3b", b2, 256, 3, 1)
		x = b.concat(m, b0, b1a, b1b, b2a, b2b, b.avgBranch(m+".branch3", x, 256))
	}
	x = b.pool("avg_pool", x, globalAvgPool())
	x = b.dense("last_linear", x, 1000)
	return b.finish(b.softmax("prob", x))
}

// inceptionResNetV2 builds Inception-ResNet-v2 (Figures 3 and 15–19) for
// 3×299×299 inputs. Each residual block concatenates its branches
// (<block>.cat), projects them with a 1×1 convolution with bias
// (<block>.conv2d), adds the scaled result to its input (<block>.add, an
// Eltwise sum with coefficients 1 and the block's scale) and applies ReLU
// (<block>.relu), except the last block (block8), which has no ReLU.
func inceptionResNetV2(seed uint64, weights bool) (*graph.Graph, error) {
	b := tfBuilder{newBuilder("inceptionresnetv2", 3, 299, 299, seed, weights)}
	x := b.sq("conv2d_1a", "data", 32, 3, 2, 0)
	x = b.sq("conv2d_2a", x, 32, 3, 1, 0)
	x = b.sq("conv2d_2b", x, 64, 3, 1, 1)
	x = b.pool("maxpool_3a", x, maxPool(3, 2, 0, false))
	x = b.sq("conv2d_3b", x, 80, 1, 1, 0)
	x = b.sq("conv2d_4a", x, 192, 3, 1, 0)
	x = b.pool("maxpool_5a", x, maxPool(3, 2, 0, false))
	{ // Mixed_5b: 35×35×320
		b0 := b.sq("mixed_5b.branch0", x, 96, 1, 1, 0)
		b1 := b.chain("mixed_5b.branch1", x, cv{48, 1, 1, same}, cv{64, 5, 5, same})
		b2 := b.chain("mixed_5b.branch2", x, cv{64, 1, 1, same}, cv{96, 3, 3, same}, cv{96, 3, 3, same})
		x = b.concat("mixed_5b", b0, b1, b2, b.avgBranch("mixed_5b.branch3", x, 64))
	}
	residual := func(m, in string, scale float32, relu bool, branches ...string) string {
		cat := b.concat(m+".cat", branches...)
		up := b.convOp(m+".conv2d", cat, sq(b.shapes[in][1], 1, 1, 0, true))
		x := b.sum(m+".add", []float32{1, scale}, in, up)
		if relu {
			x = b.relu(m+".relu", x)
		}
		return x
	}
	for i := range 10 { // Block35 (Figure 16), scale 0.17
		m := fmt.Sprintf("repeat.%d", i)
		b0 := b.sq(m+".branch0", x, 32, 1, 1, 0)
		b1 := b.chain(m+".branch1", x, cv{32, 1, 1, same}, cv{32, 3, 3, same})
		b2 := b.chain(m+".branch2", x, cv{32, 1, 1, same}, cv{48, 3, 3, same}, cv{64, 3, 3, same})
		x = residual(m, x, 0.17, true, b0, b1, b2)
	}
	{ // Mixed_6a (Reduction-A, k=256, l=256, m=384, n=384): 17×17×1088
		b0 := b.sq("mixed_6a.branch0", x, 384, 3, 2, 0)
		b1 := b.chain("mixed_6a.branch1", x, cv{256, 1, 1, same}, cv{256, 3, 3, same}, cv{384, 3, 3, down})
		x = b.concat("mixed_6a", b0, b1, b.pool("mixed_6a.branch2", x, maxPool(3, 2, 0, false)))
	}
	for i := range 20 { // Block17 (Figure 17), scale 0.10
		m := fmt.Sprintf("repeat_1.%d", i)
		b0 := b.sq(m+".branch0", x, 192, 1, 1, 0)
		b1 := b.chain(m+".branch1", x, cv{128, 1, 1, same}, cv{160, 1, 7, same}, cv{192, 7, 1, same})
		x = residual(m, x, 0.10, true, b0, b1)
	}
	{ // Mixed_7a (Reduction-B, Figure 18): 8×8×2080
		b0 := b.chain("mixed_7a.branch0", x, cv{256, 1, 1, same}, cv{384, 3, 3, down})
		b1 := b.chain("mixed_7a.branch1", x, cv{256, 1, 1, same}, cv{288, 3, 3, down})
		b2 := b.chain("mixed_7a.branch2", x, cv{256, 1, 1, same}, cv{288, 3, 3, same}, cv{320, 3, 3, down})
		x = b.concat("mixed_7a", b0, b1, b2, b.pool("mixed_7a.branch3", x, maxPool(3, 2, 0, false)))
	}
	block8 := func(m string, scale float32, relu bool) {
		b0 := b.sq(m+".branch0", x, 192, 1, 1, 0)
		b1 := b.chain(m+".branch1", x, cv{192, 1, 1, same}, cv{224, 1, 3, same}, cv{256, 3, 1, same})
		x = residual(m, x, scale, relu, b0, b1)
	}
	for i := range 9 { // Block8 (Figure 19), scale 0.20
		block8(fmt.Sprintf("repeat_2.%d", i), 0.20, true)
	}
	block8("block8", 1, false)
	x = b.sq("conv2d_7b", x, 1536, 1, 1, 0)
	x = b.pool("avgpool_1a", x, globalAvgPool())
	x = b.dense("last_linear", x, 1000)
	return b.finish(b.softmax("prob", x))
}

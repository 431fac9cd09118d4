package engine

import (
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// buffers recycles the storage of values nobody reads any more, for a
// Program compiled with CompileFinal. Each buffer counts the values that
// share it (a view shares its input's); when the last of them has had its
// last reader planned, the buffer is free for a later node's output. A
// node's outputs are taken before its inputs are released, so no kernel
// ever writes a buffer it reads.
type buffers struct {
	owner   map[string]*buffer
	last    map[string]int // index of the last node reading a value
	readers map[string]int // how many node inputs read a value
	free    []*buffer
}

type buffer struct {
	data   []float32
	refs   int
	pinned bool // graph inputs and outputs, constants: never recycled
}

// keep lists the values read after the run (the graph's outputs and any
// other value the caller keeps).
func newBuffers(g *graph.Graph, keep []string) *buffers {
	b := &buffers{owner: map[string]*buffer{}, last: map[string]int{}, readers: map[string]int{}}
	for i, n := range g.Nodes {
		for _, in := range n.Inputs {
			b.last[in] = i
			b.readers[in]++
		}
	}
	for _, v := range keep {
		b.last[v] = len(g.Nodes)
	}
	return b
}

// take returns storage for n elements: the smallest free buffer that is
// large enough, or a new one.
func (b *buffers) take(name string, n int) []float32 {
	best := -1
	for i, f := range b.free {
		if cap(f.data) >= n && (best < 0 || cap(f.data) < cap(b.free[best].data)) {
			best = i
		}
	}
	var buf *buffer
	if best >= 0 {
		buf = b.free[best]
		b.free = append(b.free[:best], b.free[best+1:]...)
	} else {
		buf = &buffer{data: make([]float32, n)}
	}
	buf.refs = 1
	b.owner[name] = buf
	return buf.data[:n]
}

// share records that name uses the storage of src (a view).
func (b *buffers) share(name, src string) {
	if buf := b.owner[src]; buf != nil {
		buf.refs++
		b.owner[name] = buf
	}
}

// done releases, after node i is planned, the values whose last reader it
// was and its outputs that nothing reads.
func (b *buffers) done(i int, n *graph.Node) {
	for _, name := range n.Outputs {
		if _, read := b.last[name]; !read {
			b.release(name)
		}
	}
	seen := map[string]bool{}
	for _, name := range n.Inputs {
		if b.last[name] == i && !seen[name] {
			seen[name] = true
			b.release(name)
		}
	}
}

func (b *buffers) release(name string) {
	buf := b.owner[name]
	if buf == nil || buf.pinned {
		return
	}
	delete(b.owner, name)
	if buf.refs--; buf.refs == 0 {
		b.free = append(b.free, buf)
	}
}

// pin keeps the storage of name for good.
func (b *buffers) pin(name string) {
	if buf := b.owner[name]; buf != nil {
		buf.pinned = true
	}
}

// fusesInPlace reports whether an activation reading conv's output may
// overwrite it: the activation is its only reader and it is not a graph
// output.
func (b *buffers) fusesInPlace(convOut string) bool {
	buf := b.owner[convOut]
	return buf != nil && !buf.pinned && b.readers[convOut] == 1
}

// PlanBytes is the memory a Program of g at batch 1 holds besides its
// values, its scratch and the graph's parameters: the convolution weights
// packed for the micro-kernel (tensor.NewConv), one copy per Program.
func PlanBytes(g *graph.Graph) (int64, error) {
	var n int64
	err := eachConv(g, func(geom tensor.ConvGeom) { n += 4 * int64(tensor.PackedLen(geom)) })
	return n, err
}

// ScratchBytes is the scratch a Program of g takes for its convolutions:
// the largest one's (tensor.ScratchLen), as the steps share one buffer.
func ScratchBytes(g *graph.Graph) (int64, error) {
	var n int64
	err := eachConv(g, func(geom tensor.ConvGeom) { n = max(n, 4*int64(tensor.ScratchLen(geom))) })
	return n, err
}

// eachConv calls f with the geometry of every convolution of g at batch 1.
func eachConv(g *graph.Graph, f func(tensor.ConvGeom)) error {
	shapes, err := g.InferShapes(1)
	if err != nil {
		return err
	}
	for _, nd := range g.Nodes {
		op, ok := nd.Op.(*graph.Conv)
		if !ok || len(nd.Inputs) == 0 {
			continue
		}
		xs := shapes[nd.Inputs[0]]
		win, oh, ow, err := op.Window.Resolve(xs[2], xs[3], false)
		if err != nil {
			return err
		}
		geom := Geom(xs, win, op.OutChannels, oh, ow)
		geom.Groups = max(1, op.Groups)
		f(geom)
	}
	return nil
}

// ColumnScratchMin is the scratch (in floats) a convolution may take for
// its column matrix even beyond twice its input (tensor.ColumnScratchMin),
// for the server's memory model.
const ColumnScratchMin = tensor.ColumnScratchMin

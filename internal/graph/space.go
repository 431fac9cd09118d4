package graph

import "fmt"

// DepthToSpace moves channels into Block×Block spatial blocks (TensorFlow
// depth_to_space, ONNX DepthToSpace, PyTorch pixel_shuffle, the "pixel
// shuffle" of super-resolution models): [N, C, H, W] → [N, C/B², H·B, W·B].
// Output channel c at offset (i, j) of its block reads input channel
// (i·B + j)·C/B² + c in mode DCR (TensorFlow's, ONNX's default), and
// (c·B + i)·B + j in mode CRD (PyTorch's pixel_shuffle).
type DepthToSpace struct {
	Block int
	CRD   bool
}

func (d *DepthToSpace) Kind() string { return "DepthToSpace" }

func (d *DepthToSpace) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 4, "DepthToSpace"); err != nil {
		return nil, err
	}
	b, x := d.Block, in[0]
	if b <= 0 {
		return nil, fmt.Errorf("DepthToSpace: block size %d must be positive", b)
	}
	if x[1]%(b*b) != 0 {
		return nil, fmt.Errorf("DepthToSpace: %d channels are not a multiple of %d (block size %d squared)", x[1], b*b, b)
	}
	out := Shape{x[0], x[1] / (b * b), x[2] * b, x[3] * b}
	if x[2] < 0 {
		out[2] = -1
	}
	if x[3] < 0 {
		out[3] = -1
	}
	return []Shape{out}, nil
}

func (d *DepthToSpace) ParamShapes([]Shape) map[string]Shape { return nil }
func (d *DepthToSpace) Cost(in, out []Shape) Cost            { return Cost{} }

// Traits of DepthToSpace: it moves values (range kept), mixing channels.
func (d *DepthToSpace) Traits() Traits {
	return Traits{Family: FamilyShape, KeepsRange: true, KeepsBatch: true}
}

package onnx

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// convDepthToSpace maps DepthToSpace (PyTorch's pixel_shuffle, mode CRD;
// TensorFlow's, mode DCR) to the IR's DepthToSpace, and SpaceToDepth to a
// Reshape to rank 6, a Transpose and a Reshape back, as the ONNX
// definition spells it out.
func convDepthToSpace(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if len(x.shape) != 4 {
		return fmt.Errorf("input of shape %v is not N×C×H×W", graph.Shape(x.shape))
	}
	b := c.int("blocksize", 0)
	n, ch, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if b <= 0 {
		return fmt.Errorf("blocksize %d must be positive", b)
	}
	var six, perm, out []int
	switch {
	case c.op == "SpaceToDepth":
		if h%b != 0 || w%b != 0 {
			return fmt.Errorf("blocksize %d does not divide %d×%d", b, h, w)
		}
		six, perm, out = []int{n, ch, h / b, b, w / b, b}, []int{0, 3, 5, 1, 2, 4}, []int{n, ch * b * b, h / b, w / b}
	case ch%(b*b) != 0:
		return fmt.Errorf("blocksize %d: %d channels are not a multiple of %d", b, ch, b*b)
	default:
		mode := c.str("mode", "DCR")
		if mode != "DCR" && mode != "CRD" {
			return fmt.Errorf("mode %q is not DCR or CRD", mode)
		}
		xn, err := c.live(0)
		if err != nil {
			return err
		}
		return c.emit("", "", &graph.DepthToSpace{Block: b, CRD: mode == "CRD"}, []string{xn}, []string{c.out(0)}, nil, x.dt)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	r6, t6 := c.temp("blocks"), c.temp("moved")
	if err := c.reshapeTo("blocks", x, xn, six, r6); err != nil {
		return err
	}
	if err := c.emit("move", "Transpose", &graph.Transpose{Perm: perm}, []string{r6}, []string{t6}, nil, x.dt); err != nil {
		return err
	}
	return c.reshapeTo("", c.imp.vals[t6], t6, out, c.out(0))
}

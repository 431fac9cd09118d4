package onnx

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// convGroupNorm maps InstanceNormalization (groups = channels) and
// GroupNormalization (num_groups; a scale and bias of num_groups values,
// opset 18, apply to every channel of their group).
func convGroupNorm(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if len(x.shape) < 3 {
		return fmt.Errorf("input of shape %v has no channels and positions", graph.Shape(x.shape))
	}
	ch := x.shape[1]
	groups := ch
	if c.op == "GroupNormalization" {
		groups = c.int("num_groups", 0)
		if groups <= 0 || ch%groups != 0 {
			return fmt.Errorf("num_groups %d does not divide %d channels", groups, ch)
		}
	}
	params := map[string]*graph.Tensor{}
	for i, name := range []string{"scale", "bias"} {
		t, err := c.floatParam(i+1, "the "+name)
		if err != nil {
			return err
		}
		p := param(t)
		switch t.Len() {
		case ch:
			p = param(t, ch)
		case groups: // per group: each channel of the group
			d := make([]float32, ch)
			for k := range d {
				d[k] = p.Data[k/(ch/groups)]
			}
			p = &graph.Tensor{Shape: []int{ch}, Data: d}
		default:
			return fmt.Errorf("%s of shape %v fits neither %d channels nor %d groups", name, graph.Shape(t.Shape), ch, groups)
		}
		params[name] = p
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.GroupNorm{Groups: groups, Epsilon: c.float("epsilon", 1e-5)}, []string{xn}, []string{c.out(0)}, params, x.dt)
}

// convLayerNorm maps LayerNormalization (opset 17): over axis…rank−1, with
// a scale (and an optional bias) of the normalised shape or broadcast to
// it. Its optional Mean and InvStdDev outputs are not supported.
func convLayerNorm(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	r := len(x.shape)
	axis, err := graph.NormAxis(c.int("axis", -1), r)
	if err != nil {
		return err
	}
	if c.imp.used[c.out(1)] && c.out(1) != "" || c.imp.used[c.out(2)] && c.out(2) != "" {
		return c.unsupported("the Mean and InvStdDev outputs")
	}
	norm := x.shape[axis:]
	op := &graph.LayerNorm{Epsilon: c.float("epsilon", 1e-5), NoBias: !c.has(2)}
	for a := axis; a < r; a++ {
		op.Axes = append(op.Axes, a)
	}
	params := map[string]*graph.Tensor{}
	for i, name := range []string{"scale", "bias"} {
		if !c.has(i + 1) {
			continue
		}
		t, err := c.floatParam(i+1, "the "+name)
		if err != nil {
			return err
		}
		full, err := broadcastTo(t, norm)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		params[name] = full
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", op, []string{xn}, []string{c.out(0)}, params, x.dt)
}

// broadcastTo expands a static float tensor to shape by NumPy broadcasting.
func broadcastTo(t *Tensor, shape []int) (*graph.Tensor, error) {
	if _, err := graph.Broadcast(shape, t.Shape); err != nil || len(t.Shape) > len(shape) {
		return nil, fmt.Errorf("shape %v does not broadcast to %v", graph.Shape(t.Shape), graph.Shape(shape))
	}
	src := t.Float32()
	out := graph.NewTensor(shape...)
	ts := make([]int, len(shape)) // t's dims aligned right, 1 where absent
	for i := range ts {
		ts[i] = 1
	}
	copy(ts[len(shape)-len(t.Shape):], t.Shape)
	for i := range out.Data {
		rem, j, stride := i, 0, 1
		idx := make([]int, len(shape))
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d] = rem % shape[d]
			rem /= shape[d]
		}
		for d := len(shape) - 1; d >= 0; d-- {
			if ts[d] != 1 {
				j += idx[d] * stride
			}
			stride *= ts[d]
		}
		out.Data[i] = src[j]
	}
	return out, nil
}

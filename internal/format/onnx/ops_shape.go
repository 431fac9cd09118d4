package onnx

import (
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/graph"
)

// Shape operators. When their data input is known at import time they fold
// (PyTorch's Shape → Gather → Unsqueeze → Concat → Reshape chains vanish);
// otherwise they become IR layout operators.

// axisAttr reads and normalises an axis attribute for rank r (extra allows
// axis == r, as Flatten does).
func (c *ctx) axisAttr(name string, def, r int, extra bool) (int, error) {
	axis := c.int(name, def)
	n := r
	if extra {
		n++
	}
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= n {
		return 0, fmt.Errorf("axis %d is out of range for rank %d", axis, r)
	}
	return axis, nil
}

// ints input i, required static, as small ints.
func (c *ctx) intsInput(i int, what string) ([]int, error) {
	t, err := c.require(i, what)
	if err != nil {
		return nil, err
	}
	if t.IsFloat() {
		return nil, fmt.Errorf("%s has element type %s, expected integers", what, t.Type)
	}
	return smallInts(t.Ints, what)
}

// reshapeTo emits a Reshape of value x (graph name xn) to shape, defining out.
// A 0 at index 0 keeps the batch dimension when it is unchanged.
func (c *ctx) reshapeTo(suffix string, x *value, xn string, shape []int, out string) error {
	s := append([]int{}, shape...)
	if len(s) > 0 && len(x.shape) > 0 && s[0] == x.shape[0] {
		s[0] = 0
	}
	return c.emit(suffix, "Reshape", &graph.Reshape{Shape: s}, []string{xn}, []string{out}, nil, x.dt)
}

// withShape defines output 0 as x reshaped: folded when x is static.
func (c *ctx) withShape(x *value, shape []int, keepBatch bool) error {
	if shapeElems(shape) != shapeElems(x.shape) {
		return fmt.Errorf("cannot reshape %v to %v", graph.Shape(x.shape), graph.Shape(shape))
	}
	if x.c != nil {
		return c.setStatic(0, reshaped(x.c, shape))
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	if !keepBatch {
		return c.emit("", "", &graph.Reshape{Shape: shape}, []string{xn}, []string{c.out(0)}, nil, x.dt)
	}
	s := append([]int{}, shape...)
	if len(s) > 0 && len(x.shape) > 0 && s[0] == x.shape[0] {
		s[0] = 0
	}
	return c.emit("", "", &graph.Reshape{Shape: s}, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func convFlatten(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	axis, err := c.axisAttr("axis", 1, len(x.shape), true)
	if err != nil {
		return err
	}
	shape := []int{shapeElems(x.shape[:axis]), shapeElems(x.shape[axis:])}
	if x.c != nil || axis == 0 {
		return c.withShape(x, shape, false)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.Flatten{Axis: axis}, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func convReshape(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	var shape []int
	if c.imp.opset < 5 {
		shape = c.ints("shape")
	} else {
		shape, err = c.intsInput(1, "the shape")
	}
	if err != nil {
		return err
	}
	allowZero := c.int("allowzero", 0)
	op := &graph.Reshape{Shape: shape, AllowZero: allowZero != 0}
	out, err := op.Infer([]graph.Shape{x.shape})
	if err != nil {
		return err
	}
	if x.c != nil {
		return c.setStatic(0, reshaped(x.c, out[0]))
	}
	if t := c.static(1); t != nil && t.isBatch(0) && x.batchDim && allowZero == 0 {
		// The batch size was folded from the input's shape: copy it
		// instead, so the graph runs at any batch size.
		op.Shape = append([]int{0}, shape[1:]...)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", op, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func convTranspose(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	perm := c.ints("perm")
	op := &graph.Transpose{Perm: perm}
	p, err := op.Resolve(len(x.shape))
	if err != nil {
		return err
	}
	if x.c != nil {
		t, err := c.imp.transposeStatic(x.c, p)
		if err != nil {
			return err
		}
		return c.setStatic(0, t)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", op, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func convConcat(c *ctx) error {
	if c.nin() == 0 {
		return fmt.Errorf("no inputs")
	}
	vals := make([]*value, c.nin())
	allStatic := true
	for i := range vals {
		v, err := c.in(i)
		if err != nil {
			return err
		}
		vals[i] = v
		allStatic = allStatic && v.c != nil
	}
	def := 0
	if c.imp.opset < 4 {
		def = 1
	}
	axis, err := c.axisAttr("axis", def, len(vals[0].shape), false)
	if err != nil {
		return err
	}
	if allStatic {
		ts := make([]*Tensor, len(vals))
		for i, v := range vals {
			ts[i] = v.c
		}
		t, err := c.imp.concatStatic(ts, axis)
		if err != nil {
			return err
		}
		return c.setStatic(0, t)
	}
	var names []string
	for i, v := range vals {
		if v.c != nil && shapeElems(v.shape) == 0 {
			continue // an empty constant adds nothing
		}
		n, err := c.live(i)
		if err != nil {
			return err
		}
		names = append(names, n)
	}
	return c.emit("", "", &graph.Concat{Axis: axis}, names, []string{c.out(0)}, nil, vals[0].dt)
}

func convPad(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	r := len(x.shape)
	mode := c.str("mode", "constant")
	var pads []int
	var value float32
	if c.imp.opset < 11 {
		name := "pads"
		if c.imp.opset < 2 {
			name = "paddings"
		}
		pads = c.ints(name)
		value = c.float("value", 0)
	} else {
		if pads, err = c.intsInput(1, "the pads"); err != nil {
			return err
		}
		if c.has(2) {
			t, err := c.require(2, "the constant value")
			if err != nil {
				return err
			}
			if t.Len() != 1 {
				return fmt.Errorf("constant value of shape %v is not a scalar", graph.Shape(t.Shape))
			}
			value = float32(t.at(0))
		}
		if c.has(3) {
			axes, err := c.intsInput(3, "the axes")
			if err != nil {
				return err
			}
			if len(pads) != 2*len(axes) {
				return fmt.Errorf("%d pads for %d axes", len(pads), len(axes))
			}
			full := make([]int, 2*r)
			for i, a := range axes {
				if a < 0 {
					a += r
				}
				if a < 0 || a >= r {
					return fmt.Errorf("axis %d is out of range for rank %d", axes[i], r)
				}
				full[a], full[a+r] = pads[i], pads[i+len(axes)]
			}
			pads = full
		}
	}
	if len(pads) != 2*r {
		return fmt.Errorf("%d pads for a rank-%d input", len(pads), r)
	}
	switch mode {
	case "constant", "reflect", "edge":
	default:
		return c.unsupported(fmt.Sprintf("mode %q", mode))
	}
	for d := 0; d < r; d++ {
		if mode == "reflect" && (pads[d] >= x.shape[d] || pads[d+r] >= x.shape[d]) {
			return fmt.Errorf("reflect pads %v are not smaller than the input %v", pads, graph.Shape(x.shape))
		}
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.Pad{Pads: pads, Mode: mode, Value: value}, []string{xn}, []string{c.out(0)}, nil, x.dt)
}

func convConstant(c *ctx) error {
	if t := c.tensorAttr("value"); t != nil {
		return c.setStatic(0, t)
	}
	if c.hasAttr("value_float") {
		v := c.float("value_float", 0)
		return c.setStatic(0, scalar(v))
	}
	if c.hasAttr("value_floats") {
		v := c.floats("value_floats")
		return c.setStatic(0, &Tensor{Type: TensorProto_FLOAT, Shape: []int{len(v)}, Floats: append([]float32{}, v...)})
	}
	if c.hasAttr("value_int") {
		if a := c.attr("value_int", AttributeProto_INT); a != nil {
			return c.setStatic(0, &Tensor{Type: TensorProto_INT64, Shape: []int{}, Ints: []int64{a.GetI()}})
		}
	}
	if c.hasAttr("value_ints") {
		if a := c.attr("value_ints", AttributeProto_INTS); a != nil {
			return c.setStatic(0, intVector(append([]int64{}, a.GetInts()...)))
		}
	}
	for _, name := range []string{"sparse_value", "value_string", "value_strings"} {
		if c.hasAttr(name) {
			return c.unsupported(name)
		}
	}
	return fmt.Errorf("no value attribute")
}

func convConstantOfShape(c *ctx) error {
	shape, err := c.intsInput(0, "the shape")
	if err != nil {
		return err
	}
	v := c.tensorAttr("value")
	if v == nil {
		v = scalar(0)
	}
	if v.Len() != 1 {
		return fmt.Errorf("value of shape %v is not a single element", graph.Shape(v.Shape))
	}
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", shape)
		}
	}
	t, err := c.imp.fill(v, shape)
	if err != nil {
		return err
	}
	return c.setStatic(0, t)
}

func convShape(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	r := len(x.shape)
	start := c.int("start", 0)
	end := c.int("end", r)
	start, end = clampIndex(start, r), clampIndex(end, r)
	dims := []int64{}
	for i := start; i < end; i++ {
		dims = append(dims, int64(x.shape[i]))
	}
	t := intVector(dims)
	if x.batchDim && start == 0 && end > 0 {
		t.markBatch(0, true)
	}
	return c.setStatic(0, t)
}

// clampIndex normalises a possibly negative index into [0, n].
func clampIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	return min(max(i, 0), n)
}

func convSize(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	return c.setStatic(0, &Tensor{Type: TensorProto_INT64, Shape: []int{}, Ints: []int64{int64(shapeElems(x.shape))}})
}

func convGather(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	axis, err := c.axisAttr("axis", 0, len(x.shape), false)
	if err != nil {
		return err
	}
	idx, err := c.require(1, "the indices")
	if err != nil {
		return err
	}
	if idx.IsFloat() {
		return fmt.Errorf("indices have element type %s", idx.Type)
	}
	if x.c != nil {
		t, err := c.imp.gatherStatic(x.c, idx, axis)
		if err != nil {
			return err
		}
		return c.setStatic(0, t)
	}
	if idx.Len() != 1 {
		return c.gatherRuntime(x, axis, idx)
	}
	// A single index of a runtime tensor: slice it out.
	n := x.shape[axis]
	k := idx.Ints[0]
	if k < -int64(n) || k >= int64(n) {
		return fmt.Errorf("index %d is out of range for a dimension of %d", k, n)
	}
	if k < 0 {
		k += int64(n)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	out := append(append(append([]int{}, x.shape[:axis]...), idx.Shape...), x.shape[axis+1:]...)
	part := c.out(0)
	if !equalShape(out, withDim(x.shape, axis, 1)) {
		part = c.temp("slice")
	}
	if err := c.sliceAxis(x, xn, axis, int(k), int(k)+1, part); err != nil {
		return err
	}
	if part == c.out(0) {
		return nil
	}
	pv := c.imp.vals[part]
	return c.reshapeTo("squeeze", pv, part, out, c.out(0))
}

func withDim(s []int, axis, d int) []int {
	r := append([]int{}, s...)
	r[axis] = d
	return r
}

// sliceAxis emits the IR Slice that keeps [start, end) of axis of x (graph
// name xn) as value out.
func (c *ctx) sliceAxis(x *value, xn string, axis, start, end int, out string) error {
	n := x.shape[axis]
	var points []int
	var outs []string
	switch {
	case start == 0 && end == n:
		return c.emit("slice", "Identity", &graph.Identity{}, []string{xn}, []string{out}, nil, x.dt)
	case start == 0:
		points, outs = []int{end}, []string{out}
	case end == n:
		points, outs = []int{start}, []string{c.temp("before"), out}
	default:
		points, outs = []int{start, end}, []string{c.temp("before"), out}
	}
	return c.emit(fmt.Sprintf("slice%d", axis), "Slice", &graph.Slice{Axis: axis, Points: points}, []string{xn}, outs, nil, x.dt)
}

// axesOf reads the axes of Squeeze and Unsqueeze: an attribute before opset
// 13, an input from it on.
func (c *ctx) axesOf() ([]int, bool, error) {
	if c.imp.opset < 13 {
		a := c.ints("axes")
		return a, a != nil, nil
	}
	if !c.has(1) {
		return nil, false, nil
	}
	a, err := c.intsInput(1, "the axes")
	return a, true, err
}

func convUnsqueeze(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	axes, ok, err := c.axesOf()
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("axes are missing")
	}
	r := len(x.shape) + len(axes)
	insert := make([]bool, r)
	for _, a := range axes {
		if a < 0 {
			a += r
		}
		if a < 0 || a >= r || insert[a] {
			return fmt.Errorf("axes %v are invalid for an output of rank %d", axes, r)
		}
		insert[a] = true
	}
	shape := make([]int, 0, r)
	j := 0
	for i := 0; i < r; i++ {
		if insert[i] {
			shape = append(shape, 1)
		} else {
			shape = append(shape, x.shape[j])
			j++
		}
	}
	return c.withShape(x, shape, r > 0 && !insert[0]) // r = 0: a scalar with no axes
}

func convSqueeze(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	axes, ok, err := c.axesOf()
	if err != nil {
		return err
	}
	r := len(x.shape)
	drop := make([]bool, r)
	if !ok {
		for i, d := range x.shape {
			drop[i] = d == 1
		}
	}
	for _, a := range axes {
		if a < 0 {
			a += r
		}
		if a < 0 || a >= r || x.shape[a] != 1 {
			return fmt.Errorf("cannot squeeze axes %v of shape %v", axes, graph.Shape(x.shape))
		}
		drop[a] = true
	}
	var shape []int
	for i, d := range x.shape {
		if !drop[i] {
			shape = append(shape, d)
		}
	}
	if shape == nil {
		shape = []int{}
	}
	return c.withShape(x, shape, r > 0 && !drop[0])
}

func convCast(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	to := c.int("to", 0)
	dt := TensorProto_DataType(to)
	if elemSize(dt) == 0 {
		return c.unsupported(fmt.Sprintf("cast to %s", dt))
	}
	if x.c != nil {
		t, err := c.imp.castStatic(x.c, dt)
		if err != nil {
			return err
		}
		return c.setStatic(0, t)
	}
	switch {
	case isFloatType(dt):
		// float32 holds every value the engine can compute; narrowing
		// to float16 is not modelled.
	case !isFloatType(x.dt) && dt != TensorProto_BOOL && x.dt != TensorProto_BOOL:
		// integer to integer
	default:
		return c.unsupported(fmt.Sprintf("cast of a runtime %s tensor to %s", x.dt, dt))
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	return c.emit("", "", &graph.Identity{}, []string{xn}, []string{c.out(0)}, nil, dt)
}

func convSlice(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	r := len(x.shape)
	var starts, ends, axes, steps []int64
	if c.imp.opset < 10 {
		for _, p := range []struct {
			name string
			dst  *[]int64
		}{{"starts", &starts}, {"ends", &ends}, {"axes", &axes}} {
			if a := c.attr(p.name, AttributeProto_INTS); a != nil {
				*p.dst = a.GetInts()
			}
		}
	} else {
		for i, dst := range []*[]int64{&starts, &ends, &axes, &steps} {
			if !c.has(i + 1) {
				continue
			}
			t, err := c.require(i+1, []string{"the starts", "the ends", "the axes", "the steps"}[i])
			if err != nil {
				return err
			}
			if t.IsFloat() {
				return fmt.Errorf("slice parameters have element type %s", t.Type)
			}
			*dst = t.Ints
		}
	}
	if len(starts) != len(ends) || (axes != nil && len(axes) != len(starts)) || (steps != nil && len(steps) != len(starts)) {
		return fmt.Errorf("starts %v, ends %v, axes %v and steps %v differ in length", starts, ends, axes, steps)
	}
	var sl []axisSlice
	seen := make([]bool, r)
	for i := range starts {
		a := int64(i)
		if axes != nil {
			a = axes[i]
		}
		if a < 0 {
			a += int64(r)
		}
		if a < 0 || a >= int64(r) || seen[a] {
			return fmt.Errorf("axes %v are invalid for rank %d", axes, r)
		}
		seen[a] = true
		step := int64(1)
		if steps != nil {
			step = steps[i]
		}
		if step == 0 {
			return fmt.Errorf("slice step is 0")
		}
		n := int64(x.shape[a])
		s, e := starts[i], ends[i]
		if s < 0 {
			s += n
		}
		if e < 0 && e != math.MinInt64 {
			e += n
		} else if e == math.MinInt64 {
			e = -1
		}
		if step > 0 {
			s, e = min(max(s, 0), n), min(max(e, 0), n)
		} else {
			s, e = min(max(s, 0), n-1), min(max(e, -1), n-1)
		}
		step = max(min(step, n+1), -n-1)
		sl = append(sl, axisSlice{axis: int(a), start: int(s), end: int(e), step: int(step)})
	}
	if x.c != nil {
		t, err := c.imp.sliceStatic(x.c, sl)
		if err != nil {
			return err
		}
		return c.setStatic(0, t)
	}
	cur, curName := x, ""
	if curName, err = c.live(0); err != nil {
		return err
	}
	var todo []axisSlice
	for _, s := range sl {
		if s.count() == 0 {
			return c.unsupported("zero-size tensors (empty slice)")
		}
		if s.start != 0 || s.end != cur.shape[s.axis] || s.step != 1 {
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return c.emit("", "Identity", &graph.Identity{}, []string{curName}, []string{c.out(0)}, nil, x.dt)
	}
	for i, s := range todo {
		out := c.out(0)
		if i < len(todo)-1 {
			out = c.temp(fmt.Sprintf("slice%d", s.axis))
		}
		if s.step != 1 {
			op := &graph.StepSlice{Axis: s.axis, Start: s.start, Step: s.step, Count: s.count()}
			if err := c.emit(fmt.Sprintf("step%d", s.axis), "Slice", op, []string{curName}, []string{out}, nil, x.dt); err != nil {
				return err
			}
		} else if err := c.sliceAxis(cur, curName, s.axis, s.start, s.end, out); err != nil {
			return err
		}
		cur, curName = c.imp.vals[out], out
	}
	return nil
}

func convSplit(c *ctx) error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	axis, err := c.axisAttr("axis", 0, len(x.shape), false)
	if err != nil {
		return err
	}
	n := x.shape[axis]
	nout := len(c.n.GetOutput())
	var split []int
	if c.imp.opset < 13 {
		split = c.ints("split")
	} else if c.has(1) {
		split, err = c.intsInput(1, "the split")
	}
	if err != nil {
		return err
	}
	if split == nil {
		parts := nout
		if c.imp.opset >= 18 && c.hasAttr("num_outputs") {
			parts = c.int("num_outputs", nout)
		}
		if parts <= 0 {
			return fmt.Errorf("split into %d parts", parts)
		}
		size := (n + parts - 1) / parts
		for i := 0; i < parts; i++ {
			split = append(split, max(0, min(size, n-i*size)))
		}
	}
	if len(split) != nout {
		return fmt.Errorf("%d split sizes for %d outputs", len(split), nout)
	}
	total := 0
	var points []int
	for i, s := range split {
		if s <= 0 {
			return c.unsupported("zero-size tensors (empty split)")
		}
		total += s
		if i < len(split)-1 {
			points = append(points, total)
		}
	}
	if total != n {
		return fmt.Errorf("split sizes %v do not add up to %d", split, n)
	}
	if x.c != nil {
		start := 0
		for i, s := range split {
			t, err := c.imp.sliceStatic(x.c, []axisSlice{{axis: axis, start: start, end: start + s, step: 1}})
			if err != nil {
				return err
			}
			if err := c.setStatic(i, t); err != nil {
				return err
			}
			start += s
		}
		return nil
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	outs := make([]string, nout)
	for i := range outs {
		if outs[i] = c.out(i); outs[i] == "" {
			outs[i] = c.temp(fmt.Sprintf("part%d", i))
		}
	}
	if nout == 1 {
		return c.emit("", "Identity", &graph.Identity{}, []string{xn}, outs, nil, x.dt)
	}
	return c.emit("", "", &graph.Slice{Axis: axis, Points: points}, []string{xn}, outs, nil, x.dt)
}

// gatherRuntime gathers several constant indices of a runtime tensor: a
// graph.Gather of the flattened index list, reshaped when the indices are
// not a vector (output shape x[:axis] + indices + x[axis+1:]).
func (c *ctx) gatherRuntime(x *value, axis int, idx *Tensor) error {
	if idx.Len() == 0 {
		return c.unsupported("zero-size tensors (no index)")
	}
	list := make([]int, idx.Len())
	for i, k := range idx.Ints {
		if k > math.MaxInt32 || k < math.MinInt32 {
			return fmt.Errorf("index %d is out of range", k)
		}
		list[i] = int(k)
	}
	xn, err := c.live(0)
	if err != nil {
		return err
	}
	op := &graph.Gather{Axis: axis, Indices: list}
	out := append(append(append([]int{}, x.shape[:axis]...), idx.Shape...), x.shape[axis+1:]...)
	if len(idx.Shape) == 1 {
		return c.emit("", "", op, []string{xn}, []string{c.out(0)}, nil, x.dt)
	}
	part := c.temp("gathered")
	if err := c.emit("", "", op, []string{xn}, []string{part}, nil, x.dt); err != nil {
		return err
	}
	return c.reshapeTo("reshape", c.imp.vals[part], part, out, c.out(0))
}

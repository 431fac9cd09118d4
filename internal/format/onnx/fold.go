package onnx

import (
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// Constant folding: operations on tensors known at import time. They never
// modify their operands (static values may be shared) and they charge the
// elements they allocate to the import's budget.

// newTensor allocates a tensor of the given type and shape.
func (imp *importer) newTensor(dt TensorProto_DataType, shape []int) (*Tensor, error) {
	_, n, err := elems(toInt64(shape))
	if err != nil {
		return nil, err
	}
	if err := take(imp.budget, dt, n, shape); err != nil {
		return nil, err
	}
	t := &Tensor{Type: dt, Shape: append([]int{}, shape...)}
	if isFloatType(dt) {
		t.Floats = make([]float32, n)
	} else {
		t.Ints = make([]int64, n)
	}
	return t, nil
}

// reshaped returns t viewed with another shape of the same size (sharing
// its data).
func reshaped(t *Tensor, shape []int) *Tensor {
	return &Tensor{Name: t.Name, Type: t.Type, Shape: append([]int{}, shape...), Floats: t.Floats, Ints: t.Ints, batch: t.batch}
}

// set stores element i of t from a float64 (integer types truncate).
func (t *Tensor) set(i int, v float64) {
	if t.IsFloat() {
		t.Floats[i] = float32(v)
	} else {
		t.Ints[i] = int64(v)
	}
}

// copyElem copies element j of src to element i of dst (same kind).
func copyElem(dst *Tensor, i int, src *Tensor, j int) {
	if dst.IsFloat() {
		dst.Floats[i] = src.Floats[j]
	} else {
		dst.Ints[i] = src.Ints[j]
	}
}

// index walks the row-major multi-indices of shape, calling f with the
// linear output index and the multi-index.
func eachIndex(shape []int, f func(i int, idx []int)) {
	n := shapeElems(shape)
	idx := make([]int, len(shape))
	for i := 0; i < n; i++ {
		f(i, idx)
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// transposeStatic permutes the dimensions of t (output dim i = input dim
// perm[i]).
func (imp *importer) transposeStatic(t *Tensor, perm []int) (*Tensor, error) {
	out := make([]int, len(perm))
	for i, p := range perm {
		out[i] = t.Shape[p]
	}
	r, err := imp.newTensor(t.Type, out)
	if err != nil {
		return nil, err
	}
	if t.IsFloat() {
		tensor.Transpose(r.Floats, t.Floats, t.Shape, perm)
		return r, nil
	}
	st := tensor.RowStrides(t.Shape)
	eachIndex(out, func(i int, idx []int) {
		j := 0
		for d, p := range perm {
			j += idx[d] * st[p]
		}
		r.Ints[i] = t.Ints[j]
	})
	return r, nil
}

// binaryKinds are the element-wise operations constant folding knows.
type binaryKind int

const (
	binAdd binaryKind = iota
	binSub
	binMul
	binDiv
	binMax
	binMin
	binPow
	binEqual
	binLess
	binGreater
	binLessEq
	binGreaterEq
	binAnd
	binOr
)

// boolResult reports whether op gives a boolean.
func (op binaryKind) boolResult() bool { return op >= binEqual }

// compare applies a comparison or logical op to two values.
func (op binaryKind) compare(x, y float64) bool {
	switch op {
	case binEqual:
		return x == y
	case binLess:
		return x < y
	case binGreater:
		return x > y
	case binLessEq:
		return x <= y
	case binGreaterEq:
		return x >= y
	case binAnd:
		return x != 0 && y != 0
	case binOr:
		return x != 0 || y != 0
	}
	return false
}

// binaryStatic applies op with NumPy broadcasting. Integer operands give an
// integer result (division truncates); a float operand makes it float.
func (imp *importer) binaryStatic(a, b *Tensor, op binaryKind) (*Tensor, error) {
	out, err := graph.Broadcast(a.Shape, b.Shape)
	if err != nil {
		return nil, err
	}
	dt := a.Type
	if !a.IsFloat() && b.IsFloat() {
		dt = b.Type
	}
	if op.boolResult() {
		dt = TensorProto_BOOL
	}
	r, err := imp.newTensor(dt, out)
	if err != nil {
		return nil, err
	}
	sa, sb := tensor.BroadcastStrides(a.Shape, out), tensor.BroadcastStrides(b.Shape, out)
	intMath := !a.IsFloat() && !b.IsFloat()
	var divErr error
	eachIndex(out, func(i int, idx []int) {
		ia, ib := 0, 0
		for d, v := range idx {
			ia += v * sa[d]
			ib += v * sb[d]
		}
		if intMath {
			x, y := a.Ints[ia], b.Ints[ib]
			var z int64
			switch op {
			case binAdd:
				z = x + y
			case binSub:
				z = x - y
			case binMul:
				z = x * y
			case binDiv:
				if y == 0 {
					divErr = fmt.Errorf("integer division by zero")
					return
				}
				z = x / y
			case binMax:
				z = max(x, y)
			case binMin:
				z = min(x, y)
			case binPow:
				z = 1
				for k := int64(0); k < y && k < 64; k++ {
					z *= x
				}
			default:
				if op.compare(float64(x), float64(y)) {
					z = 1
				}
			}
			r.Ints[i] = z
			return
		}
		x, y := a.at(ia), b.at(ib)
		var z float64
		switch op {
		case binAdd:
			z = float64(float32(x) + float32(y))
		case binSub:
			z = float64(float32(x) - float32(y))
		case binMul:
			z = float64(float32(x) * float32(y))
		case binDiv:
			z = float64(float32(x) / float32(y))
		case binMax:
			z = max(x, y)
		case binMin:
			z = min(x, y)
		case binPow:
			z = math.Pow(x, y)
		default:
			if op.compare(x, y) {
				z = 1
			}
		}
		r.set(i, z)
	})
	if divErr != nil {
		return nil, divErr
	}
	return r, nil
}

// concatStatic joins tensors along axis.
func (imp *importer) concatStatic(ts []*Tensor, axis int) (*Tensor, error) {
	out := append([]int{}, ts[0].Shape...)
	dt := ts[0].Type
	for _, t := range ts[1:] {
		if len(t.Shape) != len(out) {
			return nil, fmt.Errorf("cannot concatenate shapes %v and %v", graph.Shape(ts[0].Shape), graph.Shape(t.Shape))
		}
		for d := range out {
			if d != axis && t.Shape[d] != out[d] {
				return nil, fmt.Errorf("cannot concatenate shapes %v and %v along axis %d", graph.Shape(ts[0].Shape), graph.Shape(t.Shape), axis)
			}
		}
		out[axis] += t.Shape[axis]
		if t.IsFloat() {
			dt = t.Type
		}
	}
	r, err := imp.newTensor(dt, out)
	if err != nil {
		return nil, err
	}
	outer, inner := shapeElems(out[:axis]), shapeElems(out[axis+1:])
	i := 0
	for o := 0; o < outer; o++ {
		for _, t := range ts {
			size := t.Shape[axis] * inner
			for j := o * size; j < (o+1)*size; j++ {
				if r.IsFloat() {
					r.Floats[i] = float32(t.at(j))
				} else {
					r.Ints[i] = t.Ints[j]
					r.markBatch(i, t.isBatch(j))
				}
				i++
			}
		}
	}
	return r, nil
}

// gatherStatic takes the entries of data at indices along axis (negative
// indices count from the end).
func (imp *importer) gatherStatic(data, indices *Tensor, axis int) (*Tensor, error) {
	n := data.Shape[axis]
	idx := indices.Int64()
	for _, k := range idx {
		if k < -int64(n) || k >= int64(n) {
			return nil, fmt.Errorf("index %d is out of range for a dimension of %d", k, n)
		}
	}
	out := append(append(append([]int{}, data.Shape[:axis]...), indices.Shape...), data.Shape[axis+1:]...)
	r, err := imp.newTensor(data.Type, out)
	if err != nil {
		return nil, err
	}
	outer, inner := shapeElems(data.Shape[:axis]), shapeElems(data.Shape[axis+1:])
	i := 0
	for o := 0; o < outer; o++ {
		for _, k := range idx {
			if k < 0 {
				k += int64(n)
			}
			base := (o*n + int(k)) * inner
			for j := 0; j < inner; j++ {
				copyElem(r, i, data, base+j)
				r.markBatch(i, data.isBatch(base+j))
				i++
			}
		}
	}
	return r, nil
}

// sliceStatic takes t[starts:ends:steps] along axes (already clamped).
func (imp *importer) sliceStatic(t *Tensor, sl []axisSlice) (*Tensor, error) {
	out := append([]int{}, t.Shape...)
	start := make([]int, len(out))
	step := make([]int, len(out))
	for d := range step {
		step[d] = 1
	}
	for _, s := range sl {
		out[s.axis] = s.count()
		start[s.axis], step[s.axis] = s.start, s.step
	}
	r, err := imp.newTensor(t.Type, out)
	if err != nil {
		return nil, err
	}
	st := tensor.RowStrides(t.Shape)
	eachIndex(out, func(i int, idx []int) {
		j := 0
		for d, v := range idx {
			j += (start[d] + v*step[d]) * st[d]
		}
		copyElem(r, i, t, j)
		r.markBatch(i, t.isBatch(j))
	})
	return r, nil
}

// axisSlice is one axis of an ONNX Slice after clamping.
type axisSlice struct {
	axis, start, end, step int
}

func (s axisSlice) count() int {
	if s.step > 0 {
		return max(0, (s.end-s.start+s.step-1)/s.step)
	}
	return max(0, (s.start-s.end-s.step-1)/(-s.step))
}

// castStatic converts t to element type dt.
func (imp *importer) castStatic(t *Tensor, dt TensorProto_DataType) (*Tensor, error) {
	if elemSize(dt) == 0 {
		return nil, fmt.Errorf("cast to %s is not supported", dt)
	}
	r, err := imp.newTensor(dt, t.Shape)
	if err != nil {
		return nil, err
	}
	for i := 0; i < t.Len(); i++ {
		v := t.at(i)
		switch dt {
		case TensorProto_BOOL:
			if v != 0 {
				v = 1
			}
		case TensorProto_UINT8:
			v = float64(uint8(int64(v)))
		case TensorProto_INT8:
			v = float64(int8(int64(v)))
		case TensorProto_UINT16:
			v = float64(uint16(int64(v)))
		case TensorProto_INT16:
			v = float64(int16(int64(v)))
		case TensorProto_INT32:
			v = float64(int32(int64(v)))
		case TensorProto_UINT32:
			v = float64(uint32(int64(v)))
		}
		r.markBatch(i, t.isBatch(i) && !r.IsFloat())
		if !t.IsFloat() && !r.IsFloat() && (dt == TensorProto_INT64 || dt == TensorProto_UINT64) {
			r.Ints[i] = t.Ints[i]
			continue
		}
		r.set(i, v)
	}
	return r, nil
}

// fill returns a tensor of shape filled with v's single value.
func (imp *importer) fill(v *Tensor, shape []int) (*Tensor, error) {
	r, err := imp.newTensor(v.Type, shape)
	if err != nil {
		return nil, err
	}
	if r.IsFloat() {
		f := v.Floats[0]
		for i := range r.Floats {
			r.Floats[i] = f
		}
	} else {
		k := v.Ints[0]
		for i := range r.Ints {
			r.Ints[i] = k
		}
	}
	return r, nil
}

// scaled returns k·t as a float tensor.
func (imp *importer) scaled(t *Tensor, k float32) (*Tensor, error) {
	r, err := imp.newTensor(TensorProto_FLOAT, t.Shape)
	if err != nil {
		return nil, err
	}
	for i, v := range t.Float32() {
		r.Floats[i] = k * v
	}
	return r, nil
}

// scalar makes a rank-0 float tensor.
func scalar(v float32) *Tensor {
	return &Tensor{Type: TensorProto_FLOAT, Shape: []int{}, Floats: []float32{v}}
}

// intVector makes a rank-1 INT64 tensor.
func intVector(v []int64) *Tensor {
	return &Tensor{Type: TensorProto_INT64, Shape: []int{len(v)}, Ints: v}
}

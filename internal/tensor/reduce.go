package tensor

import "math"

// ReduceOp selects the reduction of Reduce.
type ReduceOp int

const (
	RedMean ReduceOp = iota
	RedMax
	RedMin
	RedSum
	RedProd
	RedL1
	RedL2
	RedSumSquare
	RedLogSumExp
)

// Reduce reduces src, of shape shape, over the axes marked in red into dst
// (the kept axes in order; its length is the product of the kept
// dimensions). It accumulates in float64.
func Reduce(dst, src []float32, shape []int, red []bool, op ReduceOp) {
	// stride[d] is the step in dst of input axis d (0 when reduced).
	stride := make([]int, len(shape))
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		if !red[d] {
			stride[d] = s
			s *= shape[d]
		}
	}
	acc := make([]float64, len(dst))
	init := 0.0
	switch op {
	case RedMax, RedLogSumExp:
		init = math.Inf(-1)
	case RedMin:
		init = math.Inf(1)
	case RedProd:
		init = 1
	}
	for i := range acc {
		acc[i] = init
	}
	if op == RedLogSumExp { // the maximum first, for a stable sum
		walk(src, shape, stride, func(o int, v float64) { acc[o] = math.Max(acc[o], v) })
		m := append([]float64(nil), acc...)
		for i := range acc {
			acc[i] = 0
		}
		walk(src, shape, stride, func(o int, v float64) { acc[o] += math.Exp(v - m[o]) })
		for i := range dst {
			dst[i] = float32(m[i] + math.Log(acc[i]))
		}
		return
	}
	var f func(o int, v float64)
	switch op {
	case RedMax:
		f = func(o int, v float64) { acc[o] = math.Max(acc[o], v) }
	case RedMin:
		f = func(o int, v float64) { acc[o] = math.Min(acc[o], v) }
	case RedProd:
		f = func(o int, v float64) { acc[o] *= v }
	case RedL1:
		f = func(o int, v float64) { acc[o] += math.Abs(v) }
	case RedL2, RedSumSquare:
		f = func(o int, v float64) { acc[o] += v * v }
	default: // mean, sum
		f = func(o int, v float64) { acc[o] += v }
	}
	walk(src, shape, stride, f)
	n := 1
	for d, r := range red {
		if r {
			n *= shape[d]
		}
	}
	for i, a := range acc {
		switch op {
		case RedMean:
			a /= float64(n)
		case RedL2:
			a = math.Sqrt(a)
		}
		dst[i] = float32(a)
	}
}

// walk calls f(output index, value) for every element of src in order.
func walk(src []float32, shape, stride []int, f func(int, float64)) {
	if len(src) == 0 {
		return
	}
	strided(shape, stride, nil, func(i, o, _ int) { f(o, float64(src[i])) })
}

// strided calls f(i, ia, ib) for every row-major index i of shape, with
// the offsets ia and ib of that element under the strides a and b (b may
// be nil: ib is 0).
func strided(shape, a, b []int, f func(i, ia, ib int)) {
	r := len(shape)
	n := 1
	for _, d := range shape {
		n *= d
	}
	if b == nil {
		b = make([]int, r)
	}
	idx := make([]int, r)
	ia, ib := 0, 0
	for i := 0; i < n; i++ {
		f(i, ia, ib)
		for d := r - 1; d >= 0; d-- {
			idx[d]++
			ia += a[d]
			ib += b[d]
			if idx[d] < shape[d] {
				break
			}
			ia -= a[d] * shape[d]
			ib -= b[d] * shape[d]
			idx[d] = 0
		}
	}
}

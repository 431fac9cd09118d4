package tensor

// Binary is an element-wise binary operation for Broadcast.
type Binary int

const (
	BinAdd Binary = iota
	BinSub
	BinMul
	BinDiv
	BinMax
	BinMin
)

func (op Binary) apply(a, b float32) float32 {
	switch op {
	case BinAdd:
		return a + b
	case BinSub:
		return a - b
	case BinMul:
		return a * b
	case BinDiv:
		return a / b
	case BinMax:
		return max(a, b)
	default:
		return min(a, b)
	}
}

// Broadcast computes dst = op(ca·a, cb·b) with NumPy broadcasting; dst has
// shape out, a and b are broadcast to it (their shapes are right-aligned).
func Broadcast(dst, a []float32, as []int, b []float32, bs []int, out []int, op Binary, ca, cb float32) {
	if len(a) == len(dst) && len(b) == len(dst) {
		for i := range dst {
			dst[i] = op.apply(ca*a[i], cb*b[i])
		}
		return
	}
	sa, sb := BroadcastStrides(as, out), BroadcastStrides(bs, out)
	idx := make([]int, len(out))
	for i := range dst {
		ia, ib := 0, 0
		for d, v := range idx {
			ia += v * sa[d]
			ib += v * sb[d]
		}
		dst[i] = op.apply(ca*a[ia], cb*b[ib])
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < out[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// BroadcastStrides returns, for each dimension of out, the step in a tensor
// of shape s (right-aligned) — 0 where s broadcasts.
func BroadcastStrides(s, out []int) []int {
	st := make([]int, len(out))
	step := 1
	for d := len(out) - 1; d >= 0; d-- {
		j := len(s) - len(out) + d
		if j < 0 {
			break
		}
		if s[j] != 1 {
			st[d] = step
		}
		step *= s[j]
	}
	return st
}

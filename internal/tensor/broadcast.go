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
// With ca = cb = 1 (ONNX's case) it works on the longest trailing runs in
// which each operand is either contiguous or one repeated value: a
// same-shape, scalar or per-channel operand is a few vector loops.
func Broadcast(dst, a []float32, as []int, b []float32, bs []int, out []int, op Binary, ca, cb float32) {
	if ca != 1 || cb != 1 || len(out) > maxFastDims {
		broadcastRef(dst, a, as, b, bs, out, op, ca, cb)
		return
	}
	if len(a) == len(dst) && len(b) == len(dst) {
		binarySame(dst, a, b, op)
		return
	}
	var saBuf, sbBuf, idx [maxFastDims]int
	nd := len(out)
	sa, sb := broadcastStridesInto(saBuf[:nd], as, out), broadcastStridesInto(sbBuf[:nd], bs, out)
	// The trailing run: dimensions in which a (and b) are each either
	// contiguous (stride = run length so far) or constant (stride 0).
	run, d := 1, nd-1
	za, zb := true, true // a, b constant along the run so far
	for ; d >= 0; d-- {
		if out[d] == 1 {
			continue
		}
		ka, kb := sa[d] == 0, sb[d] == 0
		if run == 1 {
			za, zb = ka, kb
		}
		if ka != za || kb != zb || !ka && sa[d] != run || !kb && sb[d] != run {
			break
		}
		run *= out[d]
	}
	for base := 0; base < len(dst); base += run {
		ia, ib := 0, 0
		for k := 0; k <= d; k++ {
			ia += idx[k] * sa[k]
			ib += idx[k] * sb[k]
		}
		seg := dst[base : base+run]
		switch {
		case !za && !zb:
			binarySame(seg, a[ia:ia+run], b[ib:ib+run], op)
		case !za:
			binaryScalar(seg, a[ia:ia+run], b[ib], op, false)
		case !zb:
			binaryScalar(seg, b[ib:ib+run], a[ia], op, true)
		default:
			fill(seg, op.apply(a[ia], b[ib]))
		}
		for k := d; k >= 0; k-- {
			idx[k]++
			if idx[k] < out[k] {
				break
			}
			idx[k] = 0
		}
	}
}

// maxFastDims bounds the ranks Broadcast handles without allocating.
const maxFastDims = 8

// broadcastRef is Broadcast element by element (any coefficients and
// rank; the reference of the fast paths).
func broadcastRef(dst, a []float32, as []int, b []float32, bs []int, out []int, op Binary, ca, cb float32) {
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
	return broadcastStridesInto(make([]int, len(out)), s, out)
}

func broadcastStridesInto(st, s, out []int) []int {
	clear(st)
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

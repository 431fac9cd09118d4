package tensor

import "math"

// relu writes max(src[i], 0) to dst (same length; may be the same slice).
// A NaN stays NaN, as with Go's max (VMAXPS returns its memory operand,
// src, when either operand is NaN).
func relu(dst, src []float32) {
	n := len(src)
	dst = dst[:n]
	head := 0
	if hasAVX2 && n >= 8 {
		head = n &^ 7
		relu8(&dst[0], &src[0], head)
	}
	for i := head; i < n; i++ {
		if v := src[i]; v < 0 {
			dst[i] = 0
		} else {
			dst[i] = v
		}
	}
}

// fill sets every element of dst to v.
func fill(dst []float32, v float32) {
	n := len(dst)
	head := 0
	if hasAVX2 && n >= 8 {
		head = n &^ 7
		fill8(&dst[0], v, head)
	}
	for i := head; i < n; i++ {
		dst[i] = v
	}
}

// clamp writes min(max(src[i], lo), hi) to dst (same length; may be the
// same slice).
func clamp(dst, src []float32, lo, hi float32) {
	n := len(src)
	dst = dst[:n]
	head := 0
	if hasAVX2 && n >= 8 {
		head = n &^ 7
		clamp8(&dst[0], &src[0], lo, hi, head)
	}
	for i := head; i < n; i++ {
		dst[i] = min(max(src[i], lo), hi)
	}
}

// binarySame writes op(a[i], b[i]) to dst (all the same length).
func binarySame(dst, a, b []float32, op Binary) {
	n := len(dst)
	a, b = a[:n], b[:n]
	head := 0
	if hasAVX2 && n >= 8 && (op == BinAdd || op == BinMul) {
		head = n &^ 7
		if op == BinAdd {
			vadd8(&dst[0], &a[0], &b[0], head)
		} else {
			vmul8(&dst[0], &a[0], &b[0], head)
		}
	}
	switch op {
	case BinAdd:
		for i := head; i < n; i++ {
			dst[i] = a[i] + b[i]
		}
	case BinMul:
		for i := head; i < n; i++ {
			dst[i] = a[i] * b[i]
		}
	case BinSub:
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	default:
		for i := range dst {
			dst[i] = op.apply(a[i], b[i])
		}
	}
}

var negZero = float32(math.Copysign(0, -1))

// binaryScalar writes op(a[i], v) to dst, or op(v, a[i]) with swap.
func binaryScalar(dst, a []float32, v float32, op Binary, swap bool) {
	n := len(dst)
	a = a[:n]
	head := 0
	if hasAVX2 && n >= 8 && (op == BinAdd || op == BinMul || op == BinSub && !swap) {
		head = n &^ 7
		switch op {
		case BinAdd:
			vaxpb8(&dst[0], &a[0], 1, v, head)
		case BinSub:
			vaxpb8(&dst[0], &a[0], 1, -v, head)
		default: // x + (−0) is x for every x, so this is the exact product
			vaxpb8(&dst[0], &a[0], v, negZero, head)
		}
	}
	if swap {
		for i := head; i < n; i++ {
			dst[i] = op.apply(v, a[i])
		}
		return
	}
	for i := head; i < n; i++ {
		dst[i] = op.apply(a[i], v)
	}
}

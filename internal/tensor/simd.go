package tensor

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

package tensor

// axpb writes src[i]·s + t to dst (same length; may be the same slice):
// the product rounded, then the sum, as Go computes t + s*v.
func axpb(dst, src []float32, s, t float32) {
	n := len(src)
	dst = dst[:n]
	head := 0
	if hasAVX2 && n >= 8 {
		head = n &^ 7
		vaxpb8(&dst[0], &src[0], s, t, head)
	}
	for i := head; i < n; i++ {
		dst[i] = t + s*src[i]
	}
}

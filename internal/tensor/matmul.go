package tensor

// MatMul computes the NumPy matrix product dst = a·b. as and bs are the
// shapes of a and b (rank ≥ 1; a vector is promoted to a matrix as NumPy
// does and the added dimension dropped from the result); out is the shape of
// dst. The leading (batch) dimensions broadcast.
func MatMul(dst, a []float32, as []int, b []float32, bs []int, out []int) {
	if len(as) == 1 {
		as = []int{1, as[0]}
	}
	if len(bs) == 1 {
		bs = []int{bs[0], 1}
	}
	m, k, n := as[len(as)-2], as[len(as)-1], bs[len(bs)-1]
	// Batch shape of the result: out without its matrix dimensions (which
	// may have been dropped for vector operands).
	nb := max(len(as), len(bs)) - 2
	batch := make([]int, nb)
	copy(batch, out[:min(nb, len(out))])
	abatch, bbatch := as[:len(as)-2], bs[:len(bs)-2]
	sa, sb := BroadcastStrides(abatch, batch), BroadcastStrides(bbatch, batch)
	count := Numel(batch)
	idx := make([]int, nb)
	for i := 0; i < count; i++ {
		ia, ib := 0, 0
		for d, v := range idx {
			ia += v * sa[d]
			ib += v * sb[d]
		}
		Gemm(false, false, m, n, k, 1, a[ia*m*k:(ia+1)*m*k], k, b[ib*k*n:(ib+1)*k*n], n, 0, dst[i*m*n:(i+1)*m*n], n)
		for d := nb - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < batch[d] {
				break
			}
			idx[d] = 0
		}
	}
}

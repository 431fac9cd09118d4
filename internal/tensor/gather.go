package tensor

// Gather copies the entries idx of the middle axis (of length n) of src,
// viewed as [outer, n, inner], in order.
func Gather(dst, src []float32, outer, n, inner int, idx []int) {
	count := len(idx)
	for o := 0; o < outer; o++ {
		for i, k := range idx {
			from := (o*n + k) * inner
			copy(dst[(o*count+i)*inner:(o*count+i+1)*inner], src[from:from+inner])
		}
	}
}

package tensor

// Layout kernels: they move values without arithmetic. Shapes are given
// explicitly and may have any rank (a rank-0 tensor holds one value).

// Transpose writes src (of shape shape) with its dimensions permuted: output
// dimension i is input dimension perm[i].
func Transpose(dst, src []float32, shape, perm []int) {
	r := len(shape)
	if r == 0 || len(dst) == 0 {
		copy(dst, src)
		return
	}
	// in[d] is the input stride of input dimension d; step[i] the input
	// stride of output dimension i.
	in := RowStrides(shape)
	out := make([]int, r)
	step := make([]int, r)
	for i, p := range perm {
		out[i] = shape[p]
		step[i] = in[p]
	}
	last, lastStep := out[r-1], step[r-1]
	idx := make([]int, r)
	base := 0
	for o := 0; o < len(dst); o += last {
		row := dst[o : o+last]
		for j := range row {
			row[j] = src[base+j*lastStep]
		}
		// Advance the multi-index over the dimensions before the last.
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			base += step[d]
			if idx[d] < out[d] {
				break
			}
			base -= idx[d] * step[d]
			idx[d] = 0
		}
	}
}

// RowStrides returns the row-major strides of a shape.
func RowStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		st[d] = s
		s *= shape[d]
	}
	return st
}

// PadMode selects how Pad fills the new cells.
type PadMode int

const (
	PadConstant PadMode = iota // the given value
	PadReflect                 // mirror without repeating the edge: 3 2 | 1 2 3 | 2 1
	PadEdge                    // repeat the edge value: 1 1 | 1 2 3 | 3 3
)

// Pad writes src (shape shape) padded by pads (the begin amounts of every
// dimension, then the end amounts, as in ONNX). Negative amounts crop. dst
// has shape shape[d]+pads[d]+pads[d+rank]. Reflect needs every padded
// dimension to be longer than its pads.
func Pad(dst, src []float32, shape, pads []int, mode PadMode, value float32) {
	r := len(shape)
	if r == 0 || len(dst) == 0 {
		copy(dst, src)
		return
	}
	out := make([]int, r)
	for d := range out {
		out[d] = shape[d] + pads[d] + pads[d+r]
	}
	in := RowStrides(shape)
	// srcIndex maps an output coordinate of dimension d to an input
	// coordinate, or -1 for a constant cell.
	srcIndex := func(d, o int) int {
		i := o - pads[d]
		n := shape[d]
		if i >= 0 && i < n {
			return i
		}
		switch mode {
		case PadEdge:
			return min(max(i, 0), n-1)
		case PadReflect:
			if n == 1 {
				return 0
			}
			period := 2 * (n - 1)
			i %= period
			if i < 0 {
				i += period
			}
			if i >= n {
				i = period - i
			}
			return i
		}
		return -1
	}
	// Precompute the source offsets of the last dimension.
	last := out[r-1]
	lastSrc := make([]int, last)
	for o := range lastSrc {
		lastSrc[o] = srcIndex(r-1, o)
	}
	idx := make([]int, r)
	for o := 0; o < len(dst); o += last {
		row := dst[o : o+last]
		base, ok := 0, true
		for d := 0; d < r-1; d++ {
			i := srcIndex(d, idx[d])
			if i < 0 {
				ok = false
				break
			}
			base += i * in[d]
		}
		for j := range row {
			if i := lastSrc[j]; ok && i >= 0 {
				row[j] = src[base+i]
			} else {
				row[j] = value
			}
		}
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			if idx[d] < out[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// SplitAxis copies consecutive parts of src, viewed as [outer, n, inner],
// into dsts: part i holds the rows [bounds[i][0], bounds[i][1]) of the
// middle axis.
func SplitAxis(dsts [][]float32, src []float32, outer, n, inner int, bounds [][2]int) {
	for i, b := range bounds {
		size := (b[1] - b[0]) * inner
		dst := dsts[i]
		for o := 0; o < outer; o++ {
			copy(dst[o*size:(o+1)*size], src[(o*n+b[0])*inner:(o*n+b[1])*inner])
		}
	}
}

// Crop copies the box of shape out starting at offsets (one per dimension)
// out of src (shape shape) into dst.
func Crop(dst, src []float32, shape, out, offsets []int) {
	r := len(shape)
	if r == 0 || len(dst) == 0 {
		copy(dst, src)
		return
	}
	in := RowStrides(shape)
	last := out[r-1]
	idx := make([]int, r)
	for o := 0; o < len(dst); o += last {
		base := offsets[r-1]
		for d := 0; d < r-1; d++ {
			base += (idx[d] + offsets[d]) * in[d]
		}
		copy(dst[o:o+last], src[base:base+last])
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			if idx[d] < out[d] {
				break
			}
			idx[d] = 0
		}
	}
}

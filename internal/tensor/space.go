package tensor

// DepthToSpace writes the [n, c/(b·b), h·b, w·b] rearrangement of the
// [n, c, h, w] tensor x into y (graph.DepthToSpace): output channel k at
// offset (i, j) of its block reads input channel (i·b + j)·c/(b·b) + k
// (DCR, TensorFlow's order), or (k·b + i)·b + j when crd is set
// (PyTorch's pixel shuffle).
func DepthToSpace(y, x []float32, n, c, h, w, b int, crd bool) {
	oc, ow := c/(b*b), w*b
	plane := h * w
	for bn := range n {
		for k := range oc {
			out := y[(bn*oc+k)*plane*b*b:]
			for i := range b {
				for j := range b {
					ch := (i*b+j)*oc + k
					if crd {
						ch = (k*b+i)*b + j
					}
					in := x[(bn*c+ch)*plane:]
					for r := range h {
						row := out[(r*b+i)*ow+j:]
						src := in[r*w : r*w+w]
						for q, v := range src {
							row[q*b] = v
						}
					}
				}
			}
		}
	}
}

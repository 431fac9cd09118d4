//go:build !amd64 || purego

package tensor

const hasAVX2 = false

func sgemmKernel6x16(k int, a, b, c *float32, ldc int) { panic("tensor: no assembly kernel") }

func dot32(x, y *float32, n int) float32 { panic("tensor: no assembly kernel") }

func sgemmKernel6x16Gather(k int, a, img *float32, offs *int32, c *float32, ldc int) {
	panic("tensor: no assembly kernel")
}

func relu8(dst, src *float32, n int) { panic("tensor: no assembly kernel") }

func fill8(dst *float32, v float32, n int) { panic("tensor: no assembly kernel") }

func dwPlane(out, in, w *float32, ld, kh, kw, n int, bias float32, rows, ostride, istride int) {
	panic("tensor: no assembly kernel")
}

func clamp8(dst, src *float32, lo, hi float32, n int) { panic("tensor: no assembly kernel") }

func vadd8(dst, a, b *float32, n int) { panic("tensor: no assembly kernel") }

func vmul8(dst, a, b *float32, n int) { panic("tensor: no assembly kernel") }

func vaxpb8(dst, src *float32, s, t float32, n int) { panic("tensor: no assembly kernel") }

func sgemmKernel6x16IO(k int, a, b, c *float32, ldc int, bias, act *float32, lo, hi float32, nt bool) {
	panic("tensor: no assembly kernel")
}

func sfence() {}

func even8(dst, src *float32, n int) { panic("tensor: no assembly kernel") }

const hasAVX512 = false

func sgemmKernel6x32(k int, a, b, c *float32, ldc int) { panic("tensor: no assembly kernel") }

func sgemmKernel6x32Gather(k int, a, img *float32, offs *int32, c *float32, ldc int) {
	panic("tensor: no assembly kernel")
}

func sgemmKernel6x32Edge(k int, a, b, c *float32, ldc int, bias, act *float32, lo, hi float32, rows int, mask uint32, nt bool) {
	panic("tensor: no assembly kernel")
}

func sgemmKernel6x32GatherEdge(k int, a, img *float32, offs *int32, c *float32, ldc int, bias, act *float32, lo, hi float32, rows int, mask uint32, nt bool) {
	panic("tensor: no assembly kernel")
}

func dwPlaneZ(out, in, w, act *float32, offs *int32, masks *uint32, a *dwArgs) {
	panic("tensor: no assembly kernel")
}

func maxPool2Row(dst, r0, r1 *float32, n int) { panic("tensor: no assembly kernel") }

func sgemmKernel6x64Gather(k int, a, img *float32, offs *int32, c *float32, ldc int) {
	panic("tensor: no assembly kernel")
}

func cvKernel6x64(k int, w, img *float32, offs *int32, t *float32, load bool) {
	panic("tensor: no assembly kernel")
}

func cvKernel12x32(k int, w, img *float32, offs *int32, t *float32, load bool) {
	panic("tensor: no assembly kernel")
}

func cvKernel24x16(k int, w, img *float32, offs *int32, t *float32, load bool) {
	panic("tensor: no assembly kernel")
}

func cvTranspose16(src *float32, sstride int, dst *float32, ldc int, bias, act *float32, lo, hi float32, mask uint32, nt bool) {
	panic("tensor: no assembly kernel")
}

func cvKernel6x64P(k int, w, img *float32, offs *int32, t *float32, pix *int32, load bool) {
	panic("tensor: no assembly kernel")
}

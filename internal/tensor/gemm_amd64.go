//go:build amd64 && !purego

package tensor

import (
	"os"

	"golang.org/x/sys/cpu"
)

// hasAVX2 selects the assembly kernels at run time; without AVX2 and FMA the
// pure-Go kernels run.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// hasAVX512 adds the 6×32 kernels of 512-bit vectors (AVX-512F, with the
// operating system saving the ZMM state) to the AVX2 ones. The environment
// variable CONVSCOPE_NO_AVX512=1 keeps the AVX2 kernels alone on such a CPU:
// A/B measurements, and runs of the AVX2 path where CI has AVX-512.
var hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F && os.Getenv("CONVSCOPE_NO_AVX512") != "1"

//go:noescape
func sgemmKernel6x16(k int, a, b, c *float32, ldc int)

//go:noescape
func dot32(x, y *float32, n int) float32

//go:noescape
func sgemmKernel6x16Gather(k int, a, img *float32, offs *int32, c *float32, ldc int)

//go:noescape
func relu8(dst, src *float32, n int)

//go:noescape
func fill8(dst *float32, v float32, n int)

//go:noescape
func dwPlane(out, in, w *float32, ld, kh, kw, n int, bias float32, rows, ostride, istride int)

//go:noescape
func clamp8(dst, src *float32, lo, hi float32, n int)

//go:noescape
func vadd8(dst, a, b *float32, n int)

//go:noescape
func vmul8(dst, a, b *float32, n int)

//go:noescape
func vaxpb8(dst, src *float32, s, t float32, n int)

//go:noescape
func sgemmKernel6x16IO(k int, a, b, c *float32, ldc int, bias, act *float32, lo, hi float32, nt bool)

func sfence()

//go:noescape
func even8(dst, src *float32, n int)

//go:noescape
func sgemmKernel6x32(k int, a, b, c *float32, ldc int)

//go:noescape
func sgemmKernel6x32Gather(k int, a, img *float32, offs *int32, c *float32, ldc int)

//go:noescape
func sgemmKernel6x32Edge(k int, a, b, c *float32, ldc int, bias, act *float32, lo, hi float32, rows int, mask uint32, nt bool)

//go:noescape
func sgemmKernel6x32GatherEdge(k int, a, img *float32, offs *int32, c *float32, ldc int, bias, act *float32, lo, hi float32, rows int, mask uint32, nt bool)

//go:noescape
func dwPlaneZ(out, in, w, act *float32, offs *int32, masks *uint32, a *dwArgs)

//go:noescape
func maxPool2Row(dst, r0, r1 *float32, n int)

//go:noescape
func sgemmKernel6x64Gather(k int, a, img *float32, offs *int32, c *float32, ldc int)

//go:noescape
func cvKernel6x64(k int, w, img *float32, offs *int32, t *float32, load bool)

//go:noescape
func cvKernel12x32(k int, w, img *float32, offs *int32, t *float32, load bool)

//go:noescape
func cvKernel24x16(k int, w, img *float32, offs *int32, t *float32, load bool)

//go:noescape
func cvTranspose16(src *float32, sstride int, dst *float32, ldc int, bias, act *float32, lo, hi float32, mask uint32, nt bool)

//go:noescape
func cvKernel6x64P(k int, w, img *float32, offs *int32, t *float32, pix *int32, load bool)

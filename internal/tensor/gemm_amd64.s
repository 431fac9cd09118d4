//go:build amd64 && !purego

#include "textflag.h"

// VSCALARS8 is the body of clamp8 and vaxpb8: with x and y broadcast,
// dst[i] = OP2(y, OP1(x, src[i])) for n a multiple of 8 (the argument order
// that keeps a NaN of src for VMAXPS/VMINPS).
#define VSCALARS8(OP1, OP2, x, y, loop, done) \
	MOVQ dst+0(FP), DI; MOVQ src+8(FP), SI; VBROADCASTSS x, Y0; VBROADCASTSS y, Y1; \
	MOVQ n+24(FP), CX; SHRQ $3, CX; JEQ done; \
loop: \
	OP1 (SI), Y0, Y2; OP2 Y2, Y1, Y2; VMOVUPS Y2, (DI); \
	ADDQ $32, SI; ADDQ $32, DI; DECQ CX; JNE loop; \
done: \
	VZEROUPPER; RET

// VBINARY8 is the body of vadd8 and vmul8: dst[i] = a[i] OP b[i] for n a
// multiple of 8.
#define VBINARY8(OP, loop, done) \
	MOVQ dst+0(FP), DI; MOVQ a+8(FP), SI; MOVQ b+16(FP), DX; MOVQ n+24(FP), CX; \
	SHRQ $3, CX; JEQ done; \
loop: \
	VMOVUPS (SI), Y0; OP (DX), Y0, Y0; VMOVUPS Y0, (DI); \
	ADDQ $32, SI; ADDQ $32, DX; ADDQ $32, DI; DECQ CX; JNE loop; \
done: \
	VZEROUPPER; RET

// The two 6×16 kernels share their accumulator handling: ZERO_ACC clears
// the twelve accumulators Y4–Y15; FMA_STEP multiplies the B row held in
// Y0:Y1 by the six A values at (SI) into them; STORE_ACC adds them to the
// six C rows at (DX), R8 bytes apart.
#define ZERO_ACC \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7; VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; \
	VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11; VXORPS Y12, Y12, Y12; \
	VXORPS Y13, Y13, Y13; VXORPS Y14, Y14, Y14; VXORPS Y15, Y15, Y15

#define FMA_STEP \
	VBROADCASTSS (SI), Y2; VBROADCASTSS 4(SI), Y3; \
	VFMADD231PS Y0, Y2, Y4; VFMADD231PS Y1, Y2, Y5; \
	VFMADD231PS Y0, Y3, Y6; VFMADD231PS Y1, Y3, Y7; \
	VBROADCASTSS 8(SI), Y2; VBROADCASTSS 12(SI), Y3; \
	VFMADD231PS Y0, Y2, Y8; VFMADD231PS Y1, Y2, Y9; \
	VFMADD231PS Y0, Y3, Y10; VFMADD231PS Y1, Y3, Y11; \
	VBROADCASTSS 16(SI), Y2; VBROADCASTSS 20(SI), Y3; \
	VFMADD231PS Y0, Y2, Y12; VFMADD231PS Y1, Y2, Y13; \
	VFMADD231PS Y0, Y3, Y14; VFMADD231PS Y1, Y3, Y15

#define STORE_ROW(lo, hi) \
	VADDPS (DX), lo, lo; VMOVUPS lo, (DX); \
	VADDPS 32(DX), hi, hi; VMOVUPS hi, 32(DX)

#define STORE_ACC \
	STORE_ROW(Y4, Y5); ADDQ R8, DX; \
	STORE_ROW(Y6, Y7); ADDQ R8, DX; \
	STORE_ROW(Y8, Y9); ADDQ R8, DX; \
	STORE_ROW(Y10, Y11); ADDQ R8, DX; \
	STORE_ROW(Y12, Y13); ADDQ R8, DX; \
	STORE_ROW(Y14, Y15)


// The output stage of sgemmKernel6x16IO: the six rows at (R13), R8 bytes
// apart. IO_ADD_C adds C to the accumulators, IO_STORE writes them to C,
// IO_ACT writes min(max(v, Y0), Y1) of them.
#define IO_ADD_ROW(lo, hi) \
	VADDPS (R13), lo, lo; VADDPS 32(R13), hi, hi; ADDQ R8, R13

#define IO_ADD_C \
	IO_ADD_ROW(Y4, Y5); IO_ADD_ROW(Y6, Y7); IO_ADD_ROW(Y8, Y9); \
	IO_ADD_ROW(Y10, Y11); IO_ADD_ROW(Y12, Y13); IO_ADD_ROW(Y14, Y15)

#define IO_STORE_ROW(lo, hi) \
	VMOVUPS lo, (R13); VMOVUPS hi, 32(R13); ADDQ R8, R13

#define IO_STORE \
	IO_STORE_ROW(Y4, Y5); IO_STORE_ROW(Y6, Y7); IO_STORE_ROW(Y8, Y9); \
	IO_STORE_ROW(Y10, Y11); IO_STORE_ROW(Y12, Y13); IO_STORE_ROW(Y14, Y15)

#define IO_STORE_NT_ROW(lo, hi) \
	VMOVNTPS lo, (R13); VMOVNTPS hi, 32(R13); ADDQ R8, R13

#define IO_STORE_NT \
	IO_STORE_NT_ROW(Y4, Y5); IO_STORE_NT_ROW(Y6, Y7); IO_STORE_NT_ROW(Y8, Y9); \
	IO_STORE_NT_ROW(Y10, Y11); IO_STORE_NT_ROW(Y12, Y13); IO_STORE_NT_ROW(Y14, Y15)

#define IO_ACT_ROW(lo, hi) \
	VMAXPS lo, Y0, Y2; VMINPS Y2, Y1, Y2; VMOVUPS Y2, (R13); \
	VMAXPS hi, Y0, Y3; VMINPS Y3, Y1, Y3; VMOVUPS Y3, 32(R13); ADDQ R8, R13

#define IO_ACT \
	IO_ACT_ROW(Y4, Y5); IO_ACT_ROW(Y6, Y7); IO_ACT_ROW(Y8, Y9); \
	IO_ACT_ROW(Y10, Y11); IO_ACT_ROW(Y12, Y13); IO_ACT_ROW(Y14, Y15)


// func sgemmKernel6x16(k int, a, b, c *float32, ldc int)
//
// C[6×16] += A·B where a is a packed 6-row panel (k groups of 6 floats),
// b a packed 16-column panel (k groups of 16 floats) and c the top-left of
// the C tile with a row stride of ldc elements. Twelve YMM accumulators hold
// the tile; each step broadcasts one A value per row and does two FMAs.
TEXT ·sgemmKernel6x16(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8

	ZERO_ACC
	TESTQ CX, CX
	JEQ   store

loop:
	VMOVUPS      (DI), Y0
	VMOVUPS      32(DI), Y1
	FMA_STEP
	ADDQ         $24, SI
	ADDQ         $64, DI
	DECQ         CX
	JNE          loop

store:
	STORE_ACC
	VZEROUPPER
	RET

// func dot32(x, y *float32, n int) float32
//
// Σ x[i]·y[i] for n a multiple of 32, with four 8-lane accumulators.
TEXT ·dot32(SB), NOSPLIT, $0-28
	MOVQ   x+0(FP), SI
	MOVQ   y+8(FP), DI
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	SHRQ   $5, CX
	JEQ    done

dloop:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	DECQ        CX
	JNE         dloop

done:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VZEROUPPER
	MOVSS        X0, ret+24(FP)
	RET

// func sgemmKernel6x16Gather(k int, a, img *float32, offs *int32, c *float32, ldc int)
//
// Like sgemmKernel6x16, but B row p is the 16 floats at img[offs[p]:]: a
// direct convolution reads its im2col rows straight from the input image.
TEXT ·sgemmKernel6x16Gather(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ img+16(FP), DI
	MOVQ offs+24(FP), R9
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8

	ZERO_ACC
	TESTQ CX, CX
	JEQ   gstore

gloop:
	MOVLQSX      (R9), R10
	VMOVUPS      (DI)(R10*4), Y0
	VMOVUPS      32(DI)(R10*4), Y1
	FMA_STEP
	ADDQ         $24, SI
	ADDQ         $4, R9
	DECQ         CX
	JNE          gloop

gstore:
	STORE_ACC
	VZEROUPPER
	RET

// func relu8(dst, src *float32, n int)
//
// dst[i] = max(src[i], 0) for n a multiple of 8.
TEXT ·relu8(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   src+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0
	SHRQ   $3, CX
	JEQ    rdone

rloop:
	VMAXPS  (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNE     rloop

rdone:
	VZEROUPPER
	RET

// func fill8(dst *float32, v float32, n int)
//
// dst[i] = v for n a multiple of 8.
TEXT ·fill8(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	VBROADCASTSS v+8(FP), Y0
	MOVQ         n+16(FP), CX
	SHRQ         $3, CX
	JEQ          fdone

floop:
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNE     floop

fdone:
	VZEROUPPER
	RET

// func dwPlane(out, in, w *float32, ld, kh, kw, n int, bias float32, rows, ostride, istride int)
//
// Rows of a stride-1 depthwise convolution over a zero-bordered plane: for
// r < rows and x < n (n a multiple of 8), out[r·ostride+x] = bias +
// Σ w[dy·kw+dx]·in[r·istride+dy·ld+x+dx]. Rows are written in order, so a
// row may spill into the next one (ostride < n), which overwrites it. 32
// outputs at a time in four accumulators (each tap: one broadcast, four
// FMAs from memory), then 8 at a time.
TEXT ·dwPlane(SB), NOSPLIT, $0-88
	MOVQ w+16(FP), R8
	MOVQ ld+24(FP), R9
	SHLQ $2, R9
	MOVQ kh+32(FP), R10
	MOVQ kw+40(FP), R11
	VBROADCASTSS bias+56(FP), Y15
	XORQ R14, R14

row:
	CMPQ R14, rows+64(FP)
	JGE  done
	MOVQ ostride+72(FP), DI
	IMULQ R14, DI
	SHLQ $2, DI
	ADDQ out+0(FP), DI
	MOVQ istride+80(FP), SI
	IMULQ R14, SI
	SHLQ $2, SI
	ADDQ in+8(FP), SI
	MOVQ n+48(FP), CX
	INCQ R14

block32:
	CMPQ CX, $32
	JLT  block8
	VMOVAPS Y15, Y4
	VMOVAPS Y15, Y5
	VMOVAPS Y15, Y6
	VMOVAPS Y15, Y7
	MOVQ R8, AX
	MOVQ SI, BX
	MOVQ R10, R12

rows32:
	MOVQ BX, DX
	MOVQ R11, R13

taps32:
	VBROADCASTSS (AX), Y0
	VFMADD231PS  (DX), Y0, Y4
	VFMADD231PS  32(DX), Y0, Y5
	VFMADD231PS  64(DX), Y0, Y6
	VFMADD231PS  96(DX), Y0, Y7
	ADDQ         $4, AX
	ADDQ         $4, DX
	DECQ         R13
	JNZ          taps32
	ADDQ         R9, BX
	DECQ         R12
	JNZ          rows32
	VMOVUPS      Y4, (DI)
	VMOVUPS      Y5, 32(DI)
	VMOVUPS      Y6, 64(DI)
	VMOVUPS      Y7, 96(DI)
	ADDQ         $128, DI
	ADDQ         $128, SI
	SUBQ         $32, CX
	JMP          block32

block8:
	CMPQ CX, $8
	JLT  row
	VMOVAPS Y15, Y4
	MOVQ R8, AX
	MOVQ SI, BX
	MOVQ R10, R12

rows8:
	MOVQ BX, DX
	MOVQ R11, R13

taps8:
	VBROADCASTSS (AX), Y0
	VFMADD231PS  (DX), Y0, Y4
	ADDQ         $4, AX
	ADDQ         $4, DX
	DECQ         R13
	JNZ          taps8
	ADDQ         R9, BX
	DECQ         R12
	JNZ          rows8
	VMOVUPS      Y4, (DI)
	ADDQ         $32, DI
	ADDQ         $32, SI
	SUBQ         $8, CX
	JMP          block8

done:
	VZEROUPPER
	RET

// func clamp8(dst, src *float32, lo, hi float32, n int)
//
// dst[i] = min(max(src[i], lo), hi) for n a multiple of 8. A NaN stays NaN
// (VMAXPS and VMINPS return their second source, here src, for a NaN), as
// with Go's min and max.
TEXT ·clamp8(SB), NOSPLIT, $0-32
	VSCALARS8(VMAXPS, VMINPS, lo+16(FP), hi+20(FP), cloop, cdone)

// func vadd8(dst, a, b *float32, n int)
//
// dst[i] = a[i] + b[i] for n a multiple of 8.
TEXT ·vadd8(SB), NOSPLIT, $0-32
	VBINARY8(VADDPS, valoop, vadone)

// func vmul8(dst, a, b *float32, n int)
//
// dst[i] = a[i] · b[i] for n a multiple of 8.
TEXT ·vmul8(SB), NOSPLIT, $0-32
	VBINARY8(VMULPS, vmloop, vmdone)

// func vaxpb8(dst, src *float32, s, t float32, n int)
//
// dst[i] = src[i]·s + t for n a multiple of 8 (a scalar add is s = 1, a
// scalar product t = 0; both are exact in that form).
TEXT ·vaxpb8(SB), NOSPLIT, $0-32
	VSCALARS8(VMULPS, VADDPS, s+16(FP), t+20(FP), vsloop, vsdone)

// func sgemmKernel6x16IO(k int, a, b, c *float32, ldc int, bias, act *float32, lo, hi float32, nt bool)
//
// sgemmKernel6x16 for the first and last depth blocks of a product whose
// output the caller did not initialise. With bias (six values, one per
// row) the tile starts as the bias and C is written, not read; without it
// the product is added to C. With act, min(max(C, lo), hi) — ReLU, ReLU6,
// Clip — is also written to act (same row stride), NaN kept as in clamp8.
// With nt, C is written with non-temporal stores (c and the row stride
// 32-byte aligned; the caller fences): a value only the Explainer reads
// then does not evict the activation the next layer reads.
TEXT ·sgemmKernel6x16IO(SB), NOSPLIT, $0-65
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	MOVQ bias+40(FP), R11
	MOVQ act+48(FP), R12

	TESTQ R11, R11
	JEQ   iozero
	VBROADCASTSS (R11), Y4
	VMOVAPS      Y4, Y5
	VBROADCASTSS 4(R11), Y6
	VMOVAPS      Y6, Y7
	VBROADCASTSS 8(R11), Y8
	VMOVAPS      Y8, Y9
	VBROADCASTSS 12(R11), Y10
	VMOVAPS      Y10, Y11
	VBROADCASTSS 16(R11), Y12
	VMOVAPS      Y12, Y13
	VBROADCASTSS 20(R11), Y14
	VMOVAPS      Y14, Y15
	JMP          ioloopstart

iozero:
	ZERO_ACC

ioloopstart:
	TESTQ CX, CX
	JEQ   iostore

ioloop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	FMA_STEP
	ADDQ    $24, SI
	ADDQ    $64, DI
	DECQ    CX
	JNE     ioloop

iostore:
	MOVQ  DX, R13
	TESTQ R11, R11
	JNE   iowrite
	IO_ADD_C

iowrite:
	MOVQ    DX, R13
	MOVBLZX nt+64(FP), R14
	TESTQ   R14, R14
	JNE     iont
	IO_STORE
	JMP     ioact

iont:
	IO_STORE_NT

ioact:
	TESTQ R12, R12
	JEQ   iodone
	VBROADCASTSS lo+56(FP), Y0
	VBROADCASTSS hi+60(FP), Y1
	MOVQ         R12, R13
	IO_ACT

iodone:
	VZEROUPPER
	RET

// func sfence()
//
// Orders non-temporal stores before what follows (the end of a worker's
// part of a product).
TEXT ·sfence(SB), NOSPLIT, $0-0
	SFENCE
	RET

// func even8(dst, src *float32, n int)
//
// dst[i] = src[2i] for n a multiple of 8 (a stride-2 row subsampled).
TEXT ·even8(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JEQ  edone

eloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2 // per lane: src 0 2 of Y0, then 0 2 of Y1
	VPERMPD $0xD8, Y2, Y2     // 64-bit pairs in order 0 2 1 3
	VMOVUPS Y2, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNE     eloop

edone:
	VZEROUPPER
	RET

// func maxPool2Row(dst, r0, r1 *float32, n int)
//
// dst[x] = the 2×2 maximum of r0[2x], r0[2x+1], r1[2x], r1[2x+1] for n a
// multiple of 8, as maxPool2x2 computes it: each VMAXPS returns its second
// operand (the earlier cell) unless the first is greater, so the first
// maximum wins and a NaN is kept only where it comes first.
TEXT ·maxPool2Row(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ r0+8(FP), SI
	MOVQ r1+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JEQ  mpdone

mploop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2 // r0 even cells (a), lane-interleaved
	VSHUFPS $0xDD, Y1, Y0, Y3 // r0 odd cells (b)
	VMAXPS  Y2, Y3, Y4        // b > a ? b : a
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VSHUFPS $0x88, Y1, Y0, Y2 // r1 even (c)
	VSHUFPS $0xDD, Y1, Y0, Y3 // r1 odd (d)
	VMAXPS  Y2, Y3, Y5        // d > c ? d : c
	VMAXPS  Y4, Y5, Y4        // c' > a' ? c' : a'
	VPERMPD $0xD8, Y4, Y4     // 64-bit pairs in order 0 2 1 3
	VMOVUPS Y4, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $32, DI
	DECQ    CX
	JNE     mploop

mpdone:
	VZEROUPPER
	RET

//go:build amd64 && !purego

#include "textflag.h"

// The 6×32 kernels for CPUs with AVX-512F. A tile is six rows of C by 32
// columns, held in twelve ZMM accumulators Z4–Z15 (row i in Z(4+2i) for
// columns 0–15 and Z(5+2i) for 16–31). A step loads the 32 B values of
// its depth in Z0:Z1, broadcasts each of the six A values once and does
// twelve 16-lane FMAs: twelve independent chains, enough to keep two FMA
// pipes busy through the FMA latency, and two B loads per twelve FMAs.
// The B operand is the usual packing of 16-column panels: the tile reads
// two adjacent panels (the second k·16 floats after the first), so the
// AVX2 kernels and these share every packing routine.

#define ZERO_ACC_Z \
	VPXORD Z4, Z4, Z4; VPXORD Z5, Z5, Z5; VPXORD Z6, Z6, Z6; \
	VPXORD Z7, Z7, Z7; VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11; VPXORD Z12, Z12, Z12; \
	VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15

// FMA_STEP_Z: C += A[(SI), 6 values] ⊗ B[Z0:Z1].
#define FMA_STEP_Z \
	VBROADCASTSS (SI), Z2; VBROADCASTSS 4(SI), Z3; \
	VFMADD231PS Z0, Z2, Z4; VFMADD231PS Z1, Z2, Z5; \
	VFMADD231PS Z0, Z3, Z6; VFMADD231PS Z1, Z3, Z7; \
	VBROADCASTSS 8(SI), Z2; VBROADCASTSS 12(SI), Z3; \
	VFMADD231PS Z0, Z2, Z8; VFMADD231PS Z1, Z2, Z9; \
	VFMADD231PS Z0, Z3, Z10; VFMADD231PS Z1, Z3, Z11; \
	VBROADCASTSS 16(SI), Z2; VBROADCASTSS 20(SI), Z3; \
	VFMADD231PS Z0, Z2, Z12; VFMADD231PS Z1, Z2, Z13; \
	VFMADD231PS Z0, Z3, Z14; VFMADD231PS Z1, Z3, Z15

// E_START sets the accumulators to the bias at (R11), or to zero.
#define E_START(zero, start) \
	TESTQ R11, R11; JEQ zero; \
	VBROADCASTSS (R11), Z4; VMOVAPS Z4, Z5; \
	VBROADCASTSS 4(R11), Z6; VMOVAPS Z6, Z7; \
	VBROADCASTSS 8(R11), Z8; VMOVAPS Z8, Z9; \
	VBROADCASTSS 12(R11), Z10; VMOVAPS Z10, Z11; \
	VBROADCASTSS 16(R11), Z12; VMOVAPS Z12, Z13; \
	VBROADCASTSS 20(R11), Z14; VMOVAPS Z14, Z15; \
	JMP start; \
zero: \
	ZERO_ACC_Z; \
start:

// Output rows at (R13), R8 bytes apart. Z_ACCUMULATE adds the
// accumulators to C; Z_STORE_NT writes them to C past the caches.
#define Z_ACC_ROW(lo, hi) \
	VADDPS (R13), lo, lo; VMOVUPS lo, (R13); \
	VADDPS 64(R13), hi, hi; VMOVUPS hi, 64(R13); ADDQ R8, R13

#define Z_ACCUMULATE \
	Z_ACC_ROW(Z4, Z5); Z_ACC_ROW(Z6, Z7); Z_ACC_ROW(Z8, Z9); \
	Z_ACC_ROW(Z10, Z11); Z_ACC_ROW(Z12, Z13); Z_ACC_ROW(Z14, Z15)

#define Z_STORE_NT_ROW(lo, hi) \
	VMOVNTPS lo, (R13); VMOVNTPS hi, 64(R13); ADDQ R8, R13

#define Z_STORE_NT \
	Z_STORE_NT_ROW(Z4, Z5); Z_STORE_NT_ROW(Z6, Z7); Z_STORE_NT_ROW(Z8, Z9); \
	Z_STORE_NT_ROW(Z10, Z11); Z_STORE_NT_ROW(Z12, Z13); Z_STORE_NT_ROW(Z14, Z15)

// func sgemmKernel6x32(k int, a, b, c *float32, ldc int)
//
// C[6×32] += A·B: a is a packed 6-row panel (k groups of 6 floats), b two
// adjacent packed 16-column panels (the second at b + 16·k), c the tile's
// top-left with a row stride of ldc elements.
TEXT ·sgemmKernel6x32(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	MOVQ CX, R9
	SHLQ $6, R9
	ADDQ DI, R9

	ZERO_ACC_Z
	TESTQ CX, CX
	JEQ   zstore

zloop:
	VMOVUPS (DI), Z0
	VMOVUPS (R9), Z1
	FMA_STEP_Z
	ADDQ    $24, SI
	ADDQ    $64, DI
	ADDQ    $64, R9
	DECQ    CX
	JNE     zloop

zstore:
	MOVQ DX, R13
	Z_ACCUMULATE
	VZEROUPPER
	RET

// func sgemmKernel6x32Gather(k int, a, img *float32, offs *int32, c *float32, ldc int)
//
// sgemmKernel6x32 whose B row p is the 32 floats at img[offs[p]:]: a direct
// convolution reads its im2col rows straight from the input image.
TEXT ·sgemmKernel6x32Gather(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ img+16(FP), DI
	MOVQ offs+24(FP), R9
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8

	ZERO_ACC_Z
	TESTQ CX, CX
	JEQ   zgstore

zgloop:
	MOVLQSX (R9), R10
	VMOVUPS (DI)(R10*4), Z0
	VMOVUPS 64(DI)(R10*4), Z1
	FMA_STEP_Z
	ADDQ    $24, SI
	ADDQ    $4, R9
	DECQ    CX
	JNE     zgloop

zgstore:
	MOVQ DX, R13
	Z_ACCUMULATE
	VZEROUPPER
	RET

// The edge kernels: any tile of at most 6 rows (rows) by 32 columns (the
// set bits of mask, from bit 0) through opmasks K1 (columns 0–15) and K2
// (16–31). Loads of C and stores are masked (AVX-512 suppresses faults in
// masked-off lanes), rows past rows are neither read nor written; the A
// panel is zero-padded past rows by the packing. With bias (six values,
// the unused ones zero) the tile starts as the bias and C is written, not
// read; without it the product is added to C. With act min(max(C, lo), hi)
// is written to act too. E_ROW handles row i: OP on the two halves at
// (R13), then the next row, or the end after rows rows (BX counts down).
#define E_ADD(lo, hi) \
	VADDPS (R13), lo, K1, lo; VADDPS 64(R13), hi, K2, hi

#define E_STORE(lo, hi) \
	VMOVUPS lo, K1, (R13); VMOVUPS hi, K2, 64(R13)

#define E_ACT(lo, hi) \
	VMAXPS lo, Z0, Z2; VMINPS Z2, Z1, Z2; VMOVUPS Z2, K1, (R13); \
	VMAXPS hi, Z0, Z3; VMINPS Z3, Z1, Z3; VMOVUPS Z3, K2, 64(R13)

#define E_ROWS(OP, end) \
	OP(Z4, Z5); DECQ BX; JEQ end; ADDQ R8, R13; \
	OP(Z6, Z7); DECQ BX; JEQ end; ADDQ R8, R13; \
	OP(Z8, Z9); DECQ BX; JEQ end; ADDQ R8, R13; \
	OP(Z10, Z11); DECQ BX; JEQ end; ADDQ R8, R13; \
	OP(Z12, Z13); DECQ BX; JEQ end; ADDQ R8, R13; \
	OP(Z14, Z15)

// E_FINISH: C (+)= the accumulators, masked, then the activation. Needs
// R8 = row stride in bytes, DX = c, R11 = bias, R12 = act, R14 = rows,
// K1/K2 set, and lo/hi/nt at the given argument offsets. With nt (a whole
// 6×32 tile, c and the row stride 64-byte aligned; the caller fences) C is
// written with non-temporal stores.
#define E_FINISH(lo, hi, nt, added, ntstore, stored, done) \
	TESTQ R11, R11; JNE added; \
	MOVQ DX, R13; MOVQ R14, BX; E_ROWS(E_ADD, added); \
added: \
	MOVQ DX, R13; MOVBLZX nt, BX; TESTQ BX, BX; JNE ntstore; \
	MOVQ R14, BX; E_ROWS(E_STORE, stored); JMP stored; \
ntstore: \
	Z_STORE_NT; \
stored: \
	TESTQ R12, R12; JEQ done; \
	VBROADCASTSS lo, Z0; VBROADCASTSS hi, Z1; \
	MOVQ R12, R13; MOVQ R14, BX; E_ROWS(E_ACT, done); \
done: \
	VZEROUPPER; RET

// func sgemmKernel6x32Edge(k int, a, b, c *float32, ldc int, bias, act *float32, lo, hi float32, rows int, mask uint32, nt bool)
TEXT ·sgemmKernel6x32Edge(SB), NOSPLIT, $0-77
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	MOVQ bias+40(FP), R11
	MOVQ act+48(FP), R12
	MOVQ rows+64(FP), R14
	MOVL mask+72(FP), AX
	KMOVW AX, K1
	SHRL $16, AX
	KMOVW AX, K2
	MOVQ CX, R9
	SHLQ $6, R9
	ADDQ DI, R9
	E_START(ezero, estart)
	TESTQ CX, CX
	JEQ   efin

eloop:
	VMOVUPS (DI), Z0
	VMOVUPS (R9), Z1
	FMA_STEP_Z
	ADDQ    $24, SI
	ADDQ    $64, DI
	ADDQ    $64, R9
	DECQ    CX
	JNE     eloop

efin:
	E_FINISH(lo+56(FP), hi+60(FP), nt+76(FP), eadded, entstore, estored, edone)

// func sgemmKernel6x32GatherEdge(k int, a, img *float32, offs *int32, c *float32, ldc int, bias, act *float32, lo, hi float32, rows int, mask uint32, nt bool)
//
// sgemmKernel6x32Edge whose B row p is the 32 floats at img[offs[p]:] (the
// masked-off columns are read too: the caller keeps them in bounds).
TEXT ·sgemmKernel6x32GatherEdge(SB), NOSPLIT, $0-85
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ img+16(FP), DI
	MOVQ offs+24(FP), R9
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	MOVQ bias+48(FP), R11
	MOVQ act+56(FP), R12
	MOVQ rows+72(FP), R14
	MOVL mask+80(FP), AX
	KMOVW AX, K1
	SHRL $16, AX
	KMOVW AX, K2
	E_START(gzero, gstart)
	TESTQ CX, CX
	JEQ   gfin

gloop:
	MOVLQSX (R9), R10
	VMOVUPS (DI)(R10*4), Z0
	VMOVUPS 64(DI)(R10*4), Z1
	FMA_STEP_Z
	ADDQ    $24, SI
	ADDQ    $4, R9
	DECQ    CX
	JNE     gloop

gfin:
	E_FINISH(lo+64(FP), hi+68(FP), nt+84(FP), gadded, gntstore, gstored, gdone)


// func sgemmKernel6x64Gather(k int, a, img *float32, offs *int32, c *float32, ldc int)
//
// C[6×64] += A·B where B row p is the 64 floats at img[offs[p]:]: twice the
// 6×32 tile, so a step's four B loads and six broadcasts feed 24 FMAs
// (24 accumulators Z4–Z27; row i in Z(4+4i) … Z(7+4i)), and short depth
// blocks pay the call and the tile's loads and stores half as often.
#define FMA_ROW64(off, acc0, acc1, acc2, acc3) \
	VBROADCASTSS off(SI), Z28; \
	VFMADD231PS Z0, Z28, acc0; VFMADD231PS Z1, Z28, acc1; \
	VFMADD231PS Z2, Z28, acc2; VFMADD231PS Z3, Z28, acc3

#define ADD_ROW64(acc0, acc1, acc2, acc3) \
	VADDPS (R13), acc0, acc0; VMOVUPS acc0, (R13); \
	VADDPS 64(R13), acc1, acc1; VMOVUPS acc1, 64(R13); \
	VADDPS 128(R13), acc2, acc2; VMOVUPS acc2, 128(R13); \
	VADDPS 192(R13), acc3, acc3; VMOVUPS acc3, 192(R13); \
	ADDQ R8, R13

TEXT ·sgemmKernel6x64Gather(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ img+16(FP), DI
	MOVQ offs+24(FP), R9
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	VPXORD Z4, Z4, Z4; VPXORD Z5, Z5, Z5; VPXORD Z6, Z6, Z6; VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16; VPXORD Z17, Z17, Z17; VPXORD Z18, Z18, Z18; VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20; VPXORD Z21, Z21, Z21; VPXORD Z22, Z22, Z22; VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24; VPXORD Z25, Z25, Z25; VPXORD Z26, Z26, Z26; VPXORD Z27, Z27, Z27
	TESTQ CX, CX
	JEQ   g64store

g64loop:
	MOVLQSX (R9), R10
	VMOVUPS (DI)(R10*4), Z0
	VMOVUPS 64(DI)(R10*4), Z1
	VMOVUPS 128(DI)(R10*4), Z2
	VMOVUPS 192(DI)(R10*4), Z3
	FMA_ROW64(0, Z4, Z5, Z6, Z7)
	FMA_ROW64(4, Z8, Z9, Z10, Z11)
	FMA_ROW64(8, Z12, Z13, Z14, Z15)
	FMA_ROW64(12, Z16, Z17, Z18, Z19)
	FMA_ROW64(16, Z20, Z21, Z22, Z23)
	FMA_ROW64(20, Z24, Z25, Z26, Z27)
	ADDQ    $24, SI
	ADDQ    $4, R9
	DECQ    CX
	JNE     g64loop

g64store:
	MOVQ DX, R13
	ADD_ROW64(Z4, Z5, Z6, Z7)
	ADD_ROW64(Z8, Z9, Z10, Z11)
	ADD_ROW64(Z12, Z13, Z14, Z15)
	ADD_ROW64(Z16, Z17, Z18, Z19)
	ADD_ROW64(Z20, Z21, Z22, Z23)
	ADD_ROW64(Z24, Z25, Z26, Z27)
	VZEROUPPER
	RET

//go:build amd64 && !purego

#include "textflag.h"

// func dwPlaneZ(out, in, w, act *float32, offs *int32, masks *uint32, a *dwArgs)
//
// One plane of a depthwise convolution with 512-bit vectors, straight from
// the input (no bordered copy), a row of outputs at a time in blocks of 16.
// Tap t (row-major over KH×KW) reads the input at the row's base plus
// offs[t]; its load in block b is masked by masks[t·nblk + b] so that
// columns left or right of the input read as zero (AVX-512 does not fault
// on masked-off lanes), and taps of rows above or below the input are
// skipped (a row's taps are [dy0·KW, dy1·KW)). At stride 2 a tap loads 32
// consecutive values (the mask's two halves) and keeps the even ones.
// Four blocks go together, one accumulator each (one weight broadcast per
// four FMAs); a last one to three blocks go one by one, their taps rotating
// over four accumulators (FMA latency). Block b is stored under
// masks[KK·nblk + b], and with act min(max(v, lo), hi) is stored there too.
// masks[(KK+1)·nblk + b] ≠ 0 says blocks b … b+3 load only columns within
// the plane: their taps go unmasked.
//
// dwArgs: H, W, OH, OW, KH, KW, padT, padL, S, nblk (8 bytes each from
// 0), bias 80, lo 84, hi 88 (float32), nt 92 (uint32).

// Masked FMA of block j (constant) at stride 1: mask at j·4(R12), input
// at (DI + 64·j)(AX·4).
#define TAP4S1(j, acc) \
	KMOVW (j*4)(R12), K1; \
	VFMADD231PS (j*64)(DI)(AX*4), Z5, K1, acc

// At stride 2: 32 values from DI + 128·j, evens kept.
#define TAP4S2(j, acc) \
	KMOVW (j*4)(R12), K1; \
	KMOVW (j*4+2)(R12), K2; \
	VMOVUPS.Z (j*128)(DI)(AX*4), K1, Z6; \
	VMOVUPS.Z (j*128+64)(DI)(AX*4), K2, Z7; \
	VPERMT2PS Z7, Z30, Z6; \
	VFMADD231PS Z6, Z5, acc

// The same for blocks whose loads are all within the plane: no masks.
#define TAP4S1F(j, acc) \
	VFMADD231PS (j*64)(DI)(AX*4), Z5, acc

#define TAP4S2F(j, acc) \
	VMOVUPS (j*128)(DI)(AX*4), Z6; \
	VMOVUPS (j*128+64)(DI)(AX*4), Z7; \
	VPERMT2PS Z7, Z30, Z6; \
	VFMADD231PS Z6, Z5, acc

// One tap of the single block at DI into acc (R14 = t, R12 its mask).
#define TAP1S1(acc) \
	MOVLQSX (R11)(R14*4), AX; \
	KMOVW (R12), K1; \
	VBROADCASTSS (R10)(R14*4), Z5; \
	VFMADD231PS (DI)(AX*4), Z5, K1, acc; \
	INCQ R14; ADDQ R9, R12

#define TAP1S2(acc) \
	MOVLQSX (R11)(R14*4), AX; \
	KMOVW (R12), K1; \
	KMOVW 2(R12), K2; \
	VMOVUPS.Z (DI)(AX*4), K1, Z6; \
	VMOVUPS.Z 64(DI)(AX*4), K2, Z7; \
	VPERMT2PS Z7, Z30, Z6; \
	VBROADCASTSS (R10)(R14*4), Z5; \
	VFMADD231PS Z6, Z5, acc; \
	INCQ R14; ADDQ R9, R12

// STORE_BLOCK(j, acc): block BX+j of the row at out + AX (bytes), under
// its store mask (R13 = the store masks). With dwArgs.nt a whole block
// at a 64-byte boundary goes past the caches (the caller fences).
#define STORE_BLOCK(j, acc, skip, masked, stored) \
	KMOVW (j*4)(R13)(BX*4), K7; \
	MOVQ out+0(FP), R14; LEAQ (j*64)(R14)(AX*1), R14; \
	CMPL 92(R8), $0; JEQ masked; \
	KORTESTW K7, K7; JCC masked; \
	TESTQ $63, R14; JNE masked; \
	VMOVNTPS acc, (R14); JMP stored; \
masked: \
	VMOVUPS acc, K7, (R14); \
stored: \
	MOVQ act+24(FP), R14; TESTQ R14, R14; JEQ skip; \
	VMAXPS acc, Z29, acc; VMINPS acc, Z28, acc; VMOVUPS acc, K7, (j*64)(R14)(AX*1); \
skip:

// STORE_START: AX = (oy·OW + 16·block)·4, R13 = masks + KK·nblk·4.
#define STORE_START \
	MOVQ 32(R8), R13; IMULQ 40(R8), R13; IMULQ 72(R8), R13; SHLQ $2, R13; ADDQ masks+40(FP), R13; \
	MOVQ CX, AX; IMULQ 24(R8), AX; MOVQ BX, R14; SHLQ $4, R14; ADDQ R14, AX; SHLQ $2, AX

TEXT ·dwPlaneZ(SB), NOSPLIT, $8-56
	MOVQ         a+48(FP), R8
	MOVQ         w+16(FP), R10
	MOVQ         offs+32(FP), R11
	VBROADCASTSS 80(R8), Z31
	VBROADCASTSS 84(R8), Z29
	VBROADCASTSS 88(R8), Z28
	// Even lanes 0, 2, …, 30 for VPERMT2PS.
	MOVQ         $0x0E0C0A0806040200, AX
	MOVQ         AX, X8
	MOVQ         $0x1E1C1A1816141210, AX
	PINSRQ       $1, AX, X8
	VPMOVZXBD    X8, Z30
	MOVQ         72(R8), R9
	SHLQ         $2, R9 // a tap's row of masks: nblk·4 bytes
	XORQ         CX, CX // oy

row:
	CMPQ CX, 16(R8)
	JGE  done
	// iy0 = oy·S − padT → AX
	MOVQ CX, AX
	IMULQ 64(R8), AX
	SUBQ 48(R8), AX
	// dy0 = max(0, −iy0) → DX; dy1 = min(KH, H − iy0) → R13
	XORQ DX, DX
	MOVQ AX, R14
	NEGQ R14
	CMPQ R14, DX
	CMOVQGT R14, DX
	MOVQ 0(R8), R13
	SUBQ AX, R13
	MOVQ 32(R8), R14
	CMPQ R13, R14
	CMOVQGT R14, R13
	// The row's base for block 0: in + (iy0·W − padL)·4 → SI
	MOVQ AX, SI
	IMULQ 8(R8), SI
	SUBQ 56(R8), SI
	SHLQ $2, SI
	ADDQ in+8(FP), SI
	// Taps [dy0·KW, dy1·KW) → DX, R13 (kept in t1 too)
	MOVQ 40(R8), R14
	IMULQ R14, DX
	IMULQ R14, R13
	MOVQ R13, t1-8(SP)
	XORQ BX, BX // block

group:
	MOVQ 72(R8), AX
	SUBQ BX, AX
	JLE  nextrow
	// DI = SI + block·64·S: the group's first block
	MOVQ BX, DI
	SHLQ $6, DI
	IMULQ 64(R8), DI
	ADDQ SI, DI
	// R12 = masks + (dy0·KW·nblk + block)·4
	MOVQ DX, R12
	IMULQ 72(R8), R12
	ADDQ BX, R12
	SHLQ $2, R12
	ADDQ masks+40(FP), R12
	MOVQ DX, R14 // t
	CMPQ AX, $4
	JLT  single
	VMOVAPS Z31, Z0
	VMOVAPS Z31, Z1
	VMOVAPS Z31, Z2
	VMOVAPS Z31, Z3
	// Blocks all within the plane (the flag after the store masks)?
	MOVQ 32(R8), AX
	IMULQ 40(R8), AX
	INCQ AX
	IMULQ 72(R8), AX
	ADDQ BX, AX
	SHLQ $2, AX
	ADDQ masks+40(FP), AX
	CMPL (AX), $0
	JEQ  masked4
	CMPQ 64(R8), $2
	JEQ  full2

full1:
	CMPQ R14, R13
	JGE  store4
	MOVLQSX (R11)(R14*4), AX
	VBROADCASTSS (R10)(R14*4), Z5
	TAP4S1F(0, Z0)
	TAP4S1F(1, Z1)
	TAP4S1F(2, Z2)
	TAP4S1F(3, Z3)
	INCQ R14
	JMP  full1

full2:
	CMPQ R14, R13
	JGE  store4
	MOVLQSX (R11)(R14*4), AX
	VBROADCASTSS (R10)(R14*4), Z5
	TAP4S2F(0, Z0)
	TAP4S2F(1, Z1)
	TAP4S2F(2, Z2)
	TAP4S2F(3, Z3)
	INCQ R14
	JMP  full2

masked4:
	CMPQ 64(R8), $2
	JEQ  four2

four1:
	CMPQ R14, R13
	JGE  store4
	MOVLQSX (R11)(R14*4), AX
	VBROADCASTSS (R10)(R14*4), Z5
	TAP4S1(0, Z0)
	TAP4S1(1, Z1)
	TAP4S1(2, Z2)
	TAP4S1(3, Z3)
	INCQ R14
	ADDQ R9, R12
	JMP  four1

four2:
	CMPQ R14, R13
	JGE  store4
	MOVLQSX (R11)(R14*4), AX
	VBROADCASTSS (R10)(R14*4), Z5
	TAP4S2(0, Z0)
	TAP4S2(1, Z1)
	TAP4S2(2, Z2)
	TAP4S2(3, Z3)
	INCQ R14
	ADDQ R9, R12
	JMP  four2

store4:
	STORE_START // (R13, the tap end, is restored after)
	STORE_BLOCK(0, Z0, s40, s40m, s40s)
	STORE_BLOCK(1, Z1, s41, s41m, s41s)
	STORE_BLOCK(2, Z2, s42, s42m, s42s)
	STORE_BLOCK(3, Z3, s43, s43m, s43s)
	MOVQ t1-8(SP), R13
	ADDQ $4, BX
	JMP  group

single:
	VMOVAPS Z31, Z0
	VPXORD  Z1, Z1, Z1
	VPXORD  Z2, Z2, Z2
	VPXORD  Z3, Z3, Z3
	CMPQ    64(R8), $2
	JEQ     one2

one1:
	LEAQ 3(R14), AX
	CMPQ AX, R13
	JGE  tail1
	TAP1S1(Z0)
	TAP1S1(Z1)
	TAP1S1(Z2)
	TAP1S1(Z3)
	JMP  one1

tail1:
	CMPQ R14, R13
	JGE  store1
	TAP1S1(Z0)
	JMP  tail1

one2:
	LEAQ 3(R14), AX
	CMPQ AX, R13
	JGE  tail2
	TAP1S2(Z0)
	TAP1S2(Z1)
	TAP1S2(Z2)
	TAP1S2(Z3)
	JMP  one2

tail2:
	CMPQ R14, R13
	JGE  store1
	TAP1S2(Z0)
	JMP  tail2

store1:
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z2, Z0, Z0
	STORE_START
	STORE_BLOCK(0, Z0, s10, s10m, s10s)
	MOVQ t1-8(SP), R13
	INCQ BX
	JMP  group

nextrow:
	INCQ CX
	JMP  row

done:
	VZEROUPPER
	RET

package tensor

import "math"

// DenseFast computes dst[n, o] = Σ_i x[n, i]·w[o, i] + b[o] for n < batch
// (b may be nil) with the SIMD matrix product (float32 accumulation in
// several partial sums).
func DenseFast(dst, x, w, b []float32, batch, in, out int) {
	if b != nil {
		for n := 0; n < batch; n++ {
			copy(dst[n*out:(n+1)*out], b)
		}
	}
	beta := float32(0)
	if b != nil {
		beta = 1
	}
	Gemm(false, true, batch, out, in, 1, x, in, w, in, beta, dst, out)
}

// Activation identifies an element-wise function for Apply.
type Activation int

const (
	ActRelu Activation = iota
	ActLeakyRelu
	ActSigmoid
	ActTanh
	ActElu
	ActSelu
	ActClip
	ActSoftplus
	ActHardSigmoid
	// The functions of act_ext.go.
	ActHardSwish
	ActGelu
	ActGeluTanh
	ActMish
	ActSwish
	ActSoftsign
	ActExp
	ActLog
	ActAbs
	ActErf
)

// Apply computes dst[i] = f(src[i]); dst and src may be the same slice.
// alpha and beta are the function's parameters (see graph.ActFunc).
func Apply(dst, src []float32, f Activation, alpha, beta float32) {
	switch f {
	case ActRelu:
		relu(dst, src)
	case ActLeakyRelu:
		for i, v := range src {
			if v < 0 {
				v *= alpha
			}
			dst[i] = v
		}
	case ActSigmoid:
		for i, v := range src {
			dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case ActTanh:
		for i, v := range src {
			dst[i] = float32(math.Tanh(float64(v)))
		}
	case ActElu:
		for i, v := range src {
			if v < 0 {
				v = alpha * float32(math.Expm1(float64(v)))
			}
			dst[i] = v
		}
	case ActSelu:
		for i, v := range src {
			if v <= 0 {
				v = alpha * float32(math.Expm1(float64(v)))
			}
			dst[i] = beta * v
		}
	case ActClip:
		clamp(dst, src, alpha, beta)
	case ActSoftplus:
		for i, v := range src {
			x := float64(v)
			// log(1+e^x) without overflow.
			dst[i] = float32(math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))))
		}
	case ActHardSigmoid:
		for i, v := range src {
			dst[i] = min(max(alpha*v+beta, 0), 1)
		}
	default:
		applyExt(dst, src, f)
	}
}

// Softmax normalises along the middle axis of a tensor viewed as
// [outer, axis, inner]. With log it writes log-softmax.
func Softmax(dst, src []float32, outer, axis, inner int, log bool) {
	// Each exponential computed once; on the stack for up to 256 classes
	// (a run then allocates nothing).
	var stack [256]float64
	exps := stack[:min(axis, len(stack))]
	if axis > len(stack) {
		exps = make([]float64, axis)
	}
	for o := 0; o < outer; o++ {
		base := o * axis * inner
		for in := 0; in < inner; in++ {
			m := float32(math.Inf(-1))
			for a := 0; a < axis; a++ {
				m = max(m, src[base+a*inner+in])
			}
			var sum float64
			for a := range exps {
				e := math.Exp(float64(src[base+a*inner+in] - m))
				exps[a] = e
				sum += e
			}
			logSum := math.Log(sum)
			for a, e := range exps {
				if log {
					dst[base+a*inner+in] = float32(float64(src[base+a*inner+in]-m) - logSum)
				} else {
					dst[base+a*inner+in] = float32(e / sum)
				}
			}
		}
	}
}

// BatchNorm applies y = scale·(x−mean)/sqrt(var+eps) + bias per channel of an
// [N, C, plane] tensor.
func BatchNorm(dst, src, scale, bias, mean, variance []float32, n, c, plane int, eps float32) {
	for ci := 0; ci < c; ci++ {
		k := scale[ci] / float32(math.Sqrt(float64(variance[ci]+eps)))
		off := bias[ci] - mean[ci]*k
		for ni := 0; ni < n; ni++ {
			base := (ni*c + ci) * plane
			axpb(dst[base:base+plane], src[base:base+plane], k, off)
		}
	}
}

// LRN normalises across channels: y = x / (bias + alpha/size·Σ x²)^beta,
// the sum over channels [c − (size−1)/2, c + size/2] clipped to the input.
func LRN(dst, src []float32, n, c, plane, size int, alpha, beta, bias float32) {
	lo, hi := (size-1)/2, size/2
	for ni := 0; ni < n; ni++ {
		for ci := 0; ci < c; ci++ {
			for p := 0; p < plane; p++ {
				var sq float64
				for j := max(0, ci-lo); j <= min(c-1, ci+hi); j++ {
					v := float64(src[(ni*c+j)*plane+p])
					sq += v * v
				}
				d := math.Pow(float64(bias)+float64(alpha)/float64(size)*sq, float64(beta))
				dst[(ni*c+ci)*plane+p] = float32(float64(src[(ni*c+ci)*plane+p]) / d)
			}
		}
	}
}

// ToChannelsLast copies an [N, C, H, W] tensor into [N, H, W, C] order.
func ToChannelsLast(dst, src []float32, n, c, h, w int) {
	plane := h * w
	for ni := 0; ni < n; ni++ {
		s := src[ni*c*plane : (ni+1)*c*plane]
		d := dst[ni*c*plane : (ni+1)*c*plane]
		for ci := 0; ci < c; ci++ {
			for p := 0; p < plane; p++ {
				d[p*c+ci] = s[ci*plane+p]
			}
		}
	}
}

// Concat copies inputs along an axis of tensors viewed as [outer, axis_i,
// inner]; sizes[i] is input i's axis length times inner.
func Concat(dst []float32, srcs [][]float32, outer int, sizes []int) {
	total := 0
	for _, s := range sizes {
		total += s
	}
	off := 0
	for i, src := range srcs {
		for o := 0; o < outer; o++ {
			copy(dst[o*total+off:o*total+off+sizes[i]], src[o*sizes[i]:(o+1)*sizes[i]])
		}
		off += sizes[i]
	}
}

package tensor

import "math"

// applyExt computes the activations added with the coverage of real
// exports (ONNX opsets 14–20, Keras/TF.js): HardSwish, Gelu (exact and
// tanh approximation), Mish, Swish (SiLU), Softsign, and the unary
// functions Exp, Log, Abs and Erf. Each is computed in
// float64 and rounded once.
func applyExt(dst, src []float32, f Activation) {
	switch f {
	case ActHardSwish: // x·min(max(x/6 + 1/2, 0), 1)
		for i, v := range src {
			x := float64(v)
			dst[i] = float32(x * math.Min(math.Max(x/6+0.5, 0), 1))
		}
	case ActGelu: // x·Φ(x)
		for i, v := range src {
			x := float64(v)
			dst[i] = float32(0.5 * x * (1 + math.Erf(x/math.Sqrt2)))
		}
	case ActGeluTanh: // x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
		for i, v := range src {
			x := float64(v)
			dst[i] = float32(0.5 * x * (1 + math.Tanh(geluK*(x+0.044715*x*x*x))))
		}
	case ActMish: // x·tanh(ln(1 + eˣ))
		for i, v := range src {
			x := float64(v)
			dst[i] = float32(x * math.Tanh(Softplus64(x)))
		}
	case ActSwish: // x·σ(x)
		for i, v := range src {
			x := float64(v)
			dst[i] = float32(x / (1 + math.Exp(-x)))
		}
	case ActSoftsign: // x/(1 + |x|)
		for i, v := range src {
			x := float64(v)
			dst[i] = float32(x / (1 + math.Abs(x)))
		}
	case ActExp:
		for i, v := range src {
			dst[i] = float32(math.Exp(float64(v)))
		}
	case ActLog:
		for i, v := range src {
			dst[i] = float32(math.Log(float64(v)))
		}
	case ActAbs:
		for i, v := range src {
			dst[i] = float32(math.Abs(float64(v)))
		}
	case ActErf:
		for i, v := range src {
			dst[i] = float32(math.Erf(float64(v)))
		}
	}
}

// geluK is √(2/π).
var geluK = math.Sqrt(2 / math.Pi)

// GeluK is √(2/π), the factor of Gelu's tanh approximation.
func GeluK() float64 { return geluK }

// Softplus64 is ln(1 + eˣ) without overflow.
func Softplus64(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

package train

import (
	"math"

	"github.com/convscope/convscope/internal/tensor"
)

// actBackwardExt adds dy·f'(x) to dx for the activations of
// tensor/act_ext.go.
func actBackwardExt(f tensor.Activation, dx, dy, x []float32) {
	var d func(x float64) float64
	switch f {
	case tensor.ActHardSwish:
		d = func(x float64) float64 {
			switch {
			case x <= -3:
				return 0
			case x >= 3:
				return 1
			}
			return (2*x + 3) / 6
		}
	case tensor.ActGelu: // Φ(x) + x·φ(x)
		d = func(x float64) float64 {
			return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-x*x/2)/math.Sqrt(2*math.Pi)
		}
	case tensor.ActGeluTanh:
		k := tensor.GeluK()
		d = func(x float64) float64 {
			t := math.Tanh(k * (x + 0.044715*x*x*x))
			return 0.5*(1+t) + 0.5*x*(1-t*t)*k*(1+3*0.044715*x*x)
		}
	case tensor.ActMish: // tanh(sp) + x·sech²(sp)·σ(x)
		d = func(x float64) float64 {
			t := math.Tanh(tensor.Softplus64(x))
			return t + x*(1-t*t)/(1+math.Exp(-x))
		}
	case tensor.ActSwish: // σ + x·σ·(1 − σ)
		d = func(x float64) float64 {
			s := 1 / (1 + math.Exp(-x))
			return s + x*s*(1-s)
		}
	case tensor.ActSoftsign:
		d = func(x float64) float64 {
			a := 1 + math.Abs(x)
			return 1 / (a * a)
		}
	case tensor.ActExp:
		d = math.Exp
	case tensor.ActLog:
		d = func(x float64) float64 { return 1 / x }
	case tensor.ActAbs:
		d = func(x float64) float64 {
			if x < 0 {
				return -1
			}
			return 1
		}
	case tensor.ActErf: // 2/√π·e^(−x²)
		d = func(x float64) float64 { return 2 / math.Sqrt(math.Pi) * math.Exp(-x*x) }
	default:
		return
	}
	for i, v := range x {
		dx[i] += dy[i] * float32(d(float64(v)))
	}
}

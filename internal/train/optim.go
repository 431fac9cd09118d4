package train

import (
	"fmt"
	"math"
)

// Hyper are the optimisation hyperparameters.
type Hyper struct {
	// Optimizer is "adam" (default) or "sgd" (with momentum).
	Optimizer string `json:"optimizer"`
	// LR is the peak learning rate (default 1e-3 for Adam, 0.01 for SGD).
	LR float64 `json:"lr"`
	// Momentum of SGD (default 0.9).
	Momentum float64 `json:"momentum,omitempty"`
	// Beta1, Beta2 and Eps of Adam (defaults 0.9, 0.999, 1e-8).
	Beta1 float64 `json:"beta1,omitempty"`
	Beta2 float64 `json:"beta2,omitempty"`
	Eps   float64 `json:"eps,omitempty"`
	// WeightDecay applies to Conv and Dense weights: decoupled (AdamW) with
	// Adam, L2 added to the gradient with SGD.
	WeightDecay float64 `json:"weight_decay"`
	// Schedule is "cosine" (default: from LR down to 0 over the run),
	// "step" (×0.1 at 50 % and again at 75 % of the steps) or "constant".
	Schedule string `json:"schedule"`
	// Warmup is the number of steps over which the rate rises linearly from
	// LR/Warmup to LR.
	Warmup int `json:"warmup_steps"`
}

// WithDefaults fills the zero fields.
func (h Hyper) WithDefaults() Hyper {
	if h.Optimizer == "" {
		h.Optimizer = "adam"
	}
	if h.LR == 0 {
		h.LR = 1e-3
		if h.Optimizer == "sgd" {
			h.LR = 0.01
		}
	}
	if h.Optimizer == "sgd" && h.Momentum == 0 {
		h.Momentum = 0.9
	}
	if h.Optimizer == "adam" {
		if h.Beta1 == 0 {
			h.Beta1 = 0.9
		}
		if h.Beta2 == 0 {
			h.Beta2 = 0.999
		}
		if h.Eps == 0 {
			h.Eps = 1e-8
		}
	}
	if h.Schedule == "" {
		h.Schedule = "cosine"
	}
	return h
}

func (h Hyper) check() error {
	switch h.Optimizer {
	case "adam", "sgd":
	default:
		return fmt.Errorf("unknown optimizer %q (adam, sgd)", h.Optimizer)
	}
	switch h.Schedule {
	case "cosine", "step", "constant":
	default:
		return fmt.Errorf("unknown learning-rate schedule %q (cosine, step, constant)", h.Schedule)
	}
	if !(h.LR > 0) || math.IsInf(h.LR, 0) {
		return fmt.Errorf("learning rate %v must be positive", h.LR)
	}
	if h.WeightDecay < 0 || h.Momentum < 0 || h.Momentum >= 1 {
		return fmt.Errorf("weight decay %v and momentum %v must be in [0, 1)", h.WeightDecay, h.Momentum)
	}
	return nil
}

// Rate is the learning rate at step (0-based) of total steps.
func (h Hyper) Rate(step, total int) float64 {
	lr := h.LR
	if h.Warmup > 0 && step < h.Warmup {
		return lr * float64(step+1) / float64(h.Warmup)
	}
	span := max(1, total-h.Warmup)
	t := min(1, float64(step-h.Warmup)/float64(span))
	switch h.Schedule {
	case "cosine":
		return lr * 0.5 * (1 + math.Cos(math.Pi*t))
	case "step":
		switch {
		case t >= 0.75:
			return lr * 0.01
		case t >= 0.5:
			return lr * 0.1
		}
	}
	return lr
}

// Optimizer updates parameters from their gradients.
type Optimizer struct {
	h      Hyper
	params []*Param
	m, v   [][]float32
	t      int
}

// NewOptimizer prepares the state for params.
func NewOptimizer(params []*Param, h Hyper) (*Optimizer, error) {
	h = h.WithDefaults()
	if err := h.check(); err != nil {
		return nil, err
	}
	o := &Optimizer{h: h, params: params}
	for _, p := range params {
		o.m = append(o.m, make([]float32, len(p.T.Data)))
		if h.Optimizer == "adam" {
			o.v = append(o.v, make([]float32, len(p.T.Data)))
		}
	}
	return o, nil
}

// Step applies one update with learning rate lr.
func (o *Optimizer) Step(lr float64) {
	o.t++
	h := o.h
	switch h.Optimizer {
	case "sgd":
		for i, p := range o.params {
			w, g, m := p.T.Data, p.Grad, o.m[i]
			wd := 0.0
			if p.Decay {
				wd = h.WeightDecay
			}
			for j := range w {
				d := float64(g[j]) + wd*float64(w[j])
				mj := h.Momentum*float64(m[j]) + d
				m[j] = float32(mj)
				w[j] = float32(float64(w[j]) - lr*mj)
			}
		}
	default:
		c1 := 1 - math.Pow(h.Beta1, float64(o.t))
		c2 := 1 - math.Pow(h.Beta2, float64(o.t))
		for i, p := range o.params {
			w, g, m, v := p.T.Data, p.Grad, o.m[i], o.v[i]
			decay := 0.0
			if p.Decay {
				decay = lr * h.WeightDecay
			}
			for j := range w {
				gj := float64(g[j])
				mj := h.Beta1*float64(m[j]) + (1-h.Beta1)*gj
				vj := h.Beta2*float64(v[j]) + (1-h.Beta2)*gj*gj
				m[j], v[j] = float32(mj), float32(vj)
				wj := float64(w[j])
				wj -= lr*(mj/c1)/(math.Sqrt(vj/c2)+h.Eps) + decay*wj
				w[j] = float32(wj)
			}
		}
	}
}

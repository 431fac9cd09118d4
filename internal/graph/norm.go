package graph

import (
	"fmt"
	"sort"
)

// LayerNorm normalises over Axes with the statistics of each sample:
// y = (x − mean)/√(var + Epsilon)·scale + bias, mean and (biased) variance
// taken over the Axes (ONNX LayerNormalization over axis…rank−1, Keras
// LayerNormalization; negative axes count from the end). Parameters
// "scale" and "bias" have the shape of the normalised dimensions, in
// order; NoScale and NoBias leave them out (scale 1, bias 0).
type LayerNorm struct {
	Axes            []int
	Epsilon         float32
	NoScale, NoBias bool
}

func (l *LayerNorm) Kind() string { return "LayerNorm" }

// Resolve returns, for a rank-n input, whether each axis is normalised.
func (l *LayerNorm) Resolve(rank int) ([]bool, error) {
	if len(l.Axes) == 0 {
		return nil, fmt.Errorf("LayerNorm has no axis")
	}
	red := make([]bool, rank)
	for _, a := range l.Axes {
		ax, err := NormAxis(a, rank)
		if err != nil {
			return nil, fmt.Errorf("LayerNorm: %w", err)
		}
		if red[ax] {
			return nil, fmt.Errorf("LayerNorm: axis %d is given twice in %v", a, l.Axes)
		}
		red[ax] = true
	}
	return red, nil
}

func (l *LayerNorm) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "LayerNorm"); err != nil {
		return nil, err
	}
	if _, err := l.Resolve(len(in[0])); err != nil {
		return nil, err
	}
	return []Shape{in[0]}, nil
}

func (l *LayerNorm) ParamShapes(in []Shape) map[string]Shape {
	red, err := l.Resolve(len(in[0]))
	if err != nil {
		return nil
	}
	var s Shape
	for i, r := range red {
		if r {
			s = append(s, in[0][i])
		}
	}
	m := map[string]Shape{}
	if !l.NoScale {
		m["scale"] = s
	}
	if !l.NoBias {
		m["bias"] = s
	}
	return m
}

func (l *LayerNorm) Cost(in, out []Shape) Cost {
	n := int64(out[0].Elems())
	return Cost{Additions: 3 * n, Divisions: n}
}

// Traits of LayerNorm: a normalisation; channel-wise when it normalises
// within each channel (not over axis 1).
func (l *LayerNorm) Traits() Traits {
	t := Traits{Family: FamilyNorm, Foldable: true, KeepsBatch: true}
	axes := append([]int(nil), l.Axes...)
	sort.Ints(axes)
	t.Channelwise = len(axes) > 0 && axes[0] > 1
	return t
}

// GroupNorm normalises each group of Groups consecutive-channel groups of
// each sample over its channels and positions, then scales and shifts each
// channel: y = (x − mean_g)/√(var_g + Epsilon)·scale[c] + bias[c] (ONNX
// GroupNormalization; InstanceNormalization is Groups = C). Parameters
// "scale" and "bias" are [C].
type GroupNorm struct {
	Groups  int
	Epsilon float32
}

func (g *GroupNorm) Kind() string {
	return "GroupNorm"
}

func (g *GroupNorm) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "GroupNorm"); err != nil {
		return nil, err
	}
	if len(in[0]) < 2 {
		return nil, fmt.Errorf("GroupNorm needs an input with channels, got %v", in[0])
	}
	if g.Groups <= 0 || in[0][1]%g.Groups != 0 {
		return nil, fmt.Errorf("GroupNorm: %d groups do not divide %d channels", g.Groups, in[0][1])
	}
	return []Shape{in[0]}, nil
}

func (g *GroupNorm) ParamShapes(in []Shape) map[string]Shape {
	c := Shape{in[0][1]}
	return map[string]Shape{"scale": c, "bias": c}
}

func (g *GroupNorm) Cost(in, out []Shape) Cost {
	n := int64(out[0].Elems())
	return Cost{Additions: 3 * n, Divisions: n}
}

// Traits of GroupNorm: a normalisation (not known to be channel-wise:
// that needs Groups = C, and traits do not see the shape).
func (g *GroupNorm) Traits() Traits {
	return Traits{Family: FamilyNorm, Foldable: true, KeepsBatch: true}
}

package engine_test

import (
	"math"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// The activations of real exports, against values computed by hand from
// their definitions (and published values: Φ(1) = 0.841345, Mish(1) =
// 0.865098, SiLU(1) = 0.731059).
func TestExtendedActivations(t *testing.T) {
	in := func(v ...float32) []*graph.Tensor { return []*graph.Tensor{tensorOf([]int{1, len(v)}, v...)} }
	for _, c := range []opCase{
		// x·min(max(x/6 + 1/2, 0), 1): −4 → 0, −1 → −1/3, 2 → 5/3, 5 → 5.
		{"hardswish", &graph.Activation{Func: graph.HardSwish}, nil, in(-4, -1, 0, 2, 5), []int{1, 5}, []float32{0, -1.0 / 3, 0, 5.0 / 3, 5}},
		{"gelu", &graph.Activation{Func: graph.Gelu}, nil, in(1, -2, 0), []int{1, 3}, []float32{0.8413447460685429, -0.04550026389635842, 0}},
		{"gelu tanh", &graph.Activation{Func: graph.GeluTanh}, nil, in(1, -2), []int{1, 2}, []float32{0.8411919906082768, -0.04540230591222494}},
		{"mish", &graph.Activation{Func: graph.Mish}, nil, in(1, -2), []int{1, 2}, []float32{0.8650983882673103, -0.2525014826957089}},
		{"swish", &graph.Activation{Func: graph.Swish}, nil, in(1, -2), []int{1, 2}, []float32{0.7310585786300049, -0.2384058440442351}},
		{"softsign", &graph.Activation{Func: graph.Softsign}, nil, in(-3, 1, 0), []int{1, 3}, []float32{-0.75, 0.5, 0}},
		{"exp", &graph.Activation{Func: graph.Exp}, nil, in(0, 1), []int{1, 2}, []float32{1, math.E}},
		{"log", &graph.Activation{Func: graph.Log}, nil, in(1, math.E), []int{1, 2}, []float32{0, 1}},
		{"abs", &graph.Activation{Func: graph.Abs}, nil, in(-2, 3), []int{1, 2}, []float32{2, 3}},
		// erf(1) = 0.842700792949715 (tables), erf is odd.
		{"erf", &graph.Activation{Func: graph.Erf}, nil, in(1, -1, 0), []int{1, 3}, []float32{0.842700792949715, -0.842700792949715, 0}},
	} {
		c.check(t)
	}
}

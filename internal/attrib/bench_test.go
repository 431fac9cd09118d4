package attrib

import (
	"context"
	"testing"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

// Benchmarks of one attribution map, building the Net included (as a
// request does). VGG16 is the preset with random weights.
func benchExplain(b *testing.B, g *graph.Graph, method string) {
	x := make([]float32, graph.Shape(g.Inputs[0].Shape).PerImage().Elems())
	for i := range x {
		x[i] = float32(i%251) / 251
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Explain(context.Background(), g, x, Options{Method: method, Class: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDefault(b *testing.B) {
	g, err := zoo.Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []string{Saliency, GradCAM} {
		b.Run(m, func(b *testing.B) { benchExplain(b, g, m) })
	}
}

func BenchmarkVGG16(b *testing.B) {
	g, err := zoo.Preset("vgg16", true)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []string{Saliency, GradCAM} {
		b.Run(m, func(b *testing.B) { benchExplain(b, g, m) })
	}
}

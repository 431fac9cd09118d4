package engine_test

import (
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/zoo"
)

func benchTinyVGG(b *testing.B, batch int) {
	g, err := zoo.TinyVGG(64, 10, 1)
	if err != nil {
		b.Fatal(err)
	}
	p, err := engine.Compile(g, batch)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float32, batch*3*64*64)
	for i := range x {
		x[i] = float32(i%255) / 255
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Run(x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTinyVGGActivations is the CNN Explainer model's forward pass at
// batch 1 with every activation kept (the engine always keeps them).
func BenchmarkTinyVGGActivations(b *testing.B) { benchTinyVGG(b, 1) }

// BenchmarkTinyVGGBatch32 is the forward half of a training step.
func BenchmarkTinyVGGBatch32(b *testing.B) { benchTinyVGG(b, 32) }

// BenchmarkVGG16Forward is VGG16 at 224×224, batch 1, random weights, on
// all cores (30.9 GFLOP per pass).
func BenchmarkVGG16Forward(b *testing.B) {
	g, err := zoo.VGG(16, 1, true)
	if err != nil {
		b.Fatal(err)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float32, 3*224*224)
	for i := range x {
		x[i] = float32(i%251) / 251
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Run(x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(2*15.47e9*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

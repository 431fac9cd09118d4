package main

import (
	"slices"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/testref"
)

// BenchmarkCorpus runs one forward pass of each runnable corpus model in
// the engine, on the oracle's input, in two modes: all (every activation
// kept, as the Explainer runs it: engine.Compile) and final (only the
// outputs: engine.CompileFinal, buffers reused), and reports the fastest and the median run besides the
// mean (steadier on a shared machine) and the oracle's own time of its
// framework (oracle-ms, one run when the oracle ran). docs/performance.md
// compares them with onnxruntime. It skips when the cache is absent (fails
// under CI=true); -bench 'Corpus/ID' picks a model.
//
//	go test ./scripts/corpus/check -run '^$' -bench Corpus -benchtime 5x
func BenchmarkCorpus(b *testing.B) {
	cache := needCache(b)
	list, err := ReadList(testref.Root(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range list.Models {
		meta, err := readMeta(cache, m.ID)
		if err != nil || !meta.Run {
			continue // no weights, or no oracle output: TestCorpus reports it
		}
		b.Run(m.ID, func(b *testing.B) {
			g, _, err := format.OpenWith(m.File(cache), format.Options{Input: m.Input})
			if err != nil {
				b.Skipf("%s does not load: %v", m.ID, err)
			}
			if err := setInput(g, m.Input); err != nil {
				b.Fatal(err)
			}
			x, err := readInput(cache, meta)
			if err != nil {
				b.Fatal(err)
			}
			for _, mode := range []struct {
				name    string
				compile func(*graph.Graph, int) (*engine.Program, error)
			}{{"all", engine.Compile}, {"final", engine.CompileFinal}} {
				b.Run(mode.name, func(b *testing.B) { benchRun(b, g, x, meta, mode.compile) })
			}
		})
	}
}

// benchRun times p.Run of g compiled by compile.
func benchRun(b *testing.B, g *graph.Graph, x []float32, meta *Meta, compile func(*graph.Graph, int) (*engine.Program, error)) {
	p, err := compile(g, 1)
	if err != nil {
		b.Skipf("%s does not compile: %v", meta.ID, err)
	}
	if _, err := p.Run(x); err != nil {
		b.Fatal(err)
	}
	times := make([]float64, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := p.Run(x); err != nil {
			b.Fatal(err)
		}
		times = append(times, float64(time.Since(t0).Microseconds())/1000)
	}
	slices.Sort(times)
	b.ReportMetric(times[0], "min-ms")
	b.ReportMetric(times[len(times)/2], "med-ms")
	b.ReportMetric(meta.MS, "oracle-ms")
}

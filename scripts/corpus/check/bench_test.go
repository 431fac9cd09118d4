package main

import (
	"os"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/testref"
)

// BenchmarkCorpus runs one forward pass of each runnable corpus model in
// the engine, on the oracle's input (docs/performance.md compares the
// times with onnxruntime and TensorFlow.js). It skips when the cache is
// absent (fails under CI=true); -bench 'Corpus/ID' picks a model.
//
//	go test ./scripts/corpus/check -run '^$' -bench Corpus -benchtime 5x
func BenchmarkCorpus(b *testing.B) {
	cache := DefaultCache()
	if _, err := os.Stat(cache); err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("corpus cache %s is missing (CI=true): run scripts/corpus/fetch.sh and node scripts/corpus/oracle.mjs", cache)
		}
		b.Skipf("corpus cache %s is absent: run scripts/corpus/fetch.sh and node scripts/corpus/oracle.mjs", cache)
	}
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
			p, err := engine.Compile(g, 1)
			if err != nil {
				b.Skipf("%s does not compile: %v", m.ID, err)
			}
			if _, err := p.Run(x); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := p.Run(x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(meta.MS, "framework-ms")
		})
	}
}

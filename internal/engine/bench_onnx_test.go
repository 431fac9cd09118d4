package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format/onnx"
	"github.com/convscope/convscope/internal/graph"
)

// benchONNXEnv names the folder holding vgg16.onnx, resnet50.onnx and
// mobilenetv2.onnx as ../shared/bench/ort/mknets.py writes them (random
// weights, 224×224, batch 1). The benchmarks skip without it.
const benchONNXEnv = "CONVSCOPE_BENCH_ONNX"

// benchONNX times one forward pass of a generated network, as sub-benchmarks
// "all" (every activation kept, the Explainer's mode: Compile) and "final"
// (only the output: CompileFinal), reporting the effective GFLOP/s for gmacs
// billion multiply-adds per pass.
func benchONNX(b *testing.B, file string, gmacs float64) {
	dir := os.Getenv(benchONNXEnv)
	if dir == "" {
		b.Skipf("set %s to the folder of the generated %s (see ../shared/bench/ort/README.md)", benchONNXEnv, file)
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		b.Fatal(err)
	}
	g, err := onnx.Decode(data, onnx.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name    string
		compile func(*graph.Graph, int) (*engine.Program, error)
	}{{"all", engine.Compile}, {"final", engine.CompileFinal}} {
		b.Run(mode.name, func(b *testing.B) {
			p, err := mode.compile(g, 1)
			if err != nil {
				b.Fatal(err)
			}
			runONNX(b, p, gmacs)
		})
	}
}

func runONNX(b *testing.B, p *engine.Program, gmacs float64) {
	x := make([]float32, 3*224*224)
	for i := range x {
		x[i] = 0.5 // as bench.js feeds onnxruntime
	}
	steps := make([]time.Duration, len(p.Graph.Nodes))
	best := make([]time.Duration, len(steps))
	for i := range best {
		best[i] = time.Hour
	}
	b.ReportAllocs()
	b.ResetTimer()
	runs := make([]time.Duration, 0, 1<<12)
	for b.Loop() {
		t0 := time.Now()
		if _, err := p.RunTimed(steps, x); err != nil {
			b.Fatal(err)
		}
		if len(runs) < cap(runs) {
			runs = append(runs, time.Since(t0))
		}
		for i, d := range steps {
			best[i] = min(best[i], d)
		}
	}
	b.StopTimer()
	b.ReportMetric(2*gmacs*float64(b.N)/b.Elapsed().Seconds(), "GFLOP/s")
	// On a shared machine the fastest and the median run are steadier
	// figures than the mean, and steadier still is the sum over nodes of
	// each node's fastest time (a busy neighbour rarely slows the same
	// node in every run).
	slices.Sort(runs)
	b.ReportMetric(float64(runs[0])/1e6, "min-ms")
	b.ReportMetric(float64(runs[len(runs)/2])/1e6, "med-ms")
	var sum time.Duration
	for _, d := range best {
		sum += d
	}
	b.ReportMetric(float64(sum)/1e6, "layers-ms")
	if os.Getenv(benchLayersEnv) != "" {
		printLayers(b, p, best)
	}
}

// benchLayersEnv, when set, makes the benchmarks print the nodes that
// take the most time (their fastest run): the 25 slowest, or all of them
// with "all".
const benchLayersEnv = "CONVSCOPE_BENCH_LAYERS"

func printLayers(b *testing.B, p *engine.Program, best []time.Duration) {
	idx := make([]int, len(best))
	for i := range idx {
		idx[i] = i
	}
	byKind := map[string]time.Duration{}
	for i, d := range best {
		byKind[kindOf(p, i)] += d
	}
	b.Logf("by kind: %v", byKind)
	slices.SortFunc(idx, func(i, j int) int { return int(best[j] - best[i]) })
	top := 25
	if os.Getenv(benchLayersEnv) == "all" {
		top = len(idx)
	}
	for _, i := range idx[:min(top, len(idx))] {
		n := p.Graph.Nodes[i]
		b.Logf("%8.3f ms  %-12s %-18s %v", float64(best[i])/1e6, n.Name, kindOf(p, i), p.Shapes[n.Outputs[0]])
	}
}

// kindOf names node i's operator, a convolution by its kernel and group
// kind (e.g. "Conv 1x1", "Conv 3x3/2 dw").
func kindOf(p *engine.Program, i int) string {
	n := p.Graph.Nodes[i]
	c, ok := n.Op.(*graph.Conv)
	if !ok {
		return n.Op.Kind()
	}
	k := fmt.Sprintf("Conv %dx%d", c.Window.Kernel[0], c.Window.Kernel[1])
	if c.Window.Stride[0] > 1 {
		k += fmt.Sprintf("/%d", c.Window.Stride[0])
	}
	if c.Groups > 1 {
		k += " dw"
	}
	return k
}

// GMACs per pass as bench/ort/README.md lists them (MobileNet v2 and
// ResNet-50 without batch normalisation).
func BenchmarkONNXVGG16(b *testing.B)       { benchONNX(b, "vgg16.onnx", 15.47) }
func BenchmarkONNXResNet50(b *testing.B)    { benchONNX(b, "resnet50.onnx", 4.09) }
func BenchmarkONNXMobileNetV2(b *testing.B) { benchONNX(b, "mobilenetv2.onnx", 0.30) }

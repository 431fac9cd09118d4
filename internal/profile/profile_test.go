package profile

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

// convRelu is x (3×16×16) → conv 8×3×3 pad 1 → ReLU → dense 10: the
// convolution has 8·16·16·3·3·3 = 55,296 MACs and the dense layer
// 8·16·16·10 = 20,480 (counted by hand), the ReLU is fused into the
// convolution's step and the flatten is a view.
func convRelu(t *testing.T) (*graph.Graph, *analyze.Report) {
	t.Helper()
	g := &graph.Graph{Name: "convrelu", Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{-1, 3, 16, 16}}}, Outputs: []string{"fc"}}
	conv := &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Pads: [4]int{1, 1, 1, 1}}, OutChannels: 8, Bias: true}
	g.Nodes = []*graph.Node{
		{Name: "conv", Type: "Conv", Op: conv, Inputs: []string{"x"}, Outputs: []string{"conv"}},
		{Name: "relu", Type: "ReLU", Op: &graph.Activation{Func: graph.Relu}, Inputs: []string{"conv"}, Outputs: []string{"relu"}},
		{Name: "flat", Type: "Flatten", Op: &graph.Flatten{Axis: 1}, Inputs: []string{"relu"}, Outputs: []string{"flat"}},
		{Name: "fc", Type: "Dense", Op: &graph.Dense{Units: 10, Bias: true}, Inputs: []string{"flat"}, Outputs: []string{"fc"}},
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := zoo.FillWeights(g, 1); err != nil {
		t.Fatal(err)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	return g, r
}

func TestGFLOPSIsTwiceMACsOverTime(t *testing.T) {
	g, r := convRelu(t)
	res, err := Run(context.Background(), g, r, Options{Runs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Runs != 3 || res.Mode != "keep-all" || res.Stopped != "" {
		t.Errorf("runs %d mode %q stopped %q", res.Runs, res.Mode, res.Stopped)
	}
	wantMACs := map[string]int64{"conv": 55296, "relu": 0, "flat": 0, "fc": 20480}
	for _, l := range res.Layers {
		if l.MACs != wantMACs[l.Name] {
			t.Errorf("%s: %d MACs, want %d", l.Name, l.MACs, wantMACs[l.Name])
		}
		want := 0.0
		if l.MS > 0 {
			want = 2 * float64(wantMACs[l.Name]) / (l.MS / 1000) / 1e9
		}
		if math.Abs(l.GFLOPS-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%s: %g GFLOP/s for %d MACs in %g ms, want %g", l.Name, l.GFLOPS, l.MACs, l.MS, want)
		}
	}
	if res.MACs != 55296+20480 {
		t.Errorf("total MACs %d", res.MACs)
	}
	if want := 2 * float64(res.MACs) / (res.TotalMS * 1e6); math.Abs(res.GFLOPS-want) > 1e-9*want {
		t.Errorf("model %g GFLOP/s, want %g", res.GFLOPS, want)
	}
	fused := map[string]bool{}
	for _, l := range res.Layers {
		fused[l.Name] = l.Fused
	}
	if !fused["relu"] || !fused["flat"] || fused["conv"] || fused["fc"] {
		t.Errorf("fused = %v, want relu and flat only", fused)
	}
	for _, l := range res.ByTime() {
		if l.Fused {
			t.Errorf("ByTime lists the fused %s", l.Name)
		}
	}
}

// The layers' times add up to the whole run's: the sum of the per-layer
// medians is the run's time but for the timing's own overhead, and the
// shares add up to 1.
func TestLayerTimesSumToTheRun(t *testing.T) {
	g, err := zoo.Preset("tinyvgg", true)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), g, r, Options{Runs: 7})
	if err != nil {
		t.Fatal(err)
	}
	var sum, share float64
	for _, l := range res.Layers {
		sum += l.MS
		share += l.Share
	}
	if math.Abs(sum-res.LayersMS) > 1e-9 || math.Abs(share-1) > 1e-9 {
		t.Errorf("layers sum to %g ms (LayersMS %g), shares to %g", sum, res.LayersMS, share)
	}
	// How the layers' medians compare with the whole run's median is a
	// matter of timing (a loaded machine preempts whole runs), so it is
	// reported by `convscope profile`, not asserted here.
	if res.LayersMS <= 0 || res.TotalMS <= 0 {
		t.Errorf("layers take %g ms of a %g ms run", res.LayersMS, res.TotalMS)
	}
	by := res.ByTime()
	for i := 1; i < len(by); i++ {
		if by[i].MS > by[i-1].MS {
			t.Fatalf("ByTime not sorted: %s %g ms after %s %g ms", by[i].Name, by[i].MS, by[i-1].Name, by[i-1].MS)
		}
	}
}

func TestLimits(t *testing.T) {
	g, r := convRelu(t)
	if _, err := Run(context.Background(), g, r, Options{Runs: 0}); err == nil || !strings.Contains(err.Error(), "at least 1") {
		t.Errorf("0 runs: %v", err)
	}
	var progress []int
	res, err := Run(context.Background(), g, r, Options{Runs: 5, MaxTime: time.Nanosecond, Progress: func(done, total int) {
		if total != 5 {
			t.Errorf("progress total %d", total)
		}
		progress = append(progress, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Runs != 1 || !strings.Contains(res.Stopped, "after 1 of 5 runs") || len(progress) != 1 {
		t.Errorf("runs %d stopped %q progress %v", res.Runs, res.Stopped, progress)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, g, r, Options{Runs: 2}); err == nil {
		t.Error("a cancelled context profiled")
	}
	g.Nodes[0].Params = nil
	if _, err := Run(context.Background(), g, r, Options{Runs: 1}); err == nil || !strings.Contains(err.Error(), "structure only") {
		t.Errorf("no weights: %v", err)
	}
}

func TestMedian(t *testing.T) {
	if m := median([]time.Duration{5, 1, 3}); m != 3 {
		t.Errorf("median of 5,1,3 = %v", m)
	}
	if m := median([]time.Duration{4, 1, 3, 10}); m != 3 {
		t.Errorf("median of 4,1,3,10 = %v (want (3+4)/2 = 3 in integer ns)", m)
	}
}

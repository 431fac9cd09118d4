package train

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

// patterns is a synthetic 4-class image set: horizontal stripes, vertical
// stripes, a bright centre and a diagonal, at random phases, colours and
// noise, 3×size×size.
type patterns struct {
	n, size int
	seed    uint64
}

func (p patterns) Len() int { return p.n }

func (p patterns) Sample(dst []float32, i int, _ *rand.Rand) int32 {
	rng := rand.New(rand.NewPCG(p.seed, uint64(i)))
	class := int32(i % 4)
	s := p.size
	phase := rng.IntN(4)
	col := [3]float32{0.5 + 0.5*rng.Float32(), 0.5 + 0.5*rng.Float32(), 0.5 + 0.5*rng.Float32()}
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			var v float32
			switch class {
			case 0:
				v = float32((y + phase) / 2 % 2)
			case 1:
				v = float32((x + phase) / 2 % 2)
			case 2:
				dx, dy := float64(x-s/2), float64(y-s/2)
				v = float32(math.Exp(-(dx*dx + dy*dy) / float64(s)))
			case 3:
				if d := x - y + phase - 2; d >= -1 && d <= 1 {
					v = 1
				}
			}
			for c := 0; c < 3; c++ {
				dst[(c*s+y)*s+x] = col[c]*v + rng.Float32()
			}
		}
	}
	return class
}

// A few hundred images, a few seconds: the loss falls and the accuracy
// beats chance (25 %) by a wide margin.
func TestTrainLearns(t *testing.T) {
	g, err := zoo.TinyVGG(20, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	nt, err := New(g, 16, Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	hist, err := Fit(context.Background(), nt, patterns{n: 320, size: 20, seed: 1}, patterns{n: 80, size: 20, seed: 2},
		Config{Hyper: Hyper{LR: 3e-3}, Epochs: 6, Batch: 16, Seed: 1}, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	first, last := hist[0], hist[len(hist)-1]
	t.Logf("%.1fs: loss %.3f → %.3f, validation accuracy %.1f%% → %.1f%%", time.Since(start).Seconds(),
		first.TrainLoss, last.TrainLoss, 100*first.ValAcc, 100*last.ValAcc)
	if !(last.TrainLoss < 0.5*first.TrainLoss) {
		t.Errorf("loss fell only from %.3f to %.3f", first.TrainLoss, last.TrainLoss)
	}
	if last.ValAcc < 0.8 {
		t.Errorf("validation accuracy %.1f%%, want ≥ 80%% (chance 25%%)", 100*last.ValAcc)
	}
	// The engine agrees with the Net's own evaluation.
	conf, err := EvaluateEngine(context.Background(), g, patterns{n: 80, size: 20, seed: 2}, 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(conf.Accuracy()-last.ValAcc) > 1e-9 || conf.Total() != 80 {
		t.Errorf("engine accuracy %v, net %v", conf.Accuracy(), last.ValAcc)
	}
}

// The same seed gives bit-identical parameters whatever the number of
// workers; BatchNorm and Dropout included.
func TestDeterministic(t *testing.T) {
	run := func(workers int) []*graph.Tensor {
		rng := rand.New(rand.NewPCG(5, 5))
		g := buildGraph(t, graph.Shape{3, 12, 12}, rng,
			op("conv", &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}}, OutChannels: 4, Bias: true}),
			op("bn", &graph.BatchNorm{Epsilon: 1e-3}, "conv"),
			op("relu", &graph.Activation{Func: graph.Relu}, "bn"),
			op("pool", &graph.Pool{Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}, Type: graph.MaxPool}, "relu"),
			op("drop", &graph.Dropout{Ratio: 0.2}, "pool"),
			op("flat", &graph.Flatten{}, "drop"),
			op("fc", &graph.Dense{Units: 4, Bias: true}, "flat"),
			op("sm", &graph.Softmax{Axis: 1}, "fc"))
		nt, err := New(g, 10, Options{Workers: workers, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Fit(context.Background(), nt, patterns{n: 45, size: 12, seed: 1}, nil,
			Config{Hyper: Hyper{Optimizer: "sgd", WeightDecay: 1e-3}, Epochs: 2, Batch: 10, Seed: 4}, Hooks{})
		if err != nil {
			t.Fatal(err)
		}
		var out []*graph.Tensor
		for _, n := range g.Nodes {
			for _, name := range n.ParamNames() {
				out = append(out, n.Params[name])
			}
		}
		return out
	}
	ref := run(1)
	for _, w := range []int{1, 2, 5} {
		got := run(w)
		for i := range ref {
			for j := range ref[i].Data {
				if math.Float32bits(ref[i].Data[j]) != math.Float32bits(got[i].Data[j]) {
					t.Fatalf("workers=%d: parameter %d[%d] = %v, with 1 worker %v", w, i, j, got[i].Data[j], ref[i].Data[j])
				}
			}
		}
	}
}

func TestFitCancel(t *testing.T) {
	g, err := zoo.TinyVGG(16, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	nt, err := New(g, 8, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	steps := 0
	hist, err := Fit(ctx, nt, patterns{n: 200, size: 16, seed: 1}, nil, Config{Epochs: 3, Batch: 8},
		Hooks{Progress: func(p Progress) {
			if steps++; steps == 3 {
				cancel()
			}
		}})
	if err != context.Canceled || len(hist) != 0 || steps != 3 {
		t.Fatalf("err %v, %d epochs, %d steps", err, len(hist), steps)
	}
}

func TestSchedules(t *testing.T) {
	h := Hyper{LR: 1, Schedule: "cosine", Warmup: 10}.WithDefaults()
	if r := h.Rate(0, 110); math.Abs(r-0.1) > 1e-12 {
		t.Errorf("warm-up start %v", r)
	}
	if r := h.Rate(10, 110); math.Abs(r-1) > 1e-12 {
		t.Errorf("peak %v", r)
	}
	if r := h.Rate(60, 110); math.Abs(r-0.5) > 1e-12 {
		t.Errorf("cosine middle %v", r)
	}
	h.Schedule = "step"
	if h.Rate(70, 110) != 0.1 || h.Rate(95, 110) != 0.01 || h.Rate(20, 110) != 1 {
		t.Errorf("step schedule")
	}
	if _, err := NewOptimizer(nil, Hyper{Optimizer: "rmsprop"}); err == nil {
		t.Errorf("unknown optimizer accepted")
	}
	if _, err := NewOptimizer(nil, Hyper{Schedule: "linear"}); err == nil {
		t.Errorf("unknown schedule accepted")
	}
}

// Adam and SGD follow their update rules on a single parameter.
func TestOptimizerSteps(t *testing.T) {
	p := &Param{T: &graph.Tensor{Shape: []int{2}, Data: []float32{1, -2}}, Grad: []float32{0.5, -0.25}, Decay: true}
	o, _ := NewOptimizer([]*Param{p}, Hyper{Optimizer: "sgd", Momentum: 0.9, WeightDecay: 0.1})
	o.Step(0.1)
	o.Step(0.1)
	// v1 = g + wd·w0; w1 = w0 − lr·v1; v2 = 0.9·v1 + g + wd·w1; w2 = w1 − lr·v2.
	w0, g := 1.0, 0.5
	v1 := g + 0.1*w0
	w1 := w0 - 0.1*v1
	v2 := 0.9*v1 + g + 0.1*w1
	if w2 := w1 - 0.1*v2; math.Abs(float64(p.T.Data[0])-w2) > 1e-6 {
		t.Errorf("sgd: %v, want %v", p.T.Data[0], w2)
	}
	p.T.Data[0] = 1
	o, _ = NewOptimizer([]*Param{p}, Hyper{Optimizer: "adam"})
	o.Step(0.01)
	// The first Adam step moves every weight by lr·sign(g).
	if math.Abs(float64(p.T.Data[0])-0.99) > 1e-6 {
		t.Errorf("adam: %v, want 0.99", p.T.Data[0])
	}
}

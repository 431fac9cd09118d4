// Package profile times every layer of a model on convscope's engine (the
// Scope's Profile, `convscope profile`): it runs the graph N times in the
// Explainer's keep-all mode (engine.Compile: every value keeps its own
// buffer) with per-node timing (engine.Program.RunTimed), and combines each
// layer's median time with the static analysis' MACs into its share of the
// run and its achieved GFLOP/s.
package profile

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
)

// Mode names how the engine was compiled: keep-all, as the Explainer runs
// a model (every value in its own buffer, none recycled).
const Mode = "keep-all"

// Layer is one node's timing.
type Layer struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Kind string `json:"kind"`
	// MS is the median over the runs of the node's step, in milliseconds.
	MS float64 `json:"ms"`
	// Share is MS over the sum of every layer's MS (0..1).
	Share float64 `json:"share"`
	// MACs are the analysis' multiply-accumulates of the layer (batch 1).
	MACs int64 `json:"macs"`
	// GFLOPS is the achieved rate, 2·MACs / MS (a MAC is two floating
	// point operations); 0 for a layer without MACs or time.
	GFLOPS float64 `json:"gflops"`
	// Fused is set when the node has no step of its own: the engine fused
	// it into the step before it (an activation, a residual add) or it is
	// a view of its input; its time is in the step it was fused into.
	Fused bool `json:"fused,omitempty"`
}

// Result is a profile of a model.
type Result struct {
	Model string `json:"model"`
	Mode  string `json:"mode"` // Mode
	Runs  int    `json:"runs"` // runs timed (a warm-up run before them is not)
	// RandomWeights is set when the model's weights were generated (a
	// structure-only file or preset): the timing does not depend on them.
	RandomWeights bool `json:"random_weights"`
	// TotalMS is the median of the whole runs' wall time; LayersMS the sum
	// of the layers' MS (the two differ by the timing's own overhead and
	// by taking medians per layer).
	TotalMS  float64 `json:"total_ms"`
	LayersMS float64 `json:"layers_ms"`
	MACs     int64   `json:"macs"`
	GFLOPS   float64 `json:"gflops"` // 2·MACs / TotalMS
	// Layers are the graph's nodes in topological order (the analysis'
	// layers without the graph inputs).
	Layers []Layer `json:"layers"`
	// Stopped says why fewer runs than asked were timed ("" if all were).
	Stopped string `json:"stopped,omitempty"`
}

// Options of Run.
type Options struct {
	Runs int // runs to time (≥ 1)
	// MaxTime, if > 0, ends the profile after the run during which it
	// passed (at least one run is timed); Result.Stopped then says so.
	MaxTime time.Duration
	// Progress, if set, is called after each run with the runs done.
	Progress func(done, total int)
	// Seed seeds the random input (values in [0, 1)).
	Seed uint64
}

// GFLOPS is the rate of macs multiply-accumulates (2 floating point
// operations each) done in ms milliseconds, in GFLOP/s; 0 without time.
func GFLOPS(macs int64, ms float64) float64 {
	if ms <= 0 {
		return 0
	}
	return 2 * float64(macs) / (ms * 1e6)
}

// Run profiles g, which r (analyze.Analyze(g)) describes and which has its
// weights: it compiles g in keep-all mode (engine.Compile, batch 1) and
// times it with RunProgram.
func Run(ctx context.Context, g *graph.Graph, r *analyze.Report, opt Options) (*Result, error) {
	if opt.Runs < 1 {
		return nil, fmt.Errorf("runs must be at least 1, got %d", opt.Runs)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		return nil, err
	}
	return RunProgram(ctx, p, r, opt)
}

// RunProgram profiles a compiled program (a keep-all one: engine.Compile)
// whose graph r describes: one run to warm up and then opt.Runs timed runs,
// stopping early if ctx ends (an error) or opt.MaxTime passes
// (Result.Stopped).
func RunProgram(ctx context.Context, p *engine.Program, r *analyze.Report, opt Options) (*Result, error) {
	if opt.Runs < 1 {
		return nil, fmt.Errorf("runs must be at least 1, got %d", opt.Runs)
	}
	g := p.Graph
	layers := make(map[string]*analyze.Layer, len(r.Layers))
	for i := range r.Layers {
		layers[r.Layers[i].Name] = &r.Layers[i]
	}
	for _, n := range g.Nodes {
		if layers[n.Name] == nil {
			return nil, fmt.Errorf("the analysis has no layer %q", n.Name)
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	inputs := make([][]float32, len(g.Inputs))
	for i, in := range g.Inputs {
		x := make([]float32, p.Shapes[in.Name].Elems())
		for k := range x {
			x[k] = rng.Float32()
		}
		inputs[i] = x
	}
	n := len(g.Nodes)
	times := make([]time.Duration, n)
	if _, err := p.RunTimed(times, inputs...); err != nil { // warm-up
		return nil, err
	}
	per := make([][]time.Duration, n) // per[node][run]
	var whole []time.Duration
	start := time.Now()
	res := &Result{Model: g.Name, Mode: Mode}
	for run := 0; run < opt.Runs; run++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t0 := time.Now()
		if _, err := p.RunTimed(times, inputs...); err != nil {
			return nil, err
		}
		whole = append(whole, time.Since(t0))
		for i, d := range times {
			per[i] = append(per[i], d)
		}
		if opt.Progress != nil {
			opt.Progress(run+1, opt.Runs)
		}
		if opt.MaxTime > 0 && run+1 < opt.Runs && time.Since(start) > opt.MaxTime {
			res.Stopped = fmt.Sprintf("time limit of %v reached after %d of %d runs", opt.MaxTime, run+1, opt.Runs)
			break
		}
	}
	res.Runs = len(whole)
	res.TotalMS = ms(median(whole))
	res.Layers = make([]Layer, n)
	for i, node := range g.Nodes {
		l := layers[node.Name]
		d := median(per[i])
		res.Layers[i] = Layer{Name: node.Name, Type: l.Type, Kind: l.Kind, MS: ms(d), MACs: l.MACs,
			Fused: slices.Max(per[i]) == 0}
		res.LayersMS += ms(d)
		res.MACs += l.MACs
	}
	for i := range res.Layers {
		l := &res.Layers[i]
		if res.LayersMS > 0 {
			l.Share = l.MS / res.LayersMS
		}
		l.GFLOPS = GFLOPS(l.MACs, l.MS)
	}
	res.GFLOPS = GFLOPS(res.MACs, res.TotalMS)
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// median of d (the mean of the two middle values for an even count).
func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// ByTime returns the layers sorted by time, slowest first (ties in graph
// order), without the fused ones.
func (r *Result) ByTime() []Layer {
	var out []Layer
	for _, l := range r.Layers {
		if !l.Fused {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(a, b Layer) int {
		switch {
		case a.MS > b.MS:
			return -1
		case a.MS < b.MS:
			return 1
		}
		return 0
	})
	return out
}

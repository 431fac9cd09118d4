package attrib

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

func defaultModel(t testing.TB) (*graph.Graph, []float32) {
	t.Helper()
	g, err := zoo.Default()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, graph.Shape(g.Inputs[0].Shape).PerImage().Elems())
	for i := range x {
		x[i] = rng.Float32()
	}
	return g, x
}

// logitsOf runs the engine (an independent implementation of the forward
// pass) and returns the logits: the input of the final softmax.
func logitsOf(t testing.TB, g *graph.Graph, x []float32) []float32 {
	t.Helper()
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	last := g.Nodes[len(g.Nodes)-1]
	if _, ok := last.Op.(*graph.Softmax); !ok {
		t.Fatalf("the default model ends in %s", last.Op.Kind())
	}
	return append([]float32(nil), out[last.Inputs[0]].Data...)
}

// TestSaliencyFiniteDifferences: saliency is max_c |∂z/∂x_c| with ∂z/∂x
// from central differences of the engine's logit (float64 step 1e-2 on
// values in [0, 1]; the tiny VGG is piecewise linear, so the difference is
// exact unless a ReLU or max switches inside the step).
func TestSaliencyFiniteDifferences(t *testing.T) {
	g, x := defaultModel(t)
	res, err := Explain(context.Background(), g, x, Options{Method: Saliency, Class: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.H != 64 || res.W != 64 || len(res.Map) != 64*64 || res.Class != 3 || res.Layer != "" {
		t.Fatalf("result %d×%d, %d values, class %d, layer %q", res.H, res.W, len(res.Map), res.Class, res.Layer)
	}
	plane := 64 * 64
	rng := rand.New(rand.NewPCG(3, 4))
	const h = 2e-3
	bad := 0
	for _, p := range rng.Perm(plane)[:25] {
		var want float64
		for c := 0; c < 3; c++ {
			i := c*plane + p
			old := x[i]
			x[i] = old + h
			zp := float64(logitsOf(t, g, x)[3])
			x[i] = old - h
			zm := float64(logitsOf(t, g, x)[3])
			x[i] = old
			want = math.Max(want, math.Abs((zp-zm)/(2*h)))
		}
		if got := float64(res.Map[p]); math.Abs(got-want) > 2e-3+2e-2*want {
			bad++
			t.Logf("pixel %d: saliency %.6g, finite differences %.6g", p, got, want)
		}
	}
	if bad > 2 { // a kink inside the step at a pixel or two is possible
		t.Errorf("%d of 25 pixels differ from finite differences", bad)
	}
}

// TestGradCAMHand: for conv → ReLU → global average pooling → dense, the
// gradient of logit c with respect to the ReLU's maps is W[c,k]/(H·W) at
// every position, so Grad-CAM = ReLU(Σ_k W[c,k]·A^k)/(H·W) — computed here
// from the engine's activations.
func TestGradCAMHand(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	b := func(n *graph.Node) *graph.Node { n.Type = n.Op.Kind(); n.Outputs = []string{n.Name}; return n }
	g := &graph.Graph{Name: "cam", Inputs: []graph.Value{{Name: "input", Shape: graph.Shape{-1, 2, 6, 5}}}, Outputs: []string{"prob"},
		Nodes: []*graph.Node{
			b(&graph.Node{Name: "conv", Op: &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Pads: [4]int{1, 1, 1, 1}}, OutChannels: 4, Bias: true}, Inputs: []string{"input"}}),
			b(&graph.Node{Name: "relu", Op: &graph.Activation{Func: graph.Relu}, Inputs: []string{"conv"}}),
			b(&graph.Node{Name: "gap", Op: &graph.Pool{Type: graph.AvgPool, Global: true}, Inputs: []string{"relu"}}),
			b(&graph.Node{Name: "flat", Op: &graph.Flatten{}, Inputs: []string{"gap"}}),
			b(&graph.Node{Name: "fc", Op: &graph.Dense{Units: 3, Bias: true}, Inputs: []string{"flat"}}),
			b(&graph.Node{Name: "prob", Op: &graph.Softmax{Axis: -1}, Inputs: []string{"fc"}}),
		}}
	shapes, err := g.InferShapes(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.Nodes {
		ins := []graph.Shape{shapes[n.Inputs[0]]}
		for name, s := range n.Op.ParamShapes(ins) {
			p := graph.NewTensor(s...)
			for i := range p.Data {
				p.Data[i] = float32(rng.NormFloat64())
			}
			if n.Params == nil {
				n.Params = map[string]*graph.Tensor{}
			}
			n.Params[name] = p
		}
	}
	x := make([]float32, 2*6*5)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	if l, _ := CAMLayer(g, ""); l != "relu" {
		t.Fatalf("default layer %q, want relu (the last spatial map)", l)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	a := out["relu"].Data
	w := g.Node("fc").Params["weight"].Data // [3, 4]
	for c := 0; c < 3; c++ {
		res, err := Explain(context.Background(), g, x, Options{Method: GradCAM, Class: c, Layer: "relu"})
		if err != nil {
			t.Fatal(err)
		}
		if res.H != 6 || res.W != 5 || res.Layer != "relu" {
			t.Fatalf("map %d×%d of %q", res.H, res.W, res.Layer)
		}
		for q := 0; q < 30; q++ {
			var s float64
			for k := 0; k < 4; k++ {
				s += float64(w[c*4+k]) * float64(a[k*30+q])
			}
			want := math.Max(s, 0) / 30
			if got := float64(res.Map[q]); math.Abs(got-want) > 1e-5+1e-5*math.Abs(want) {
				t.Errorf("class %d position %d: Grad-CAM %.7g, by hand %.7g", c, q, got, want)
			}
		}
	}
}

// TestIGCompleteness: integrated gradients add up to z(x) − z(x') (the
// completeness axiom); the midpoint rule with 512 steps is within 1% on the
// default model. The map is max_c |IG|.
func TestIGCompleteness(t *testing.T) {
	g, x := defaultModel(t)
	base := make([]float32, len(x))
	r := &run{g: g, opt: Options{Baseline: base, MaxBytes: 64 << 20}, in: graph.Shape{3, 64, 64}}
	nt, err := r.net(1, true)
	if err != nil {
		t.Fatal(err)
	}
	const c = 7
	ig, err := r.integrated(context.Background(), nt, x, c, 512)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, v := range ig {
		sum += float64(v)
	}
	want := float64(logitsOf(t, g, x)[c]) - float64(logitsOf(t, g, base)[c])
	if math.Abs(sum-want) > 0.01*math.Abs(want)+1e-3 {
		t.Errorf("Σ IG = %.6g, z(x) − z(baseline) = %.6g", sum, want)
	}
	res, err := Explain(context.Background(), g, x, Options{Method: IG, Class: c, Steps: 4})
	if err != nil {
		t.Fatal(err)
	}
	ig4, _ := r.integrated(context.Background(), nt, x, c, 4)
	for p := 0; p < 64*64; p += 97 {
		want := math.Max(math.Max(math.Abs(float64(ig4[p])), math.Abs(float64(ig4[4096+p]))), math.Abs(float64(ig4[8192+p])))
		if float64(res.Map[p]) != want {
			t.Errorf("map[%d] = %v, max |IG| = %v", p, res.Map[p], want)
		}
	}
}

// TestIGBatches: the result does not depend on how many steps run in one
// batch (the memory budget decides), up to float32 summation order.
func TestIGBatches(t *testing.T) {
	g, x := defaultModel(t)
	var calls []int
	one, err := Bytes(g, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	small, err := Explain(context.Background(), g, x, Options{Method: IG, Class: 1, Steps: 10, MaxBytes: one,
		Progress: func(done, total int) { calls = append(calls, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 10 || calls[9] != 10 {
		t.Errorf("progress %v, want 1…10 (batches of one)", calls)
	}
	big, err := Explain(context.Background(), g, x, Options{Method: IG, Class: 1, Steps: 10})
	if err != nil {
		t.Fatal(err)
	}
	for i := range big.Map {
		if d := math.Abs(float64(big.Map[i] - small.Map[i])); d > 1e-5*(1+math.Abs(float64(big.Map[i]))) {
			t.Fatalf("map[%d]: %v in one batch, %v one step at a time", i, big.Map[i], small.Map[i])
		}
	}
}

// TestOcclusionEngine recomputes the occlusion map with the engine.
func TestOcclusionEngine(t *testing.T) {
	g, x := defaultModel(t)
	fill := make([]float32, len(x))
	for i := range fill {
		fill[i] = 0.5
	}
	const c = 2
	var last, total int
	res, err := Explain(context.Background(), g, x, Options{Method: Occlusion, Class: c, Fill: fill, Patch: 16, Stride: 12,
		Progress: func(d, n int) { last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	// Placements at 0, 12, 24, 36, 48 per axis: 25; rows/columns 64…63
	// are covered (48+16 = 64).
	if last != 25 || total != 25 {
		t.Errorf("progress %d/%d, want 25/25", last, total)
	}
	prob := func(in []float32) float64 {
		z := logitsOf(t, g, in)
		m := math.Inf(-1)
		for _, v := range z {
			m = math.Max(m, float64(v))
		}
		var s float64
		for _, v := range z {
			s += math.Exp(float64(v) - m)
		}
		return math.Exp(float64(z[c])-m) / s
	}
	p0 := prob(x)
	sum := make([]float64, 64*64)
	cnt := make([]float64, 64*64)
	for y0 := 0; y0+16 <= 64; y0 += 12 {
		for x0 := 0; x0+16 <= 64; x0 += 12 {
			o := append([]float32(nil), x...)
			for ch := 0; ch < 3; ch++ {
				for yy := y0; yy < y0+16; yy++ {
					for xx := x0; xx < x0+16; xx++ {
						o[ch*4096+yy*64+xx] = 0.5
					}
				}
			}
			d := p0 - prob(o)
			for yy := y0; yy < y0+16; yy++ {
				for xx := x0; xx < x0+16; xx++ {
					sum[yy*64+xx] += d
					cnt[yy*64+xx]++
				}
			}
		}
	}
	for i := range sum {
		want := sum[i] / cnt[i]
		if math.Abs(float64(res.Map[i])-want) > 1e-5 {
			t.Fatalf("pixel %d: occlusion %.7g, engine %.7g", i, res.Map[i], want)
		}
	}
}

func TestBadOptions(t *testing.T) {
	g, x := defaultModel(t)
	ctx := context.Background()
	cases := []struct {
		opt   Options
		field string
	}{
		{Options{Method: "lime"}, "method"},
		{Options{Method: Saliency, Class: 10}, "class"},
		{Options{Method: GradCAM, Layer: "nope"}, "layer"},
		{Options{Method: GradCAM, Layer: "output"}, "layer"},
		{Options{Method: IG, Steps: 1000}, "steps"},
		{Options{Method: IG, Steps: -1}, "steps"},
		{Options{Method: Saliency, Steps: 3}, "steps"},
		{Options{Method: Saliency, Layer: "conv_1_1"}, "layer"},
		{Options{Method: Occlusion, Patch: 65}, "patch"},
	}
	for _, c := range cases {
		_, err := Explain(ctx, g, x, c.opt)
		var e *Error
		if !errors.As(err, &e) || e.Field != c.field {
			t.Errorf("%+v: error %v, want one about %s", c.opt, err, c.field)
		}
	}
	if _, err := Explain(ctx, g, x[:5], Options{Method: Saliency}); err == nil {
		t.Error("a short input was accepted")
	}
	if _, err := Explain(ctx, g, x, Options{Method: Saliency, MaxBytes: 1000}); !errors.Is(err, ErrBudget) {
		t.Errorf("a 1000-byte budget: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Explain(cctx, g, x, Options{Method: IG}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	nw, err := zoo.Preset("tinyvgg", false)
	if err == nil {
		_, err = Explain(ctx, nw, make([]float32, graph.Shape(nw.Inputs[0].Shape).PerImage().Elems()), Options{Method: Saliency})
		var e *Error
		if !errors.As(err, &e) || e.Field != "model" {
			t.Errorf("a model without weights: %v", err)
		}
	}
}

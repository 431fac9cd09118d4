package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// TestFrozenLogitGrad checks what attribution uses: a frozen Net with an
// input gradient, back-propagating a one-hot gradient of the logits (the
// input of the final Softmax) in inference mode, gives ∂z_c/∂x and
// ∂z_c/∂(a hidden value) as central differences of z_c do, and the same
// input gradient as a Net that also computes parameter gradients.
func TestFrozenLogitGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	in := graph.Shape{2, 6, 6}
	g := buildGraph(t, in, rng,
		op("conv", conv(graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Pads: [4]int{1, 1, 1, 1}}, OutChannels: 3, Bias: true})),
		op("bn", &graph.BatchNorm{Epsilon: 1e-3}, "conv"),
		op("act", &graph.Activation{Func: graph.Tanh}, "bn"),
		op("pool", &graph.Pool{Type: graph.AvgPool, Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}}, "act"),
		op("flat", &graph.Flatten{}, "pool"),
		op("fc", &graph.Dense{Units: 4, Bias: true}, "flat"),
		op("prob", &graph.Softmax{Axis: -1}, "fc"))
	const batch = 2
	x := randInput(rng, batch*in.Elems())
	nets := map[string]*Net{}
	for _, frozen := range []bool{false, true} {
		nt, err := New(g, batch, Options{Workers: 2, InputGrad: true, Frozen: frozen})
		if err != nil {
			t.Fatal(err)
		}
		if nt.LogitsName() != "fc" || nt.LogitsLen() != 4 {
			t.Fatalf("logits %q (%d), want fc (4)", nt.LogitsName(), nt.LogitsLen())
		}
		nets[map[bool]string{false: "trainable", true: "frozen"}[frozen]] = nt
	}
	const c = 2
	dz := make([]float32, batch*4)
	dz[c], dz[4+c] = 1, 1
	for _, nt := range nets {
		if err := nt.Forward(x, batch, false); err != nil {
			t.Fatal(err)
		}
		if err := nt.BackwardLogits(dz); err != nil {
			t.Fatal(err)
		}
	}
	fz := nets["frozen"]
	if fz.Params()[0].Grad != nil {
		t.Error("a frozen Net allocated parameter gradients")
	}
	if _, _, err := fz.Backward([]int32{0, 1}); err == nil {
		t.Error("a frozen Net trained")
	}
	a, b := nets["trainable"].InputGrad(), fz.InputGrad()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("input gradient [%d]: trainable %v, frozen %v", i, a[i], b[i])
		}
	}
	// z_c of image 1 as a function of the input and of the conv output.
	logit := func() float64 {
		if err := fz.Forward(x, batch, false); err != nil {
			t.Fatal(err)
		}
		return float64(fz.Logits()[4+c])
	}
	if err := fz.Forward(x, batch, false); err != nil {
		t.Fatal(err)
	}
	if err := fz.BackwardLogits(dz); err != nil {
		t.Fatal(err)
	}
	gx := append([]float32(nil), fz.InputGrad()...)
	per := in.Elems()
	for _, i := range rng.Perm(per)[:30] {
		j := per + i
		old := x[j]
		x[j] = old + fdStep
		lp := logit()
		x[j] = old - fdStep
		lm := logit()
		x[j] = old
		num := (lp - lm) / (2 * fdStep)
		if math.Abs(float64(gx[j])-num) > fdAbs+fdRel*math.Abs(num) {
			t.Errorf("∂z/∂x[%d]: analytic %.6g, numeric %.6g", j, gx[j], num)
		}
	}
	// ∂z_c/∂(conv output): perturb the BN input through its bias-free path
	// by shifting the conv bias of one channel; Σ over that channel's
	// positions of the value gradient is the bias's derivative.
	gconv := fz.Grad("conv")
	if len(gconv) != batch*3*36 || fz.Grad("nope") != nil {
		t.Fatalf("Grad(conv) has %d values", len(gconv))
	}
	bias := g.Node("conv").Params["bias"].Data
	for ch := 0; ch < 3; ch++ {
		var sum float64
		for _, v := range gconv[3*36+ch*36 : 3*36+(ch+1)*36] {
			sum += float64(v)
		}
		old := bias[ch]
		bias[ch] = old + fdStep
		lp := logit()
		bias[ch] = old - fdStep
		lm := logit()
		bias[ch] = old
		num := (lp - lm) / (2 * fdStep)
		if math.Abs(sum-num) > fdAbs+fdRel*math.Abs(num) {
			t.Errorf("Σ ∂z/∂conv[channel %d]: analytic %.6g, numeric %.6g", ch, sum, num)
		}
	}
}

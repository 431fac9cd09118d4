package analyze

import (
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// residual: x[3,4,4] → conv 1×1 3→2 (bias) → bn → relu; add(relu, bn) →
// maxpool 2/2 → flatten → dense 3 (bias) → softmax. By hand:
//
//	conv  MACs 2·4·4 outputs × 3 = 96, bias 32
//	bn    32 additions + 32 divisions = 64 (norm)
//	relu  32 comparisons (act)
//	add   32 additions (merge)
//	pool  8 outputs × 3 comparisons = 24 (pool)
//	fc    MACs 3 × 8 = 24, bias 3
//	prob  3 exponentials + 3 additions + 3 divisions = 9 (other)
func residual() *graph.Graph {
	return &graph.Graph{
		Name:   "residual",
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 3, 4, 4}}},
		Nodes: []*graph.Node{
			node("conv", &graph.Conv{Window: graph.Window{Kernel: [2]int{1, 1}}, OutChannels: 2, Bias: true}, []string{"x"}),
			node("bn", &graph.BatchNorm{}, []string{"conv"}),
			node("relu", &graph.Activation{Func: graph.Relu}, []string{"bn"}),
			node("add", &graph.Eltwise{Type: graph.EltAdd}, []string{"relu", "bn"}),
			node("pool", &graph.Pool{Window: graph.Window{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}, Type: graph.MaxPool}, []string{"add"}),
			node("flat", &graph.Flatten{Axis: 1}, []string{"pool"}),
			node("fc", &graph.Dense{Units: 3, Bias: true}, []string{"flat"}),
			node("prob", &graph.Softmax{Axis: 1}, []string{"fc"}),
		},
		Outputs: []string{"prob"},
	}
}

func TestConventions(t *testing.T) {
	r, err := Analyze(residual())
	if err != nil {
		t.Fatal(err)
	}
	if r.MACs != 120 || layer(t, r, "conv").BiasAdds != 32 || layer(t, r, "fc").BiasAdds != 3 {
		t.Fatalf("MACs %d, bias adds %d + %d: want 120, 32 + 3", r.MACs, layer(t, r, "conv").BiasAdds, layer(t, r, "fc").BiasAdds)
	}
	for _, c := range []struct {
		count, include string
		want           int64
	}{
		{"macs", "", 120},
		{"", "none", 120},
		{"flops", "", 240},
		{"macs", "bias", 155},
		{"macs", "norm", 184},
		{"macs", "act", 152},
		{"macs", "merge", 152},
		{"macs", "pool", 144},
		{"macs", "other", 129},
		{"flops", "bias,norm,act,pool", 240 + 35 + 64 + 32 + 24},
		{"FLOPs", " pool , bias ", 240 + 35 + 24},
		{"flops", "all", 240 + 35 + 64 + 32 + 32 + 24 + 9},
	} {
		conv, err := ParseConvention(c.count, c.include)
		if err != nil {
			t.Fatalf("%q %q: %v", c.count, c.include, err)
		}
		r.Convention = conv
		if got := r.Ops(); got != c.want {
			t.Errorf("--count %q --include %q (%s): %d, want %d", c.count, c.include, conv, got, c.want)
		}
		j := JSON(r, "test")
		var sum int64
		for _, l := range j.Layers {
			sum += l.Ops
		}
		if j.Ops != c.want || sum != c.want || j.Count != conv.Unit() {
			t.Errorf("%s: JSON ops %d, layers sum %d, count %q", conv, j.Ops, sum, j.Count)
		}
	}
	conv, _ := ParseConvention("flops", "bias,pool")
	if conv.String() != "flops+bias,pool" || conv.Label() != "FLOPs+bias,pool" {
		t.Errorf("String %q Label %q", conv.String(), conv.Label())
	}
	r.Convention = conv
	var b strings.Builder
	if err := WriteTable(&b, r, "residual", "test"); err != nil {
		t.Fatal(err)
	}
	// 240 + 35 + 24 = 299; conv: 192 + 32 = 224.
	if !strings.Contains(b.String(), "FLOPs+bias,pool per image: 299 (299; --count flops --include bias,pool)") || !strings.Contains(b.String(), "224") {
		t.Errorf("table:\n%s", b.String())
	}
	for _, bad := range [][2]string{{"gmacs", ""}, {"macs", "relu"}, {"flops", "bias;norm"}} {
		if _, err := ParseConvention(bad[0], bad[1]); err == nil {
			t.Errorf("ParseConvention(%q, %q): no error", bad[0], bad[1])
		}
	}
}

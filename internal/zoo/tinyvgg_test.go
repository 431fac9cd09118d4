package zoo

import (
	"strings"
	"testing"
)

// The editable Tiny VGG: parameter counts by hand, and the size checks.
func TestTinyVGGOf(t *testing.T) {
	g, err := TinyVGGOf(TinyVGGArch{Blocks: 1, Filters: 4, Kernel: 5, Input: 32}, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	// conv_1_1 4·3·5·5+4 = 304, conv_1_2 4·4·5·5+4 = 404, side (32−8)/2 = 12,
	// dense 3·(12·12·4)+3 = 1731.
	want := map[string]int{"conv_1_1": 304, "conv_1_2": 404, "output": 1731}
	for _, n := range g.Nodes {
		got := 0
		for _, p := range n.Params {
			got += len(p.Data)
		}
		if got != want[n.Name] {
			t.Errorf("%s: %d parameters, want %d", n.Name, got, want[n.Name])
		}
	}
	if n, err := (TinyVGGArch{Blocks: 1, Filters: 4, Kernel: 5, Input: 32}).Params(3); n != 304+404+1731 || err != nil {
		t.Errorf("Params = %d, %v; want %d", n, err, 304+404+1731)
	}
	// The CNN Explainer's Tiny VGG: 19,920 parameters (docs/training.md).
	if n, _ := (TinyVGGArch{}).Params(10); n != 19920 {
		t.Errorf("default Params = %d, want 19920", n)
	}
	// The default arch is TinyVGG itself, weight for weight.
	a, _ := TinyVGG(64, 10, 7)
	b, err := TinyVGGOf(TinyVGGArch{}, 10, 7)
	if err != nil || len(a.Nodes) != len(b.Nodes) {
		t.Fatalf("default arch: %v, %d vs %d nodes", err, len(b.Nodes), len(a.Nodes))
	}
	for i, n := range a.Nodes {
		for k, p := range n.Params {
			q := b.Nodes[i].Params[k]
			for j := range p.Data {
				if p.Data[j] != q.Data[j] {
					t.Fatalf("%s.%s[%d]: %v vs %v", n.Name, k, j, q.Data[j], p.Data[j])
				}
			}
		}
	}
	for _, bad := range []TinyVGGArch{{Input: 16, Blocks: 3}, {Input: 20, Kernel: 9}, {Filters: -1}} {
		if _, err := TinyVGGOf(bad, 10, 1); err == nil || !strings.Contains(err.Error(), "Tiny VGG") && !strings.Contains(err.Error(), "too small") {
			t.Errorf("%+v: error %v", bad, err)
		}
	}
}

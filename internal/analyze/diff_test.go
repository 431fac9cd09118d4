package analyze

import (
	"fmt"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// reluChain is x[4,8,8] → n ReLUs named prefix0 … prefix{n-1}.
func reluChain(t *testing.T, prefix string, n int) *Report {
	t.Helper()
	g := &graph.Graph{Name: prefix, Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 4, 8, 8}}}}
	prev := "x"
	for i := range n {
		name := fmt.Sprintf("%s%d", prefix, i)
		g.Nodes = append(g.Nodes, node(name, &graph.Activation{Func: graph.Relu}, []string{prev}))
		prev = name
	}
	g.Outputs = []string{prev}
	r, err := Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDiffStructure: renamed layers are matched by structure (and reported
// as a name change); past maxLCSCells they are not, and a note says so.
func TestDiffStructure(t *testing.T) {
	d := CompareReports(reluChain(t, "a", 5), reluChain(t, "b", 5), "A", "B", "test", "test")
	if d.Same != 1 || d.Changed != 5 || d.Added+d.Removed != 0 || len(d.Notes) != 0 {
		t.Fatalf("renamed chain: %d same, %d changed, %d added, %d removed, notes %v", d.Same, d.Changed, d.Added, d.Removed, d.Notes)
	}
	for _, l := range d.Layers[1:] {
		if l.Match != "structure" || len(l.Changes) != 1 || l.Changes[0].What != "name" {
			t.Errorf("%+v", l)
		}
	}
	// One layer fewer in B: the last A layer is left over, removed.
	d = CompareReports(reluChain(t, "a", 5), reluChain(t, "b", 4), "A", "B", "test", "test")
	if d.Removed != 1 || d.Layers[len(d.Layers)-1].A.Name != "a4" {
		t.Errorf("shorter chain: %d removed, last %+v", d.Removed, d.Layers[len(d.Layers)-1])
	}
	n := 1500 // (n+2)² > maxLCSCells
	d = CompareReports(reluChain(t, "a", n), reluChain(t, "b", n), "A", "B", "test", "test")
	if d.Added != n || d.Removed != n || len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "too many to match by structure") {
		t.Errorf("large renamed chain: %d added, %d removed, notes %v", d.Added, d.Removed, d.Notes)
	}
}

package analyze_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/zoo"
)

// TestWriteDOT: the DOT graph has one node per layer and exactly the
// graph's edges (node -> node for every value a node reads), each
// labelled with the value's shape.
func TestWriteDOT(t *testing.T) {
	g, err := zoo.Preset("googlenet", false)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := analyze.Write(&b, r, "dot", "preset:googlenet", "preset"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	nodes := regexp.MustCompile(`(?m)^  n(\d+) \[label="([^"\\]*(?:\\.[^"\\]*)*)"\];$`).FindAllStringSubmatch(out, -1)
	if len(nodes) != len(r.Layers) {
		t.Fatalf("%d DOT nodes for %d layers", len(nodes), len(r.Layers))
	}
	for i, n := range nodes {
		if !strings.HasPrefix(n[2], r.Layers[i].Name+`\n`+r.Layers[i].Type) {
			t.Fatalf("node %d label %q, layer %s (%s)", i, n[2], r.Layers[i].Name, r.Layers[i].Type)
		}
	}
	// The expected edges, from the graph itself.
	index := map[string]int{}
	for i, in := range g.Inputs {
		index[in.Name] = i
	}
	want := map[string]int{}
	for k, n := range g.Nodes {
		for _, v := range n.Inputs {
			p := -1
			if i, ok := index[v]; ok {
				p = i
			}
			for j, m := range g.Nodes[:k] {
				for _, o := range m.Outputs {
					if o == v {
						p = len(g.Inputs) + j
					}
				}
			}
			want["n"+strconv.Itoa(p)+" -> n"+strconv.Itoa(len(g.Inputs)+k)]++
		}
	}
	got := map[string]int{}
	for _, e := range regexp.MustCompile(`(?m)^  (n\d+ -> n\d+) \[label="(\d+(?:×\d+)*)"\];$`).FindAllStringSubmatch(out, -1) {
		got[e[1]]++
	}
	if len(got) != len(want) {
		t.Fatalf("%d distinct edges, want %d", len(got), len(want))
	}
	for e, n := range want {
		if got[e] != n {
			t.Errorf("edge %s: %d times, want %d", e, got[e], n)
		}
	}
	if !strings.HasPrefix(out, `digraph "googlenet" {`) || !strings.HasSuffix(out, "}\n") {
		t.Errorf("not a digraph: %.60s … %q", out, out[len(out)-10:])
	}
}

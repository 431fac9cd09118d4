package analyze

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// residualGraph: x → a (conv) → b (relu) → c = a + b (a read twice by c
// through two inputs: one edge) → d (dense).
func residualGraph(t *testing.T) *Report {
	t.Helper()
	conv := &graph.Conv{Window: graph.Window{Kernel: [2]int{3, 3}, Pads: [4]int{1, 1, 1, 1}}, OutChannels: 4}
	g := &graph.Graph{Name: "res<&>", Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{-1, 3, 8, 8}}}, Outputs: []string{"d"},
		Nodes: []*graph.Node{
			{Name: "a", Type: "Conv", Op: conv, Inputs: []string{"x"}, Outputs: []string{"a"}},
			{Name: "b", Type: "Relu", Op: &graph.Activation{Func: graph.Relu}, Inputs: []string{"a"}, Outputs: []string{"b"}},
			{Name: "c", Type: "Add", Op: &graph.Eltwise{Type: graph.EltAdd}, Inputs: []string{"a", "b", "a"}, Outputs: []string{"c"}},
			{Name: "d", Type: "Dense", Op: &graph.Dense{Units: 2}, Inputs: []string{"c"}, Outputs: []string{"d"}},
		}}
	r, err := Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLayout(t *testing.T) {
	r := residualGraph(t)
	d, err := Layout(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Nodes) != 5 {
		t.Fatalf("%d boxes, want 5 (the input and 4 nodes)", len(d.Nodes))
	}
	// Edges: x→a, a→b, a→c (once), b→c, c→d.
	want := map[[2]string]bool{{"x", "a"}: true, {"a", "b"}: true, {"a", "c"}: true, {"b", "c"}: true, {"c", "d"}: true}
	if len(d.Edges) != len(want) {
		t.Errorf("%d edges, want %d", len(d.Edges), len(want))
	}
	for _, e := range d.Edges {
		if !want[[2]string{r.Layers[e.From].Name, r.Layers[e.To].Name}] {
			t.Errorf("unexpected edge %s→%s", r.Layers[e.From].Name, r.Layers[e.To].Name)
		}
		// From the bottom of the producer's box to the top of the reader's.
		f, to := d.Nodes[e.From], d.Nodes[e.To]
		p0, p1 := e.Points[0], e.Points[len(e.Points)-1]
		if p0[1] != f.Y+f.Height || p1[1] != to.Y || math.Abs(p0[0]-(f.X+f.Width/2)) > 1e-9 || math.Abs(p1[0]-(to.X+to.Width/2)) > 1e-9 {
			t.Errorf("edge %d→%d from %v to %v", e.From, e.To, p0, p1)
		}
	}
	// Ranks by longest path: x 0, a 1, b 2, c 3 (after b, not a), d 4.
	y := map[string]float64{}
	for _, n := range d.Nodes {
		y[r.Layers[n.Layer].Name] = n.Y
	}
	if !(y["x"] < y["a"] && y["a"] < y["b"] && y["b"] < y["c"] && y["c"] < y["d"]) {
		t.Errorf("ranks out of order: %v", y)
	}
	// The a→c edge skips b's rank: it bends around b, whose box it must not cross.
	for _, e := range d.Edges {
		if r.Layers[e.From].Name == "a" && r.Layers[e.To].Name == "c" {
			if len(e.Points) != 4 {
				t.Fatalf("a→c has points %v, want a bend on b's rank", e.Points)
			}
			b := d.Nodes[2]
			if x := e.Points[1][0]; x > b.X && x < b.X+b.Width {
				t.Errorf("a→c passes through b's box at x=%g (box %g..%g)", x, b.X, b.X+b.Width)
			}
		}
	}
	for _, n := range d.Nodes {
		if n.X < 0 || n.Y < 0 || n.X+n.Width > d.Width || n.Y+n.Height > d.Height {
			t.Errorf("box %v outside the %gx%g drawing", n, d.Width, d.Height)
		}
	}
}

func TestSVG(t *testing.T) {
	r := residualGraph(t)
	var b bytes.Buffer
	if err := WriteSVG(&b, r); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	dec := xml.NewDecoder(&b)
	nodes := map[string]bool{}
	edges := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				break
			}
			t.Fatalf("not valid XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Local == "data-node" {
					nodes[a.Value] = true
				}
				if a.Name.Local == "class" && a.Value == "edge" {
					edges++
				}
			}
		}
	}
	for _, l := range r.Layers {
		if !nodes[l.Name] {
			t.Errorf("layer %q is not drawn", l.Name)
		}
	}
	if edges != 5 {
		t.Errorf("%d edges drawn, want 5", edges)
	}
	if !strings.Contains(text, "res&lt;&amp;&gt;") || strings.Contains(text, "res<&>") {
		t.Errorf("the name is not escaped: %.400s", text)
	}
}

func TestPNG(t *testing.T) {
	r := residualGraph(t)
	d, _ := Layout(r)
	var b bytes.Buffer
	if err := WritePNG(&b, r); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != int(math.Ceil(d.Width)) || got.Y != int(math.Ceil(d.Height)) {
		t.Errorf("PNG %v, want %gx%g", got, d.Width, d.Height)
	}
	// Every box is drawn in its family's fill (a pixel inside the box,
	// below the text), the background is white.
	for _, n := range d.Nodes {
		fill, _ := colours(n.Family)
		want := hexColour(fill)
		r, g, bl, _ := img.At(int(n.X)+3, int(n.Y+n.Height)-3).RGBA()
		if uint8(r>>8) != want.R || uint8(g>>8) != want.G || uint8(bl>>8) != want.B {
			t.Errorf("box %d at (%g,%g): colour %d,%d,%d, want %v", n.Layer, n.X, n.Y, r>>8, g>>8, bl>>8, want)
		}
	}
	if r, _, _, _ := img.At(1, 1).RGBA(); r>>8 != 255 {
		t.Error("the background is not white")
	}
}

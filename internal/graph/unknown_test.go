package graph

import (
	"slices"
	"testing"
)

// A graph with an operator convscope cannot infer: InferPartial knows every
// value that does not depend on it, InferShapes refuses the graph naming it.
func TestInferPartialSkipsWhatDependsOnUnknown(t *testing.T) {
	g := &Graph{
		Inputs: []Value{{Name: "x", Shape: Shape{-1, 2, 4, 4}}},
		Nodes: []*Node{
			relu("a", "x"),
			{Name: "u", Type: "Foo", Op: &Unknown{Type: "Foo"}, Inputs: []string{"a"}, Outputs: []string{"u"},
				Params: map[string]*Tensor{"w": NewTensor(3, 2)}},
			relu("after", "u"),
			{Name: "side", Op: &Pool{Type: MaxPool, Global: true}, Inputs: []string{"a"}, Outputs: []string{"side"}},
		},
		Outputs: []string{"after", "side"},
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	shapes, err := g.InferPartial(1)
	if err != nil {
		t.Fatal(err)
	}
	if !shapes["a"].Equal(Shape{1, 2, 4, 4}) || !shapes["side"].Equal(Shape{1, 2, 1, 1}) {
		t.Errorf("known shapes %v", shapes)
	}
	for _, v := range []string{"u", "after"} {
		if _, ok := shapes[v]; ok {
			t.Errorf("%s has a shape %v; it depends on the unknown operator", v, shapes[v])
		}
	}
	_, err = g.InferShapes(1)
	if !IsUnsupported(err) || err.Error() != `node "u" (Foo): operator Foo is not supported (convscope shows it but cannot infer its shapes or run it)` {
		t.Errorf("InferShapes: %v", err)
	}
	if got := g.Unsupported(); !slices.Equal(got, []string{"Foo"}) {
		t.Errorf("Unsupported() = %v", got)
	}
	if g.Node("u").ParamCount() != 6 {
		t.Errorf("the unknown node's parameters count %d, want 6", g.Node("u").ParamCount())
	}
}

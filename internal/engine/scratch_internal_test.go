package engine

import (
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// ScratchBytes, which the server's memory model adds, is the scratch a
// compiled Program holds: on a graph whose convolutions take a flat output
// far larger than their input (1 → 256 channels), a stride-2 one, a 1×1
// and a depthwise one.
func TestScratchBytesIsTheProgramsScratch(t *testing.T) {
	w := func(d ...int) map[string]*graph.Tensor {
		return map[string]*graph.Tensor{"weight": graph.NewTensor(d...)}
	}
	pad := [4]int{1, 1, 1, 1}
	sw := func(k, s int, pads [4]int) graph.Window {
		return graph.Window{Kernel: [2]int{k, k}, Stride: [2]int{s, s}, Pads: pads}
	}
	g := &graph.Graph{
		Inputs: []graph.Value{{Name: "x", Shape: graph.Shape{1, 1, 28, 28}}},
		Nodes: []*graph.Node{
			{Name: "a", Op: &graph.Conv{Window: sw(3, 1, pad), OutChannels: 256},
				Inputs: []string{"x"}, Outputs: []string{"a"}, Params: w(256, 1, 3, 3)},
			{Name: "b", Op: &graph.Conv{Window: sw(3, 2, pad), OutChannels: 64},
				Inputs: []string{"a"}, Outputs: []string{"b"}, Params: w(64, 256, 3, 3)},
			{Name: "c", Op: &graph.Conv{Window: sw(1, 1, [4]int{}), OutChannels: 32},
				Inputs: []string{"b"}, Outputs: []string{"c"}, Params: w(32, 64, 1, 1)},
			{Name: "d", Op: &graph.Conv{Window: sw(3, 1, pad), OutChannels: 32, Groups: 32},
				Inputs: []string{"c"}, Outputs: []string{"d"}, Params: w(32, 1, 3, 3)},
		},
		Outputs: []string{"d"},
	}
	p, err := Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ScratchBytes(g)
	if err != nil {
		t.Fatal(err)
	}
	if got := 4 * int64(len(p.tmp)); got != want {
		t.Errorf("the program's scratch is %d bytes, ScratchBytes %d", got, want)
	}
	if in := int64(4 * 28 * 28); want <= 2*in {
		t.Errorf("ScratchBytes %d is within twice the input (%d bytes): the graph was meant to need more", want, 2*in)
	}
}

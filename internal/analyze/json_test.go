package analyze

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/graph"
)

// TestJSON: the JSON form carries the report's totals and layers, inputs
// as [] (never null) and vector outputs as [F, 1, 1].
func TestJSON(t *testing.T) {
	r, err := Analyze(chain(1))
	if err != nil {
		t.Fatal(err)
	}
	o := JSON(r, "test")
	if o.Name != "chain" || o.Format != "test" || o.Params != r.Params || o.MACs != r.MACs ||
		o.PeakActivationBytes != r.PeakActivationBytes || o.PeakLayer != r.PeakLayer || len(o.Layers) != len(r.Layers) {
		t.Fatalf("JSON %+v does not match the report %+v", o, r)
	}
	if !slices.Equal(o.Input, []int{3, 8, 8}) {
		t.Errorf("input %v", o.Input)
	}
	last := o.Layers[len(o.Layers)-1]
	if last.Name != "prob" || !slices.Equal(last.Output, []int{10, 1, 1}) || !slices.Equal(last.Inputs, []string{"fc"}) {
		t.Errorf("last layer %+v", last)
	}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `{"name":"x","type":"Input","kind":"Input","inputs":[],"output":[3,8,8],`) {
		t.Errorf("input layer not as expected: %.200s", b)
	}
	if !strings.Contains(string(b), `"activation_bytes":768,"traits":{"family":"input"}}`) {
		t.Errorf("input layer's traits not as expected: %.400s", b)
	}
	if got := o.Layers[len(o.Layers)-1].Traits; got != (graph.Traits{Family: "output", KeepsBatch: true}) {
		t.Errorf("softmax traits %+v", got)
	}
}

// A graph's notes (how the import changed it) are in the report, its JSON
// and, spelled out, under the table.
func TestNotes(t *testing.T) {
	g := chain(1)
	g.Notes = []string{graph.NoteFloat16}
	r, err := Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	if o := JSON(r, "test"); !slices.Equal(o.Notes, []string{"float16"}) {
		t.Errorf("JSON notes %q", o.Notes)
	}
	var b strings.Builder
	if err := WriteTable(&b, r, "m.tflite", "tflite"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nnote: float16 weights widened to float32\n") {
		t.Errorf("table without the note:\n%s", b.String())
	}
}

//go:build !(js && wasm)

package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/zoo"
)

const diffNet = `name: "small"
input: "img" input_dim: 1 input_dim: 3 input_dim: 32 input_dim: 32
layer { name: "conv1" type: "Convolution" bottom: "img" top: "conv1"
  convolution_param { num_output: 16 kernel_size: 3 pad: 1 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "fc" type: "InnerProduct" bottom: "pool1" top: "fc"
  inner_product_param { num_output: 10 } }
`

type diffReply struct {
	Diff analyze.Diff `json:"diff"`
	A    scopeAnswer  `json:"a"`
	B    scopeAnswer  `json:"b"`
}

func postDiff(t *testing.T, s *Server, body any) diffReply {
	t.Helper()
	b, _ := json.Marshal(body)
	w := do(t, s, "POST", "/api/diff", strings.NewReader(string(b)), "application/json")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var d diffReply
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDiffAPI(t *testing.T) {
	s := newTestServer(t, Config{})
	d := postDiff(t, s, map[string]any{"a": map[string]string{"preset": "vgg16"}, "b": map[string]string{"preset": "preset:VGG19"}, "count": "flops", "include": "bias"})
	p16, m16, _ := zoo.Count(mustPreset(t, "vgg16"))
	p19, m19, _ := zoo.Count(mustPreset(t, "vgg19"))
	if d.Diff.Delta.Params != p19-p16 || d.Diff.Delta.MACs != m19-m16 || d.Diff.Added != 6 || d.Diff.Changed != 3 || d.Diff.Count != "flops" {
		t.Errorf("vgg16→19: %+v, %d added, %d changed", d.Diff.Delta, d.Diff.Added, d.Diff.Changed)
	}
	// Both analyses come with their graphs; the entries' indices are theirs.
	checkGraph(t, d.A)
	checkGraph(t, d.B)
	if d.B.Ops != d.Diff.B.Ops || d.A.Ops != d.Diff.A.Ops || d.B.Count != "flops" || d.Diff.Delta.Ops != d.B.Ops-d.A.Ops {
		t.Errorf("ops: analyses %d %d, diff %d %d", d.A.Ops, d.B.Ops, d.Diff.A.Ops, d.Diff.B.Ops)
	}
	for _, l := range d.Diff.Layers {
		if l.B != nil && d.B.Graph.Nodes[l.B.Index].Name != l.B.Name || l.A != nil && d.A.Graph.Nodes[l.A.Index].Name != l.A.Name {
			t.Fatalf("layer %+v: index does not name the node", l)
		}
	}
	// A prototxt and its edit, as the editor sends them: one changed layer.
	edit := strings.Replace(diffNet, "num_output: 16 kernel_size: 3 pad: 1", "num_output: 16 kernel_size: 5 pad: 2", 1)
	d = postDiff(t, s, map[string]any{"a": map[string]string{"name": "net.prototxt", "text": diffNet}, "b": map[string]any{"name": "net.prototxt", "data": []byte(edit)}})
	if d.Diff.Changed != 1 || d.Diff.Same != 4 || d.Diff.Delta.Params != 16*3*16 || d.Diff.Delta.MACs != 32*32*16*3*16 {
		t.Errorf("edit: %d changed, %d same, delta %+v", d.Diff.Changed, d.Diff.Same, d.Diff.Delta)
	}

	for _, c := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"a": {"preset": "vgg16"}}`, 400, `needs both "a" and "b"`},
		{`{"a": {"preset": "vgg16"}, "b": {"preset": "vgg19", "text": "x"}}`, 400, `b: give exactly one of`},
		{`{"a": {"preset": "vgg16"}, "b": {"preset": "nosuch"}}`, 404, `b: unknown preset "nosuch"`},
		{`{"a": {"text": "layer {"}, "b": {"preset": "vgg19"}}`, 400, `a: bad file name`},
		{`{"a": {"name": "x.prototxt", "text": "layer { name: \"c\" type: \"Convolution\" }"}, "b": {"preset": "vgg19"}}`, 422, `a: `},
		{`{"a": {"preset": "vgg16"}, "b": {"preset": "vgg19"}, "count": "gmacs"}`, 400, `unknown count "gmacs"`},
		{`{"a": {"preset": "vgg16"}, "b": {"preset": "vgg19"}, "extra": 1}`, 400, `unknown field "extra"`},
		{`not json`, 400, `not a diff request`},
	} {
		wantError(t, do(t, s, "POST", "/api/diff", strings.NewReader(c.body), "application/json"), c.status, c.want)
	}
	wantError(t, do(t, s, "GET", "/api/diff", nil, ""), 405, "POST")
}

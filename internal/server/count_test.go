//go:build !(js && wasm)

package server

import (
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

// TestScopeCountConvention: ?count=&include= give the "ops" of the
// convention (docs/presets.md#counting-conventions: ptflops' aten backend
// counts ResNet-50 as its MACs plus the fc layer's 1,000 bias additions),
// and leave the cached default analysis alone.
func TestScopeCountConvention(t *testing.T) {
	s := newTestServer(t, Config{})
	_, macs, err := zoo.Count(mustPreset(t, "resnet50"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		want  int64
	}{
		{"", macs},
		{"?count=macs&include=bias", macs + 1000},
		{"?count=flops", 2 * macs},
		{"?count=flops&include=bias", 2*macs + 1000},
	} {
		_, rep := decodeScope(t, do(t, s, "GET", "/api/presets/resnet50"+c.query, nil, "").Body.Bytes())
		var sum int64
		for _, l := range rep.Layers {
			sum += l.Ops
		}
		if rep.Ops != c.want || sum != c.want || rep.MACs != macs {
			t.Errorf("%s: ops %d (layers %d), macs %d; want ops %d, macs %d", c.query, rep.Ops, sum, rep.MACs, c.want, macs)
		}
	}
	w := do(t, s, "GET", "/api/presets/resnet50?count=flops&include=bias&format=markdown", nil, "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "FLOPs+bias per image") {
		t.Errorf("markdown with a convention: %d %.200s", w.Code, w.Body)
	}
	wantError(t, do(t, s, "GET", "/api/presets/resnet50?count=gflops", nil, ""), 400, `unknown count "gflops"`)
	wantError(t, do(t, s, "GET", "/api/presets/resnet50?include=relu", nil, ""), 400, `unknown category "relu"`)
}

func mustPreset(t *testing.T, name string) *graph.Graph {
	t.Helper()
	g, err := zoo.Preset(name, false)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

package tfjs

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
)

func floatBytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// A BatchNormalization with scale: false (InceptionV3's) has no gamma: none
// is invented, so it counts only beta (the moving statistics are not
// learnable), and it computes (x − mean)/√(var + ε) + beta.
func TestBatchNormWithoutScale(t *testing.T) {
	js := `{"modelTopology":{"model_config":{"class_name":"Sequential","config":{"layers":[
{"class_name":"BatchNormalization","config":{"name":"bn","batch_input_shape":[null,1,1,2],"axis":-1,"epsilon":0,"center":true,"scale":false}}]}}},
"weightsManifest":[{"paths":["` + ShardName + `"],"weights":[
{"name":"bn/beta","shape":[2],"dtype":"float32"},
{"name":"bn/moving_mean","shape":[2],"dtype":"float32"},
{"name":"bn/moving_variance","shape":[2],"dtype":"float32"}]}]}`
	bin := floatBytes(10, 20, 1, 2, 4, 16)
	g, err := Load(format.MemFS{"model.json": []byte(js), ShardName: bin}, "model.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		t.Fatal(err)
	}
	if r.Params != 2 {
		t.Errorf("params %d, want 2 (beta only)", r.Params)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run([]float32{5, 6})
	if err != nil {
		t.Fatal(err)
	}
	// (5−1)/2 + 10 = 12, (6−2)/4 + 20 = 21.
	if got := vals[g.Outputs[0]].Data; got[0] != 12 || got[1] != 21 {
		t.Errorf("output %v, want [12 21]", got)
	}
	// The writer writes it back as scale: false.
	out, _, err := Marshal(g)
	if err != nil || !strings.Contains(string(out), `"scale":false`) || strings.Contains(string(out), "gamma") {
		t.Errorf("written: %v %s", err, out)
	}
}

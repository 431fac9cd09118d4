package tfjs

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// TestActivationRoundTrip: every activation the reader accepts, as an
// Activation layer and fused into a Dense layer, is written back by the
// writer under the same name and reads back to the same operator.
func TestActivationRoundTrip(t *testing.T) {
	names := []string{"linear", "softmax"}
	for _, k := range kerasActivations {
		names = append(names, k.name)
	}
	for _, name := range names {
		for _, fused := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/fused=%v", name, fused), func(t *testing.T) {
				// A 2×2×3 image (NHWC), through an Activation layer or a 1×1
				// Conv2D with the activation fused.
				layer, manifest := `{"class_name":"Activation","config":{"name":"act","batch_input_shape":[null,2,2,3],"activation":"`+name+`"}}`, `[]`
				if fused {
					layer = `{"class_name":"Conv2D","config":{"name":"conv","batch_input_shape":[null,2,2,3],"filters":3,"kernel_size":[1,1],"use_bias":false,"activation":"` + name + `"}}`
					manifest = `[{"paths":["` + ShardName + `"],"weights":[{"name":"conv/kernel","shape":[1,1,3,3],"dtype":"float32"}]}]`
				}
				js := `{"modelTopology":{"model_config":{"class_name":"Sequential","config":{"layers":[` + layer + `]}}},"weightsManifest":` + manifest + `}`
				g, err := Load(format.MemFS{"model.json": []byte(js), ShardName: make([]byte, 36)}, "model.json")
				if err != nil {
					t.Fatal(err)
				}
				out, bin, err := Marshal(g)
				if err != nil {
					t.Fatalf("the writer cannot write activation %q: %v", name, err)
				}
				if !strings.Contains(string(out), `"activation":"`+name+`"`) {
					t.Errorf("written model.json lacks activation %q:\n%s", name, out)
				}
				back, err := Load(format.MemFS{"model.json": out, ShardName: bin}, "model.json")
				if err != nil {
					t.Fatal(err)
				}
				if got, want := ops(back), ops(g); !reflect.DeepEqual(got, want) {
					t.Errorf("read back %v, want %v", got, want)
				}
			})
		}
	}
}

func ops(g *graph.Graph) []graph.Op {
	var o []graph.Op
	for _, n := range g.Nodes {
		o = append(o, n.Op)
	}
	return o
}

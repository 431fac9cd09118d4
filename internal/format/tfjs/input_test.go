package tfjs

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// TestFreeInputSize loads a Keras model whose input is [null, null, null, 3]
// (free height and width, as exported fully-convolutional models are): it
// is refused with a *format.FreeSizeError suggesting 3,224,224 unless a size
// is given, which must agree with the fixed channel count; given 3,2,2 it
// runs a 1×1 convolution with weights 1, 2, 3 as computed by hand.
func TestFreeInputSize(t *testing.T) {
	layer := `{"class_name":"Conv2D","config":{"name":"conv","batch_input_shape":[null,null,null,3],"filters":1,"kernel_size":[1,1],"use_bias":false}}`
	manifest := `[{"paths":["` + ShardName + `"],"weights":[{"name":"conv/kernel","shape":[1,1,3,1],"dtype":"float32"}]}]`
	js := `{"modelTopology":{"model_config":{"class_name":"Sequential","config":{"layers":[` + layer + `]}}},"weightsManifest":` + manifest + `}`
	shard := make([]byte, 12)
	for i, w := range []float32{1, 2, 3} {
		binary.LittleEndian.PutUint32(shard[4*i:], math.Float32bits(w))
	}
	files := format.MemFS{"model.json": []byte(js), ShardName: shard}

	_, _, err := format.OpenFSWith(files, "model.json", format.Options{})
	var fe *format.FreeSizeError
	if !errors.As(err, &fe) || !reflect.DeepEqual(fe.Suggest, []int{3, 224, 224}) || !strings.Contains(err.Error(), "--input 3,224,224") || !strings.Contains(err.Error(), "input=3,224,224") {
		t.Fatalf("without a size: %v, want a FreeSizeError suggesting --input 3,224,224", err)
	}
	if _, _, err := format.OpenFSWith(files, "model.json", format.Options{Input: []int{1, 2, 2}}); err == nil || !strings.Contains(err.Error(), "3×?×?") {
		t.Errorf("1 channel for a 3-channel input: %v, want an error naming the fixed size", err)
	}
	g, _, err := format.OpenFSWith(files, "model.json", format.Options{Input: []int{3, 2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (graph.Shape{-1, 3, 2, 2}); !reflect.DeepEqual(g.Inputs[0].Shape, want) {
		t.Fatalf("input shape %v, want %v", g.Inputs[0].Shape, want)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	// R planes 1…4, G 5…8, B 9…12: pixel i gives R + 2G + 3B.
	vals, err := p.Run([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	if err != nil {
		t.Fatal(err)
	}
	got := vals[g.Outputs[0]].Data
	if want := []float32{1 + 10 + 27, 2 + 12 + 30, 3 + 14 + 33, 4 + 16 + 36}; !reflect.DeepEqual(got, want) {
		t.Errorf("output %v, want %v", got, want)
	}
}

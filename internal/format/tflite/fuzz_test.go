package tflite

import (
	"testing"

	"github.com/convscope/convscope/internal/format"
)

// FuzzDecode: any bytes give a model or an error, never a panic, a hang or
// an allocation past the budget. Seeds: the test models (inline and
// external buffers, quantized, float16, an unknown operator).
//
//	go test ./internal/format/tflite -run '^$' -fuzz FuzzDecode -fuzztime 60s
func FuzzDecode(f *testing.F) {
	for _, m := range seedModels() {
		f.Add(m.bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Decode(b, format.Options{Budget: format.NewBudget(16<<20, "fuzz")})
		if err != nil {
			return
		}
		g.InferPartial(1) //nolint:errcheck // shapes may be refused; it must not panic
	})
}

func seedModels() []*tModel {
	a, _, _ := cnnModel(7)
	b, _, _ := cnnModel(8)
	b.external = true
	q := &tModel{}
	in := q.add(tTensor{name: "x", shape: []int{1, 2, 2, 1}, typ: TensorTypeUINT8, scale: []float32{0.5}, zero: []int64{128}})
	w := q.add(tTensor{name: "w", shape: []int{1, 1, 1, 1}, typ: TensorTypeINT8, data: []byte{3}, scale: []float32{0.25}, zero: []int64{0}})
	y := q.runtime("y", 1, 2, 2, 1)
	q.op(opCONV_2D, []int{in, w, -1}, []int{y}, convOpts(PaddingSAME, 1, 1, ActivationFunctionTypeRELU, 1, 1))
	u := q.runtime("u", 1, 1, 1, 4)
	q.op(26, []int{y}, []int{u}, nil)
	q.inputs, q.outputs = []int{in}, []int{u}
	return []*tModel{a, b, q}
}

package tflite

import (
	"errors"
	"strings"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/convscope/convscope/internal/format"
)

// Bad files get an error that names the problem, never a panic.
func TestHostileFiles(t *testing.T) {
	valid := func() *tModel {
		m := &tModel{}
		in := m.runtime("x", 1, 2, 2, 1)
		y := m.runtime("y", 1, 2, 2, 1)
		m.op(opRELU, []int{in}, []int{y}, nil)
		m.inputs, m.outputs = []int{in}, []int{y}
		return m
	}
	// oneConv is x [1,1,1,2] → CONV_2D with filter w (added by addW) and
	// options opts.
	oneConv := func(addW func(m *tModel) int, opts func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT)) *tModel {
		m := &tModel{}
		in := m.runtime("x", 1, 1, 1, 2)
		w := addW(m)
		y := m.runtime("y", 1, 1, 1, 2)
		m.op(opCONV_2D, []int{in, w, -1}, []int{y}, opts)
		m.inputs, m.outputs = []int{in}, []int{y}
		return m
	}
	w4 := func(m *tModel) int { return m.f32("w", []float32{1, 2, 3, 4}, 2, 1, 1, 2) }
	valid1 := convOpts(PaddingVALID, 1, 1, 0, 1, 1)
	for _, tc := range []struct {
		name string
		file func() []byte
		want string
	}{
		{"empty", func() []byte { return nil }, "too few"},
		{"not TFLite", func() []byte { return []byte("\x10\x00\x00\x00ONNXxxxxxxxxxxxx") }, "not a TFLite model"},
		{"root past the end", func() []byte { return []byte("\xff\xff\xff\x7fTFL3") }, "malformed TFLite file"},
		{"truncated", func() []byte { b := valid().bytes(); return b[:len(b)/2] }, "malformed TFLite file"},
		{"schema version 2", func() []byte { m := valid(); m.version = 2; return m.bytes() }, "schema version 2"},
		{"operator reads a tensor that does not exist", func() []byte {
			m := valid()
			m.ops[0].ins = []int{99}
			return m.bytes()
		}, "reads tensor 99"},
		{"operator reads a tensor no one writes", func() []byte {
			m := valid()
			z := m.runtime("z", 1, 2, 2, 1)
			m.ops[0].ins = []int{z}
			return m.bytes()
		}, "before any operator writes it"},
		{"operator overwrites the input", func() []byte {
			m := valid()
			m.ops[0].outs = []int{0}
			return m.bytes()
		}, "already a model input"},
		{"output written by no operator", func() []byte {
			m := valid()
			m.outputs = []int{m.runtime("z", 1)}
			return m.bytes()
		}, "written by no operator"},
		{"constant shorter than its shape", func() []byte {
			return oneConv(func(m *tModel) int { return m.f32("w", []float32{1, 2, 3}, 2, 1, 1, 2) }, valid1).bytes()
		}, "needs 16 bytes, its buffer has 12"},
		{"convolution without options", func() []byte { return oneConv(w4, nil).bytes() }, "CONV_2D has no options"},
		{"options of another operator", func() []byte { return oneConv(w4, poolOpts(PaddingVALID, 1, 1, 1, 1, 0)).bytes() }, "options of type 5, not Conv2DOptions"},
		{"empty filter with huge dimensions (no loop over them)", func() []byte {
			m := oneConv(func(m *tModel) int {
				return m.add(tTensor{name: "w", shape: []int{1 << 15, 1 << 15, 0, 2}, data: []byte{}})
			}, valid1)
			m.external = true // an empty range past the FlatBuffer: a constant of no bytes
			return m.bytes()
		}, "is empty"},
		{"zero stride", func() []byte { return oneConv(w4, convOpts(PaddingVALID, 0, 1, 0, 1, 1)).bytes() }, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.file(), format.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Every byte of a valid model overwritten, one at a time, with values that
// make offsets and lengths huge or negative: an error or a model, never a
// panic (Decode recovers only runtime errors, which it reports as
// ErrMalformed) and never a large allocation (the budget is small).
func TestEveryByteCorrupted(t *testing.T) {
	m, _, _ := cnnModel(5)
	valid := m.bytes()
	malformed := 0
	for i := range valid {
		for _, v := range []byte{0xff, 0x7f, 0x80, 0x00} {
			b := append([]byte(nil), valid...)
			if b[i] == v {
				continue
			}
			b[i] = v
			g, err := Decode(b, format.Options{Budget: format.NewBudget(1<<20, "test")})
			if errors.Is(err, ErrMalformed) {
				malformed++
			}
			if err == nil {
				if _, err := g.InferPartial(1); err != nil {
					continue // a model with bad shapes: refused later with an error
				}
			}
		}
	}
	if malformed == 0 {
		t.Error("no corruption was reported as a malformed file")
	}
}

func TestBudget(t *testing.T) {
	m, _, _ := cnnModel(6)
	_, err := Decode(m.bytes(), format.Options{Budget: format.NewBudget(256, "test limit")})
	var be *format.BudgetError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "test limit") {
		t.Fatalf("error %v, want a BudgetError", err)
	}
}

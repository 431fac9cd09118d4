package tflite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"math"
	"math/rand"
	"os"
	"slices"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// cnnModel is a small image CNN with most of the operators the importer
// maps, and its expected outputs computed on NHWC data by the reference
// kernels (helpers_test.go), independently of the importer's NCHW graph.
func cnnModel(seed int64) (m *tModel, x []float32, want [][]float32) {
	r := rand.New(rand.NewSource(seed))
	m = &tModel{}
	xs := []int{1, 11, 10, 3}
	in := m.runtime("input", xs...)
	x = randVals(r, 11*10*3)

	w1, b1 := randVals(r, 4*3*3*3), randVals(r, 4)
	c1 := m.runtime("conv1", 1, 6, 5, 4)
	m.op(opCONV_2D, []int{in, m.f32("w1", w1, 4, 3, 3, 3), m.f32("b1", b1, 4)}, []int{c1}, convOpts(PaddingSAME, 2, 2, ActivationFunctionTypeRELU6, 1, 1))
	rc1, rc1s := refConv(x, xs, w1, []int{4, 3, 3, 3}, b1, 2, 2, 1, 1, true, false)
	rc1 = mapVals(rc1, relu6)

	w2, b2 := randVals(r, 3*3*8), randVals(r, 8)
	d := m.runtime("dw", 1, 4, 3, 8)
	m.op(opDEPTHWISE_CONV_2D, []int{c1, m.f32("w2", w2, 1, 3, 3, 8), m.f32("b2", b2, 8)}, []int{d}, dwOpts(PaddingVALID, 1, 1, 2, ActivationFunctionTypeNONE, 1, 1))
	rd, rds := refConv(rc1, rc1s, w2, []int{1, 3, 3, 8}, b2, 1, 1, 1, 1, false, true)

	k := randVals(r, 8)
	a := m.runtime("add", 1, 4, 3, 8)
	m.op(opADD, []int{d, m.f32("k", k, 8)}, []int{a}, addOpts(ActivationFunctionTypeRELU))
	ra := make([]float32, len(rd))
	for i := range ra {
		ra[i] = relu(rd[i] + k[i%8])
	}

	hs := m.runtime("hswish", 1, 4, 3, 8)
	m.op(opHARD_SWISH, []int{a}, []int{hs}, nil)
	rhs := mapVals(ra, hardSwish)

	mul := m.runtime("mul", 1, 4, 3, 8)
	m.op(opMUL, []int{hs, a}, []int{mul}, nil)
	rmul := make([]float32, len(ra))
	for i := range rmul {
		rmul[i] = rhs[i] * ra[i]
	}

	mp := m.runtime("maxpool", 1, 4, 3, 8)
	m.op(opMAX_POOL_2D, []int{hs}, []int{mp}, poolOpts(PaddingSAME, 3, 3, 1, 1, ActivationFunctionTypeNONE))
	rmp, _ := refPool(rhs, rds, 3, 3, 1, 1, true, false)

	cat := m.runtime("concat", 1, 4, 3, 16)
	m.op(opCONCATENATION, []int{mul, mp}, []int{cat}, concatOpts(-1))
	rcat := make([]float32, 4*3*16)
	for p := 0; p < 12; p++ {
		copy(rcat[p*16:], rmul[p*8:p*8+8])
		copy(rcat[p*16+8:], rmp[p*8:p*8+8])
	}

	ap := m.runtime("avgpool", 1, 2, 2, 16)
	m.op(opAVERAGE_POOL_2D, []int{cat}, []int{ap}, poolOpts(PaddingSAME, 2, 2, 2, 2, ActivationFunctionTypeNONE))
	rap, _ := refPool(rcat, []int{1, 4, 3, 16}, 2, 2, 2, 2, true, true)

	mean := m.runtime("mean", 1, 16)
	m.op(opMEAN, []int{ap, m.i32("axes", []int32{1, 2}, 2)}, []int{mean}, reducerOpts(false))
	rmean := make([]float32, 16)
	for p := 0; p < 4; p++ {
		for c := 0; c < 16; c++ {
			rmean[c] += rap[p*16+c] / 4
		}
	}

	w3, b3 := randVals(r, 5*16), randVals(r, 5)
	logits := m.runtime("logits", 1, 5)
	m.op(opFULLY_CONNECTED, []int{mean, m.f32("w3", w3, 5, 16), m.f32("b3", b3, 5)}, []int{logits}, fcOpts(ActivationFunctionTypeNONE))
	rlog := make([]float32, 5)
	for u := range rlog {
		s := float64(b3[u])
		for i := 0; i < 16; i++ {
			s += float64(w3[u*16+i]) * float64(rmean[i])
		}
		rlog[u] = float32(s)
	}

	probs := m.runtime("probs", 1, 5)
	m.op(opSOFTMAX, []int{logits}, []int{probs}, softmaxOpts(1))
	var sum float64
	for _, v := range rlog {
		sum += math.Exp(float64(v))
	}
	rprob := mapVals(rlog, func(v float32) float32 { return float32(math.Exp(float64(v)) / sum) })

	m.inputs = []int{in}
	m.outputs = []int{probs, ap}
	return m, x, [][]float32{rprob, rap}
}

func TestCNNMatchesReference(t *testing.T) {
	m, x, want := cnnModel(1)
	g, got := run(t, m, x)
	near(t, "probs", got[0], want[0], 1e-5)
	near(t, "avgpool", got[1], want[1], 1e-5)
	if g.Inputs[0].Name != "input" || !g.Inputs[0].Shape.Equal(graph.Shape{1, 3, 11, 10}) {
		t.Errorf("input %v, want input [1 3 11 10] (NCHW)", g.Inputs[0])
	}
	if h := g.ClassifierHead(); h.Probs != "probs" || h.Logits != "logits" {
		t.Errorf("classifier head %+v, want logits → probs", h)
	}
	// The fused activation is a node of its own after the convolution.
	var types []string
	for _, n := range g.Nodes {
		types = append(types, n.Type)
	}
	if !slices.Contains(types, "fused RELU6") || !slices.Contains(types, "fused RELU") {
		t.Errorf("node types %v lack the fused activations", types)
	}
	if len(g.Notes) != 0 {
		t.Errorf("a float32 model has notes %q", g.Notes)
	}
}

// External buffers (offset and size past the FlatBuffer) read as inline ones.
func TestExternalBuffers(t *testing.T) {
	m, x, want := cnnModel(2)
	m.external = true
	_, got := run(t, m, x)
	near(t, "probs", got[0], want[0], 1e-5)
	near(t, "avgpool", got[1], want[1], 1e-5)
	// A buffer pointing past the end of the file is refused.
	b := m.bytes()
	_, err := Decode(b[:len(b)-4], format.Options{})
	if err == nil || !errors.Is(err, ErrMalformed) {
		t.Fatalf("truncated external data: %v, want a malformed-file error", err)
	}
}

// Reshapes of maps keep TFLite's (NHWC) element order; FULLY_CONNECTED on a
// map flattens it in NHWC order; PAD, SUB with a broadcast constant and
// LOGISTIC.
func TestReshapeAndDenseOnMaps(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	m := &tModel{}
	xs := []int{1, 4, 5, 2}
	x := randVals(r, 40)
	in := m.runtime("x", xs...)
	// PAD [[0,0],[1,0],[0,2],[0,0]] → [1,5,7,2].
	pd := m.runtime("pad", 1, 5, 7, 2)
	m.op(opPAD, []int{in, m.i32("paddings", []int32{0, 0, 1, 0, 0, 2, 0, 0}, 4, 2)}, []int{pd}, nil)
	rpd := make([]float32, 5*7*2)
	for y := 0; y < 4; y++ {
		for i := 0; i < 5; i++ {
			for c := 0; c < 2; c++ {
				rpd[((y+1)*7+i)*2+c] = x[(y*5+i)*2+c]
			}
		}
	}
	flat := m.runtime("flat", 1, 70)
	m.op(opRESHAPE, []int{pd, m.i32("shape", []int32{1, 70}, 2)}, []int{flat}, nil)
	w, bias := randVals(r, 3*70), randVals(r, 3)
	fc := m.runtime("fc", 1, 3)
	m.op(opFULLY_CONNECTED, []int{flat, m.f32("w", w, 3, 70), m.f32("b", bias, 3)}, []int{fc}, fcOpts(ActivationFunctionTypeNONE))
	sig := m.runtime("sigmoid", 1, 3)
	m.op(opLOGISTIC, []int{fc}, []int{sig}, nil)
	// FULLY_CONNECTED straight on the map (no RESHAPE): TFLite flattens it.
	w2 := randVals(r, 2*40)
	fc2 := m.runtime("fc2", 1, 2)
	m.op(opFULLY_CONNECTED, []int{in, m.f32("w2", w2, 2, 40), -1}, []int{fc2}, fcOpts(ActivationFunctionTypeRELU))
	// RESHAPE map → map, then SUB of a per-channel constant.
	rs := m.runtime("reshaped", 1, 2, 10, 2)
	m.op(opRESHAPE, []int{in, m.i32("shape2", []int32{1, 2, 10, 2}, 4)}, []int{rs}, nil)
	sub := m.runtime("sub", 1, 2, 10, 2)
	m.op(opSUB, []int{rs, m.f32("c", []float32{0.5, -2}, 1, 1, 2)}, []int{sub}, nil)
	m.inputs, m.outputs = []int{in}, []int{sig, fc2, sub}

	_, got := run(t, m, x)
	rsig := make([]float32, 3)
	for u := range rsig {
		s := float64(bias[u])
		for i := 0; i < 70; i++ {
			s += float64(w[u*70+i]) * float64(rpd[i])
		}
		rsig[u] = float32(1 / (1 + math.Exp(-s)))
	}
	near(t, "sigmoid", got[0], rsig, 1e-5)
	rfc2 := make([]float32, 2)
	for u := range rfc2 {
		var s float64
		for i := 0; i < 40; i++ {
			s += float64(w2[u*40+i]) * float64(x[i])
		}
		rfc2[u] = relu(float32(s))
	}
	near(t, "fc2", got[1], rfc2, 1e-5)
	// The reshape keeps the flat order: element i of sub is x[i] − c[i%2].
	rsub := make([]float32, 40)
	for i := range rsub {
		rsub[i] = x[i] - []float32{0.5, -2}[i%2]
	}
	near(t, "sub", got[2], rsub, 1e-6)
}

// TensorFlow's resize conventions, computed per output pixel.
func refResize(x []float32, h, w, c, oh, ow int, bilinear, align, half bool) []float32 {
	coord := func(o, in, out int) float64 {
		scale := float64(in) / float64(out)
		if align && out > 1 {
			scale = float64(in-1) / float64(out-1)
		}
		if half {
			return (float64(o)+0.5)*scale - 0.5
		}
		return float64(o) * scale
	}
	out := make([]float32, oh*ow*c)
	at := func(y, i, k int) float64 {
		y, i = min(max(y, 0), h-1), min(max(i, 0), w-1)
		return float64(x[(y*w+i)*c+k])
	}
	for y := 0; y < oh; y++ {
		for i := 0; i < ow; i++ {
			fy, fx := coord(y, h, oh), coord(i, w, ow)
			for k := 0; k < c; k++ {
				var v float64
				if !bilinear {
					ry, rx := math.Floor(fy), math.Floor(fx)
					if align {
						ry, rx = math.Round(fy), math.Round(fx)
					}
					v = at(int(ry), int(rx), k)
				} else {
					y0, x0 := math.Floor(fy), math.Floor(fx)
					dy, dx := fy-y0, fx-x0
					iy, ix := int(y0), int(x0)
					v = (1-dy)*((1-dx)*at(iy, ix, k)+dx*at(iy, ix+1, k)) + dy*((1-dx)*at(iy+1, ix, k)+dx*at(iy+1, ix+1, k))
				}
				out[(y*ow+i)*c+k] = float32(v)
			}
		}
	}
	return out
}

func TestResize(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	x := randVals(r, 4*5*3)
	for _, tc := range []struct {
		name                  string
		bilinear, align, half bool
		oh, ow                int
	}{
		{"bilinear half-pixel", true, false, true, 7, 9},
		{"bilinear asymmetric", true, false, false, 8, 10},
		{"bilinear align corners", true, true, false, 7, 9},
		{"bilinear shrinking", true, false, true, 3, 2},
		{"nearest asymmetric", false, false, false, 8, 10},
		{"nearest align corners", false, true, false, 7, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &tModel{}
			in := m.runtime("x", 1, 4, 5, 3)
			out := m.runtime("y", 1, tc.oh, tc.ow, 3)
			code, opts := opRESIZE_BILINEAR, bilinearOpts(tc.align, tc.half)
			if !tc.bilinear {
				code, opts = opRESIZE_NEAREST_NEIGHB, nearestOpts(tc.align, tc.half)
			}
			m.op(code, []int{in, m.i32("size", []int32{int32(tc.oh), int32(tc.ow)}, 2)}, []int{out}, opts)
			m.inputs, m.outputs = []int{in}, []int{out}
			_, got := run(t, m, x)
			near(t, "resize", got[0], refResize(x, 4, 5, 3, tc.oh, tc.ow, tc.bilinear, tc.align, tc.half), 1e-5)
		})
	}
}

// An int8 model: weights per channel, an int32 bias with its own scale, a
// uint8 FULLY_CONNECTED with a zero point — dequantized by hand here.
func TestQuantizedDequantized(t *testing.T) {
	m := &tModel{}
	in := m.add(tTensor{name: "image", shape: []int{1, 2, 2, 3}, typ: TensorTypeINT8, scale: []float32{1.0 / 128}, zero: []int64{0}})
	// Filter [2,1,1,3] int8, per output channel scales 0.5 and 0.25.
	wq := []int8{2, -4, 6, 8, 0, -8}
	w := m.add(tTensor{name: "w", shape: []int{2, 1, 1, 3}, typ: TensorTypeINT8, data: i8bytes(wq), scale: []float32{0.5, 0.25}, zero: []int64{0, 0}, qdim: 0})
	bq := []int32{100, -40}
	b := m.add(tTensor{name: "b", shape: []int{2}, typ: TensorTypeINT32, data: i32bytes(bq), scale: []float32{0.01, 0.02}, zero: []int64{0, 0}})
	c := m.add(tTensor{name: "conv", shape: []int{1, 2, 2, 2}, typ: TensorTypeINT8, scale: []float32{0.05}, zero: []int64{3}})
	m.op(opCONV_2D, []int{in, w, b}, []int{c}, convOpts(PaddingVALID, 1, 1, ActivationFunctionTypeNONE, 1, 1))
	// FULLY_CONNECTED with uint8 weights [1, 8], scale 0.1, zero point 128.
	fq := []byte{128, 138, 118, 148, 108, 128, 129, 127}
	fw := m.add(tTensor{name: "fw", shape: []int{1, 8}, typ: TensorTypeUINT8, data: fq, scale: []float32{0.1}, zero: []int64{128}})
	fc := m.add(tTensor{name: "fc", shape: []int{1, 1}, typ: TensorTypeUINT8, scale: []float32{0.1}, zero: []int64{128}})
	m.op(opFULLY_CONNECTED, []int{c, fw, -1}, []int{fc}, fcOpts(ActivationFunctionTypeNONE))
	deq := m.runtime("fc_float", 1, 1)
	m.op(opDEQUANTIZE, []int{fc}, []int{deq}, nil)
	m.inputs, m.outputs = []int{in}, []int{deq}

	x := []float32{0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8, 0.9, -1, 0, 0.25}
	g, got := run(t, m, x)
	// By hand: w = scale·q per output channel, bias = scale·q.
	wf := []float32{1, -2, 3, 2, 0, -2}
	bf := []float32{1, -0.8}
	conv := make([]float32, 8)
	for p := 0; p < 4; p++ {
		for o := 0; o < 2; o++ {
			s := bf[o]
			for i := 0; i < 3; i++ {
				s += wf[o*3+i] * x[p*3+i]
			}
			conv[p*2+o] = s
		}
	}
	fwf := []float32{0, 1, -1, 2, -2, 0, 0.1, -0.1}
	var want float32
	for i := range fwf {
		want += fwf[i] * conv[i]
	}
	near(t, "dequantized output", got[0], []float32{want}, 1e-5)
	if !slices.Equal(g.Notes, []string{graph.NoteDequantized}) {
		t.Errorf("notes %q, want [%s]", g.Notes, graph.NoteDequantized)
	}
	if p := g.Node("conv").Param("weight"); !slices.Equal(p.Data, []float32{1, -2, 3, 2, 0, -2}) {
		t.Errorf("dequantized weight %v", p.Data)
	}
}

func i8bytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

// float16 weights behind a DEQUANTIZE, as MediaPipe's models store them.
func TestFloat16Weights(t *testing.T) {
	// 1, −2, 0.5, 65504 (largest), 2⁻²⁴ (smallest subnormal), −0, 1/3 ≈ 0.33325195.
	bits := []uint16{0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x3555}
	want := []float32{1, -2, 0.5, 65504, float32(math.Ldexp(1, -24)), float32(math.Copysign(0, -1)), 0.33325195}
	for i, h := range bits {
		if got := half(h); got != want[i] || math.Signbit(float64(got)) != math.Signbit(float64(want[i])) {
			t.Errorf("half(%#04x) = %g, want %g", h, got, want[i])
		}
	}
	if !math.IsInf(float64(half(0x7c00)), 1) || !math.IsNaN(float64(half(0x7e00))) {
		t.Error("half: infinity or NaN")
	}
	m := &tModel{}
	in := m.runtime("x", 1, 1, 1, 2)
	data := make([]byte, 8)
	for i, h := range []uint16{0x3c00, 0xc000, 0x3800, 0x3555} {
		binary.LittleEndian.PutUint16(data[2*i:], h)
	}
	w16 := m.add(tTensor{name: "w16", shape: []int{2, 1, 1, 2}, typ: TensorTypeFLOAT16, data: data})
	w := m.runtime("w", 2, 1, 1, 2)
	m.op(opDEQUANTIZE, []int{w16}, []int{w}, nil)
	y := m.runtime("y", 1, 1, 1, 2)
	m.op(opCONV_2D, []int{in, w, -1}, []int{y}, convOpts(PaddingVALID, 1, 1, ActivationFunctionTypeNONE, 1, 1))
	m.inputs, m.outputs = []int{in}, []int{y}
	g, got := run(t, m, []float32{3, 5})
	near(t, "conv", got[0], []float32{3 - 10, 1.5 + 5*0.33325195}, 1e-7)
	if !slices.Equal(g.Notes, []string{graph.NoteFloat16}) {
		t.Errorf("notes %q, want [%s]", g.Notes, graph.NoteFloat16)
	}
}

// An operator convscope cannot map keeps the model loadable: the layers
// after it are kept as unknown, InferShapes names the operator.
func TestUnknownOperator(t *testing.T) {
	m := &tModel{}
	in := m.runtime("x", 1, 4, 4, 2)
	s2d := m.runtime("s2d", 1, 2, 2, 8)
	m.op(26 /* SPACE_TO_DEPTH */, []int{in}, []int{s2d}, nil)
	y := m.runtime("relu", 1, 2, 2, 8)
	m.op(opRELU, []int{s2d}, []int{y}, nil)
	side := m.runtime("side", 1, 4, 4, 2)
	m.op(opRELU6, []int{in}, []int{side}, nil)
	m.inputs, m.outputs = []int{in}, []int{y, side}
	g, err := Decode(m.bytes(), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if u := g.Unsupported(); !slices.Equal(u, []string{"SPACE_TO_DEPTH"}) {
		t.Errorf("unsupported %v, want [SPACE_TO_DEPTH]", u)
	}
	if u, ok := g.Node("relu").Op.(*graph.Unknown); !ok || !u.Supported {
		t.Errorf("the RELU after it is %T, want a supported graph.Unknown", g.Node("relu").Op)
	}
	shapes, err := g.InferPartial(1)
	if err != nil {
		t.Fatal(err)
	}
	if !shapes["side"].Equal(graph.Shape{1, 2, 4, 4}) {
		t.Errorf("side branch shape %v, want [1 2 4 4]", shapes["side"])
	}
	if _, err := g.InferShapes(1); !graph.IsUnsupported(err) {
		t.Errorf("InferShapes: %v, want an unsupported-operator error", err)
	}
}

// A free batch (shape_signature −1) and free sides filled from
// format.Options.Input; without it the error names the flag.
func TestFreeInputSize(t *testing.T) {
	m := &tModel{}
	in := m.add(tTensor{name: "x", shape: []int{1, 1, 1, 3}, sig: []int{-1, -1, -1, 3}})
	y := m.runtime("y", 1, 1, 1, 3)
	m.op(opRELU, []int{in}, []int{y}, nil)
	m.inputs, m.outputs = []int{in}, []int{y}
	_, err := Decode(m.bytes(), format.Options{})
	var fe *format.FreeSizeError
	if !errors.As(err, &fe) {
		t.Fatalf("no input size: %v, want a FreeSizeError", err)
	}
	g, err := Decode(m.bytes(), format.Options{Input: []int{3, 32, 48}})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Inputs[0].Shape.Equal(graph.Shape{-1, 3, 32, 48}) {
		t.Errorf("input shape %v, want [-1 3 32 48]", g.Inputs[0].Shape)
	}
}

func TestBuiltinNames(t *testing.T) {
	for code, name := range map[int]string{opADD: "ADD", opCONV_2D: "CONV_2D", opDEPTHWISE_CONV_2D: "DEPTHWISE_CONV_2D",
		opMEAN: "MEAN", opPADV2: "PADV2", opRESIZE_NEAREST_NEIGHB: "RESIZE_NEAREST_NEIGHBOR", opQUANTIZE: "QUANTIZE",
		opHARD_SWISH: "HARD_SWISH", opMIRROR_PAD: "MIRROR_PAD", opELU: "ELU", 161: "RIGHT_SHIFT", 500: "BUILTIN_500"} {
		if got := builtinName(code); got != name {
			t.Errorf("builtinName(%d) = %s, want %s", code, got, name)
		}
	}
}

var update = flag.Bool("update", false, "rewrite testdata/tiny_int8.tflite")

// tinyInt8 is a quantized classifier as TFLite's int8 kernels take it
// (int8 input, per-channel int8 filter, int32 bias of scale
// input·filter, operator versions of int8 kernels): conv 3×3 with a fused
// RELU, a mean over the map, a dense layer of 3 classes and a softmax.
// testdata/tiny_int8.tflite holds its bytes for the server's tests. On
// one input, TFLite's runtime (@tensorflow/tfjs-tflite) gave probabilities
// 0.1602, 0.0859, 0.7539 and convscope, dequantized, 0.1560, 0.0850,
// 0.7590: within 1.3 steps of the output's quantization (1/256).
func tinyInt8() *tModel {
	r := rand.New(rand.NewSource(9))
	m := &tModel{}
	in := m.add(tTensor{name: "image", shape: []int{1, 8, 8, 3}, typ: TensorTypeINT8, scale: []float32{1.0 / 255}, zero: []int64{-128}})
	wq := make([]byte, 4*3*3*3)
	for i := range wq {
		wq[i] = byte(int8(r.Intn(255) - 127))
	}
	ws := []float32{0.01, 0.02, 0.015, 0.005}
	w := m.add(tTensor{name: "conv/weights", shape: []int{4, 3, 3, 3}, typ: TensorTypeINT8, data: wq, scale: ws, zero: []int64{0, 0, 0, 0}})
	bs := make([]float32, 4)
	for i := range bs {
		bs[i] = ws[i] / 255
	}
	b := m.add(tTensor{name: "conv/bias", shape: []int{4}, typ: TensorTypeINT32, data: i32bytes([]int32{100, -200, 50, 0}), scale: bs, zero: []int64{0, 0, 0, 0}})
	c := m.add(tTensor{name: "conv", shape: []int{1, 8, 8, 4}, typ: TensorTypeINT8, scale: []float32{0.02}, zero: []int64{-128}})
	m.ops = append(m.ops, tOp{code: opCONV_2D, ins: []int{in, w, b}, outs: []int{c}, opts: convOpts(PaddingSAME, 1, 1, ActivationFunctionTypeRELU, 1, 1), version: 3})
	mean := m.add(tTensor{name: "mean", shape: []int{1, 4}, typ: TensorTypeINT8, scale: []float32{0.02}, zero: []int64{-128}})
	m.ops = append(m.ops, tOp{code: opMEAN, ins: []int{c, m.i32("axes", []int32{1, 2}, 2)}, outs: []int{mean}, opts: reducerOpts(false), version: 2})
	fq := make([]byte, 3*4)
	for i := range fq {
		fq[i] = byte(int8(r.Intn(255) - 127))
	}
	fw := m.add(tTensor{name: "dense/weights", shape: []int{3, 4}, typ: TensorTypeINT8, data: fq, scale: []float32{0.02}, zero: []int64{0}})
	logits := m.add(tTensor{name: "logits", shape: []int{1, 3}, typ: TensorTypeINT8, scale: []float32{0.05}, zero: []int64{0}})
	m.ops = append(m.ops, tOp{code: opFULLY_CONNECTED, ins: []int{mean, fw, -1}, outs: []int{logits}, opts: fcOpts(ActivationFunctionTypeNONE), version: 4})
	probs := m.add(tTensor{name: "probs", shape: []int{1, 3}, typ: TensorTypeINT8, scale: []float32{1.0 / 256}, zero: []int64{-128}})
	m.ops = append(m.ops, tOp{code: opSOFTMAX, ins: []int{logits}, outs: []int{probs}, opts: softmaxOpts(1), version: 2})
	m.inputs, m.outputs = []int{in}, []int{probs}
	return m
}

func TestTinyInt8Fixture(t *testing.T) {
	const file = "testdata/tiny_int8.tflite"
	b := tinyInt8().bytes()
	if *update {
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b) {
		t.Fatalf("%s is not what tinyInt8 writes; rerun with -update", file)
	}
	g, err := Decode(got, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Notes, []string{graph.NoteDequantized}) {
		t.Errorf("notes %q, want [%s]", g.Notes, graph.NoteDequantized)
	}
	// TFLite's int8 kernels (@tensorflow/tfjs-tflite 0.0.1-alpha.10) on
	// the int8 input q_i = (37·i mod 256) − 128, i.e. x_i = (37·i mod 256)/255:
	// convscope's float32 computation is within 1.5 output steps of them.
	x := make([]float32, 8*8*3)
	for i := range x {
		x[i] = float32((i*37)%256) / 255
	}
	_, out := run(t, tinyInt8(), x)
	for k, want := range []float64{0.16015625, 0.0859375, 0.75390625} {
		if d := math.Abs(float64(out[0][k]) - want); d > 1.5/256 {
			t.Errorf("probability %d = %g, TFLite's int8 runtime %g: %.2f output steps apart", k, out[0][k], want, d*256)
		}
	}
}

// PRELU with a per-channel alpha ([1, 1, C], as Keras PReLU with shared
// spatial axes exports it) and a shared one; an alpha varying over space
// is kept as an unsupported form.
func TestPRelu(t *testing.T) {
	m := &tModel{}
	in := m.runtime("x", 1, 1, 2, 2)
	y := m.runtime("prelu", 1, 1, 2, 2)
	m.op(opPRELU, []int{in, m.f32("alpha", []float32{0.5, -2}, 1, 1, 2)}, []int{y}, nil)
	z := m.runtime("shared", 1, 1, 2, 2)
	m.op(opPRELU, []int{y, m.f32("alpha1", []float32{0.25}, 1)}, []int{z}, nil)
	m.inputs, m.outputs = []int{in}, []int{y, z}
	x := []float32{-4, -4, 3, 1}
	_, got := run(t, m, x)
	near(t, "prelu", got[0], []float32{-2, 8, 3, 1}, 1e-7)
	near(t, "shared", got[1], []float32{-0.5, 8, 3, 1}, 1e-7)

	m = &tModel{}
	in = m.runtime("x", 1, 1, 2, 1)
	y = m.runtime("prelu", 1, 1, 2, 1)
	m.op(opPRELU, []int{in, m.f32("alpha", []float32{0.5, 0.25}, 1, 2, 1)}, []int{y}, nil)
	m.inputs, m.outputs = []int{in}, []int{y}
	g, err := Decode(m.bytes(), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if u := g.Unsupported(); !slices.Equal(u, []string{"PRELU"}) {
		t.Errorf("spatial alpha: unsupported %v, want [PRELU]", u)
	}
}

// refTransposeConv is TFLite's TRANSPOSE_CONV on NHWC data: every input
// cell adds its filter, stride apart, into an output of oh×ow whose
// leading pad rows and columns (pt, pl) are cut off.
func refTransposeConv(x []float32, xs []int, w []float32, ws []int, bias []float32, s, pt, pl, oh, ow int) []float32 {
	h, wd, ic := xs[1], xs[2], xs[3]
	oc, kh, kw := ws[0], ws[1], ws[2]
	out := make([]float32, oh*ow*oc)
	for i := range out {
		if bias != nil {
			out[i] = bias[i%oc]
		}
	}
	for y := 0; y < h; y++ {
		for xx := 0; xx < wd; xx++ {
			for ky := 0; ky < kh; ky++ {
				for kx := 0; kx < kw; kx++ {
					oy, ox := y*s+ky-pt, xx*s+kx-pl
					if oy < 0 || oy >= oh || ox < 0 || ox >= ow {
						continue
					}
					for o := 0; o < oc; o++ {
						for i := 0; i < ic; i++ {
							out[(oy*ow+ox)*oc+o] += x[(y*wd+xx)*ic+i] * w[((o*kh+ky)*kw+kx)*ic+i]
						}
					}
				}
			}
		}
	}
	return out
}

func TestTransposeConv(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	xs := []int{1, 3, 4, 2}
	x := randVals(r, 3*4*2)
	w, bias := randVals(r, 3*3*3*2), randVals(r, 3)
	for _, tc := range []struct {
		name           string
		pad            Padding
		oh, ow, pt, pl int
	}{
		// SAME: 2·(3−1)+3−6 = 1 excess row, 2·(4−1)+3−8 = 1 column: cut at the end.
		{"same", PaddingSAME, 6, 8, 0, 0},
		{"same, odd", PaddingSAME, 5, 7, 1, 1}, // 2 excess rows and columns: one each side
		{"valid", PaddingVALID, 7, 9, 0, 0},
		{"valid, larger", PaddingVALID, 8, 10, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &tModel{}
			in := m.runtime("x", xs...)
			y := m.runtime("y", 1, tc.oh, tc.ow, 3)
			m.op(opTRANSPOSE_CONV, []int{m.i32("out_shape", []int32{1, int32(tc.oh), int32(tc.ow), 3}, 4), m.f32("w", w, 3, 3, 3, 2), in, m.f32("b", bias, 3)}, []int{y},
				func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
					TransposeConvOptionsStart(b)
					TransposeConvOptionsAddPadding(b, tc.pad)
					TransposeConvOptionsAddStrideH(b, 2)
					TransposeConvOptionsAddStrideW(b, 2)
					return BuiltinOptionsTransposeConvOptions, TransposeConvOptionsEnd(b)
				})
			m.inputs, m.outputs = []int{in}, []int{y}
			_, got := run(t, m, x)
			near(t, "transpose conv", got[0], refTransposeConv(x, xs, w, []int{3, 3, 3, 2}, bias, 2, tc.pt, tc.pl, tc.oh, tc.ow), 1e-5)
		})
	}
	// MediaPipe's Convolution2DTransposeBias: 2×2 kernel, stride 2, SAME.
	m := &tModel{}
	in := m.runtime("x", xs...)
	y := m.runtime("y", 1, 6, 8, 3)
	w2 := randVals(r, 3*2*2*2)
	m.ops = append(m.ops, tOp{code: opCUSTOM, custom: "Convolution2DTransposeBias", ins: []int{in, m.f32("w", w2, 3, 2, 2, 2), m.f32("b", bias, 3)}, outs: []int{y},
		customOpts: i32bytes([]int32{1, 2, 2})})
	m.inputs, m.outputs = []int{in}, []int{y}
	_, got := run(t, m, x)
	near(t, "Convolution2DTransposeBias", got[0], refTransposeConv(x, xs, w2, []int{3, 2, 2, 2}, bias, 2, 0, 0, 6, 8), 1e-5)
}

// LOCAL_RESPONSE_NORMALIZATION, by hand: x / (bias + alpha·Σx²)^beta over
// the channels within radius 1.
func TestLRN(t *testing.T) {
	m := &tModel{}
	in := m.runtime("x", 1, 1, 1, 3)
	y := m.runtime("lrn", 1, 1, 1, 3)
	m.op(opLOCAL_RESPONSE_NORM, []int{in}, []int{y}, func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		LocalResponseNormalizationOptionsStart(b)
		LocalResponseNormalizationOptionsAddRadius(b, 1)
		LocalResponseNormalizationOptionsAddBias(b, 1)
		LocalResponseNormalizationOptionsAddAlpha(b, 0.5)
		LocalResponseNormalizationOptionsAddBeta(b, 0.5)
		return BuiltinOptionsLocalResponseNormalizationOptions, LocalResponseNormalizationOptionsEnd(b)
	})
	m.inputs, m.outputs = []int{in}, []int{y}
	_, got := run(t, m, []float32{1, 2, 3})
	// Σx² over the window: 1+4 = 5, 1+4+9 = 14, 4+9 = 13.
	want := []float32{1 / float32(math.Sqrt(1+0.5*5)), 2 / float32(math.Sqrt(1+0.5*14)), 3 / float32(math.Sqrt(1+0.5*13))}
	near(t, "lrn", got[0], want, 1e-6)
}

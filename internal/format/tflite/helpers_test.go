package tflite

import (
	"encoding/binary"
	"math"
	"math/rand"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// A test model, written with the generated FlatBuffers builders.
type tTensor struct {
	name  string
	shape []int
	typ   TensorType
	data  []byte // nil: a runtime tensor
	scale []float32
	zero  []int64
	qdim  int
	sig   []int // shape_signature
}

type tOp struct {
	code       int
	ins, outs  []int
	opts       func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT)
	custom     string // a CUSTOM operator's name
	customOpts []byte
	version    int // the operator code's version (0: 1)
}

type tModel struct {
	tensors         []tTensor
	ops             []tOp
	inputs, outputs []int
	version         uint32 // 0: 3
	// external stores every buffer's data after the FlatBuffer (Buffer
	// offset and size), as the converter does for models over 2 GB.
	external bool
}

// add appends a tensor and returns its index.
func (m *tModel) add(t tTensor) int {
	m.tensors = append(m.tensors, t)
	return len(m.tensors) - 1
}

func (m *tModel) runtime(name string, shape ...int) int {
	return m.add(tTensor{name: name, shape: shape})
}

func (m *tModel) f32(name string, data []float32, shape ...int) int {
	return m.add(tTensor{name: name, shape: shape, data: f32bytes(data)})
}

func (m *tModel) i32(name string, data []int32, shape ...int) int {
	return m.add(tTensor{name: name, shape: shape, typ: TensorTypeINT32, data: i32bytes(data)})
}

func (m *tModel) op(code int, ins, outs []int, opts func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT)) {
	m.ops = append(m.ops, tOp{code: code, ins: ins, outs: outs, opts: opts})
}

func f32bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func i32bytes(v []int32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return b
}

func (m *tModel) bytes() []byte {
	if !m.external {
		return m.build(nil)
	}
	// Two passes: the FlatBuffer's size does not depend on the offsets'
	// values, so the first pass (offsets 2) gives where the data starts.
	first := m.build(func(int) uint64 { return 2 })
	offs := map[int]uint64{}
	end := uint64(len(first))
	var tail []byte
	for i, t := range m.tensors {
		if t.data == nil {
			continue
		}
		pad := (16 - end%16) % 16
		tail = append(tail, make([]byte, pad)...)
		end += pad
		offs[i] = end
		tail = append(tail, t.data...)
		end += uint64(len(t.data))
	}
	fb := m.build(func(i int) uint64 { return offs[i] })
	if len(fb) != len(first) {
		panic("FlatBuffer size changed between passes")
	}
	return append(fb, tail[:]...)
}

// build writes the FlatBuffer; offset, when set, places tensor i's data
// outside it.
func (m *tModel) build(offset func(i int) uint64) []byte {
	b := flatbuffers.NewBuilder(1024)
	ints := func(v []int, start func(*flatbuffers.Builder, int) flatbuffers.UOffsetT) flatbuffers.UOffsetT {
		start(b, len(v))
		for i := len(v) - 1; i >= 0; i-- {
			b.PrependInt32(int32(v[i]))
		}
		return b.EndVector(len(v))
	}
	// Buffers: 0 is the empty sentinel, then one per constant tensor.
	bufIdx := map[int]int{}
	var bufs []flatbuffers.UOffsetT
	BufferStart(b)
	bufs = append(bufs, BufferEnd(b))
	for i, t := range m.tensors {
		if t.data == nil {
			continue
		}
		var data flatbuffers.UOffsetT
		if offset == nil {
			data = b.CreateByteVector(t.data)
		}
		BufferStart(b)
		if offset == nil {
			BufferAddData(b, data)
		} else {
			BufferAddOffset(b, offset(i))
			BufferAddSize(b, uint64(len(t.data)))
		}
		bufIdx[i] = len(bufs)
		bufs = append(bufs, BufferEnd(b))
	}
	var tens []flatbuffers.UOffsetT
	for i, t := range m.tensors {
		name := b.CreateString(t.name)
		shape := ints(t.shape, TensorStartShapeVector)
		var sig flatbuffers.UOffsetT
		if t.sig != nil {
			sig = ints(t.sig, TensorStartShapeSignatureVector)
		}
		var q flatbuffers.UOffsetT
		if t.scale != nil {
			QuantizationParametersStartScaleVector(b, len(t.scale))
			for k := len(t.scale) - 1; k >= 0; k-- {
				b.PrependFloat32(t.scale[k])
			}
			sc := b.EndVector(len(t.scale))
			QuantizationParametersStartZeroPointVector(b, len(t.zero))
			for k := len(t.zero) - 1; k >= 0; k-- {
				b.PrependInt64(t.zero[k])
			}
			zp := b.EndVector(len(t.zero))
			QuantizationParametersStart(b)
			QuantizationParametersAddScale(b, sc)
			QuantizationParametersAddZeroPoint(b, zp)
			QuantizationParametersAddQuantizedDimension(b, int32(t.qdim))
			q = QuantizationParametersEnd(b)
		}
		TensorStart(b)
		TensorAddShape(b, shape)
		TensorAddType(b, t.typ)
		TensorAddName(b, name)
		if k, ok := bufIdx[i]; ok {
			TensorAddBuffer(b, uint32(k))
		}
		if q != 0 {
			TensorAddQuantization(b, q)
		}
		if sig != 0 {
			TensorAddShapeSignature(b, sig)
		}
		tens = append(tens, TensorEnd(b))
	}
	type code struct {
		builtin int
		custom  string
		version int
	}
	codeIdx := map[code]int{}
	var codes []code
	var ops []flatbuffers.UOffsetT
	for _, o := range m.ops {
		k := code{o.code, o.custom, o.version}
		if _, ok := codeIdx[k]; !ok {
			codeIdx[k] = len(codes)
			codes = append(codes, k)
		}
		ins := ints(o.ins, OperatorStartInputsVector)
		outs := ints(o.outs, OperatorStartOutputsVector)
		var copts flatbuffers.UOffsetT
		if o.customOpts != nil {
			copts = b.CreateByteVector(o.customOpts)
		}
		var typ BuiltinOptions
		var opt flatbuffers.UOffsetT
		if o.opts != nil {
			typ, opt = o.opts(b)
		}
		OperatorStart(b)
		OperatorAddOpcodeIndex(b, uint32(codeIdx[k]))
		if copts != 0 {
			OperatorAddCustomOptions(b, copts)
		}
		OperatorAddInputs(b, ins)
		OperatorAddOutputs(b, outs)
		if opt != 0 {
			OperatorAddBuiltinOptionsType(b, typ)
			OperatorAddBuiltinOptions(b, opt)
		}
		ops = append(ops, OperatorEnd(b))
	}
	var occ []flatbuffers.UOffsetT
	for _, c := range codes {
		var name flatbuffers.UOffsetT
		if c.custom != "" {
			name = b.CreateString(c.custom)
		}
		OperatorCodeStart(b)
		OperatorCodeAddDeprecatedBuiltinCode(b, int8(min(c.builtin, 127)))
		OperatorCodeAddBuiltinCode(b, int32(c.builtin))
		if name != 0 {
			OperatorCodeAddCustomCode(b, name)
		}
		if c.version > 0 {
			OperatorCodeAddVersion(b, int32(c.version))
		}
		occ = append(occ, OperatorCodeEnd(b))
	}
	vec := func(start func(*flatbuffers.Builder, int) flatbuffers.UOffsetT, v []flatbuffers.UOffsetT) flatbuffers.UOffsetT {
		start(b, len(v))
		for i := len(v) - 1; i >= 0; i-- {
			b.PrependUOffsetT(v[i])
		}
		return b.EndVector(len(v))
	}
	tv := vec(SubGraphStartTensorsVector, tens)
	ov := vec(SubGraphStartOperatorsVector, ops)
	iv := ints(m.inputs, SubGraphStartInputsVector)
	outv := ints(m.outputs, SubGraphStartOutputsVector)
	SubGraphStart(b)
	SubGraphAddTensors(b, tv)
	SubGraphAddInputs(b, iv)
	SubGraphAddOutputs(b, outv)
	SubGraphAddOperators(b, ov)
	sg := SubGraphEnd(b)
	sgv := vec(ModelStartSubgraphsVector, []flatbuffers.UOffsetT{sg})
	cv := vec(ModelStartOperatorCodesVector, occ)
	bv := vec(ModelStartBuffersVector, bufs)
	desc := b.CreateString("test model")
	ModelStart(b)
	v := m.version
	if v == 0 {
		v = 3
	}
	ModelAddVersion(b, v)
	ModelAddOperatorCodes(b, cv)
	ModelAddSubgraphs(b, sgv)
	ModelAddDescription(b, desc)
	ModelAddBuffers(b, bv)
	b.FinishWithFileIdentifier(ModelEnd(b), []byte("TFL3"))
	return b.FinishedBytes()
}

// Option builders.

func convOpts(pad Padding, sh, sw int, act ActivationFunctionType, dh, dw int) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		Conv2DOptionsStart(b)
		Conv2DOptionsAddPadding(b, pad)
		Conv2DOptionsAddStrideH(b, int32(sh))
		Conv2DOptionsAddStrideW(b, int32(sw))
		Conv2DOptionsAddFusedActivationFunction(b, act)
		Conv2DOptionsAddDilationHFactor(b, int32(dh))
		Conv2DOptionsAddDilationWFactor(b, int32(dw))
		return BuiltinOptionsConv2DOptions, Conv2DOptionsEnd(b)
	}
}

func dwOpts(pad Padding, sh, sw, mult int, act ActivationFunctionType, dh, dw int) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		DepthwiseConv2DOptionsStart(b)
		DepthwiseConv2DOptionsAddPadding(b, pad)
		DepthwiseConv2DOptionsAddStrideH(b, int32(sh))
		DepthwiseConv2DOptionsAddStrideW(b, int32(sw))
		DepthwiseConv2DOptionsAddDepthMultiplier(b, int32(mult))
		DepthwiseConv2DOptionsAddFusedActivationFunction(b, act)
		DepthwiseConv2DOptionsAddDilationHFactor(b, int32(dh))
		DepthwiseConv2DOptionsAddDilationWFactor(b, int32(dw))
		return BuiltinOptionsDepthwiseConv2DOptions, DepthwiseConv2DOptionsEnd(b)
	}
}

func poolOpts(pad Padding, kh, kw, sh, sw int, act ActivationFunctionType) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		Pool2DOptionsStart(b)
		Pool2DOptionsAddPadding(b, pad)
		Pool2DOptionsAddFilterHeight(b, int32(kh))
		Pool2DOptionsAddFilterWidth(b, int32(kw))
		Pool2DOptionsAddStrideH(b, int32(sh))
		Pool2DOptionsAddStrideW(b, int32(sw))
		Pool2DOptionsAddFusedActivationFunction(b, act)
		return BuiltinOptionsPool2DOptions, Pool2DOptionsEnd(b)
	}
}

func addOpts(act ActivationFunctionType) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		AddOptionsStart(b)
		AddOptionsAddFusedActivationFunction(b, act)
		return BuiltinOptionsAddOptions, AddOptionsEnd(b)
	}
}

func fcOpts(act ActivationFunctionType) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		FullyConnectedOptionsStart(b)
		FullyConnectedOptionsAddFusedActivationFunction(b, act)
		return BuiltinOptionsFullyConnectedOptions, FullyConnectedOptionsEnd(b)
	}
}

func softmaxOpts(beta float32) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		SoftmaxOptionsStart(b)
		SoftmaxOptionsAddBeta(b, beta)
		return BuiltinOptionsSoftmaxOptions, SoftmaxOptionsEnd(b)
	}
}

func concatOpts(axis int) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		ConcatenationOptionsStart(b)
		ConcatenationOptionsAddAxis(b, int32(axis))
		return BuiltinOptionsConcatenationOptions, ConcatenationOptionsEnd(b)
	}
}

func reducerOpts(keep bool) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		ReducerOptionsStart(b)
		ReducerOptionsAddKeepDims(b, keep)
		return BuiltinOptionsReducerOptions, ReducerOptionsEnd(b)
	}
}

func bilinearOpts(align, half bool) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		ResizeBilinearOptionsStart(b)
		ResizeBilinearOptionsAddAlignCorners(b, align)
		ResizeBilinearOptionsAddHalfPixelCenters(b, half)
		return BuiltinOptionsResizeBilinearOptions, ResizeBilinearOptionsEnd(b)
	}
}

func nearestOpts(align, half bool) func(*flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (BuiltinOptions, flatbuffers.UOffsetT) {
		ResizeNearestNeighborOptionsStart(b)
		ResizeNearestNeighborOptionsAddAlignCorners(b, align)
		ResizeNearestNeighborOptionsAddHalfPixelCenters(b, half)
		return BuiltinOptionsResizeNearestNeighborOptions, ResizeNearestNeighborOptionsEnd(b)
	}
}

func randVals(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// run decodes a model and runs it on x (NHWC, as TFLite takes it),
// returning every output in TFLite's layout (NHWC for maps).
func run(t *testing.T, m *tModel, x []float32) (*graph.Graph, [][]float32) {
	t.Helper()
	g, err := Decode(m.bytes(), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := m.tensors[m.inputs[0]].shape
	if len(in) == 4 {
		x = nhwcToNCHW(x, in)
	}
	p, err := engine.Compile(g, 1)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := p.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	var outs [][]float32
	for _, o := range g.Outputs {
		v := vals[o]
		d := v.Data
		if len(v.Shape) == 4 {
			d = nchwToNHWC(d, v.Shape)
		}
		outs = append(outs, d)
	}
	return g, outs
}

func nhwcToNCHW(x []float32, s []int) []float32 {
	n, h, w, c := s[0], s[1], s[2], s[3]
	out := make([]float32, len(x))
	for a := 0; a < n; a++ {
		for y := 0; y < h; y++ {
			for i := 0; i < w; i++ {
				for k := 0; k < c; k++ {
					out[((a*c+k)*h+y)*w+i] = x[((a*h+y)*w+i)*c+k]
				}
			}
		}
	}
	return out
}

func nchwToNHWC(x []float32, s []int) []float32 {
	n, c, h, w := s[0], s[1], s[2], s[3]
	out := make([]float32, len(x))
	for a := 0; a < n; a++ {
		for k := 0; k < c; k++ {
			for y := 0; y < h; y++ {
				for i := 0; i < w; i++ {
					out[((a*h+y)*w+i)*c+k] = x[((a*c+k)*h+y)*w+i]
				}
			}
		}
	}
	return out
}

func near(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

// ---- reference kernels on NHWC data, written from TFLite's definitions ----

// pads returns TFLite's SAME/VALID output size and leading pad for one axis.
func samePad(in, k, s, d int, same bool) (out, before int) {
	ek := (k-1)*d + 1
	if !same {
		return (in-ek)/s + 1, 0
	}
	out = (in + s - 1) / s
	total := max(0, (out-1)*s+ek-in)
	return out, total / 2
}

// refConv is TFLite's CONV_2D (groups when the filter has fewer input
// channels than x) and, with depthwise set, DEPTHWISE_CONV_2D (filter
// [1, kh, kw, c·mult]).
func refConv(x []float32, xs []int, w []float32, ws []int, bias []float32, sh, sw, dh, dw int, same, depthwise bool) ([]float32, []int) {
	h, wd, c := xs[1], xs[2], xs[3]
	var oc, kh, kw, ic int
	if depthwise {
		kh, kw, oc, ic = ws[1], ws[2], ws[3], 1
	} else {
		oc, kh, kw, ic = ws[0], ws[1], ws[2], ws[3]
	}
	oh, pt := samePad(h, kh, sh, dh, same)
	ow, pl := samePad(wd, kw, sw, dw, same)
	out := make([]float32, oh*ow*oc)
	for y := 0; y < oh; y++ {
		for xx := 0; xx < ow; xx++ {
			for o := 0; o < oc; o++ {
				var s float64
				if bias != nil {
					s = float64(bias[o])
				}
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						iy, ix := y*sh-pt+ky*dh, xx*sw-pl+kx*dw
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							continue
						}
						if depthwise {
							ch := o / (oc / c)
							s += float64(x[(iy*wd+ix)*c+ch]) * float64(w[(ky*kw+kx)*oc+o])
							continue
						}
						g := o / (oc / (c / ic))
						for i := 0; i < ic; i++ {
							s += float64(x[(iy*wd+ix)*c+g*ic+i]) * float64(w[((o*kh+ky)*kw+kx)*ic+i])
						}
					}
				}
				out[(y*ow+xx)*oc+o] = float32(s)
			}
		}
	}
	return out, []int{1, oh, ow, oc}
}

// refPool is TFLite's MAX_POOL_2D / AVERAGE_POOL_2D (the average over the
// cells inside the input).
func refPool(x []float32, xs []int, kh, kw, sh, sw int, same, avg bool) ([]float32, []int) {
	h, wd, c := xs[1], xs[2], xs[3]
	oh, pt := samePad(h, kh, sh, 1, same)
	ow, pl := samePad(wd, kw, sw, 1, same)
	out := make([]float32, oh*ow*c)
	for y := 0; y < oh; y++ {
		for xx := 0; xx < ow; xx++ {
			for k := 0; k < c; k++ {
				m, s, n := float32(math.Inf(-1)), 0.0, 0
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						iy, ix := y*sh-pt+ky, xx*sw-pl+kx
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							continue
						}
						v := x[(iy*wd+ix)*c+k]
						m = max(m, v)
						s += float64(v)
						n++
					}
				}
				if avg {
					out[(y*ow+xx)*c+k] = float32(s / float64(n))
				} else {
					out[(y*ow+xx)*c+k] = m
				}
			}
		}
	}
	return out, []int{1, oh, ow, c}
}

func mapVals(x []float32, f func(float32) float32) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = f(v)
	}
	return out
}

func relu6(v float32) float32 { return min(max(v, 0), 6) }
func relu(v float32) float32  { return max(v, 0) }
func hardSwish(v float32) float32 {
	return v * relu6(v+3) / 6
}

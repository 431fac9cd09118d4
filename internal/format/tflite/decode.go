package tflite

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// tensorInfo is what the importer keeps of one TFLite tensor.
type tensorInfo struct {
	name  string
	shape []int // as the file gives it (NHWC for maps); -1 where free
	typ   TensorType
	// data is the raw constant data (nil for a runtime tensor).
	data  []byte
	quant *quantParams
	// alias, if ≥ 0, is the constant tensor this one is a dequantized copy
	// of (DEQUANTIZE of a constant: float16 or int8 weights).
	alias int
}

type quantParams struct {
	scale []float32
	zero  []int64
	dim   int
}

// value is a runtime tensor in the IR.
type value struct {
	name string
	// nhwc marks a rank-4 map: the IR holds it as NCHW, the file's shape
	// is NHWC.
	nhwc    bool
	unknown bool
}

type builder struct {
	buf       []byte
	o         format.Options
	g         *graph.Graph
	tensors   []tensorInfo
	vals      map[int]*value
	consts    map[int]string // constant tensors already made Const nodes, by IR layout
	names     *graph.Names   // node names
	vnames    *graph.Names   // value names
	quantized bool
	fp16      bool
}

// counted checks that n elements of size bytes can be in the file before
// a slice of them is allocated.
func (b *builder) counted(n, size int, what string) error {
	if n < 0 || int64(n)*int64(size) > int64(len(b.buf)) {
		return fmt.Errorf("%w: %s has %d entries, more than the file can hold", ErrMalformed, what, n)
	}
	return nil
}

func (b *builder) ints(n int, at func(int) int32, what string) ([]int, error) {
	if err := b.counted(n, 4, what); err != nil {
		return nil, err
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(at(i))
	}
	return out, nil
}

func decode(buf []byte, o format.Options) (*graph.Graph, error) {
	m := GetRootAsModel(buf, 0)
	if v := m.Version(); v != 3 {
		return nil, fmt.Errorf("TFLite schema version %d is not supported (convscope reads version 3)", v)
	}
	b := &builder{buf: buf, o: o, vals: map[int]*value{}, consts: map[int]string{}, names: graph.NewNames("_"), vnames: graph.NewNames("_")}
	if m.SubgraphsLength() < 1 {
		return nil, fmt.Errorf("the model has no subgraph")
	}
	var sg SubGraph
	if !m.Subgraphs(&sg, 0) {
		return nil, fmt.Errorf("%w: no main subgraph", ErrMalformed)
	}
	if err := b.readTensors(m, &sg); err != nil {
		return nil, err
	}
	codes, err := b.readCodes(m)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(string(m.Description()))
	if sgn := string(sg.Name()); sgn != "" && name == "" {
		name = sgn
	}
	if name == "" {
		name = "tflite model"
	}
	b.g = &graph.Graph{Name: name}
	ins, err := b.ints(sg.InputsLength(), sg.Inputs, "the subgraph's input list")
	if err != nil {
		return nil, err
	}
	if len(ins) == 0 {
		return nil, fmt.Errorf("the model's main subgraph has no input")
	}
	for k, ti := range ins {
		if err := b.addInput(k, ti); err != nil {
			return nil, err
		}
	}
	nops := sg.OperatorsLength()
	if nops > graph.DefaultLimits.MaxNodes {
		return nil, fmt.Errorf("the model has %d operators, more than the limit of %d", nops, graph.DefaultLimits.MaxNodes)
	}
	if err := b.counted(nops, 4, "the operator list"); err != nil {
		return nil, err
	}
	var op Operator
	for i := 0; i < nops; i++ {
		if !sg.Operators(&op, i) {
			return nil, fmt.Errorf("%w: operator %d is missing", ErrMalformed, i)
		}
		oc := int(op.OpcodeIndex())
		if oc >= len(codes) {
			return nil, fmt.Errorf("operator %d refers to operator code %d of %d", i, oc, len(codes))
		}
		if err := b.operator(i, &op, codes[oc]); err != nil {
			return nil, err
		}
	}
	outs, err := b.ints(sg.OutputsLength(), sg.Outputs, "the subgraph's output list")
	if err != nil {
		return nil, err
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("the model's main subgraph has no output")
	}
	for _, ti := range outs {
		v, err := b.runtime(ti)
		if err != nil {
			return nil, fmt.Errorf("model output: %w", err)
		}
		b.g.Outputs = append(b.g.Outputs, v.name)
	}
	if err := b.g.Validate(); err != nil {
		return nil, err
	}
	if b.quantized {
		b.g.Notes = append(b.g.Notes, graph.NoteDequantized)
	}
	if b.fp16 {
		b.g.Notes = append(b.g.Notes, graph.NoteFloat16)
	}
	return b.g, nil
}

// opCode is a resolved operator code: the builtin's number and name, or a
// custom operator's name.
type opCode struct {
	builtin int
	name    string
	custom  string // a custom operator's name
}

func (b *builder) readCodes(m *Model) ([]opCode, error) {
	n := m.OperatorCodesLength()
	if err := b.counted(n, 4, "the operator code list"); err != nil {
		return nil, err
	}
	codes := make([]opCode, n)
	var c OperatorCode
	for i := range codes {
		if !m.OperatorCodes(&c, i) {
			return nil, fmt.Errorf("%w: operator code %d is missing", ErrMalformed, i)
		}
		// The builtin code is the larger of the old byte field and the
		// newer int field (the converter writes the byte saturated at
		// 127, PLACEHOLDER_FOR_GREATER_OP_CODES).
		code := max(int(c.DeprecatedBuiltinCode()), int(c.BuiltinCode()))
		codes[i] = opCode{builtin: code, name: builtinName(code)}
		if code == opCUSTOM {
			codes[i].custom = printable(c.CustomCode())
			codes[i].name = "CUSTOM " + codes[i].custom
		}
	}
	return codes, nil
}

// printable keeps a name from the file displayable: at most 200 bytes,
// control characters replaced.
func printable(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(string(b), "?"))
}

func (b *builder) readTensors(m *Model, sg *SubGraph) error {
	n := sg.TensorsLength()
	if n > MaxTensors {
		return fmt.Errorf("the model has %d tensors, more than the limit of %d", n, MaxTensors)
	}
	if err := b.counted(n, 4, "the tensor list"); err != nil {
		return err
	}
	nbuf := m.BuffersLength()
	b.tensors = make([]tensorInfo, n)
	var t Tensor
	var qp QuantizationParameters
	var bf Buffer
	for i := range b.tensors {
		if !sg.Tensors(&t, i) {
			return fmt.Errorf("%w: tensor %d is missing", ErrMalformed, i)
		}
		ti := tensorInfo{name: printable(t.Name()), typ: t.Type(), alias: -1}
		if ti.name == "" {
			ti.name = fmt.Sprintf("tensor_%d", i)
		}
		var err error
		if ti.shape, err = b.ints(t.ShapeLength(), t.Shape, "a tensor shape"); err != nil {
			return err
		}
		if len(ti.shape) > 8 {
			return fmt.Errorf("tensor %q has rank %d, more than 8", ti.name, len(ti.shape))
		}
		if sl := t.ShapeSignatureLength(); sl == len(ti.shape) {
			sig, err := b.ints(sl, t.ShapeSignature, "a tensor shape signature")
			if err != nil {
				return err
			}
			for k, d := range sig {
				if d < 0 {
					ti.shape[k] = -1
				}
			}
		}
		for _, d := range ti.shape {
			if d < -1 {
				return fmt.Errorf("tensor %q has a negative dimension in shape %v", ti.name, ti.shape)
			}
		}
		if t.Sparsity(nil) != nil {
			return fmt.Errorf("tensor %q is sparse; sparse TFLite tensors are not supported", ti.name)
		}
		if q := t.Quantization(&qp); q != nil && q.ScaleLength() > 0 {
			sc := q.ScaleLength()
			if err := b.counted(sc, 4, "quantization scales"); err != nil {
				return err
			}
			p := &quantParams{scale: make([]float32, sc), dim: int(q.QuantizedDimension())}
			for k := range p.scale {
				p.scale[k] = q.Scale(k)
			}
			zl := q.ZeroPointLength()
			if err := b.counted(zl, 8, "quantization zero points"); err != nil {
				return err
			}
			p.zero = make([]int64, zl)
			for k := range p.zero {
				p.zero[k] = q.ZeroPoint(k)
			}
			ti.quant = p
		}
		if bi := int(t.Buffer()); bi != 0 {
			if bi >= nbuf {
				return fmt.Errorf("tensor %q refers to buffer %d of %d", ti.name, bi, nbuf)
			}
			if !m.Buffers(&bf, bi) {
				return fmt.Errorf("%w: buffer %d is missing", ErrMalformed, bi)
			}
			if ti.data, err = b.bufferBytes(&bf, bi); err != nil {
				return err
			}
		}
		b.tensors[i] = ti
	}
	return nil
}

// bufferBytes returns a buffer's bytes: its data vector, or the range
// offset/size of the file past the FlatBuffer (models over 2 GB).
func (b *builder) bufferBytes(bf *Buffer, i int) ([]byte, error) {
	if d := bf.DataBytes(); len(d) > 0 {
		return d, nil
	}
	off, size := bf.Offset(), bf.Size()
	if off <= 1 {
		return nil, nil // offset 0 or 1: no data (1 marks an empty buffer)
	}
	if off > uint64(len(b.buf)) || size > uint64(len(b.buf))-off {
		return nil, fmt.Errorf("%w: buffer %d's data (bytes %d to %d) lies outside the file of %d bytes", ErrMalformed, i, off, off+size, len(b.buf))
	}
	return b.buf[off : off+size], nil
}

// addInput adds the subgraph input k, tensor ti, as a graph input: a rank-4
// NHWC input becomes NCHW, its free dimensions (after the batch) filled from
// o.Input.
func (b *builder) addInput(k, ti int) error {
	t, err := b.tensor(ti)
	if err != nil {
		return err
	}
	if t.data != nil {
		return fmt.Errorf("model input %q is a constant", t.name)
	}
	shape := graph.Shape(append([]int(nil), t.shape...))
	nhwc := len(shape) == 4
	if nhwc {
		shape = graph.Shape{shape[0], shape[3], shape[1], shape[2]}
	}
	if len(shape) > 0 && shape[0] < 0 {
		shape[0] = -1
	}
	if k == 0 {
		if shape, err = format.FillInput(t.name, shape, b.o.Input); err != nil {
			return err
		}
	}
	if t.quant != nil && t.typ != TensorTypeFLOAT32 {
		b.quantized = true
	}
	name := b.vnames.Unique(t.name)
	b.g.Inputs = append(b.g.Inputs, graph.Value{Name: name, Shape: shape})
	b.vals[ti] = &value{name: name, nhwc: nhwc}
	return nil
}

// tensor returns tensor i (an index from the file, checked).
func (b *builder) tensor(i int) (*tensorInfo, error) {
	if i < 0 || i >= len(b.tensors) {
		return nil, fmt.Errorf("tensor index %d is out of range (%d tensors)", i, len(b.tensors))
	}
	return &b.tensors[i], nil
}

// isConst reports whether tensor i holds constant data (itself or through
// a DEQUANTIZE).
func (b *builder) isConst(i int) bool {
	if i < 0 || i >= len(b.tensors) {
		return false
	}
	t := &b.tensors[i]
	return t.data != nil || t.alias >= 0
}

// constant decodes constant tensor i to float32 (dequantized), in the
// file's layout and shape, charging its bytes to the budget.
func (b *builder) constant(i int) (*graph.Tensor, error) {
	t, err := b.tensor(i)
	if err != nil {
		return nil, err
	}
	src := t
	if t.alias >= 0 {
		src = &b.tensors[t.alias]
	}
	if src.data == nil {
		return nil, fmt.Errorf("tensor %q has no constant data", t.name)
	}
	shape := src.shape
	n := 1
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("constant %q has a free dimension in shape %v", t.name, shape)
		}
		if d > 0 && n > math.MaxInt32/d {
			return nil, fmt.Errorf("constant %q of shape %v is too large", t.name, shape)
		}
		n *= d
	}
	size := elemSize(src.typ)
	if size == 0 {
		return nil, fmt.Errorf("constant %q has type %s, which convscope cannot read", t.name, typeName(src.typ))
	}
	if len(src.data) != n*size {
		return nil, fmt.Errorf("constant %q of shape %v and type %s needs %d bytes, its buffer has %d", t.name, shape, typeName(src.typ), n*size, len(src.data))
	}
	if err := b.o.Budget.Take(int64(n)*4, fmt.Sprintf("constant %q", t.name)); err != nil {
		return nil, err
	}
	out := &graph.Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
	d := src.data
	le := binary.LittleEndian
	raw := func(k int) float64 {
		switch src.typ {
		case TensorTypeFLOAT32:
			return float64(math.Float32frombits(le.Uint32(d[4*k:])))
		case TensorTypeFLOAT16:
			return float64(half(le.Uint16(d[2*k:])))
		case TensorTypeFLOAT64:
			return math.Float64frombits(le.Uint64(d[8*k:]))
		case TensorTypeINT8:
			return float64(int8(d[k]))
		case TensorTypeUINT8:
			return float64(d[k])
		case TensorTypeINT16:
			return float64(int16(le.Uint16(d[2*k:])))
		case TensorTypeINT32:
			return float64(int32(le.Uint32(d[4*k:])))
		case TensorTypeINT64:
			return float64(int64(le.Uint64(d[8*k:])))
		case TensorTypeBOOL:
			if d[k] != 0 {
				return 1
			}
		}
		return 0
	}
	q := src.quant
	isFloat := src.typ == TensorTypeFLOAT32 || src.typ == TensorTypeFLOAT16 || src.typ == TensorTypeFLOAT64
	if q == nil || isFloat {
		for k := range out.Data {
			out.Data[k] = float32(raw(k))
		}
		if src.typ == TensorTypeFLOAT16 {
			b.fp16 = true
		}
		return out, nil
	}
	// Dequantize: f = scale·(q − zero_point), per channel of dimension
	// q.dim when there are several scales.
	b.quantized = true
	stride, channels := 1, 1
	if len(q.scale) > 1 {
		if q.dim < 0 || q.dim >= len(shape) || shape[q.dim] != len(q.scale) {
			return nil, fmt.Errorf("constant %q of shape %v has %d quantization scales along dimension %d", t.name, shape, len(q.scale), q.dim)
		}
		channels = len(q.scale)
		for _, dd := range shape[q.dim+1:] {
			stride *= dd
		}
	}
	if len(q.zero) != 0 && len(q.zero) != len(q.scale) {
		return nil, fmt.Errorf("constant %q has %d quantization scales but %d zero points", t.name, len(q.scale), len(q.zero))
	}
	for k := range out.Data {
		c := (k / stride) % channels
		var zp int64
		if len(q.zero) > 0 {
			zp = q.zero[c]
		}
		out.Data[k] = float32(float64(q.scale[c]) * (raw(k) - float64(zp)))
	}
	return out, nil
}

// intConst reads a small integer constant (axes, a shape, paddings) as it
// is stored, without dequantizing.
func (b *builder) intConst(i int) ([]int, error) {
	t, err := b.tensor(i)
	if err != nil {
		return nil, err
	}
	if t.data == nil {
		return nil, fmt.Errorf("tensor %q must be a constant", t.name)
	}
	var size int
	switch t.typ {
	case TensorTypeINT32:
		size = 4
	case TensorTypeINT64:
		size = 8
	default:
		return nil, fmt.Errorf("tensor %q has type %s, not an integer type", t.name, typeName(t.typ))
	}
	n := len(t.data) / size
	if n > 1<<16 {
		return nil, fmt.Errorf("integer constant %q has %d entries", t.name, n)
	}
	out := make([]int, n)
	for k := range out {
		if size == 4 {
			out[k] = int(int32(binary.LittleEndian.Uint32(t.data[4*k:])))
		} else {
			v := int64(binary.LittleEndian.Uint64(t.data[8*k:]))
			if v > math.MaxInt32 || v < math.MinInt32 {
				return nil, fmt.Errorf("integer constant %q holds %d, out of range", t.name, v)
			}
			out[k] = int(v)
		}
	}
	return out, nil
}

func elemSize(t TensorType) int {
	switch t {
	case TensorTypeFLOAT32, TensorTypeINT32:
		return 4
	case TensorTypeFLOAT16, TensorTypeINT16:
		return 2
	case TensorTypeINT8, TensorTypeUINT8, TensorTypeBOOL:
		return 1
	case TensorTypeINT64, TensorTypeFLOAT64:
		return 8
	}
	return 0
}

func typeName(t TensorType) string {
	if s, ok := EnumNamesTensorType[t]; ok {
		return s
	}
	return fmt.Sprintf("type %d", t)
}

// half converts an IEEE 754 binary16 value to float32.
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf, NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0:
		if frac == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: frac·2^-24.
		f := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// options reads an operator's builtin options table of the wanted type;
// it returns false when the operator has none (the defaults apply) and an
// error when it has options of another type.
func options(op *Operator, want BuiltinOptions, tab interface {
	Init([]byte, flatbuffers.UOffsetT)
}, kind string) (bool, error) {
	typ := op.BuiltinOptionsType()
	if typ == BuiltinOptionsNONE {
		return false, nil
	}
	if typ != want {
		return false, fmt.Errorf("%s has options of type %d, not %s", kind, typ, EnumNamesBuiltinOptions[want])
	}
	var t flatbuffers.Table
	if !op.BuiltinOptions(&t) {
		return false, nil
	}
	tab.Init(t.Bytes, t.Pos)
	return true, nil
}

// runtime returns the value of tensor i for a model output: an operator's
// result, an input, or a constant (as a Const node).
func (b *builder) runtime(i int) (*value, error) {
	t, err := b.tensor(i)
	if err != nil {
		return nil, err
	}
	if v, ok := b.vals[i]; ok {
		return v, nil
	}
	if b.isConst(i) {
		name, err := b.constNode(i, false)
		if err != nil {
			return nil, err
		}
		return &value{name: name}, nil
	}
	return nil, fmt.Errorf("tensor %q is written by no operator", t.name)
}

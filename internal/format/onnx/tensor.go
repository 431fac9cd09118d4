package onnx

import (
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

// Tensor is a tensor whose value is known at import time: an initializer, a
// Constant, a folded constant subgraph, a known input value or a test data
// file. Floating-point element types are held in Floats (as float32),
// integer and boolean types in Ints; the other slice is nil.
type Tensor struct {
	Name   string
	Type   TensorProto_DataType
	Shape  []int
	Floats []float32
	Ints   []int64
	// batch marks integer elements that are the model's dynamic batch size
	// (folded from a Shape of a tensor with a symbolic first dimension),
	// so that a Reshape can keep the batch dynamic. Nil when none is.
	batch []bool
}

// isBatch reports whether element i is the dynamic batch size.
func (t *Tensor) isBatch(i int) bool { return t.batch != nil && i < len(t.batch) && t.batch[i] }

// markBatch records whether element i of t is the batch size.
func (t *Tensor) markBatch(i int, b bool) {
	if !b {
		return
	}
	if t.batch == nil {
		t.batch = make([]bool, t.Len())
	}
	t.batch[i] = true
}

// Len is the number of elements.
func (t *Tensor) Len() int {
	if t.IsFloat() {
		return len(t.Floats)
	}
	return len(t.Ints)
}

// IsFloat reports whether the element type is a floating-point type.
func (t *Tensor) IsFloat() bool { return isFloatType(t.Type) }

func isFloatType(dt TensorProto_DataType) bool {
	switch dt {
	case TensorProto_FLOAT, TensorProto_DOUBLE, TensorProto_FLOAT16, TensorProto_BFLOAT16:
		return true
	}
	return false
}

// Float32 returns the values as float32 (converting integers; the Floats
// slice itself when the type is a float type).
func (t *Tensor) Float32() []float32 {
	if t.IsFloat() {
		return t.Floats
	}
	f := make([]float32, len(t.Ints))
	for i, v := range t.Ints {
		f[i] = float32(v)
	}
	return f
}

// Int64 returns the values as int64 (truncating floats).
func (t *Tensor) Int64() []int64 {
	if !t.IsFloat() {
		return t.Ints
	}
	v := make([]int64, len(t.Floats))
	for i, f := range t.Floats {
		v[i] = int64(f)
	}
	return v
}

// at returns element i as a float64.
func (t *Tensor) at(i int) float64 {
	if t.IsFloat() {
		return float64(t.Floats[i])
	}
	return float64(t.Ints[i])
}

// ReadTensor decodes a serialized TensorProto (the input_N.pb and
// output_N.pb files of the ONNX backend tests). Data stored externally is
// not supported here.
func ReadTensor(data []byte) (*Tensor, error) {
	tp := &TensorProto{}
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, tp); err != nil {
		return nil, fmt.Errorf("not a valid ONNX TensorProto: %w", err)
	}
	return decodeTensor(tp, nil, format.NewBudget(0, ""))
}

// DefaultMaxElems is the default bound on the tensor data one import may
// decode or compute, in float32 elements: Options.MaxElems × 4 bytes make the
// import's format.Budget when Options.Budget is nil (4 GiB).
const DefaultMaxElems = format.DefaultImportBytes / 4

// heldSize is the bytes one element of type dt takes in a Tensor: floats
// are held as float32, integers and booleans as int64.
func heldSize(dt TensorProto_DataType) int64 {
	if isFloatType(dt) {
		return 4
	}
	return 8
}

// take charges a tensor of n elements of type dt and the given shape to the
// import's budget, before it is allocated. It is the one check every tensor
// the importer allocates passes (decodeTensor and newTensor call it).
func take(b *format.Budget, dt TensorProto_DataType, n int64, shape []int) error {
	if n > graph.DefaultLimits.MaxTensorElems {
		return fmt.Errorf("tensor of shape %v has more than %d elements", graph.Shape(shape), graph.DefaultLimits.MaxTensorElems)
	}
	return b.Take(n*heldSize(dt), fmt.Sprintf("a tensor of shape %v (%s)", graph.Shape(shape), dt))
}

// elems checks dimensions (non-negative, no overflow, within the element
// limit) and returns their product.
func elems(dims []int64) ([]int, int64, error) {
	shape := make([]int, len(dims))
	n := int64(1)
	for i, d := range dims {
		if d < 0 {
			return nil, 0, fmt.Errorf("negative dimension in %v", dims)
		}
		if d > 0 && n > graph.DefaultLimits.MaxTensorElems/d {
			return nil, 0, fmt.Errorf("shape %v has more than %d elements", dims, graph.DefaultLimits.MaxTensorElems)
		}
		n *= d
		shape[i] = int(d)
	}
	if n > graph.DefaultLimits.MaxTensorElems {
		return nil, 0, fmt.Errorf("shape %v has more than %d elements", dims, graph.DefaultLimits.MaxTensorElems)
	}
	return shape, n, nil
}

// elemSize is the byte size of one element in raw_data.
func elemSize(dt TensorProto_DataType) int {
	switch dt {
	case TensorProto_FLOAT, TensorProto_INT32, TensorProto_UINT32:
		return 4
	case TensorProto_DOUBLE, TensorProto_INT64, TensorProto_UINT64:
		return 8
	case TensorProto_UINT8, TensorProto_INT8, TensorProto_BOOL:
		return 1
	case TensorProto_UINT16, TensorProto_INT16, TensorProto_FLOAT16, TensorProto_BFLOAT16:
		return 2
	}
	return 0
}

// externalReader reads tensor data stored in a file beside the model.
type externalReader func(location string, offset, length int64) ([]byte, error)

// fsExternal reads external data from files in dir of fsys.
func fsExternal(fsys fs.FS, dir string) externalReader {
	return func(location string, offset, length int64) ([]byte, error) {
		name := path.Join(dir, location)
		if !fs.ValidPath(name) || path.IsAbs(location) {
			return nil, fmt.Errorf("external data location %q is outside the model's directory", location)
		}
		f, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if offset > 0 {
			if s, ok := f.(io.Seeker); ok {
				if _, err := s.Seek(offset, io.SeekStart); err != nil {
					return nil, err
				}
			} else if _, err := io.CopyN(io.Discard, f, offset); err != nil {
				return nil, fmt.Errorf("external data %s: offset %d is past the end", location, offset)
			}
		}
		b := make([]byte, length)
		if _, err := io.ReadFull(f, b); err != nil {
			return nil, fmt.Errorf("external data %s: %d bytes at offset %d: %w", location, length, offset, err)
		}
		return b, nil
	}
}

// decodeTensor converts a TensorProto, checking its size against its dims
// before allocating anything.
func decodeTensor(tp *TensorProto, ext externalReader, b *format.Budget) (*Tensor, error) {
	name := tp.GetName()
	fail := func(format string, a ...any) error {
		if name == "" {
			return fmt.Errorf("tensor: "+format, a...)
		}
		return fmt.Errorf("tensor %q: "+format, append([]any{name}, a...)...)
	}
	shape, n, err := elems(tp.GetDims())
	if err != nil {
		return nil, fail("%v", err)
	}
	dt := TensorProto_DataType(tp.GetDataType())
	size := elemSize(dt)
	if size == 0 {
		return nil, fail("element type %s is not supported", dt)
	}
	if tp.Segment != nil {
		return nil, fail("segmented tensors are not supported")
	}
	raw := tp.GetRawData()
	hasRaw := tp.RawData != nil
	if tp.GetDataLocation() == TensorProto_EXTERNAL {
		var loc string
		offset, length := int64(0), int64(-1)
		for _, kv := range tp.GetExternalData() {
			switch kv.GetKey() {
			case "location":
				loc = kv.GetValue()
			case "offset":
				offset, err = strconv.ParseInt(kv.GetValue(), 10, 64)
			case "length":
				length, err = strconv.ParseInt(kv.GetValue(), 10, 64)
			}
			if err != nil {
				return nil, fail("external data %s: %v", kv.GetKey(), err)
			}
		}
		if length < 0 {
			length = n * int64(size)
		}
		if loc == "" || offset < 0 || length != n*int64(size) {
			return nil, fail("external data (location %q, offset %d, length %d) does not hold %d elements of %s", loc, offset, length, n, dt)
		}
		if ext == nil {
			return nil, fail("data is stored in external file %q, which cannot be read here", loc)
		}
		if err := b.ReadOnce(path.Clean(loc), offset, length); err != nil {
			return nil, fail("external data: %v", err)
		}
		if err := b.Take(length, "external data "+loc); err != nil {
			return nil, fail("%w", err)
		}
		if err := take(b, dt, n, shape); err != nil {
			return nil, fail("%w", err)
		}
		raw, err = ext(loc, offset, length)
		if err != nil {
			return nil, fail("%v", err)
		}
		hasRaw = true
	} else if err := take(b, dt, n, shape); err != nil {
		return nil, fail("%w", err)
	}
	t := &Tensor{Name: name, Type: dt, Shape: shape}
	if hasRaw {
		if int64(len(raw)) != n*int64(size) {
			return nil, fail("raw data has %d bytes, shape %v of %s needs %d", len(raw), graph.Shape(shape), dt, n*int64(size))
		}
		decodeRaw(t, raw, int(n))
		return t, nil
	}
	count := func(have int) error {
		if int64(have) != n {
			return fail("has %d values, shape %v needs %d", have, graph.Shape(shape), n)
		}
		return nil
	}
	switch dt {
	case TensorProto_FLOAT:
		if err := count(len(tp.FloatData)); err != nil {
			return nil, err
		}
		t.Floats = append([]float32(nil), tp.FloatData...)
	case TensorProto_DOUBLE:
		if err := count(len(tp.DoubleData)); err != nil {
			return nil, err
		}
		t.Floats = make([]float32, n)
		for i, v := range tp.DoubleData {
			t.Floats[i] = float32(v)
		}
	case TensorProto_INT64:
		if err := count(len(tp.Int64Data)); err != nil {
			return nil, err
		}
		t.Ints = append([]int64(nil), tp.Int64Data...)
	case TensorProto_UINT32, TensorProto_UINT64:
		if err := count(len(tp.Uint64Data)); err != nil {
			return nil, err
		}
		t.Ints = make([]int64, n)
		for i, v := range tp.Uint64Data {
			t.Ints[i] = int64(v)
		}
	case TensorProto_FLOAT16, TensorProto_BFLOAT16:
		if err := count(len(tp.Int32Data)); err != nil {
			return nil, err
		}
		t.Floats = make([]float32, n)
		for i, v := range tp.Int32Data {
			t.Floats[i] = halfToFloat(dt, uint16(v))
		}
	default: // the small integer types and bool live in int32_data
		if err := count(len(tp.Int32Data)); err != nil {
			return nil, err
		}
		t.Ints = make([]int64, n)
		for i, v := range tp.Int32Data {
			t.Ints[i] = int64(v)
		}
	}
	return t, nil
}

// decodeRaw fills t from little-endian raw bytes holding n elements.
func decodeRaw(t *Tensor, raw []byte, n int) {
	le := binary.LittleEndian
	if t.IsFloat() {
		t.Floats = make([]float32, n)
	} else {
		t.Ints = make([]int64, n)
	}
	for i := 0; i < n; i++ {
		switch t.Type {
		case TensorProto_FLOAT:
			t.Floats[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		case TensorProto_DOUBLE:
			t.Floats[i] = float32(math.Float64frombits(le.Uint64(raw[8*i:])))
		case TensorProto_FLOAT16, TensorProto_BFLOAT16:
			t.Floats[i] = halfToFloat(t.Type, le.Uint16(raw[2*i:]))
		case TensorProto_INT64, TensorProto_UINT64:
			t.Ints[i] = int64(le.Uint64(raw[8*i:]))
		case TensorProto_INT32:
			t.Ints[i] = int64(int32(le.Uint32(raw[4*i:])))
		case TensorProto_UINT32:
			t.Ints[i] = int64(le.Uint32(raw[4*i:]))
		case TensorProto_INT16:
			t.Ints[i] = int64(int16(le.Uint16(raw[2*i:])))
		case TensorProto_UINT16:
			t.Ints[i] = int64(le.Uint16(raw[2*i:]))
		case TensorProto_INT8:
			t.Ints[i] = int64(int8(raw[i]))
		case TensorProto_UINT8:
			t.Ints[i] = int64(raw[i])
		case TensorProto_BOOL:
			if raw[i] != 0 {
				t.Ints[i] = 1
			}
		}
	}
}

// halfToFloat converts IEEE half-precision or bfloat16 bits to float32.
func halfToFloat(dt TensorProto_DataType, h uint16) float32 {
	if dt == TensorProto_BFLOAT16 {
		return math.Float32frombits(uint32(h) << 16)
	}
	return tensor.HalfToFloat(h)
}

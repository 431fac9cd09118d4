package onnx

import (
	"fmt"
	"io/fs"
	"path"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

func init() { format.Register("onnx", sniff, load) }

// MaxFileSize is the largest model file Load reads: protobuf messages cannot
// exceed 2 GiB (bigger models keep their weights in external data files).
const MaxFileSize = 2<<30 - 1

// Options tune Decode.
type Options struct {
	// Known holds values of graph inputs by name. Where an operator needs
	// a static operand (Reshape's shape, Clip's bounds from opset 11, a Conv
	// weight fed as an input, ...) and that operand is a graph input with a
	// known value, the importer folds the value as a constant. The input
	// stays in Graph.Inputs: feed the same value at run time. The ONNX
	// backend tests need this; ordinary models do not.
	Known map[string]*Tensor
	// Shapes overrides the declared shapes of graph inputs, which fixes
	// symbolic dimensions.
	Shapes map[string][]int
	// Input, if set, is the per-image size of the first graph input: it
	// fills the dimensions past the batch that the file leaves symbolic
	// and must agree with the ones it fixes (format.FillInput).
	Input []int
	// FS and Dir locate tensor data stored in external files (Dir is the
	// model's directory in FS). Without FS such models are refused.
	FS  fs.FS
	Dir string
	// Budget bounds the bytes of tensor data the import decodes or
	// computes (each float element is 4 bytes, each integer 8; external
	// data is counted too). When nil, a budget of MaxElems × 4 bytes is
	// used (DefaultMaxElems when 0).
	Budget   *format.Budget
	MaxElems int64
	// Partial keeps a node the importer cannot convert (an unknown
	// operator, an unsupported form of one) and every node that reads its
	// outputs as graph.Unknown nodes instead of failing with an
	// UnsupportedError, so that the model can be shown (not run). The file
	// loader sets it.
	Partial bool
}

// load is the format.Loader: it reads the file and any external data beside
// it through fsys.
func load(fsys fs.FS, name string, o format.Options) (*graph.Graph, error) {
	b, err := format.ReadFile(fsys, name, MaxFileSize)
	if err != nil {
		return nil, err
	}
	return Decode(b, Options{FS: fsys, Dir: path.Dir(name), Budget: o.Budget, Input: o.Input, Partial: true})
}

// Decode imports a serialized ModelProto into the IR.
func Decode(data []byte, opts Options) (*graph.Graph, error) {
	m, err := decodeModel(data)
	if err != nil {
		return nil, err
	}
	return importModel(m, opts)
}

func decodeModel(data []byte) (*ModelProto, error) {
	m := &ModelProto{}
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("not a valid ONNX model: %w", err)
	}
	if m.Graph == nil {
		return nil, fmt.Errorf("not a valid ONNX model: it has no graph")
	}
	return m, nil
}

// InputInfo describes a graph input that is not an initializer.
type InputInfo struct {
	Name string
	Type TensorProto_DataType
	// Shape is the declared shape; -1 marks a symbolic or unknown
	// dimension. Nil when the model declares no shape.
	Shape []int
}

// Inputs lists the inputs a model must be fed (its graph inputs that are not
// initializers), in order, without importing it.
func Inputs(data []byte) ([]InputInfo, error) {
	m, err := decodeModel(data)
	if err != nil {
		return nil, err
	}
	init := map[string]bool{}
	for _, t := range m.Graph.GetInitializer() {
		init[t.GetName()] = true
	}
	var out []InputInfo
	for _, in := range m.Graph.GetInput() {
		if init[in.GetName()] {
			continue
		}
		info := InputInfo{Name: in.GetName()}
		if tt := in.GetType().GetTensorType(); tt != nil {
			info.Type = TensorProto_DataType(tt.GetElemType())
			if tt.Shape != nil {
				info.Shape = make([]int, len(tt.Shape.GetDim()))
				for i, d := range tt.Shape.GetDim() {
					info.Shape[i] = -1
					if v, ok := d.GetValue().(*TensorShapeProto_Dimension_DimValue); ok && v.DimValue >= 0 && v.DimValue <= 1<<31 {
						info.Shape[i] = int(v.DimValue)
					}
				}
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// sniff accepts the .onnx extension, or bytes that start like a ModelProto:
// an ir_version field with a plausible value followed by well-formed
// ModelProto fields up to the end of the head.
func sniff(name string, head []byte) bool {
	if format.HasExt(name, ".onnx") {
		return true
	}
	num, typ, n := protowire.ConsumeTag(head)
	if n < 0 || num != 1 || typ != protowire.VarintType {
		return false
	}
	v, m := protowire.ConsumeVarint(head[n:])
	if m < 0 || v < 1 || v > 64 {
		return false
	}
	b := head[n+m:]
	fields := 0
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		want, known := modelFields[num]
		if !known || want != typ {
			return false
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			// The head may cut the last field short; require that at
			// least one other field was complete.
			return fields > 0 || num == 7 || num == 8
		}
		b = b[n+m:]
		fields++
	}
	return fields > 0
}

// modelFields are ModelProto's field numbers and wire types.
var modelFields = map[protowire.Number]protowire.Type{
	1: protowire.VarintType, 2: protowire.BytesType, 3: protowire.BytesType,
	4: protowire.BytesType, 5: protowire.VarintType, 6: protowire.BytesType,
	7: protowire.BytesType, 8: protowire.BytesType, 14: protowire.BytesType,
	20: protowire.BytesType, 25: protowire.BytesType,
}

package tflite

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"runtime"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

func init() { format.Register("tflite", Sniff, load) }

// MaxFileSize is the largest .tflite file Load reads. FlatBuffers offsets
// are 32-bit; bigger models keep their weights after the FlatBuffer, which
// this limit also bounds.
const MaxFileSize = 2 << 30

// MaxTensors bounds the tensor table of the main subgraph (its operators
// are bounded by graph.DefaultLimits.MaxNodes).
const MaxTensors = 1 << 20

// Sniff recognises a TFLite FlatBuffer by its file identifier "TFL3" at
// bytes 4 to 8, or by the .tflite extension.
func Sniff(name string, head []byte) bool {
	if len(head) >= 8 && string(head[4:8]) == "TFL3" {
		return true
	}
	return format.HasExt(name, ".tflite")
}

// Load reads a .tflite file from fsys within the default import budget.
func Load(fsys fs.FS, name string) (*graph.Graph, error) {
	return load(fsys, name, format.Options{Budget: format.NewBudget(0, "")})
}

func load(fsys fs.FS, name string, o format.Options) (*graph.Graph, error) {
	b, err := format.ReadFile(fsys, name, MaxFileSize)
	if err != nil {
		return nil, err
	}
	return Decode(b, o)
}

// ErrMalformed is wrapped by the error of a file whose FlatBuffer offsets
// or lengths point outside it.
var ErrMalformed = errors.New("malformed TFLite file")

// Decode reads a .tflite file's bytes into the IR: the main subgraph (the
// first), float32 tensors as they are, int8/uint8/int16/int32 tensors with
// quantization parameters and float16 tensors dequantized to float32, NHWC
// maps transposed to NCHW. Operators it cannot map become graph.Unknown
// nodes. The tensor data it materialises is charged to o.Budget (nil: the
// default budget).
func Decode(buf []byte, o format.Options) (g *graph.Graph, err error) {
	if o.Budget == nil {
		o.Budget = format.NewBudget(0, "")
	}
	if len(buf) < 8 {
		return nil, fmt.Errorf("%w: %d bytes are too few for a FlatBuffer", ErrMalformed, len(buf))
	}
	if !bytes.Equal(buf[4:8], []byte("TFL3")) {
		return nil, fmt.Errorf("not a TFLite model: the file identifier is %q, not \"TFL3\"", buf[4:8])
	}
	// The generated FlatBuffers accessors index the byte slice without
	// checks of their own: an offset that points outside the file panics
	// with a runtime error, which becomes the error of a malformed file.
	// Lengths are checked against the file before anything is allocated
	// from them (counted), so a bad length cannot allocate either.
	defer func() {
		if r := recover(); r != nil {
			re, ok := r.(runtime.Error)
			if !ok {
				panic(r)
			}
			g, err = nil, fmt.Errorf("%w: an offset or length points outside the file (%v)", ErrMalformed, re)
		}
	}()
	return decode(buf, o)
}

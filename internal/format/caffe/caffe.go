package caffe

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
)

// Size limits of the files the loader reads.
const (
	MaxPrototxtBytes   = 64 << 20
	MaxCaffemodelBytes = 1 << 30
)

func init() {
	format.Register("caffe", Sniff, load)
}

// load is the format.Loader. Caffe weights are decoded by the protobuf
// reader, one float32 per stored value (no more bytes than the file); they
// are charged to the budget once read.
//
// An input size given (o.Input) replaces the first input's declared one:
// a Caffe network is reshaped to its input when it runs, so the size a
// prototxt declares is a default, not a constraint.
func load(fsys fs.FS, name string, o format.Options) (*graph.Graph, error) {
	b := o.Budget
	g, err := Load(fsys, name)
	if err != nil {
		return nil, err
	}
	if o.Input != nil && len(g.Inputs) > 0 {
		g.Inputs[0].Shape = append(graph.Shape{-1}, o.Input...)
	}
	var n int64
	for _, nd := range g.Nodes {
		for _, t := range nd.Params {
			n += 4 * int64(len(t.Data))
		}
	}
	if err := b.Take(n, "the weights"); err != nil {
		return nil, err
	}
	return g, nil
}

// prototxtHead matches the statements a network definition starts with.
var prototxtHead = regexp.MustCompile(`(?m)^\s*(layers?\s*\{|input\s*:|input_shape\s*\{|input_dim\s*:)`)

// Sniff reports whether a file looks like a Caffe network: a .prototxt or
// .caffemodel name, a .pt name with text content (not a binary PyTorch
// file), or text of any name whose first bytes hold a `layer {`,
// `layers {` or `input:` statement.
func Sniff(name string, head []byte) bool {
	if format.HasExt(name, ".prototxt", ".caffemodel") {
		return true
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	if format.HasExt(name, ".pt") {
		return true
	}
	// The head may end inside a multi-byte character.
	text := head
	for len(text) > 0 && !utf8.Valid(text) && len(head)-len(text) < 4 {
		text = text[:len(text)-1]
	}
	if !utf8.Valid(text) {
		return false
	}
	return prototxtHead.Match(text)
}

// Load reads the network named name from fsys: a prototxt, with the
// parameters of a .caffemodel of the same base name beside it when there is
// one; or a .caffemodel, with the structure of a .prototxt of the same base
// name when there is one (otherwise the structure stored in the caffemodel).
func Load(fsys fs.FS, name string) (*graph.Graph, error) {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	if strings.EqualFold(ext, ".caffemodel") {
		for _, p := range []string{base + ".prototxt", base + ".pt"} {
			if _, err := fs.Stat(fsys, p); err == nil {
				return LoadFiles(fsys, p, name)
			}
		}
		return LoadFiles(fsys, "", name)
	}
	weights := base + ".caffemodel"
	if _, err := fs.Stat(fsys, weights); err != nil {
		weights = ""
	}
	return LoadFiles(fsys, name, weights)
}

// LoadFiles reads a network from a prototxt and an optional caffemodel in
// fsys (either name may be empty, not both). Without a prototxt the
// structure comes from the caffemodel.
func LoadFiles(fsys fs.FS, prototxt, caffemodel string) (*graph.Graph, error) {
	var text, bin []byte
	var err error
	if prototxt != "" {
		if text, err = format.ReadFile(fsys, prototxt, MaxPrototxtBytes); err != nil {
			return nil, err
		}
	}
	if caffemodel != "" {
		if bin, err = format.ReadFile(fsys, caffemodel, MaxCaffemodelBytes); err != nil {
			return nil, err
		}
	}
	if prototxt == "" && caffemodel == "" {
		return nil, fmt.Errorf("caffe: no prototxt and no caffemodel given")
	}
	g, err := Parse(text, bin)
	if err != nil {
		return nil, err
	}
	if g.Name == "" {
		n := prototxt
		if n == "" {
			n = caffemodel
		}
		g.Name = strings.TrimSuffix(path.Base(n), path.Ext(n))
	}
	return g, nil
}

// ParseText parses a prototxt into a NetParameter. Unknown fields (layer
// parameters of forks, comments aside) are discarded.
func ParseText(text []byte) (*NetParameter, error) {
	text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
	net := &NetParameter{}
	if err := (prototext.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(text, net); err != nil {
		err = fmt.Errorf("parsing prototxt: %w", err)
		// prototext's errors are not typed; their messages place them with
		// "(line N:M)", which is read here, once, into a format.SyntaxError.
		if m := protoPosition.FindStringSubmatch(err.Error()); m != nil {
			l, _ := strconv.Atoi(m[1])
			c, _ := strconv.Atoi(m[2])
			if l > 0 {
				return nil, &format.SyntaxError{Line: l, Column: max(c, 0), Err: err}
			}
		}
		return nil, err
	}
	return net, nil
}

// protoPosition finds the position in prototext's error messages.
var protoPosition = regexp.MustCompile(`\(line (\d+):(\d+)\)`)

// ParseBinary parses a .caffemodel (a binary NetParameter).
func ParseBinary(bin []byte) (*NetParameter, error) {
	net := &NetParameter{}
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(bin, net); err != nil {
		return nil, fmt.Errorf("parsing caffemodel: %w", err)
	}
	return net, nil
}

// Parse builds the deploy network of a prototxt (text, may be nil when bin
// is given) with the parameters of a caffemodel (bin, may be nil). The
// graph is validated; when every input's size is known its shapes are
// inferred too, which checks the parameters' shapes.
func Parse(text, bin []byte) (*graph.Graph, error) {
	var def, weights *NetParameter
	var err error
	if text != nil {
		if def, err = ParseText(text); err != nil {
			return nil, err
		}
	}
	if bin != nil {
		if weights, err = ParseBinary(bin); err != nil {
			return nil, err
		}
	}
	if def == nil {
		if weights == nil {
			return nil, fmt.Errorf("caffe: nothing to parse")
		}
		def = weights
	}
	return Build(def, weights)
}

// Build converts a network definition into the IR, taking parameters from
// the blobs stored in def itself and in weights (optional; matched by layer
// name, weights winning).
func Build(def, weights *NetParameter) (*graph.Graph, error) {
	b := newBuilder(def)
	if err := b.build(); err != nil {
		return nil, err
	}
	if err := b.attachWeights(weights); err != nil {
		return nil, err
	}
	g := b.g
	if err := g.Validate(); err != nil {
		return nil, err
	}
	known := true
	for _, in := range g.Inputs {
		if len(in.Shape) == 0 {
			known = false
		}
		for _, d := range in.Shape[min(1, len(in.Shape)):] {
			if d <= 0 {
				known = false
			}
		}
	}
	if known {
		if _, err := g.InferPartial(1); err != nil {
			return nil, err
		}
	}
	return g, nil
}

package tfjs

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strings"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

func init() {
	format.Register("tfjs", Sniff, load)
}

// Limits on what Load reads.
const (
	MaxModelJSON   = 32 << 20 // bytes of model.json
	MaxWeightBytes = 1 << 30  // bytes of all shards together
	MaxLayers      = 10000
)

// Sniff recognises a TF.js model.json: JSON whose first keys include
// modelTopology, format or weightsManifest.
func Sniff(name string, head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(h) > 0 && h[0] == '[' {
		// A weights manifest alone (NAME-weights_manifest.json): read, to
		// be refused with a clear message.
		return bytes.Contains(head, []byte(`"paths"`)) && bytes.Contains(head, []byte(`"weights"`))
	}
	if len(h) == 0 || h[0] != '{' {
		return false
	}
	return bytes.Contains(head, []byte(`"modelTopology"`)) || bytes.Contains(head, []byte(`"weightsManifest"`)) ||
		bytes.Contains(head, []byte(`"layers-model"`)) || (format.HasExt(name, ".json") && bytes.Contains(head, []byte(`"format"`)))
}

// Load reads model.json (name) and its weight shards from fsys, within
// format.DefaultImportBytes of weight data.
func Load(fsys fs.FS, name string) (*graph.Graph, error) {
	return load(fsys, name, format.Options{Budget: format.NewBudget(0, "")})
}

// LoadBudget is Load charging the weights it reads and decodes to b.
func LoadBudget(fsys fs.FS, name string, b *format.Budget) (*graph.Graph, error) {
	return load(fsys, name, format.Options{Budget: b})
}

// load is the format.Loader: the shards it reads and the float32 weights it
// decodes are charged to b.
func load(fsys fs.FS, name string, o format.Options) (*graph.Graph, error) {
	budget := o.Budget
	raw, err := format.ReadFile(fsys, name, MaxModelJSON)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimLeft(raw, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '[' {
		return nil, errors.New("the file holds weights (a TF.js weights manifest) but no network definition: load the model.json that lists this manifest, with its modelTopology")
	}
	var mf modelFile
	if err := json.Unmarshal(raw, &mf); err != nil {
		return nil, fmt.Errorf("model.json is not valid JSON: %w", err)
	}
	if len(mf.ModelTopology) == 0 || string(mf.ModelTopology) == "null" {
		if len(mf.WeightsManifest) > 0 {
			return nil, errors.New("the file holds weights (a weightsManifest) but no network definition (no modelTopology): load the model.json that has both")
		}
		return nil, errors.New("model.json has no modelTopology")
	}
	if mf.Format == "graph-model" || isGraphDef(mf.ModelTopology) {
		weights, err := readWeights(fsys, path.Dir(name), mf.WeightsManifest, budget)
		if err != nil {
			return nil, err
		}
		sig := mf.Signature
		if md := mf.UserDefinedMetadata; md != nil && len(md.Signature) > 0 {
			sig = md.Signature // TF.js reads it in preference to the top-level one
		}
		g, err := loadGraphModel(mf.ModelTopology, signatureOutputs(sig), weights, o)
		if err != nil {
			return nil, err
		}
		if md := mf.UserDefinedMetadata; md != nil {
			g.Labels = md.Labels
		}
		return g, nil
	}
	g, err := fromTopology(mf.ModelTopology, func() (map[string]*graph.Tensor, error) {
		return readWeights(fsys, path.Dir(name), mf.WeightsManifest, budget)
	}, false, o)
	if err != nil {
		return nil, err
	}
	if md := mf.UserDefinedMetadata; md != nil {
		g.Labels = md.Labels
	}
	return g, nil
}

// fromTopology builds the graph of a Keras model config (a TF.js
// modelTopology, a .keras config.json, a legacy .h5 model_config) with its
// weights (Keras layout, by name; read once the config is). exact: the weights are named
// "<layer>/<kind>" with the layer's (flattened) name; otherwise by TF.js
// manifest names, whose path segments include the layer's name.
func fromTopology(top json.RawMessage, readWeights func() (map[string]*graph.Tensor, error), exact bool, o format.Options) (*graph.Graph, error) {
	layers, inputs, outputs, modelName, err := parseTopology(top)
	if err != nil {
		return nil, err
	}
	weights, err := readWeights()
	if err != nil {
		return nil, err
	}
	b := &builder{weights: weights, values: map[string]string{}, rank: map[string]int{}, names: graph.NewNames("_"), used: map[string]bool{}, input: o.Input, exact: exact}
	g, err := b.build(modelName, layers, inputs, outputs)
	if err != nil {
		return nil, err
	}
	for wname := range weights {
		if !b.used[wname] {
			return nil, fmt.Errorf("weight %q belongs to no layer convscope read", wname)
		}
	}
	return g, nil
}

// isGraphDef reports whether a modelTopology is a GraphDef ({"node": [...]})
// rather than a Keras model config.
func isGraphDef(raw json.RawMessage) bool {
	var probe struct {
		Node      json.RawMessage `json:"node"`
		ClassName json.RawMessage `json:"class_name"`
	}
	return json.Unmarshal(raw, &probe) == nil && len(probe.Node) > 0 && len(probe.ClassName) == 0
}

// kLayer is a Keras layer with its resolved inbound layer names.
type kLayer struct {
	layer
	inbound []string
}

func parseTopology(raw json.RawMessage) (layers []kLayer, inputs, outputs []string, name string, err error) {
	var top topology
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, nil, nil, "", fmt.Errorf("modelTopology: %w", err)
	}
	mc := top.modelConfig
	if top.ModelConfig != nil {
		mc = *top.ModelConfig
	}
	if layers, inputs, outputs, name, err = parseModel(mc.ClassName, mc.Config); err != nil {
		return nil, nil, nil, "", err
	}
	if layers, inputs, outputs, err = flatten(layers, inputs, outputs, 0); err != nil {
		return nil, nil, nil, "", err
	}
	return layers, inputs, outputs, name, nil
}

// parseModel reads the config of a Sequential or functional model.
func parseModel(class string, config json.RawMessage) (layers []kLayer, inputs, outputs []string, name string, err error) {
	switch class {
	case "Sequential":
		var sc seqConfig
		if err := json.Unmarshal(config, &sc); err != nil {
			// Old Keras: the config is the list of layers.
			if err2 := json.Unmarshal(config, &sc.Layers); err2 != nil {
				return nil, nil, nil, "", fmt.Errorf("Sequential config: %w", err)
			}
		}
		if len(sc.Layers) == 0 {
			return nil, nil, nil, "", errors.New("Sequential model has no layers")
		}
		if len(sc.Layers) > MaxLayers {
			return nil, nil, nil, "", fmt.Errorf("model has %d layers, more than the limit of %d", len(sc.Layers), MaxLayers)
		}
		prev := ""
		for i, l := range sc.Layers {
			kl := kLayer{layer: l}
			if kl.Config.Name == "" {
				kl.Config.Name = fmt.Sprintf("layer_%d", i)
			}
			if l.ClassName == "InputLayer" {
				inputs = append(inputs, kl.Config.Name)
				prev = kl.Config.Name
				layers = append(layers, kl)
				continue
			}
			if prev == "" {
				// The first layer carries the input shape: make an explicit input.
				shape := firstNonNil(l.Config.BatchInputShape, l.Config.BatchShape, l.Config.InputShape, true)
				if shape == nil && isModel(l.ClassName) {
					shape = nestedInputShape(l)
				}
				in := kLayer{layer: layer{ClassName: "InputLayer", Config: layerConfig{Name: "input", BatchInputShape: shape}}}
				layers = append(layers, in)
				inputs = append(inputs, "input")
				prev = "input"
			}
			kl.inbound = []string{prev}
			layers = append(layers, kl)
			prev = kl.Config.Name
		}
		return layers, inputs, []string{prev}, sc.Name, nil
	case "Model", "Functional":
		var fc funcConfig
		if err := json.Unmarshal(config, &fc); err != nil {
			return nil, nil, nil, "", fmt.Errorf("Model config: %w", err)
		}
		if len(fc.Layers) > MaxLayers {
			return nil, nil, nil, "", fmt.Errorf("model has %d layers, more than the limit of %d", len(fc.Layers), MaxLayers)
		}
		for _, l := range fc.Layers {
			kl := kLayer{layer: l}
			if kl.Config.Name == "" {
				kl.Config.Name = l.Name
			}
			in, err := inboundNames(l.InboundNodes)
			if err != nil {
				return nil, nil, nil, "", graph.NodeErrorf(kl.Config.Name, "layer %q: %w", kl.Config.Name, err)
			}
			kl.inbound = in
			layers = append(layers, kl)
		}
		if inputs, err = historyNames(fc.InputLayers); err != nil {
			return nil, nil, nil, "", fmt.Errorf("input_layers: %w", err)
		}
		if outputs, err = historyNames(fc.OutputLayers); err != nil {
			return nil, nil, nil, "", fmt.Errorf("output_layers: %w", err)
		}
		return layers, inputs, outputs, fc.Name, nil
	case "":
		return nil, nil, nil, "", errors.New("modelTopology has no class_name")
	}
	return nil, nil, nil, "", fmt.Errorf("model class %q is not supported (Sequential, Model or Functional)", class)
}

// isModel reports whether a layer class is a model nested in a model.
func isModel(class string) bool {
	return class == "Sequential" || class == "Functional" || class == "Model"
}

// nestedInputShape is the input shape of a nested model's first input.
func nestedInputShape(l layer) []*int {
	layers, inputs, _, _, err := parseModel(l.ClassName, l.raw)
	if err != nil || len(inputs) == 0 {
		return nil
	}
	for _, il := range layers {
		if il.Config.Name == inputs[0] {
			return firstNonNil(il.Config.BatchInputShape, il.Config.BatchShape, il.Config.InputShape, true)
		}
	}
	return nil
}

// maxNesting bounds models nested in models.
const maxNesting = 8

// flatten replaces each nested model (a Sequential or functional model used
// as a layer) by its layers, named "<model>/<layer>": the nested model's
// inputs read what the model layer read, and layers reading the model
// layer read its output.
func flatten(layers []kLayer, inputs, outputs []string, depth int) ([]kLayer, []string, []string, error) {
	nested := false
	for _, l := range layers {
		nested = nested || isModel(l.ClassName)
	}
	if !nested {
		return layers, inputs, outputs, nil
	}
	if depth >= maxNesting {
		return nil, nil, nil, fmt.Errorf("models are nested more than %d deep", maxNesting)
	}
	alias := map[string]string{}
	var out []kLayer
	for _, l := range layers {
		if !isModel(l.ClassName) {
			out = append(out, l)
			continue
		}
		name := l.Config.Name
		inner, ins, outs, _, err := parseModel(l.ClassName, l.raw)
		if err == nil {
			inner, ins, outs, err = flatten(inner, ins, outs, depth+1)
		}
		if err != nil {
			return nil, nil, nil, graph.NodeErrorf(name, "nested model %q: %w", name, err)
		}
		if len(ins) != len(l.inbound) || len(outs) != 1 {
			return nil, nil, nil, graph.NodeErrorf(name, "nested model %q has %d inputs and %d outputs, called with %d inputs (one output is supported)", name, len(ins), len(outs), len(l.inbound))
		}
		if len(out)+len(inner) > MaxLayers {
			return nil, nil, nil, fmt.Errorf("model has more than %d layers", MaxLayers)
		}
		prefix := name + "/"
		for i, in := range ins {
			alias[prefix+in] = l.inbound[i]
		}
		for _, il := range inner {
			if slices.Contains(ins, il.Config.Name) {
				continue
			}
			il.Config.Name = prefix + il.Config.Name
			il.inbound = slices.Clone(il.inbound)
			for k := range il.inbound {
				il.inbound[k] = prefix + il.inbound[k]
			}
			out = append(out, il)
		}
		alias[name] = prefix + outs[0]
	}
	resolve := func(n string) string {
		for range maxNesting * 2 {
			a, ok := alias[n]
			if !ok {
				break
			}
			n = a
		}
		return n
	}
	for i := range out {
		for k := range out[i].inbound {
			out[i].inbound[k] = resolve(out[i].inbound[k])
		}
	}
	for i := range outputs {
		outputs[i] = resolve(outputs[i])
	}
	return out, inputs, outputs, nil
}

func firstNonNil(a, b, c []*int, addBatch bool) []*int {
	switch {
	case a != nil:
		return a
	case b != nil:
		return b
	case c != nil && addBatch:
		return append([]*int{nil}, c...)
	}
	return nil
}

// inboundNames extracts the layer names a functional layer reads, from the
// Keras 2 form [[["name", 0, 0, {}], …]] or the Keras 3 form
// [{"args": [...keras_history...]}]. Only the first call of a layer is
// supported.
func inboundNames(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var calls []json.RawMessage
	if err := json.Unmarshal(raw, &calls); err != nil {
		return nil, fmt.Errorf("inbound_nodes: %w", err)
	}
	if len(calls) == 0 {
		return nil, nil
	}
	if len(calls) > 1 {
		return nil, errors.New("a layer called more than once (shared layers) is not supported")
	}
	var k2 [][]any
	if err := json.Unmarshal(calls[0], &k2); err == nil {
		var names []string
		for _, e := range k2 {
			if len(e) < 1 {
				return nil, errors.New("empty inbound entry")
			}
			s, ok := e[0].(string)
			if !ok {
				return nil, errors.New("inbound entry without a layer name")
			}
			names = append(names, s)
		}
		return names, nil
	}
	var v any
	if err := json.Unmarshal(calls[0], &v); err != nil {
		return nil, err
	}
	var names []string
	collectHistory(v, &names, 0)
	if len(names) == 0 {
		return nil, errors.New("inbound_nodes names no layer")
	}
	return names, nil
}

// collectHistory finds every "keras_history": [name, …] in document order.
func collectHistory(v any, names *[]string, depth int) {
	if depth > 64 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if h, ok := x["keras_history"].([]any); ok && len(h) > 0 {
			if s, ok := h[0].(string); ok {
				*names = append(*names, s)
				return
			}
		}
		// Visit args before kwargs for a stable order.
		for _, k := range []string{"args", "config"} {
			if c, ok := x[k]; ok {
				collectHistory(c, names, depth+1)
			}
		}
	case []any:
		for _, e := range x {
			collectHistory(e, names, depth+1)
		}
	}
}

// historyNames reads input_layers / output_layers: [["name", 0, 0], …] or
// a single ["name", 0, 0].
func historyNames(raw json.RawMessage) ([]string, error) {
	var nested [][]any
	if err := json.Unmarshal(raw, &nested); err == nil {
		var names []string
		for _, e := range nested {
			if len(e) == 0 {
				continue
			}
			s, ok := e[0].(string)
			if !ok {
				return nil, errors.New("entry without a layer name")
			}
			names = append(names, s)
		}
		if len(names) > 0 {
			return names, nil
		}
	}
	var flat []any
	if err := json.Unmarshal(raw, &flat); err == nil && len(flat) > 0 {
		if s, ok := flat[0].(string); ok {
			return []string{s}, nil
		}
	}
	return nil, errors.New("no layer named")
}

// readWeights reads every shard and slices it into named Keras-layout
// tensors. Each shard may be listed once; the shard bytes and the decoded
// tensors are charged to budget before they are allocated.
func readWeights(fsys fs.FS, dir string, groups []weightGroup, budget *format.Budget) (map[string]*graph.Tensor, error) {
	out := map[string]*graph.Tensor{}
	var total int64
	for gi, grp := range groups {
		var buf []byte
		for _, p := range grp.Paths {
			if strings.Contains(p, "..") || path.IsAbs(p) || strings.Contains(p, "://") {
				return nil, fmt.Errorf("weight shard path %q is not a plain file name beside model.json", p)
			}
			file := path.Join(dir, p)
			if st, err := fs.Stat(fsys, file); err == nil {
				if err := budget.ReadOnce(path.Clean(file), 0, max(1, st.Size())); err != nil {
					return nil, fmt.Errorf("weight shard %q is listed more than once in weightsManifest", p)
				}
				if err := budget.Take(st.Size(), "weight shard "+p); err != nil {
					return nil, err
				}
			}
			b, err := format.ReadFile(fsys, file, MaxWeightBytes-total)
			if err != nil {
				return nil, fmt.Errorf("weight shard: %w", err)
			}
			total += int64(len(b))
			buf = append(buf, b...)
		}
		off := 0
		for _, w := range grp.Weights {
			n, err := numel(w.Shape)
			if err != nil {
				return nil, fmt.Errorf("weight %q: %w", w.Name, err)
			}
			dtype, size := w.Dtype, 4
			if w.Quantization != nil {
				dtype = w.Quantization.Dtype
				switch dtype {
				case "uint8":
					size = 1
				case "uint16", "float16":
					size = 2
				default:
					return nil, fmt.Errorf("weight %q: unknown quantization %q", w.Name, dtype)
				}
			} else if dtype != "float32" && dtype != "int32" && dtype != "" {
				return nil, fmt.Errorf("weight %q: dtype %q is not supported", w.Name, dtype)
			}
			if int64(n)*int64(size) > int64(len(buf)-off) {
				return nil, fmt.Errorf("weight %q needs %d bytes, but weight group %d has only %d left (shards %v): the weights file is shorter than the model says", w.Name, n*size, gi+1, len(buf)-off, grp.Paths)
			}
			if err := budget.Take(4*int64(n), fmt.Sprintf("weight %q (%d float32 values)", w.Name, n)); err != nil {
				return nil, err
			}
			t := &graph.Tensor{Shape: w.Shape, Data: make([]float32, n)}
			decode(t.Data, buf[off:off+n*size], dtype, w.Quantization)
			if w.Quantization != nil && w.Dtype == "int32" {
				// TF.js rounds dequantized int32 weights.
				for i, v := range t.Data {
					t.Data[i] = float32(math.Round(float64(v)))
				}
			}
			off += n * size
			if _, dup := out[w.Name]; dup {
				return nil, fmt.Errorf("weight %q appears twice in the manifest", w.Name)
			}
			out[w.Name] = t
		}
		if off != len(buf) {
			return nil, fmt.Errorf("weight group %d: shards hold %d bytes but the manifest describes %d", gi+1, len(buf), off)
		}
	}
	return out, nil
}

func numel(shape []int) (int, error) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d > 0 && n > graph.DefaultLimits.MaxTensorElems/int64(d) {
			return 0, fmt.Errorf("shape %v is too large", shape)
		}
		n *= int64(d)
	}
	return int(n), nil
}

func decode(dst []float32, b []byte, dtype string, q *quantization) {
	switch dtype {
	case "uint8":
		for i := range dst {
			dst[i] = float32(float64(b[i])*q.Scale + q.Min)
		}
	case "uint16":
		for i := range dst {
			dst[i] = float32(float64(binary.LittleEndian.Uint16(b[2*i:]))*q.Scale + q.Min)
		}
	case "float16":
		for i := range dst {
			dst[i] = tensor.HalfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case "int32":
		for i := range dst {
			dst[i] = float32(int32(binary.LittleEndian.Uint32(b[4*i:])))
		}
	default:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	}
}

package tfjs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/convscope/convscope/internal/graph"
)

// ShardName is the weight file Write produces beside model.json.
const ShardName = "group1-shard1of1.bin"

// Write saves g as a TF.js layers model: dir/model.json and dir/ShardName.
// The graph must consist of operators Keras can express (Conv, Dense,
// pooling, activations, channels-last Flatten, BatchNorm, Dropout, Add,
// Concat, Pad).
func Write(dir string, g *graph.Graph) error {
	js, bin, err := Marshal(g)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, ShardName), bin); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "model.json"), js)
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

type outLayer struct {
	ClassName    string         `json:"class_name"`
	Config       map[string]any `json:"config"`
	Name         string         `json:"name,omitempty"`
	InboundNodes [][][]any      `json:"inbound_nodes,omitempty"`
}

type marshaller struct {
	g        *graph.Graph
	shapes   map[string]graph.Shape
	layers   []outLayer
	manifest []weightSpec
	bin      []byte
	layerOf  map[string]string // IR value → Keras layer name
}

// Marshal returns model.json and the weight shard for g.
func Marshal(g *graph.Graph) (modelJSON, weights []byte, err error) {
	if len(g.Inputs) != 1 || len(g.Inputs[0].Shape) != 4 {
		return nil, nil, fmt.Errorf("tfjs: only models with one NCHW image input can be written")
	}
	shapes, err := g.InferShapes(1)
	if err != nil {
		return nil, nil, err
	}
	m := &marshaller{g: g, shapes: shapes, layerOf: map[string]string{}}
	in := g.Inputs[0]
	seq := isChain(g)
	inShape := []any{nil, in.Shape[2], in.Shape[3], in.Shape[1]}
	input := outLayer{ClassName: "InputLayer", Config: map[string]any{"name": in.Name, "batch_input_shape": inShape, "dtype": "float32"}}
	if !seq {
		input.Name = in.Name
	}
	m.layers = append(m.layers, input)
	m.layerOf[in.Name] = in.Name
	for _, n := range g.Nodes {
		l, err := m.node(n)
		if err != nil {
			return nil, nil, graph.NodeErrorf(n.Name, "tfjs: node %q (%s): %w", n.Name, n.Op.Kind(), err)
		}
		if !seq {
			var inbound [][]any
			for _, v := range n.Inputs {
				inbound = append(inbound, []any{m.layerOf[v], 0, 0, map[string]any{}})
			}
			l.Name = n.Name
			l.InboundNodes = [][][]any{inbound}
		}
		m.layers = append(m.layers, l)
		m.layerOf[n.Outputs[0]] = n.Name
	}
	var cfg modelConfig
	if seq {
		cfg.ClassName = "Sequential"
		cfg.Config, _ = json.Marshal(map[string]any{"name": nameOr(g.Name, "sequential"), "layers": m.layers})
	} else {
		var outs [][]any
		for _, o := range g.Outputs {
			outs = append(outs, []any{m.layerOf[o], 0, 0})
		}
		cfg.ClassName = "Model"
		cfg.Config, _ = json.Marshal(map[string]any{"name": nameOr(g.Name, "model"), "layers": m.layers,
			"input_layers": [][]any{{in.Name, 0, 0}}, "output_layers": outs})
	}
	doc := map[string]any{
		"format":          "layers-model",
		"generatedBy":     "convscope",
		"convertedBy":     nil,
		"modelTopology":   map[string]any{"keras_version": "2.2.4-tf", "backend": "tensorflow", "model_config": cfg},
		"weightsManifest": []weightGroup{{Paths: []string{ShardName}, Weights: m.manifest}},
	}
	if len(g.Labels) > 0 {
		doc["userDefinedMetadata"] = map[string]any{"labels": g.Labels}
	}
	js, err := json.Marshal(doc)
	return js, m.bin, err
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// isChain reports whether every node reads exactly the previous node's
// output (or the input, for the first) and the last node is the output.
func isChain(g *graph.Graph) bool {
	prev := g.Inputs[0].Name
	for _, n := range g.Nodes {
		if len(n.Inputs) != 1 || n.Inputs[0] != prev || len(n.Outputs) != 1 {
			return false
		}
		prev = n.Outputs[0]
	}
	return len(g.Outputs) == 1 && g.Outputs[0] == prev
}

func (m *marshaller) addWeight(layer, kind string, t *graph.Tensor) {
	m.manifest = append(m.manifest, weightSpec{Name: layer + "/" + kind, Shape: t.Shape, Dtype: "float32"})
	for _, v := range t.Data {
		m.bin = binary.LittleEndian.AppendUint32(m.bin, math.Float32bits(v))
	}
}

func (m *marshaller) node(n *graph.Node) (outLayer, error) {
	cfg := map[string]any{"name": n.Name, "trainable": true, "dtype": "float32"}
	l := outLayer{Config: cfg}
	xs := m.shapes[n.Inputs[0]]
	switch op := n.Op.(type) {
	case *graph.Conv:
		pad, err := kerasPadding(op.Window, xs, false)
		if err != nil {
			return l, err
		}
		cfg["kernel_size"], cfg["strides"], cfg["dilation_rate"] = op.Kernel[:], norm1(op.Stride), norm1(op.Dilation)
		cfg["padding"], cfg["data_format"], cfg["activation"], cfg["use_bias"] = pad, "channels_last", "linear", op.Bias
		w := n.Param("weight")
		cin := xs[1]
		switch g := max(1, op.Groups); {
		case g == 1:
			l.ClassName = "Conv2D"
			cfg["filters"] = op.OutChannels
			m.addWeight(n.Name, "kernel", oihwToHWIO(w))
		case g == cin && op.OutChannels%cin == 0:
			l.ClassName = "DepthwiseConv2D"
			cfg["depth_multiplier"] = op.OutChannels / cin
			m.addWeight(n.Name, "depthwise_kernel", oihwToDepthwise(w, cin))
		default:
			return l, fmt.Errorf("grouped convolution (%d groups) has no TF.js layer", g)
		}
		if op.Bias {
			m.addWeight(n.Name, "bias", n.Param("bias"))
		}
	case *graph.Dense:
		l.ClassName = "Dense"
		cfg["units"], cfg["activation"], cfg["use_bias"] = op.Units, "linear", op.Bias
		m.addWeight(n.Name, "kernel", transpose2(n.Param("weight")))
		if op.Bias {
			m.addWeight(n.Name, "bias", n.Param("bias"))
		}
	case *graph.Pool:
		if op.Global {
			return l, fmt.Errorf("global pooling is not written yet")
		}
		if op.Type == graph.AvgPool && op.CountIncludePad {
			return l, fmt.Errorf("average pooling that counts padding has no TF.js layer")
		}
		pad, err := kerasPadding(op.Window, xs, op.CeilMode)
		if err != nil {
			return l, err
		}
		l.ClassName = map[graph.PoolKind]string{graph.MaxPool: "MaxPooling2D", graph.AvgPool: "AveragePooling2D"}[op.Type]
		cfg["pool_size"], cfg["strides"], cfg["padding"], cfg["data_format"] = op.Kernel[:], norm1(op.Stride), pad, "channels_last"
	case *graph.Flatten:
		if !op.ChannelsLast && len(xs) == 4 && (xs[2] != 1 || xs[3] != 1) {
			return l, fmt.Errorf("a channels-first Flatten of a %v map has no Keras equivalent", xs)
		}
		l.ClassName = "Flatten"
		cfg["data_format"] = "channels_last"
	case *graph.Activation:
		l.ClassName = "Activation"
		switch name := kerasActivationName(op); {
		case name != "":
			cfg["activation"] = name
		case op.Func == graph.Elu:
			l.ClassName = "ELU"
			cfg["alpha"] = op.Alpha
		case op.Func == graph.LeakyRelu:
			l.ClassName = "LeakyReLU"
			cfg["alpha"] = op.Alpha
		default:
			return l, fmt.Errorf("activation %s (alpha %v, beta %v) has no TF.js equivalent here", op.Func, op.Alpha, op.Beta)
		}
	case *graph.Softmax:
		if op.Log || op.Axis != 1 {
			return l, fmt.Errorf("only softmax over channels can be written")
		}
		l.ClassName = "Activation"
		cfg["activation"] = "softmax"
	case *graph.BatchNorm:
		l.ClassName = "BatchNormalization"
		scale, center := n.Param("scale") != nil, n.Param("bias") != nil
		cfg["axis"], cfg["epsilon"], cfg["center"], cfg["scale"] = -1, op.Epsilon, center, scale
		for _, p := range [][2]string{{"scale", "gamma"}, {"bias", "beta"}, {"mean", "moving_mean"}, {"var", "moving_variance"}} {
			if t := n.Param(p[0]); t != nil {
				m.addWeight(n.Name, p[1], t)
			}
		}
	case *graph.Dropout:
		l.ClassName = "Dropout"
		cfg["rate"] = op.Ratio
	case *graph.Eltwise:
		if op.Type != graph.EltAdd || len(op.Coeffs) > 0 {
			return l, fmt.Errorf("element-wise %s is not written yet", op.Type)
		}
		l.ClassName = "Add"
	case *graph.Concat:
		if op.Axis != 1 {
			return l, fmt.Errorf("only channel concatenation can be written")
		}
		l.ClassName = "Concatenate"
		cfg["axis"] = -1
	default:
		if n.Op.Kind() == "Identity" { // what the reader makes of activation "linear"
			l.ClassName = "Activation"
			cfg["activation"] = "linear"
			break
		}
		return l, fmt.Errorf("operator %s has no TF.js layer", n.Op.Kind())
	}
	return l, nil
}

func norm1(p [2]int) []int {
	return []int{max(1, p[0]), max(1, p[1])}
}

// kerasPadding expresses a window's padding as Keras "valid" or "same".
func kerasPadding(w graph.Window, xs graph.Shape, ceil bool) (string, error) {
	if ceil {
		return "", fmt.Errorf("ceil rounding has no Keras equivalent")
	}
	switch w.AutoPad {
	case graph.PadValid:
		return "valid", nil
	case graph.PadSameUpper:
		return "same", nil
	}
	if w.Pads == [4]int{} {
		return "valid", nil
	}
	same := w
	same.AutoPad = graph.PadSameUpper
	r, _, _, err := same.Resolve(xs[2], xs[3], false)
	if err == nil && r.Pads == w.Pads {
		return "same", nil
	}
	return "", fmt.Errorf("padding %v is neither valid nor same", w.Pads)
}

func oihwToHWIO(w *graph.Tensor) *graph.Tensor {
	co, ci, kh, kw := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	k := graph.NewTensor(kh, kw, ci, co)
	for o := 0; o < co; o++ {
		for i := 0; i < ci; i++ {
			for y := 0; y < kh; y++ {
				for x := 0; x < kw; x++ {
					k.Data[((y*kw+x)*ci+i)*co+o] = w.Data[((o*ci+i)*kh+y)*kw+x]
				}
			}
		}
	}
	return k
}

func oihwToDepthwise(w *graph.Tensor, cin int) *graph.Tensor {
	co, kh, kw := w.Shape[0], w.Shape[2], w.Shape[3]
	mult := co / cin
	k := graph.NewTensor(kh, kw, cin, mult)
	for c := 0; c < cin; c++ {
		for j := 0; j < mult; j++ {
			for y := 0; y < kh; y++ {
				for x := 0; x < kw; x++ {
					k.Data[((y*kw+x)*cin+c)*mult+j] = w.Data[((c*mult+j)*kh+y)*kw+x]
				}
			}
		}
	}
	return k
}

package tfjs

import (
	"encoding/json"
	"fmt"
	"github.com/convscope/convscope/internal/format"
	"strings"

	"github.com/convscope/convscope/internal/graph"
)

// builder turns Keras layers into IR nodes.
type builder struct {
	g       graph.Graph
	weights map[string]*graph.Tensor // by manifest name, Keras layout
	used    map[string]bool
	values  map[string]string // Keras layer name → IR value of its output
	rank    map[string]int    // IR value → rank (batch included)
	names   *graph.Names      // node and value names taken
	unknown map[string]bool   // IR values of Unknown nodes (shape unknown)
	input   []int             // the first input's size (C,H,W), if given
	exact   bool              // weights are named "<layer>/<kind>" (Keras files)
	// layerNames are the model's layer names (owner finds them in TF.js
	// weight names); nestedNames maps the name a layer of a nested model
	// had in it to its flattened name, when no other layer had that name.
	layerNames  map[string]bool
	nestedNames map[string]string
}

func (b *builder) build(name string, layers []kLayer, inputs, outputs []string) (*graph.Graph, error) {
	b.g.Name = name
	byName := map[string]bool{}
	for _, l := range layers {
		if byName[l.Config.Name] {
			return nil, fmt.Errorf("two layers are named %q", l.Config.Name)
		}
		byName[l.Config.Name] = true
	}
	b.layerNames = byName
	b.nestedNames = map[string]string{}
	for n := range byName {
		if i := strings.LastIndexByte(n, '/'); i >= 0 {
			base := n[i+1:]
			if _, dup := b.nestedNames[base]; dup || byName[base] {
				b.nestedNames[base] = "" // ambiguous
			} else {
				b.nestedNames[base] = n
			}
		}
	}
	// Layers are listed in a valid order in Keras configs; still, resolve
	// lazily so an out-of-order list works and a cycle is reported.
	done := map[string]bool{}
	pending := layers
	for len(pending) > 0 {
		var next []kLayer
		for _, l := range pending {
			ready := true
			for _, in := range l.inbound {
				if !byName[in] {
					return nil, graph.NodeErrorf(l.Config.Name, "layer %q reads layer %q, which does not exist", l.Config.Name, in)
				}
				if !done[in] {
					ready = false
				}
			}
			if !ready {
				next = append(next, l)
				continue
			}
			if err := b.layer(l); err != nil {
				return nil, graph.NodeErrorf(l.Config.Name, "layer %q (%s): %w", l.Config.Name, l.ClassName, err)
			}
			done[l.Config.Name] = true
		}
		if len(next) == len(pending) {
			return nil, fmt.Errorf("layers form a cycle through %q", next[0].Config.Name)
		}
		pending = next
	}
	for _, in := range inputs {
		if _, ok := b.values[in]; !ok {
			return nil, fmt.Errorf("input layer %q does not exist", in)
		}
	}
	for _, out := range outputs {
		v, ok := b.values[out]
		if !ok {
			return nil, fmt.Errorf("output layer %q does not exist", out)
		}
		b.g.Outputs = append(b.g.Outputs, v)
	}
	if err := b.g.Validate(); err != nil {
		return nil, err
	}
	if _, err := b.g.InferPartial(1); err != nil {
		return nil, err
	}
	return &b.g, nil
}

// weight returns the Keras weight kind (kernel, bias, gamma, …) of layer.
func (b *builder) weight(layer, kind string) *graph.Tensor {
	for name, t := range b.weights {
		if l, k := b.owner(name); l == layer && k == kind {
			b.used[name] = true
			return t
		}
	}
	return nil
}

// owner returns the layer and weight kind of a weight name: "<layer>/<kind>"
// when exact; otherwise the last path segment is the kind and the layer is
// the segment among the others that names a layer of the model (TF.js
// manifest names: "<layer>/<kind>", "<model>/<layer>/<kind>",
// "<layer>/<layer>/<kind>").
func (b *builder) owner(name string) (layer, kind string) {
	name = strings.TrimSuffix(name, ":0")
	if b.exact {
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return "", name
		}
		return name[:i], name[i+1:]
	}
	segs := strings.Split(name, "/")
	if len(segs) < 2 {
		return "", name
	}
	kind = segs[len(segs)-1]
	for _, s := range segs[:len(segs)-1] {
		if b.layerNames[s] {
			return s, kind
		}
		// A layer of a nested model, flattened to "<model>/<layer>".
		if full := b.nestedNames[s]; full != "" {
			return full, kind
		}
	}
	return "", kind
}

func (b *builder) add(n *graph.Node, rank int) string {
	if len(n.Outputs) == 0 {
		n.Outputs = []string{n.Name}
	}
	b.g.Nodes = append(b.g.Nodes, n)
	b.names.Add(n.Name)
	for _, o := range n.Outputs {
		b.rank[o] = rank
		b.names.Add(o)
	}
	return n.Outputs[0]
}

// unique returns name, or name with a numeric suffix "_k" if a node or
// value has it (not taking it: add does, when the node joins the graph).
func (b *builder) unique(name string) string { return b.names.Free(name) }

// channelAxis maps a Keras (channels-last) axis of a rank-r tensor to NCHW.
func channelAxis(raw json.RawMessage, r int) (int, error) {
	axis := -1
	if len(raw) > 0 && string(raw) != "null" {
		var list []int
		if err := json.Unmarshal(raw, &axis); err != nil {
			if err := json.Unmarshal(raw, &list); err != nil || len(list) != 1 {
				return 0, fmt.Errorf("axis %s is not supported", raw)
			}
			axis = list[0]
		}
	}
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= r {
		return 0, fmt.Errorf("axis %s out of range for rank %d", raw, r)
	}
	if r == 4 {
		return [4]int{0, 2, 3, 1}[axis], nil
	}
	return axis, nil
}

func (b *builder) layer(l kLayer) error {
	c := l.Config
	name := c.Name
	if c.DataFormat == "channels_first" {
		return fmt.Errorf("data_format channels_first is not supported")
	}
	if l.ClassName == "InputLayer" {
		shape := firstNonNil(c.BatchInputShape, c.BatchShape, c.InputShape, true)
		if len(shape) < 2 {
			return fmt.Errorf("input has no shape")
		}
		dims := make(graph.Shape, len(shape))
		for i, d := range shape {
			switch {
			case i == 0:
				dims[0] = -1
			case d == nil || *d <= 0:
				dims[i] = -1 // free: the input size given fills it
			default:
				dims[i] = *d
			}
		}
		if len(dims) == 4 { // NHWC → NCHW
			dims = graph.Shape{-1, dims[3], dims[1], dims[2]}
		}
		var size []int
		if len(b.g.Inputs) == 0 {
			size = b.input
		}
		dims, err := format.FillInput(name, dims, size)
		if err != nil {
			return err
		}
		b.g.Inputs = append(b.g.Inputs, graph.Value{Name: name, Shape: dims})
		b.values[name] = name
		b.rank[name] = len(dims)
		b.names.Add(name)
		return nil
	}
	var ins []string
	for _, in := range l.inbound {
		ins = append(ins, b.values[in])
	}
	if len(ins) == 0 {
		return fmt.Errorf("layer has no input")
	}
	x := ins[0]
	r := b.rank[x]
	node := &graph.Node{Name: b.unique(name), Type: l.ClassName, Inputs: ins}
	for _, in := range ins {
		if b.unknown[in] {
			return b.unknownLayer(name, node, true)
		}
	}
	useBias := c.UseBias == nil || *c.UseBias
	var out string
	switch l.ClassName {
	case "Conv2D", "DepthwiseConv2D":
		if r != 4 {
			return fmt.Errorf("needs a 4-D input, got rank %d", r)
		}
		win, err := window(c, c.KernelSize.get(1))
		if err != nil {
			return err
		}
		conv := &graph.Conv{Window: win, Bias: useBias, Groups: max(1, c.Groups)}
		kernelName := "kernel"
		if l.ClassName == "DepthwiseConv2D" {
			kernelName = "depthwise_kernel"
		}
		k := b.weight(name, kernelName)
		if k == nil || len(k.Shape) != 4 {
			return fmt.Errorf("missing or malformed %s weights", kernelName)
		}
		var w *graph.Tensor
		if l.ClassName == "DepthwiseConv2D" {
			cin, mult := k.Shape[2], k.Shape[3]
			conv.Groups, conv.OutChannels = cin, cin*mult
			w = depthwiseToOIHW(k)
		} else {
			conv.OutChannels = k.Shape[3]
			if c.Filters != 0 && c.Filters != conv.OutChannels {
				return fmt.Errorf("filters %d but kernel shape %v", c.Filters, k.Shape)
			}
			w = hwioToOIHW(k)
		}
		node.Op, node.Params = conv, map[string]*graph.Tensor{"weight": w}
		if useBias {
			bias := b.weight(name, "bias")
			if bias == nil {
				return fmt.Errorf("missing bias weights")
			}
			node.Params["bias"] = bias
		}
		out = b.add(node, 4)
		return b.activation(name, out, c.Activation, 4)
	case "Dense":
		if r != 2 {
			return fmt.Errorf("Dense on a rank-%d input is not supported (add a Flatten)", r)
		}
		k := b.weight(name, "kernel")
		if k == nil || len(k.Shape) != 2 {
			return fmt.Errorf("missing or malformed kernel weights")
		}
		node.Op = &graph.Dense{Units: k.Shape[1], Bias: useBias}
		node.Params = map[string]*graph.Tensor{"weight": transpose2(k)}
		if useBias {
			bias := b.weight(name, "bias")
			if bias == nil {
				return fmt.Errorf("missing bias weights")
			}
			node.Params["bias"] = bias
		}
		out = b.add(node, 2)
		return b.activation(name, out, c.Activation, 2)
	case "MaxPooling2D", "AveragePooling2D":
		if r != 4 {
			return fmt.Errorf("needs a 4-D input, got rank %d", r)
		}
		k := c.PoolSize.get(2)
		cc := c
		if len(cc.Strides) == 0 {
			cc.Strides = intPair{k[0], k[1]}
		}
		win, err := window(cc, k)
		if err != nil {
			return err
		}
		kind := graph.MaxPool
		if l.ClassName == "AveragePooling2D" {
			kind = graph.AvgPool
		}
		node.Op = &graph.Pool{Window: win, Type: kind}
		out = b.add(node, 4)
	case "GlobalAveragePooling2D", "GlobalMaxPooling2D":
		kind := graph.MaxPool
		if l.ClassName == "GlobalAveragePooling2D" {
			kind = graph.AvgPool
		}
		if c.Keepdims {
			node.Op = &graph.Pool{Type: kind, Global: true}
			out = b.add(node, 4)
			break
		}
		node.Name = b.unique(name + "_pool")
		node.Op = &graph.Pool{Type: kind, Global: true}
		pooled := b.add(node, 4)
		out = b.add(&graph.Node{Name: b.unique(name), Type: l.ClassName, Op: &graph.Flatten{}, Inputs: []string{pooled}}, 2)
	case "Flatten":
		node.Op = &graph.Flatten{ChannelsLast: r == 4}
		out = b.add(node, 2)
	case "Activation":
		o, err := b.activationNode(node, c.Activation, r)
		if err != nil {
			return err
		}
		out = o
	case "ReLU":
		slope := float32(0)
		if c.NegativeSlope != nil {
			slope = *c.NegativeSlope
		}
		if c.Threshold != nil && *c.Threshold != 0 {
			return fmt.Errorf("ReLU threshold %v is not supported", *c.Threshold)
		}
		switch {
		case c.MaxValue != nil && *c.MaxValue == 6 && slope == 0:
			node.Op = &graph.Activation{Func: graph.Relu6}
		case c.MaxValue != nil:
			return fmt.Errorf("ReLU max_value %v is not supported (only 6)", *c.MaxValue)
		case slope != 0:
			node.Op = &graph.Activation{Func: graph.LeakyRelu, Alpha: slope}
		default:
			node.Op = &graph.Activation{Func: graph.Relu}
		}
		out = b.add(node, r)
	case "LeakyReLU":
		alpha := float32(0.3) // Keras 2 default
		if c.Alpha != nil {
			alpha = *c.Alpha
		} else if c.NegativeSlope != nil {
			alpha = *c.NegativeSlope
		}
		node.Op = &graph.Activation{Func: graph.LeakyRelu, Alpha: alpha}
		out = b.add(node, r)
	case "ELU":
		alpha := float32(1)
		if c.Alpha != nil {
			alpha = *c.Alpha
		}
		node.Op = &graph.Activation{Func: graph.Elu, Alpha: alpha}
		out = b.add(node, r)
	case "Softmax":
		axis, err := channelAxis(c.Axis, r)
		if err != nil {
			return err
		}
		node.Op = &graph.Softmax{Axis: axis}
		out = b.add(node, r)
	case "Dropout", "SpatialDropout2D", "GaussianDropout", "GaussianNoise", "AlphaDropout":
		node.Op = &graph.Dropout{Ratio: c.Rate}
		out = b.add(node, r)
	case "BatchNormalization":
		axis, err := channelAxis(c.Axis, r)
		if err != nil {
			return err
		}
		if axis != 1 {
			return fmt.Errorf("BatchNormalization over a non-channel axis is not supported")
		}
		eps := float32(1e-3)
		if c.Epsilon != nil {
			eps = *c.Epsilon
		}
		mean, vr := b.weight(name, "moving_mean"), b.weight(name, "moving_variance")
		if mean == nil || vr == nil {
			return fmt.Errorf("missing moving_mean or moving_variance weights")
		}
		// scale: false has no gamma, center: false no beta: the op
		// leaves them out (none is invented, and so none is counted).
		gamma, beta := b.weight(name, "gamma"), b.weight(name, "beta")
		op := &graph.BatchNorm{Epsilon: eps, NoScale: gamma == nil, NoBias: beta == nil}
		node.Op = op
		node.Params = map[string]*graph.Tensor{"mean": mean, "var": vr}
		if gamma != nil {
			node.Params["scale"] = gamma
		}
		if beta != nil {
			node.Params["bias"] = beta
		}
		out = b.add(node, r)
	case "Add", "Subtract", "Multiply", "Maximum", "Minimum", "Average":
		kinds := map[string]graph.EltwiseKind{"Add": graph.EltAdd, "Subtract": graph.EltSub, "Multiply": graph.EltMul,
			"Maximum": graph.EltMax, "Minimum": graph.EltMin, "Average": graph.EltAdd}
		op := &graph.Eltwise{Type: kinds[l.ClassName]}
		if l.ClassName == "Average" {
			for range ins {
				op.Coeffs = append(op.Coeffs, 1/float32(len(ins)))
			}
		}
		node.Op = op
		out = b.add(node, r)
	case "Concatenate":
		axis, err := channelAxis(c.Axis, r)
		if err != nil {
			return err
		}
		node.Op = &graph.Concat{Axis: axis}
		out = b.add(node, r)
	case "ZeroPadding2D":
		var pad [4]int // top, bottom, left, right
		if err := zeroPadding(c.Padding, &pad); err != nil {
			return err
		}
		node.Op = &graph.Pad{Pads: []int{0, 0, pad[0], pad[2], 0, 0, pad[1], pad[3]}, Mode: "constant"}
		out = b.add(node, 4)
	default:
		return b.layerExt(l, node, r)
	}
	b.values[name] = out
	return nil
}

// unknownLayer keeps a layer convscope cannot convert (a class it does not
// know, or any layer reading the output of one: supported) as a
// graph.Unknown node with the layer's weights, so that the model can be
// shown and its parameters counted; shape inference and the engine stop
// at it.
func (b *builder) unknownLayer(layer string, node *graph.Node, supported bool) error {
	node.Op = &graph.Unknown{Type: node.Type, Supported: supported}
	for wname, t := range b.weights {
		if l, kind := b.owner(wname); l == layer {
			if node.Params == nil {
				node.Params = map[string]*graph.Tensor{}
			}
			// Moving statistics keep the names that are not counted
			// as learnable (graph.Node.ParamCount).
			key := map[string]string{"moving_mean": "mean", "moving_variance": "var"}[kind]
			if _, dup := node.Params[key]; key == "" || dup {
				key = wname
			}
			node.Params[key] = t
			b.used[wname] = true
		}
	}
	out := b.add(node, 0)
	if b.unknown == nil {
		b.unknown = map[string]bool{}
	}
	b.unknown[out] = true
	b.values[layer] = out
	return nil
}

// activation appends the fused activation of a Conv2D/Dense as its own
// node; the Keras layer's output is then the activation's output.
func (b *builder) activation(layer, x, act string, r int) error {
	b.values[layer] = x
	if act == "" || act == "linear" {
		return nil
	}
	n := &graph.Node{Name: b.unique(layer + "_" + act), Type: "Activation", Inputs: []string{x}}
	out, err := b.activationNode(n, act, r)
	if err != nil {
		return err
	}
	b.values[layer] = out
	return nil
}

// kerasActivations are the Keras activation names (linear and softmax
// aside) with the IR activation each stands for, Keras's fixed parameters
// included. The reader maps a name to its activation, the writer an
// activation back to its name: one table, so that everything read can be
// written.
var kerasActivations = []struct {
	name string
	act  graph.Activation
}{
	{"relu", graph.Activation{Func: graph.Relu}},
	{"relu6", graph.Activation{Func: graph.Relu6}},
	{"sigmoid", graph.Activation{Func: graph.Sigmoid}},
	{"tanh", graph.Activation{Func: graph.Tanh}},
	{"elu", graph.Activation{Func: graph.Elu, Alpha: 1}},
	{"selu", graph.Activation{Func: graph.Selu, Alpha: 1.6732632423543772, Beta: 1.0507009873554805}},
	{"softplus", graph.Activation{Func: graph.Softplus}},
	{"hard_sigmoid", graph.Activation{Func: graph.HardSigmoid, Alpha: 0.2, Beta: 0.5}},
	{"swish", graph.Activation{Func: graph.Swish}},
	{"gelu", graph.Activation{Func: graph.Gelu}},
	{"gelu_new", graph.Activation{Func: graph.GeluTanh}},
	{"mish", graph.Activation{Func: graph.Mish}},
	{"softsign", graph.Activation{Func: graph.Softsign}},
	{"hard_swish", graph.Activation{Func: graph.HardSwish}},
	{"exponential", graph.Activation{Func: graph.Exp}},
}

// kerasAliases are other Keras names of activations of kerasActivations
// (read, and written under the table's name).
var kerasAliases = map[string]string{"silu": "swish", "hard_silu": "hard_swish"}

// kerasActivationName returns the Keras name of a, or "" if Keras has none:
// its function, with the same parameters where the function has any.
func kerasActivationName(a *graph.Activation) string {
	for _, k := range kerasActivations {
		if k.act.Func == a.Func && (k.act.Alpha == 0 && k.act.Beta == 0 || k.act.Alpha == a.Alpha && k.act.Beta == a.Beta) {
			return k.name
		}
	}
	return ""
}

// activationNode gives n the operator of a Keras activation name and adds it.
func (b *builder) activationNode(n *graph.Node, act string, r int) (string, error) {
	switch act {
	case "linear", "":
		n.Op = &graph.Identity{}
	case "softmax":
		// Keras softmax is over the last (channel) axis: axis 1 in NCHW.
		n.Op = &graph.Softmax{Axis: 1}
		if r != 4 && r != 2 {
			n.Op = &graph.Softmax{Axis: r - 1}
		}
	default:
		if alias, ok := kerasAliases[act]; ok {
			act = alias
		}
		for _, k := range kerasActivations {
			if k.name == act {
				a := k.act
				n.Op = &a
			}
		}
		if n.Op == nil {
			return "", fmt.Errorf("activation %q is not supported", act)
		}
	}
	return b.add(n, r), nil
}

func window(c layerConfig, k [2]int) (graph.Window, error) {
	w := graph.Window{Kernel: k, Stride: c.Strides.get(1), Dilation: c.DilationRate.get(1)}
	var pad string
	if len(c.Padding) > 0 {
		if err := json.Unmarshal(c.Padding, &pad); err != nil {
			return w, fmt.Errorf("padding %s is not supported", c.Padding)
		}
	}
	switch pad {
	case "", "valid":
		w.AutoPad = graph.PadValid
	case "same":
		w.AutoPad = graph.PadSameUpper
	default:
		return w, fmt.Errorf("padding %q is not supported", pad)
	}
	return w, nil
}

// zeroPadding reads Keras ZeroPadding2D padding: n, [h, w] or [[t, b], [l, r]].
func zeroPadding(raw json.RawMessage, pad *[4]int) error {
	var n int
	if json.Unmarshal(raw, &n) == nil {
		*pad = [4]int{n, n, n, n}
		return nil
	}
	var hw []int
	if json.Unmarshal(raw, &hw) == nil && len(hw) == 2 {
		*pad = [4]int{hw[0], hw[0], hw[1], hw[1]}
		return nil
	}
	var full [][]int
	if json.Unmarshal(raw, &full) == nil && len(full) == 2 && len(full[0]) == 2 && len(full[1]) == 2 {
		*pad = [4]int{full[0][0], full[0][1], full[1][0], full[1][1]}
		return nil
	}
	return fmt.Errorf("padding %s is not supported", raw)
}

// hwioToOIHW converts a Keras conv kernel [KH, KW, I, O] to [O, I, KH, KW].
func hwioToOIHW(k *graph.Tensor) *graph.Tensor {
	kh, kw, ci, co := k.Shape[0], k.Shape[1], k.Shape[2], k.Shape[3]
	w := graph.NewTensor(co, ci, kh, kw)
	for y := 0; y < kh; y++ {
		for x := 0; x < kw; x++ {
			for i := 0; i < ci; i++ {
				for o := 0; o < co; o++ {
					w.Data[((o*ci+i)*kh+y)*kw+x] = k.Data[((y*kw+x)*ci+i)*co+o]
				}
			}
		}
	}
	return w
}

// depthwiseToOIHW converts [KH, KW, C, M] to [C·M, 1, KH, KW] (output
// channel c·M+m, as Keras orders them).
func depthwiseToOIHW(k *graph.Tensor) *graph.Tensor {
	kh, kw, ci, m := k.Shape[0], k.Shape[1], k.Shape[2], k.Shape[3]
	w := graph.NewTensor(ci*m, 1, kh, kw)
	for y := 0; y < kh; y++ {
		for x := 0; x < kw; x++ {
			for c := 0; c < ci; c++ {
				for j := 0; j < m; j++ {
					w.Data[((c*m+j)*kh+y)*kw+x] = k.Data[((y*kw+x)*ci+c)*m+j]
				}
			}
		}
	}
	return w
}

func transpose2(k *graph.Tensor) *graph.Tensor {
	r, c := k.Shape[0], k.Shape[1]
	t := graph.NewTensor(c, r)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			t.Data[j*r+i] = k.Data[i*c+j]
		}
	}
	return t
}

func shapeString(s []*int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		if d == nil {
			parts[i] = "null"
		} else {
			parts[i] = fmt.Sprint(*d)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

package tfjs

import "encoding/json"

// modelFile is model.json.
type modelFile struct {
	Format        string          `json:"format,omitempty"`
	GeneratedBy   string          `json:"generatedBy,omitempty"`
	ConvertedBy   string          `json:"convertedBy,omitempty"`
	ModelTopology json.RawMessage `json:"modelTopology"`
	// Signature is a graph model's {"inputs": {…}, "outputs": {…}}: its
	// outputs, in order, are the model's (TF.js GraphModel.outputs).
	Signature       json.RawMessage `json:"signature,omitempty"`
	WeightsManifest []weightGroup   `json:"weightsManifest"`
	// UserDefinedMetadata is TF.js's slot for application data; convscope
	// keeps the class names there as {"labels": [...]}.
	UserDefinedMetadata *struct {
		Labels []string `json:"labels"`
		// Signature: where converted graph models may keep it instead.
		Signature json.RawMessage `json:"signature,omitempty"`
	} `json:"userDefinedMetadata,omitempty"`
}

type weightGroup struct {
	Paths   []string     `json:"paths"`
	Weights []weightSpec `json:"weights"`
}

type weightSpec struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	Dtype        string        `json:"dtype"`
	Quantization *quantization `json:"quantization,omitempty"`
}

type quantization struct {
	Dtype         string  `json:"dtype"`
	Scale         float64 `json:"scale"`
	Min           float64 `json:"min"`
	OriginalDtype string  `json:"original_dtype,omitempty"`
}

// topology is either {"model_config": {...}} or the config itself.
type topology struct {
	ModelConfig  *modelConfig `json:"model_config"`
	KerasVersion string       `json:"keras_version,omitempty"`
	Backend      string       `json:"backend,omitempty"`
	modelConfig
}

type modelConfig struct {
	ClassName string          `json:"class_name"`
	Config    json.RawMessage `json:"config"`
}

// seqConfig is a Sequential config: {"name", "layers": [...]} or, in old
// Keras, the list itself.
type seqConfig struct {
	Name   string  `json:"name"`
	Layers []layer `json:"layers"`
}

// funcConfig is a functional Model config.
type funcConfig struct {
	Name         string          `json:"name"`
	Layers       []layer         `json:"layers"`
	InputLayers  json.RawMessage `json:"input_layers"`
	OutputLayers json.RawMessage `json:"output_layers"`
}

type layer struct {
	ClassName    string          `json:"class_name"`
	Config       layerConfig     `json:"config"`
	Name         string          `json:"name,omitempty"`
	InboundNodes json.RawMessage `json:"inbound_nodes,omitempty"`
	raw          json.RawMessage // the config as is: a nested model's
}

func (l *layer) UnmarshalJSON(b []byte) error {
	type plain layer
	var p struct {
		plain
		Raw json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(b, &p.plain); err != nil {
		return err
	}
	if isModel(p.ClassName) {
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
	}
	*l = layer(p.plain)
	l.raw = p.Raw
	return nil
}

// layerConfig holds the Keras layer attributes convscope understands.
// Pointer fields distinguish "absent" from zero.
type layerConfig struct {
	Name            string          `json:"name"`
	Trainable       *bool           `json:"trainable,omitempty"`
	BatchInputShape []*int          `json:"batch_input_shape,omitempty"`
	BatchShape      []*int          `json:"batch_shape,omitempty"`
	InputShape      []*int          `json:"input_shape,omitempty"`
	Dtype           any             `json:"dtype,omitempty"`
	Filters         int             `json:"filters,omitempty"`
	KernelSize      intPair         `json:"kernel_size,omitempty"`
	Strides         intPair         `json:"strides,omitempty"`
	Padding         json.RawMessage `json:"padding,omitempty"`
	DataFormat      string          `json:"data_format,omitempty"`
	DilationRate    intPair         `json:"dilation_rate,omitempty"`
	Groups          int             `json:"groups,omitempty"`
	DepthMultiplier int             `json:"depth_multiplier,omitempty"`
	Activation      string          `json:"activation,omitempty"`
	UseBias         *bool           `json:"use_bias,omitempty"`
	Units           int             `json:"units,omitempty"`
	PoolSize        intPair         `json:"pool_size,omitempty"`
	Rate            float32         `json:"rate,omitempty"`
	Axis            json.RawMessage `json:"axis,omitempty"`
	Epsilon         *float32        `json:"epsilon,omitempty"`
	Center          *bool           `json:"center,omitempty"`
	Scale           json.RawMessage `json:"scale,omitempty"` // BatchNormalization: a bool; Rescaling: a number
	Offset          float32         `json:"offset,omitempty"`
	Size            intPair         `json:"size,omitempty"`
	Interpolation   string          `json:"interpolation,omitempty"`
	Cropping        json.RawMessage `json:"cropping,omitempty"`
	Dims            []int           `json:"dims,omitempty"`
	OutputPadding   intPair         `json:"output_padding,omitempty"`
	Alpha           *float32        `json:"alpha,omitempty"`
	NegativeSlope   *float32        `json:"negative_slope,omitempty"`
	MaxValue        *float32        `json:"max_value,omitempty"`
	Threshold       *float32        `json:"threshold,omitempty"`
	Keepdims        bool            `json:"keepdims,omitempty"`
	TargetShape     []int           `json:"target_shape,omitempty"`
	Beta            *float32        `json:"beta,omitempty"` // MultiplyBeta (customLayer)
}

// intPair is a Keras int-or-tuple attribute (kernel_size: 3 or [3, 3]).
type intPair []int

func (p *intPair) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*p = intPair{n, n}
		return nil
	}
	var list []int
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*p = list
	return nil
}

func (p intPair) get(def int) [2]int {
	switch len(p) {
	case 0:
		return [2]int{def, def}
	case 1:
		return [2]int{p[0], p[0]}
	}
	return [2]int{p[0], p[1]}
}

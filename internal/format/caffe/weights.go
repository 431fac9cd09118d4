package caffe

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
)

// blobData returns a blob's values and shape (the shape field, or the
// legacy num/channels/height/width, or just the value count).
func blobData(b *BlobProto) ([]float32, []int, error) {
	data := b.GetData()
	if len(data) == 0 && len(b.GetDoubleData()) > 0 {
		data = make([]float32, len(b.GetDoubleData()))
		for i, v := range b.GetDoubleData() {
			data[i] = float32(v)
		}
	}
	var shape []int
	if b.GetShape() != nil {
		for _, d := range b.GetShape().GetDim() {
			if d < 0 || d > maxDim {
				return nil, nil, fmt.Errorf("blob shape %v has an invalid dimension", b.GetShape().GetDim())
			}
			shape = append(shape, int(d))
		}
	} else if b.Num != nil || b.Channels != nil || b.Height != nil || b.Width != nil {
		for _, d := range []int32{b.GetNum(), b.GetChannels(), b.GetHeight(), b.GetWidth()} {
			if d < 0 {
				return nil, nil, fmt.Errorf("blob shape %d×%d×%d×%d has a negative dimension", b.GetNum(), b.GetChannels(), b.GetHeight(), b.GetWidth())
			}
			shape = append(shape, int(d))
		}
	} else {
		shape = []int{len(data)}
	}
	n := int64(1)
	for _, d := range shape {
		n *= int64(d)
		if n > graph.DefaultLimits.MaxTensorElems {
			return nil, nil, fmt.Errorf("blob shape %v is too large", shape)
		}
	}
	if int64(len(data)) != n {
		return nil, nil, fmt.Errorf("blob of shape %v holds %d values, not %d", shape, len(data), n)
	}
	return data, shape, nil
}

// attachWeights gives each node the parameters stored for its layer: the
// blobs of the definition itself, replaced by those of the layer of the
// same name in weights when there is one.
func (b *builder) attachWeights(weights *NetParameter) error {
	stored := map[string][]*BlobProto{}
	if weights != nil {
		for _, l := range weights.Layer {
			if len(l.Blobs) > 0 {
				stored[l.GetName()] = l.Blobs
			}
		}
		for _, l := range weights.Layers {
			if len(l.Blobs) > 0 {
				stored[l.GetName()] = l.Blobs
			}
		}
	}
	for _, l := range b.layers {
		blobs := l.blobs
		if s, ok := stored[l.name]; ok {
			blobs = s
		}
		if len(blobs) == 0 {
			continue
		}
		n := b.nodeOf[l]
		if n == nil {
			continue // input layers keep no parameters
		}
		params, err := paramsOf(l, n, blobs)
		if err != nil {
			return graph.NodeErrorf(l.name, "layer %q (%s): %w", l.name, l.typ, err)
		}
		n.Params = params
	}
	return nil
}

// paramsOf maps a layer's blobs to the parameters of its node, in Caffe's
// blob order, checking their number and sizes.
func paramsOf(l *layer, n *graph.Node, blobs []*BlobProto) (map[string]*graph.Tensor, error) {
	type blob struct {
		data  []float32
		shape []int
	}
	bs := make([]blob, len(blobs))
	for i, pb := range blobs {
		d, s, err := blobData(pb)
		if err != nil {
			return nil, fmt.Errorf("blob %d: %w", i, err)
		}
		bs[i] = blob{d, s}
	}
	want := func(names ...string) error {
		if len(bs) != len(names) {
			return fmt.Errorf("has %d blobs in the weights, expected %d (%v)", len(bs), len(names), names)
		}
		return nil
	}
	vec := func(b blob) *graph.Tensor { return &graph.Tensor{Shape: []int{len(b.data)}, Data: b.data} }
	m := map[string]*graph.Tensor{}
	switch op := n.Op.(type) {
	case *graph.Conv, *graph.ConvTranspose:
		bias := false
		if c, ok := op.(*graph.Conv); ok {
			bias = c.Bias
		} else {
			bias = op.(*graph.ConvTranspose).Bias
		}
		names := []string{"weight"}
		if bias {
			names = append(names, "bias")
		}
		if err := want(names...); err != nil {
			return nil, err
		}
		if len(bs[0].shape) != 4 {
			return nil, fmt.Errorf("weight blob has shape %v, expected 4 dimensions", bs[0].shape)
		}
		m["weight"] = &graph.Tensor{Shape: bs[0].shape, Data: bs[0].data}
		if bias {
			m["bias"] = vec(bs[1])
		}
	case *graph.Dense:
		names := []string{"weight"}
		if op.Bias {
			names = append(names, "bias")
		}
		if err := want(names...); err != nil {
			return nil, err
		}
		w := bs[0]
		if len(w.data)%op.Units != 0 {
			return nil, fmt.Errorf("weight blob of %d values does not fit %d outputs", len(w.data), op.Units)
		}
		in := len(w.data) / op.Units
		data := w.data
		if l.p.GetInnerProductParam().GetTranspose() { // stored [In, Out]
			data = make([]float32, len(w.data))
			for i := 0; i < in; i++ {
				for o := 0; o < op.Units; o++ {
					data[o*in+i] = w.data[i*op.Units+o]
				}
			}
		}
		m["weight"] = &graph.Tensor{Shape: []int{op.Units, in}, Data: data}
		if op.Bias {
			m["bias"] = vec(bs[1])
		}
	case *graph.BatchNorm:
		if err := want("mean", "variance", "scale factor"); err != nil {
			return nil, err
		}
		if len(bs[2].data) != 1 {
			return nil, fmt.Errorf("the scale-factor blob has %d values, expected 1", len(bs[2].data))
		}
		// Caffe stores the running sums times a factor: mean = blob0/factor.
		f := bs[2].data[0]
		if f != 0 {
			f = 1 / f
		}
		mean, vr := vec(bs[0]), vec(bs[1])
		for _, t := range []*graph.Tensor{mean, vr} {
			d := make([]float32, len(t.Data))
			for i, v := range t.Data {
				d[i] = v * f
			}
			t.Data = d
		}
		m["mean"], m["var"] = mean, vr
	case *graph.Affine:
		var names []string
		if !op.NoScale {
			names = append(names, "scale")
		}
		if op.Bias {
			names = append(names, "bias")
		}
		if err := want(names...); err != nil {
			return nil, err
		}
		for i, name := range names {
			m[name] = vec(bs[i])
		}
	case *graph.PRelu:
		if err := want("slope"); err != nil {
			return nil, err
		}
		m["slope"] = vec(bs[0])
	case *graph.L2Norm:
		if err := want("scale"); err != nil {
			return nil, err
		}
		m["scale"] = vec(bs[0])
	case *graph.Unknown: // kept as stored, so that they are counted
		for i, b := range bs {
			m[fmt.Sprintf("blob%d", i)] = &graph.Tensor{Shape: b.shape, Data: b.data}
		}
	default:
		return nil, fmt.Errorf("has %d blobs but a %s layer has no parameters", len(bs), l.typ)
	}
	return m, nil
}

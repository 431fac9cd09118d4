package graph

import (
	"fmt"
	"math"
)

// L2Norm divides by the L2 norm over the channels of each position (or,
// AcrossSpatial, over all of each image's values) and multiplies by a
// learned scale (SSD's Caffe Normalize): y = x/√(Σx² + Epsilon)·scale.
// Parameter "scale" is [C], or [1] when ChannelShared.
type L2Norm struct {
	AcrossSpatial, ChannelShared bool
	Epsilon                      float32
}

func (l *L2Norm) Kind() string { return "L2Norm" }

func (l *L2Norm) Infer(in []Shape) ([]Shape, error) {
	if err := need(in, 1, 0, "L2Norm"); err != nil {
		return nil, err
	}
	if len(in[0]) < 2 {
		return nil, fmt.Errorf("L2Norm needs an input with channels, got %v", in[0])
	}
	return []Shape{in[0]}, nil
}

func (l *L2Norm) ParamShapes(in []Shape) map[string]Shape {
	if l.ChannelShared {
		return map[string]Shape{"scale": {1}}
	}
	return map[string]Shape{"scale": {in[0][1]}}
}

func (l *L2Norm) Cost(in, out []Shape) Cost {
	n := int64(out[0].Elems())
	return Cost{MACs: n, Divisions: n}
}

func (l *L2Norm) Traits() Traits {
	return Traits{Family: FamilyNorm, Foldable: true, KeepsBatch: true}
}

// PriorBox gives the default boxes of SSD for a feature map (its first
// input, N×C×H×W) over an image (its second input): a [1, 2, H·W·P·4]
// tensor of box corners and their variances, P = NumPriors(). Shapes and
// analysis only: the engine does not run it.
type PriorBox struct {
	MinSizes, MaxSizes, AspectRatios []float32
	Flip, Clip                       bool
}

func (p *PriorBox) Kind() string { return "PriorBox" }

// Ratios are the aspect ratios used: 1, then each given one (and its
// inverse with Flip) not already listed, as SSD's PriorBoxLayer builds them.
func (p *PriorBox) Ratios() []float32 {
	rs := []float32{1}
	has := func(v float32) bool {
		for _, r := range rs {
			if math.Abs(float64(r-v)) < 1e-6 {
				return true
			}
		}
		return false
	}
	for _, a := range p.AspectRatios {
		if has(a) || a <= 0 {
			continue
		}
		rs = append(rs, a)
		if p.Flip {
			rs = append(rs, 1/a)
		}
	}
	return rs
}

// NumPriors is the number of boxes per position.
func (p *PriorBox) NumPriors() int {
	return len(p.Ratios())*len(p.MinSizes) + len(p.MaxSizes)
}

func (p *PriorBox) Infer(in []Shape) ([]Shape, error) {
	if len(in) != 2 || len(in[0]) != 4 || len(in[1]) != 4 {
		return nil, fmt.Errorf("PriorBox takes a feature map and an image (rank 4), got %v", in)
	}
	if len(p.MinSizes) == 0 {
		return nil, fmt.Errorf("PriorBox has no min_size")
	}
	if len(p.MaxSizes) > 0 && len(p.MaxSizes) != len(p.MinSizes) {
		return nil, fmt.Errorf("PriorBox has %d max_size for %d min_size", len(p.MaxSizes), len(p.MinSizes))
	}
	return []Shape{{1, 2, in[0][2] * in[0][3] * p.NumPriors() * 4}}, nil
}

func (p *PriorBox) ParamShapes([]Shape) map[string]Shape { return nil }
func (p *PriorBox) Cost(in, out []Shape) Cost            { return Cost{} }
func (p *PriorBox) Traits() Traits                       { return Traits{Family: FamilyShape} }

// DetectionOutput decodes SSD's box offsets (first input) and class scores
// (second) against the prior boxes (third) and keeps the best detections
// after non-maximum suppression: [1, 1, K, 7] (image, label, score, x0,
// y0, x1, y1), K = KeepTopK (Caffe gives as many rows as it keeps; K is
// the most). Shapes and analysis only.
type DetectionOutput struct {
	NumClasses int
	KeepTopK   int // ≤ 0: TopK, else every prior
	TopK       int
}

func (d *DetectionOutput) Kind() string { return "DetectionOutput" }

func (d *DetectionOutput) Infer(in []Shape) ([]Shape, error) {
	if len(in) < 3 {
		return nil, fmt.Errorf("DetectionOutput takes locations, confidences and priors, got %d inputs", len(in))
	}
	if len(in[2]) != 3 || in[2][2]%4 != 0 {
		return nil, fmt.Errorf("DetectionOutput: priors of shape %v are not [1, 2, 4·P]", in[2])
	}
	priors := in[2][2] / 4
	if d.NumClasses <= 0 {
		return nil, fmt.Errorf("DetectionOutput has %d classes", d.NumClasses)
	}
	// The confidences are not checked against the priors: forks
	// (TextBoxes) emit more boxes per position than SSD's PriorBox.
	k := d.KeepTopK
	if k <= 0 {
		k = d.TopK
	}
	if k <= 0 || k > priors*d.NumClasses {
		k = priors * d.NumClasses
	}
	return []Shape{{1, 1, k, 7}}, nil
}

func (d *DetectionOutput) ParamShapes([]Shape) map[string]Shape { return nil }

// Cost: decoding each prior's box and comparing each score with the
// threshold (the NMS itself depends on the data).
func (d *DetectionOutput) Cost(in, out []Shape) Cost {
	priors := int64(in[2][2] / 4)
	return Cost{MACs: 4 * priors, Comparisons: priors * int64(d.NumClasses)}
}
func (d *DetectionOutput) Traits() Traits { return Traits{Family: FamilyOutput} }

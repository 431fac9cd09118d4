package analyze

import (
	"fmt"
	"slices"
	"strings"

	"github.com/convscope/convscope/internal/graph"
)

// Counting conventions. Papers and tools disagree on what "FLOPs" of a
// network are: some count multiply-accumulates (MACs) of convolutions and
// fully connected layers only, some count a MAC as two operations, and some
// add bias additions, normalisation, activations or pooling. A Convention
// says which: Ops of a layer are
//
//	macs:  MACs                 + the included other arithmetic
//	flops: 2·MACs               + the included other arithmetic
//
// where the other arithmetic of a layer is, by category:
//
//	bias   one addition per output element of a Conv, ConvTranspose or
//	       Dense layer that has a bias (BiasAdds)
//	norm   the Cost (additions, comparisons, divisions, exponentials) of
//	       the norm family: BatchNorm 2 per element, Caffe Scale (Affine) 1,
//	       LayerNorm/GroupNorm 4, LRN …
//	act    the Cost of the activation family: ReLU-like 1 per element, …
//	pool   the Cost of the pool family: max pooling k−1 comparisons per
//	       output, average pooling k additions and divisions per output
//	       (k = window size; a global average pool of C×H×W is C·H·W)
//	merge  the Cost of the merge family: a residual sum of two inputs 1 per
//	       element (Concat costs nothing)
//	other  the Cost of every other layer (softmax, resizing …)
//
// Each other operation counts one, in either unit. The zero Convention
// (MACs, nothing included) is the default of every report and gives
// Ops = MACs. docs/presets.md compares the conventions with ptflops, fvcore
// and thop.
type Convention struct {
	// FLOPs counts a MAC as two operations.
	FLOPs bool
	// Include lists the included categories, a subset of Categories.
	Include []string
}

// Categories are the names of Convention.Include, in their display order.
var Categories = []string{"bias", "norm", "act", "pool", "merge", "other"}

// ParseConvention reads the --count and --include options ("macs" or
// "flops"; a comma-separated list of Categories, "all" or "" for none).
func ParseConvention(count, include string) (Convention, error) {
	var c Convention
	switch strings.ToLower(strings.TrimSpace(count)) {
	case "", "macs", "mac":
	case "flops", "flop":
		c.FLOPs = true
	default:
		return c, fmt.Errorf("unknown count %q (macs or flops)", count)
	}
	seen := map[string]bool{}
	for _, p := range strings.Split(include, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case p == "" || p == "none":
		case p == "all":
			for _, k := range Categories {
				seen[k] = true
			}
		case slices.Contains(Categories, p):
			seen[p] = true
		default:
			return c, fmt.Errorf("unknown category %q in include (%s, all)", p, strings.Join(Categories, ", "))
		}
	}
	for _, k := range Categories {
		if seen[k] {
			c.Include = append(c.Include, k)
		}
	}
	return c, nil
}

// Unit is "macs" or "flops".
func (c Convention) Unit() string {
	if c.FLOPs {
		return "flops"
	}
	return "macs"
}

// String writes the convention as the CLI options would: "macs",
// "flops+bias,norm".
func (c Convention) String() string {
	if len(c.Include) == 0 {
		return c.Unit()
	}
	return c.Unit() + "+" + strings.Join(c.Include, ",")
}

// Label names the count in tables: "MACs", "FLOPs", "MACs+bias,norm".
func (c Convention) Label() string {
	l := "MACs"
	if c.FLOPs {
		l = "FLOPs"
	}
	if len(c.Include) > 0 {
		l += "+" + strings.Join(c.Include, ",")
	}
	return l
}

// IsDefault reports whether c is the default (MACs only).
func (c Convention) IsDefault() bool { return !c.FLOPs && len(c.Include) == 0 }

// category is the Convention category of a layer's non-MAC arithmetic.
func category(family string) string {
	switch family {
	case graph.FamilyNorm:
		return "norm"
	case graph.FamilyAct:
		return "act"
	case graph.FamilyPool:
		return "pool"
	case graph.FamilyMerge:
		return "merge"
	}
	return "other"
}

// Ops counts a layer's operations under c.
func (c Convention) Ops(l *Layer) int64 {
	n := l.MACs
	if c.FLOPs {
		n *= 2
	}
	if slices.Contains(c.Include, "bias") {
		n += l.BiasAdds
	}
	if slices.Contains(c.Include, category(l.Traits.Family)) {
		n += otherOps(l.Cost)
	}
	return n
}

// Ops counts the report's operations under its Convention.
func (r *Report) Ops() int64 {
	var n int64
	for i := range r.Layers {
		n += r.Convention.Ops(&r.Layers[i])
	}
	return n
}

// biasAdds counts the bias additions of a node: one per output element of
// a Conv, ConvTranspose or Dense layer (MatMul has none) with a "bias"
// parameter, from its tensors or its operator's ParamShapes.
func biasAdds(n *graph.Node, in, out []graph.Shape) int64 {
	switch n.Op.Traits().Family {
	case graph.FamilyConv, graph.FamilyDense:
	default:
		return 0
	}
	_, has := n.Params["bias"]
	if !has {
		_, has = n.Op.ParamShapes(in)["bias"]
	}
	if !has || len(out) == 0 {
		return 0
	}
	return int64(out[0].Elems())
}

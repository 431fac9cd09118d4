package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/imageio"
)

// maxPositions bounds the per-position argmax a sequence summary lists.
const maxPositions = 1024

// outputSummary describes a model output that is not a vector of class
// scores (a detector's map, a recogniser's [T, classes] sequence): its
// per-image shape and statistics, never its values.
type outputSummary struct {
	Name  string  `json:"name"`
	Shape []int   `json:"shape"`
	Min   float32 `json:"min"`
	Max   float32 `json:"max"`
	Mean  float64 `json:"mean"`
	// Argmax is, for a sequence [T, C] (unit dimensions aside), the index
	// of the largest of the C values at each of the T positions (at most
	// maxPositions; Truncated is set when there are more). Labels are the
	// class names of those indices when the model has C labels.
	Argmax    []int    `json:"argmax,omitempty"`
	Labels    []string `json:"labels,omitempty"`
	Truncated bool     `json:"truncated,omitempty"`
}

// isClassVector reports whether a per-image shape is a vector of class
// scores: a single dimension other than 1 ([1000], [1000, 1, 1]).
func isClassVector(s graph.Shape) bool {
	if len(s) == 0 {
		return false
	}
	n := s.Elems()
	for _, d := range s {
		if d != n && d != 1 {
			return false
		}
	}
	return true
}

// summarize computes the summary of one image's output of shape s.
func summarize(name string, s graph.Shape, v []float32, labels []string) *outputSummary {
	o := &outputSummary{Name: name, Shape: append([]int{}, s...), Min: float32(math.Inf(1)), Max: float32(math.Inf(-1))}
	var sum float64
	for _, x := range v {
		o.Min, o.Max = min(o.Min, x), max(o.Max, x)
		sum += float64(x)
	}
	if len(v) > 0 {
		o.Mean = sum / float64(len(v))
	} else {
		o.Min, o.Max = 0, 0
	}
	var dims []int
	for _, d := range s {
		if d != 1 {
			dims = append(dims, d)
		}
	}
	if len(dims) != 2 {
		return o
	}
	t, c := dims[0], dims[1]
	if t > maxPositions {
		t, o.Truncated = maxPositions, true
	}
	for i := 0; i < t; i++ {
		row := v[i*c : (i+1)*c]
		best := 0
		for j, x := range row {
			if x > row[best] {
				best = j
			}
		}
		o.Argmax = append(o.Argmax, best)
		if len(labels) == c {
			o.Labels = append(o.Labels, labels[best])
		}
	}
	return o
}

// predictMaps runs a model whose output is not a vector of class scores
// and prints, per image, the output's shape and summary.
func predictMaps(ctx context.Context, p *engine.Program, g *graph.Graph, model string, images []string, pre imageio.Preprocess, asJSON bool, io stdio) error {
	in := p.Shapes[g.Inputs[0].Name]
	out := g.Outputs[0]
	shape := p.Shapes[out].PerImage()
	limits := imageio.DefaultLimits()
	results := []prediction{}
	failed := 0
	for _, path := range images {
		if err := ctx.Err(); err != nil {
			return err
		}
		sum, err := predictMap(p, out, shape, path, in[3], in[2], limits, pre, g.Labels)
		if err != nil {
			fmt.Fprintf(io.err, "convscope: %s: %v\n", path, err)
			failed++
			continue
		}
		results = append(results, prediction{Image: path, Index: -1, Output: sum})
		if !asJSON {
			printSummary(io, path, sum)
		}
	}
	if asJSON {
		if err := json.NewEncoder(io.out).Encode(predictOutput{Model: model, Classes: []string{}, Results: results}); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images failed", failed, len(images))
	}
	return nil
}

func predictMap(p *engine.Program, out string, shape graph.Shape, path string, w, h int, limits imageio.Limits, pre imageio.Preprocess, labels []string) (*outputSummary, error) {
	vals, err := runImage(p, path, w, h, limits, pre)
	if err != nil {
		return nil, err
	}
	return summarize(out, shape, vals[out].Data, labels), nil
}

// printSummary prints "image: output NAME [shape]: min …, max …, mean …"
// and, for a sequence, the argmax per position.
func printSummary(io stdio, image string, o *outputSummary) {
	dims := make([]string, len(o.Shape))
	for i, d := range o.Shape {
		dims[i] = fmt.Sprint(d)
	}
	fmt.Fprintf(io.out, "%s: output %q %s: min %.4g, max %.4g, mean %.4g\n", image, o.Name, strings.Join(dims, "×"), o.Min, o.Max, o.Mean)
	if o.Argmax == nil {
		return
	}
	what := make([]string, len(o.Argmax))
	for i, a := range o.Argmax {
		what[i] = fmt.Sprint(a)
		if o.Labels != nil {
			what[i] = o.Labels[i]
		}
	}
	more := ""
	if o.Truncated {
		more = " …"
	}
	fmt.Fprintf(io.out, "  argmax per position (%d): %s%s\n", len(o.Argmax), strings.Join(what, " "), more)
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/imageio"
)

func init() {
	register(command{name: "predict", summary: "classify images with a model", run: runPredict})
}

// predictOutput is the one JSON object `predict --json` prints.
type predictOutput struct {
	Model   string       `json:"model"`
	Classes []string     `json:"classes"`
	Results []prediction `json:"results"`
}

// prediction is one image's result: a class (Index, Class, Probabilities,
// Logits) when the model's output is a vector of class scores, else a
// summary of the output (Output).
type prediction struct {
	Image         string         `json:"image"`
	Index         int            `json:"index"`
	Class         string         `json:"class,omitempty"`
	Probabilities []float32      `json:"probabilities,omitempty"`
	Logits        []float32      `json:"logits,omitempty"`
	Output        *outputSummary `json:"output,omitempty"`
}

func runPredict(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var mf modelFlags
	mf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object with every result")
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope predict [--model FILE] [--labels FILE] [--input C,H,W] [--mean R,G,B] [--std R,G,B] [--scale S] [--bgr] [--resize crop|stretch] [--json] IMAGE...")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("predict needs at least one image")
	}
	g, name, err := mf.load()
	if err != nil {
		return err
	}
	// Only the head is read: intermediate buffers are recycled.
	head := g.ClassifierHead()
	p, err := engine.CompileKeep(g, 1, []string{head.Logits})
	if err != nil {
		return format.ExplainMissingWeights(name, err)
	}
	in := p.Shapes[g.Inputs[0].Name]
	if len(in) != 4 || in[1] != 3 {
		return fmt.Errorf("model input %v is not an RGB image (N, 3, H, W)", in)
	}
	if !isClassVector(p.Shapes[head.Logits].PerImage()) {
		return predictMaps(ctx, p, g, name, fs.Args(), mf.pre.p, *asJSON, io)
	}
	classes := p.Shapes[head.Logits].Elems()
	if err := format.CheckLabels(g, classes); err != nil {
		return err
	}
	names := g.ClassNames(classes)
	limits := imageio.DefaultLimits()
	var results []prediction
	failed := 0
	for _, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := predictOne(p, head, path, in[3], in[2], limits, mf.pre.p)
		if err != nil {
			fmt.Fprintf(io.err, "convscope: %s: %v\n", path, err)
			failed++
			continue
		}
		res.Class = names[res.Index]
		results = append(results, res)
		if !*asJSON {
			printPrediction(io, res, names)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(io.out)
		out := predictOutput{Model: name, Classes: names, Results: nonNil(results)}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images failed", failed, fs.NArg())
	}
	return nil
}

func nonNil(r []prediction) []prediction {
	if r == nil {
		return []prediction{}
	}
	return r
}

// runImage loads the image at path fitted to w×h, preprocessed as pre, and runs p on it.
func runImage(p *engine.Program, path string, w, h int, limits imageio.Limits, pre imageio.Preprocess) (map[string]*graph.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	x, err := imageio.LoadWith(f, w, h, limits, pre)
	if err != nil {
		return nil, err
	}
	pre.Apply(x, 3)
	return p.Run(x)
}

func predictOne(p *engine.Program, head graph.Head, path string, w, h int, limits imageio.Limits, pre imageio.Preprocess) (prediction, error) {
	vals, err := runImage(p, path, w, h, limits, pre)
	if err != nil {
		return prediction{}, err
	}
	logits := append([]float32(nil), vals[head.Logits].Data...)
	var probs []float32
	if head.Probs != "" {
		probs = append([]float32(nil), vals[head.Probs].Data...)
	} else {
		probs = softmax(logits)
	}
	best := 0
	for i, v := range probs {
		if v > probs[best] {
			best = i
		}
	}
	return prediction{Image: path, Index: best, Probabilities: probs, Logits: logits}, nil
}

func softmax(x []float32) []float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	out := make([]float32, len(x))
	var sum float64
	for i, v := range x {
		e := math.Exp(float64(v - m))
		out[i] = float32(e)
		sum += e
	}
	for i := range out {
		out[i] = float32(float64(out[i]) / sum)
	}
	return out
}

// printPrediction prints "image: class (p%)" and the two runners-up.
func printPrediction(io stdio, r prediction, names []string) {
	idx := make([]int, len(r.Probabilities))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.Probabilities[idx[a]] > r.Probabilities[idx[b]] })
	fmt.Fprintf(io.out, "%s: %s (%.1f%%)", r.Image, names[idx[0]], 100*r.Probabilities[idx[0]])
	for k := 1; k < min(3, len(idx)); k++ {
		if k == 1 {
			fmt.Fprint(io.out, "  then")
		}
		fmt.Fprintf(io.out, " %s %.1f%%", names[idx[k]], 100*r.Probabilities[idx[k]])
	}
	fmt.Fprintln(io.out)
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/convscope/convscope/internal/dataset"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/train"
	"github.com/convscope/convscope/internal/zoo"
)

func init() {
	register(command{name: "eval", summary: "measure a model's accuracy on a dataset's test split", run: runEval})
}

// evalOutput is what `eval --json` prints.
type evalOutput struct {
	Accuracy float64   `json:"accuracy"`
	PerClass []float64 `json:"per_class"`
	Conf     [][]int   `json:"confusion"`
}

func runEval(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var (
		model     = fs.String("model", "", "model file (TF.js model.json, …); default: the embedded Tiny VGG")
		spec      = fs.String("dataset", "", "fashion-mnist[:DIR], mnist:DIR, cifar10:DIR or folder:DIR (required)")
		asJSON    = fs.Bool("json", false, `print {"accuracy", "per_class", "confusion"} as JSON`)
		limit     = fs.Int("limit", 0, "evaluate only the first N test images (0: all)")
		colourise = fs.Bool("colourise", false, "grey datasets: render each image in random colours, as training augments (seeded by --seed)")
		seed      = fs.Uint64("seed", 1, "seed of --colourise")
		batch     = fs.Int("batch", 50, "images per engine run")
		workers   = fs.Int("workers", 0, "parallel engine programs (0: all cores)")
	)
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope eval [--model FILE] --dataset SPEC [--json]")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("eval takes no arguments, got %q", fs.Args())
	}
	if *spec == "" {
		fs.Usage()
		return usagef("eval needs --dataset")
	}
	if _, err := dataset.ParseSpec(*spec); err != nil {
		return usagef("%v", err)
	}
	var (
		g    *graph.Graph
		name = zoo.DefaultName
		err  error
	)
	if *model == "" {
		g, err = zoo.Default()
	} else {
		g, _, err = format.Open(*model)
		name = *model
	}
	if err != nil {
		return err
	}
	shapes, err := g.InferShapes(1)
	if err != nil {
		return err
	}
	in := shapes[g.Inputs[0].Name]
	if len(in) != 4 || in[2] != in[3] || (in[1] != 1 && in[1] != 3) {
		return fmt.Errorf("model input %v is not a square image (N, 1 or 3, S, S)", in)
	}
	classes := shapes[g.Outputs[0]].PerImage().Elems()
	set, err := dataset.Open(*spec, false, in[2])
	if err != nil {
		return err
	}
	if len(set.Classes) != classes {
		return fmt.Errorf("the model has %d outputs but %s has %d classes", classes, *spec, len(set.Classes))
	}
	l := &dataset.Loader{Set: set, Size: in[2], Channels: in[1]}
	if *limit > 0 && *limit < set.Len() {
		l.Idx = make([]int, *limit)
		for i := range l.Idx {
			l.Idx[i] = i
		}
	}
	var data train.Data = l
	if *colourise {
		if set.C != 1 {
			return usagef("--colourise applies to grey datasets")
		}
		l.Aug = dataset.Augment{Colourise: true}
		data = seededData{l, *seed}
	}
	conf, err := train.EvaluateEngine(ctx, g, data, *batch, *workers)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(io.out).Encode(evalOutput{Accuracy: conf.Accuracy(), PerClass: conf.PerClass(), Conf: conf.M})
	}
	printEval(io, name, *spec, set.Classes, conf)
	return nil
}

// seededData passes every example a generator seeded by (seed, index), so
// a random rendering is the same on every run.
type seededData struct {
	*dataset.Loader
	seed uint64
}

func (s seededData) Sample(dst []float32, i int, _ *rand.Rand) int32 {
	return s.Loader.Sample(dst, i, rand.New(rand.NewPCG(s.seed, uint64(i))))
}

func printEval(io stdio, model, spec string, classes []string, c *train.Confusion) {
	ok := 0
	for i := range c.M {
		ok += c.M[i][i]
	}
	fmt.Fprintf(io.out, "%s on %s: accuracy %.2f%% (%d of %d)\n\n", model, spec, 100*c.Accuracy(), ok, c.Total())
	w := 5
	for i, n := range classes {
		w = max(w, len(fmt.Sprintf("%d %s", i, n)))
	}
	fmt.Fprintf(io.out, "%-*s  accuracy\n", w, "class")
	for i, acc := range c.PerClass() {
		fmt.Fprintf(io.out, "%-*s  %6.2f%%\n", w, classes[i], 100*acc)
	}
	fmt.Fprintf(io.out, "\nconfusion matrix (rows: true class, columns: predicted)\n%-*s", w, "")
	for j := range classes {
		fmt.Fprintf(io.out, " %5d", j)
	}
	fmt.Fprintln(io.out)
	for i, row := range c.M {
		fmt.Fprintf(io.out, "%-*s", w, fmt.Sprintf("%d %s", i, classes[i]))
		var b strings.Builder
		for _, v := range row {
			fmt.Fprintf(&b, " %5d", v)
		}
		fmt.Fprintln(io.out, b.String())
	}
}

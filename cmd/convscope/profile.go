package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/profile"
	"github.com/convscope/convscope/internal/zoo"
)

func init() {
	register(command{name: "profile", summary: "time every layer of a model on convscope's engine", run: runProfile})
}

// maxProfileRuns bounds --runs.
const maxProfileRuns = 10000

// profileSeed seeds the weights given to a model without them.
const profileSeed = 1

func runProfile(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	fs.SetOutput(io.err)
	runs := fs.Int("runs", 10, "timed runs (after one warm-up run); each layer's time is its median")
	asJSON := fs.Bool("json", false, "print the profile as one JSON object")
	input := fs.String("input", "", "input size `C,H,W` of the first input (as analyze --input)")
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope profile [--runs N] [--json] [--input C,H,W] [FILE|preset:NAME]")
		fmt.Fprintln(io.err, "\nRuns the model (default: the embedded Tiny VGG) on a random input N times on\n"+
			"convscope's engine, in the Explainer's keep-all mode (every value kept), and lists\n"+
			"each layer's median time, its share of the run and the GFLOP/s it achieves\n"+
			"(2·MACs per time), slowest first. A model without weights (a preset, a prototxt)\n"+
			"runs with seeded random weights: the time does not depend on their values.")
		fs.PrintDefaults()
	}
	var files []string
	for { // flags may follow the file name
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return usageError{}
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) > 1 {
		fs.Usage()
		return usagef("profile takes at most one model")
	}
	if *runs < 1 || *runs > maxProfileRuns {
		return usagef("--runs %d: give 1 to %d", *runs, maxProfileRuns)
	}
	var override []int
	if *input != "" {
		var err error
		if override, err = analyze.ParseCHW(*input); err != nil {
			return usagef("--input %q: %v", *input, err)
		}
	}
	var (
		g    *graph.Graph
		name string
		err  error
	)
	if len(files) == 0 {
		g, err = zoo.Default()
		name = zoo.DefaultName
	} else {
		name = files[0]
		g, _, err = openModelOrPreset(name, override)
	}
	if err != nil {
		return err
	}
	if err := checkInputs(g); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(r.Unsupported) > 0 {
		return fmt.Errorf("%s: convscope cannot run operators %v", name, r.Unsupported)
	}
	filled, err := zoo.FillWeights(g, profileSeed)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	bar := newProgressBar(io.err)
	res, err := profile.Run(ctx, g, r, profile.Options{Runs: *runs, Progress: func(done, total int) {
		if bar.tty {
			bar.draw("profile ", fmt.Sprintf(" %d/%d runs", done, total), done, total)
		}
	}})
	bar.clear()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	res.RandomWeights = filled > 0
	if res.Model == "" {
		res.Model = filepath.Base(name)
	}
	if *asJSON {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return writeProfile(io.out, res)
}

// writeProfile prints the profile as a table, slowest layer first.
func writeProfile(w io.Writer, res *profile.Result) error {
	weights := "its own weights"
	if res.RandomWeights {
		weights = fmt.Sprintf("seeded random weights (seed %d; the model has none)", profileSeed)
	}
	fmt.Fprintf(w, "%s: %d runs on convscope's engine, %s mode, %s, batch 1\n", res.Model, res.Runs, res.Mode, weights)
	fmt.Fprintf(w, "whole run %.3f ms (median), layers %.3f ms, %s MACs, %.2f GFLOP/s\n\n",
		res.TotalMS, res.LayersMS, analyze.Thousands(res.MACs), res.GFLOPS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tlayer\ttype\tms\tshare\tMACs\tGFLOP/s\t")
	by := res.ByTime()
	for i, l := range by {
		gf := "-"
		if l.MACs > 0 {
			gf = fmt.Sprintf("%.2f", l.GFLOPS)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.3f\t%.1f%%\t%s\t%s\t\n", i+1, l.Name, l.Type, l.MS, 100*l.Share, analyze.Thousands(l.MACs), gf)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if fused := len(res.Layers) - len(by); fused > 0 {
		fmt.Fprintf(w, "\n%d more layers have no step of their own (fused into the one before them, or views): their time is in that step's.\n", fused)
	}
	_, err := fmt.Fprintln(w)
	return err
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/convscope/convscope/internal/analyze"
)

func init() {
	register(command{name: "diff", summary: "compare two models layer by layer: added, removed and changed layers, deltas of shapes, parameters, MACs and memory", run: runDiff})
}

func runDiff(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.err)
	formatName := fs.String("format", "table", "output format: table, json or markdown")
	count := fs.String("count", "macs", "count `macs` or flops for the ops figures")
	include := fs.String("include", "", "also count these `categories`: bias,norm,act,pool,merge,other or all")
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope diff [--format table|json|markdown] [--count macs|flops] [--include …] A B")
		fmt.Fprintln(io.err, "\nCompares model B with model A (files or preset:NAME): layers are matched by name,\nthen by structure; prints the totals of both with B − A, and every added (+),\nremoved (-) and changed (~) layer with what changed and its deltas.")
		fs.PrintDefaults()
	}
	var files []string
	for {
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
	if len(files) != 2 {
		fs.Usage()
		return usagef("diff needs two models, A and B")
	}
	switch *formatName {
	case "table", "json", "markdown", "md":
	default:
		return usagef("unknown --format %q (table, json, markdown)", *formatName)
	}
	conv, err := analyze.ParseConvention(*count, *include)
	if err != nil {
		return usagef("%v", err)
	}
	var reps [2]*analyze.Report
	var fmts [2]string
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		g, fmtName, err := openModelOrPreset(f, nil)
		if err != nil {
			return err
		}
		if err := checkInputs(g); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		r, err := analyze.Analyze(g)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if r.Name == "" {
			r.Name = filepath.Base(f)
		}
		reps[i], fmts[i] = r, fmtName
	}
	reps[1].Convention = conv
	d := analyze.CompareReports(reps[0], reps[1], files[0], files[1], fmts[0], fmts[1])
	return analyze.WriteDiff(io.out, d, *formatName)
}

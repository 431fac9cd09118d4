package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/convscope/convscope/internal/analyze"
)

func init() {
	register(command{name: "diff", summary: "compare two models layer by layer: added, removed and changed layers, deltas of shapes, parameters, MACs and memory", run: runDiff})
}

func runDiff(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.err)
	formatName := fs.String("format", "table", "output format: table, json or markdown")
	convention := countFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope diff [--format table|json|markdown] [--count macs|flops] [--include …] A B")
		fmt.Fprintln(io.err, "\nCompares model B with model A (files or preset:NAME): layers are matched by name,\nthen by structure; prints the totals of both with B − A, and every added (+),\nremoved (-) and changed (~) layer with what changed and its deltas.")
		fs.PrintDefaults()
	}
	files, help, err := parseInterleaved(fs, args)
	if help || err != nil {
		return err
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
	conv, err := convention()
	if err != nil {
		return err
	}
	var reps [2]*analyze.Report
	var fmts [2]string
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, fmtName, err := analyzeModel(f, nil)
		if err != nil {
			return err
		}
		reps[i], fmts[i] = r, fmtName
	}
	reps[1].Convention = conv
	d := analyze.CompareReports(reps[0], reps[1], files[0], files[1], fmts[0], fmts[1])
	return analyze.WriteDiff(io.out, d, *formatName)
}

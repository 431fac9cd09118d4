package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/convscope/convscope/internal/analyze"
	_ "github.com/convscope/convscope/internal/format/caffe"
	_ "github.com/convscope/convscope/internal/format/onnx"
	_ "github.com/convscope/convscope/internal/format/tfjs"
	_ "github.com/convscope/convscope/internal/format/tflite"
)

func init() {
	register(command{name: "analyze", summary: "show a model's layers, shapes, parameters, MACs and memory", run: runAnalyze})
}

// analyzeOutput is the one JSON object `analyze --format json` prints; it
// is defined in internal/analyze so that the web app's Scope API answers
// with the same object.
type analyzeOutput = analyze.JSONReport

func runAnalyze(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(io.err)
	formatName := fs.String("format", "table", "output format: table, json, csv, markdown or dot (Graphviz)")
	input := fs.String("input", "", "input size `C,H,W` of the first input: fills the sizes the file leaves open (ONNX dim_param, Keras null) and must agree with the ones it fixes (a Caffe prototxt's declared size is replaced)")
	convention := countFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope analyze [--format table|json|csv|markdown|dot] [--input C,H,W] [--count macs|flops] [--include bias,norm,act,pool,merge,other] FILE|preset:NAME")
		fmt.Fprintln(io.err, "\nShows every layer's output shape, parameters and MACs per image, the totals and\nthe peak activation memory of a batch-1 forward pass, without running the model.")
		fs.PrintDefaults()
	}
	files, help, err := parseInterleaved(fs, args)
	if help || err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return usagef("analyze needs exactly one model file")
	}
	switch *formatName {
	case "table", "json", "csv", "markdown", "md", "dot":
	default:
		return usagef("unknown --format %q (table, json, csv, markdown, dot)", *formatName)
	}
	conv, err := convention()
	if err != nil {
		return err
	}
	var override []int
	if *input != "" {
		if override, err = analyze.ParseCHW(*input); err != nil {
			return usagef("--input %q: %v", *input, err)
		}
	}
	r, fmtName, err := analyzeModel(files[0], override)
	if err != nil {
		return err
	}
	r.Convention = conv
	if wn := analyze.Warning(r); wn != "" && *formatName != "table" && *formatName != "markdown" && *formatName != "md" {
		fmt.Fprintln(io.err, wn) // the table and Markdown print it themselves
	}
	return analyze.Write(io.out, r, *formatName, files[0], fmtName)
}

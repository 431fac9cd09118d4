package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/convscope/convscope/internal/analyze"
)

// parseInterleaved parses fs's flags where they may follow the file names
// (`analyze FILE --format json`), returning the file names; help is set
// for -h.
func parseInterleaved(fs *flag.FlagSet, args []string) (files []string, help bool, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, true, nil
			}
			return nil, false, usageError{}
		}
		if fs.NArg() == 0 {
			return files, false, nil
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// countFlags adds --count and --include (analyze.Convention) to fs; the
// function returned reads them once fs is parsed.
func countFlags(fs *flag.FlagSet) func() (analyze.Convention, error) {
	count := fs.String("count", "macs", "count `macs` or flops (a multiply-accumulate is 2 FLOPs)")
	include := fs.String("include", "", "also count these `categories` of other arithmetic: bias,norm,act,pool,merge,other or all (docs/presets.md#counting-conventions)")
	return func() (analyze.Convention, error) {
		c, err := analyze.ParseConvention(*count, *include)
		if err != nil {
			return c, usagef("%v", err)
		}
		return c, nil
	}
}

// analyzeModel opens a model file or preset:NAME (input overrides the size
// of its first input) and analyses it; the report is named after the file
// when the model has no name.
func analyzeModel(file string, input []int) (*analyze.Report, string, error) {
	g, fmtName, err := openModelOrPreset(file, input)
	if err != nil {
		return nil, "", err
	}
	if err := checkInputs(g); err != nil {
		return nil, "", fmt.Errorf("%s: %w", file, err)
	}
	r, err := analyze.Analyze(g)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", file, err)
	}
	if r.Name == "" {
		r.Name = filepath.Base(file)
	}
	return r, fmtName, nil
}

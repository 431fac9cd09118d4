package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/convscope/convscope/internal/site"
	"github.com/convscope/convscope/internal/site/engine"
	"github.com/convscope/convscope/web"
)

func init() {
	register(command{name: "export-site", summary: "write the web app as a static site (engine in WebAssembly; no server needed)", run: runExportSite})
}

func runExportSite(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("export-site", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() {
		fmt.Fprintln(io.err, `usage: convscope export-site --out DIR [--model FILE [--labels FILE] [--examples DIR] [--input C,H,W]
                            [--mean R,G,B] [--std R,G,B] [--scale S] [--bgr] [--resize crop|stretch]]... [--no-scope]

Writes the web app into DIR as a static site that any static file server can
host (GitHub Pages, python3 -m http.server, a bucket): the UI, convscope's
engine compiled to WebAssembly (it runs in the reader's browser), the default
model and each --model with its class names and example images (flags as for
convscope serve). DIR must be new, empty or an earlier export (its files are
replaced, other files kept). --no-scope leaves the Scope page out.

flags:`)
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "the site's `folder`")
	noScope := fs.Bool("no-scope", false, "leave the Scope page out (the Explainer only)")
	var sm servedModels
	sm.register(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("export-site takes no arguments, got %q (use --model FILE)", fs.Arg(0))
	}
	if *out == "" {
		return usagef("export-site needs --out DIR, the folder to write")
	}
	models, err := sm.finish()
	if err != nil {
		return err
	}
	wasm, err := engine.Wasm()
	if err != nil {
		return errors.New("this build of convscope has no WebAssembly engine (run ./scripts/wasm.sh): " + err.Error())
	}
	st, err := site.Export(*out, site.Options{Models: models, NoScope: *noScope, UI: web.Dist(), Wasm: wasm, WasmExec: engine.WasmExec()})
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "wrote %d files to %s (%d models); serve the folder with any static file server, e.g. python3 -m http.server -d %s\n", len(st.Files), *out, 1+len(st.Models), *out)
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"time"

	// Model formats that --model can read.
	_ "github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/server"
)

func init() {
	register(command{name: "serve", summary: "serve the web app (the CNN overview) and its JSON API", run: runServe})
}

// serveFlags are the parsed flags of `convscope serve`.
type serveFlags struct {
	addr   string
	open   bool
	models []server.ModelSpec
	// pendingLabels/pendingExamples hold --labels/--examples given before
	// any --model.
	pendingLabels, pendingExamples string
}

// parseServeFlags parses the command line. --labels and --examples apply to
// the --model they follow; given before any --model they apply to the first
// one.
func parseServeFlags(args []string, io stdio) (*serveFlags, error) {
	sf := &serveFlags{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() {
		fmt.Fprintln(io.err, `usage: convscope serve [--addr HOST:PORT] [--model FILE [--labels FILE] [--examples DIR]]... [--open]

Serves the web app and its JSON API (docs/api.md). The embedded default model
is always served; each --model adds one (TF.js model.json, or any format this
build reads; "preset:NAME" serves a built-in network with random weights, see
convscope presets). Class names come from labels.txt beside the model file, or from
--labels FILE given after that --model; example images from an "examples"
folder beside it, or from --examples DIR. The server prints its URL on
standard output once it listens (with --addr 127.0.0.1:0 a free port is
picked).

flags:`)
		fs.PrintDefaults()
	}
	fs.StringVar(&sf.addr, "addr", "127.0.0.1:8080", "address to listen on (`host:port`; port 0 picks a free one)")
	fs.BoolVar(&sf.open, "open", false, "open the app in the default browser")
	fs.Func("model", "model `file` to serve besides the default one (repeatable)", func(v string) error {
		if v == "" {
			return errors.New("empty file name")
		}
		sf.models = append(sf.models, server.ModelSpec{Path: v})
		return nil
	})
	fs.Func("labels", "class-name `file` (one per line) for the preceding --model", func(v string) error {
		if len(sf.models) == 0 {
			sf.pendingLabels = v
			return nil
		}
		sf.models[len(sf.models)-1].Labels = v
		return nil
	})
	fs.Func("examples", "`folder` of example images for the preceding --model", func(v string) error {
		if len(sf.models) == 0 {
			sf.pendingExamples = v
			return nil
		}
		sf.models[len(sf.models)-1].Examples = v
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, usageError{}
	}
	if fs.NArg() > 0 {
		return nil, usagef("serve takes no arguments, got %q (use --model FILE)", fs.Arg(0))
	}
	if sf.pendingLabels != "" || sf.pendingExamples != "" {
		if len(sf.models) == 0 {
			return nil, usagef("--labels and --examples apply to a --model; the default model has its own")
		}
		if sf.models[0].Labels == "" {
			sf.models[0].Labels = sf.pendingLabels
		}
		if sf.models[0].Examples == "" {
			sf.models[0].Examples = sf.pendingExamples
		}
	}
	return sf, nil
}

func runServe(ctx context.Context, args []string, io stdio) error {
	sf, err := parseServeFlags(args, io)
	if err != nil || sf == nil {
		return err
	}
	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	tcp, _ := ln.Addr().(*net.TCPAddr)
	loopback := tcp != nil && tcp.IP.IsLoopback()
	srv, err := server.New(server.Config{
		Models:    sf.models,
		CheckHost: loopback,
		Log:       log.New(io.err, "convscope serve: ", log.LstdFlags),
	})
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.err, "convscope serve: ", log.LstdFlags),
	}
	url := "http://" + displayAddr(ln.Addr()) + "/"
	fmt.Fprintf(io.out, "convscope: serving %d model(s) (%v) at %s\n", len(srv.ModelIDs()), srv.ModelIDs(), url)
	if sf.open {
		openBrowser(url, io)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		return err
	}
	return nil
}

// displayAddr is the address to put in a URL: an unspecified host
// (0.0.0.0, ::) becomes localhost.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// openBrowser starts the system's URL opener; failures are reported, not
// fatal.
func openBrowser(url string, io stdio) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(io.err, "convscope: cannot open a browser (%v); open %s yourself\n", err, url)
		return
	}
	go cmd.Wait()
}

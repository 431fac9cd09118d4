package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	// Model formats that --model can read.
	_ "github.com/convscope/convscope/internal/format/tfjs"
	_ "github.com/convscope/convscope/internal/format/tflite"
	"github.com/convscope/convscope/internal/graph"
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
	// Limits (docs/security.md).
	maxUpload, maxPixels int64
	maxRuns              int
	maxUploaded          int
	maxUploadAct         int64
	maxMemory, maxImport int64
	runWait              time.Duration
	limits               graph.Limits
	// HTTP timeouts of the listening server.
	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout time.Duration
	// sm parses --model and the flags that go with it.
	sm servedModels
	// dataDir holds the training studio's checkpoints ("" after --data "": off).
	dataDir string
}

// parseServeFlags parses the command line. --labels and --examples apply to
// the --model they follow; given before any --model they apply to the first
// one.
func parseServeFlags(args []string, io stdio) (*serveFlags, error) {
	sf := &serveFlags{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() {
		fmt.Fprintln(io.err, `usage: convscope serve [--addr HOST:PORT] [--model FILE [--labels FILE] [--examples DIR] [--input C,H,W]
                      [--mean R,G,B] [--std R,G,B] [--scale S] [--bgr] [--resize crop|stretch]]... [--open]
                      [--max-upload BYTES] [--max-pixels N] [--max-runs N] [--run-wait DURATION] [--max-uploaded-models N] [--max-upload-activations N]
                      [--max-memory BYTES] [--max-import-bytes BYTES] [--data DIR]
                      [--max-nodes N] [--max-tensor-elems N] [--max-activation-elems N]
                      [--read-header-timeout D] [--read-timeout D] [--write-timeout D] [--idle-timeout D]

Serves the web app and its JSON API (docs/api.md). The embedded default model
is always served; each --model adds one (TF.js model.json, or any format this
build reads; "preset:NAME" serves a built-in network with random weights, see
convscope presets). Class names come from labels.txt beside the model file, or from
--labels FILE given after that --model; example images from an "examples"
folder beside it, or from --examples DIR. The server prints its URL on
standard output once it listens (with --addr 127.0.0.1:0 a free port is
picked). It listens on loopback unless --addr says otherwise; the limits and
headers are described in docs/security.md.

flags:`)
		fs.PrintDefaults()
	}
	fs.StringVar(&sf.dataDir, "data", defaultDataDir(), "`folder` for the training studio's checkpoints and uploaded dataset (\"\": training off)")
	fs.StringVar(&sf.addr, "addr", "127.0.0.1:8080", "address to listen on (`host:port`; port 0 picks a free one)")
	fs.BoolVar(&sf.open, "open", false, "open the app in the default browser")
	fs.Int64Var(&sf.maxUpload, "max-upload", server.DefaultMaxBodyBytes, "largest request body (uploaded image) in `bytes`; larger ones get 413")
	fs.Int64Var(&sf.maxPixels, "max-pixels", server.DefaultMaxPixels, "largest image width×height in `pixels`, checked from its header before decoding; larger ones get 413")
	fs.IntVar(&sf.maxRuns, "max-runs", max(1, runtime.GOMAXPROCS(0)), "`N` runs (decode + forward pass) at most in progress at once; further run requests wait --run-wait")
	fs.IntVar(&sf.maxUploaded, "max-uploaded-models", server.DefaultMaxUploaded, "`N` models added from the Scope page (POST /api/models) kept at most; the oldest is dropped first; 0 refuses uploads")
	fs.Int64Var(&sf.maxUploadAct, "max-upload-activations", server.DefaultMaxUploadActivations, "largest total of all activations of one image of an uploaded model, in `elements` (float32); checked before it is compiled")
	fs.Int64Var(&sf.maxMemory, "max-memory", server.DefaultMaxMemory, "server-wide memory budget in `bytes`: request bodies, imports of uploads, uploaded models with their engines and runs reserve from it before they allocate (docs/security.md)")
	fs.Int64Var(&sf.maxImport, "max-import-bytes", server.DefaultMaxImportBytes, "largest tensor data one uploaded model may materialise while it is imported, in `bytes` (the budget is 8 × the upload's size + 64 MiB, at most this)")
	fs.DurationVar(&sf.runWait, "run-wait", server.DefaultRunWait, "how long a run request waits for a free slot before it gets 503 with Retry-After (`duration`; 0 refuses at once)")
	sf.limits = graph.DefaultLimits
	fs.IntVar(&sf.limits.MaxNodes, "max-nodes", graph.DefaultLimits.MaxNodes, "largest model graph, in `nodes`; checked when a model loads")
	fs.Int64Var(&sf.limits.MaxTensorElems, "max-tensor-elems", graph.DefaultLimits.MaxTensorElems, "largest single tensor (activation or parameter), in `elements`; checked when a model loads")
	fs.Int64Var(&sf.limits.MaxTotalActElem, "max-activation-elems", graph.DefaultLimits.MaxTotalActElem, "largest total of all activations of one image, in `elements`; checked when a model loads")
	fs.DurationVar(&sf.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time to read a request's headers")
	fs.DurationVar(&sf.readTimeout, "read-timeout", 2*time.Minute, "time to read a whole request, body included")
	fs.DurationVar(&sf.writeTimeout, "write-timeout", 2*time.Minute, "time to write a response")
	fs.DurationVar(&sf.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	sf.sm.register(fs)
	err := fs.Parse(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, usageError{}
	}
	if fs.NArg() > 0 {
		return nil, usagef("serve takes no arguments, got %q (use --model FILE)", fs.Arg(0))
	}
	switch {
	case sf.maxUpload <= 0:
		return nil, usagef("--max-upload must be a positive number of bytes, got %d", sf.maxUpload)
	case sf.maxPixels <= 0:
		return nil, usagef("--max-pixels must be a positive number of pixels, got %d", sf.maxPixels)
	case sf.maxRuns <= 0:
		return nil, usagef("--max-runs must be at least 1, got %d", sf.maxRuns)
	case sf.maxUploadAct <= 0:
		return nil, usagef("--max-upload-activations must be positive, got %d", sf.maxUploadAct)
	case sf.maxMemory <= 0 || sf.maxImport <= 0:
		return nil, usagef("--max-memory and --max-import-bytes must be positive numbers of bytes")
	case sf.maxUploaded < 0:
		return nil, usagef("--max-uploaded-models must not be negative, got %d", sf.maxUploaded)
	case sf.runWait < 0:
		return nil, usagef("--run-wait must not be negative, got %v", sf.runWait)
	case sf.limits.MaxNodes <= 0 || sf.limits.MaxTensorElems <= 0 || sf.limits.MaxTotalActElem <= 0:
		return nil, usagef("--max-nodes, --max-tensor-elems and --max-activation-elems must be positive")
	case sf.readHeaderTimeout <= 0 || sf.readTimeout <= 0 || sf.writeTimeout <= 0 || sf.idleTimeout <= 0:
		return nil, usagef("--read-header-timeout, --read-timeout, --write-timeout and --idle-timeout must be positive")
	}
	if sf.models, err = sf.sm.finish(); err != nil {
		return nil, err
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
	loopback := isLoopback(ln.Addr())
	if !loopback {
		fmt.Fprintln(io.err, exposedWarning(ln.Addr()))
	}
	runWait := sf.runWait
	if runWait == 0 {
		runWait = -1 // server.Config: no wait
	}
	// The graph limits are process-wide: every model this server loads
	// (at start and uploaded for analysis) is checked against them.
	graph.DefaultLimits = sf.limits
	uploaded := sf.maxUploaded
	if uploaded == 0 {
		uploaded = -1 // server.Config: uploads refused
	}
	// The garbage collector works harder as the heap nears the memory
	// budget (plus room for the runtime and the built-in models), so that
	// what the budget frees is soon given back (GOMEMLIMIT overrides it).
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(sf.maxMemory + memoryHeadroom)
	}
	srv, err := server.New(server.Config{
		Models:               sf.models,
		MaxBodyBytes:         sf.maxUpload,
		MaxPixels:            sf.maxPixels,
		MaxRuns:              sf.maxRuns,
		MaxUploadedModels:    uploaded,
		MaxUploadActivations: sf.maxUploadAct,
		MaxMemory:            sf.maxMemory,
		MaxImportBytes:       sf.maxImport,
		RunWait:              runWait,
		CheckHost:            loopback,
		Log:                  log.New(io.err, "convscope serve: ", log.LstdFlags),
		DataDir:              sf.dataDir,
	})
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           httpHandler(srv),
		ReadHeaderTimeout: sf.readHeaderTimeout,
		ReadTimeout:       sf.readTimeout,
		WriteTimeout:      sf.writeTimeout,
		IdleTimeout:       sf.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.err, "convscope serve: ", log.LstdFlags),
	}
	defer srv.Close()
	if serveHook != nil {
		serveHook(hs)
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
	// Graceful shutdown: stop the training job (its checkpoint written)
	// and the event streams, stop accepting, let in-flight requests finish
	// (up to shutdownTimeout), then return.
	srv.Close()
	shut, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		return fmt.Errorf("shutting down: requests still running after %v: %w", shutdownTimeout, err)
	}
	return nil
}

// isLoopback reports whether a listening address accepts connections from
// this machine only.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// exposedWarning is printed on standard error when the server listens on an
// address other machines may reach.
func exposedWarning(a net.Addr) string {
	return fmt.Sprintf("convscope: warning: listening on %s, which is not a loopback address: anyone who can reach this machine can use the server and upload files to it (the Host check is off)", a)
}

// defaultDataDir is the training studio's folder by default: convscope in
// the user's cache folder ("" when there is none: training off).
func defaultDataDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "convscope")
}

// memoryHeadroom is what the Go memory limit of serve adds to --max-memory.
const memoryHeadroom = 128 << 20

// serveHook, set by tests only, sees the HTTP server before it serves (to
// observe requests and the start of the shutdown instead of sleeping).
var serveHook func(*http.Server)

// shutdownTimeout bounds how long SIGINT/SIGTERM waits for in-flight
// requests.
const shutdownTimeout = 10 * time.Second

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

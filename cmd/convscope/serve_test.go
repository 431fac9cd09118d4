package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/graph"
)

func TestServeFlags(t *testing.T) {
	var errb bytes.Buffer
	io := stdio{strings.NewReader(""), io.Discard, &errb}
	sf, err := parseServeFlags([]string{"--addr", "127.0.0.1:0", "--model", "a/model.json", "--labels", "a.txt", "--model", "b.onnx", "--examples", "ex"}, io)
	if err != nil {
		t.Fatal(err)
	}
	if sf.addr != "127.0.0.1:0" || len(sf.models) != 2 || sf.models[0].Labels != "a.txt" || sf.models[0].Examples != "" || sf.models[1].Examples != "ex" || sf.models[1].Labels != "" {
		t.Fatalf("%+v", sf)
	}
	sf, err = parseServeFlags([]string{"--labels", "l.txt", "--model", "m.json"}, io)
	if err != nil || sf.models[0].Labels != "l.txt" {
		t.Fatalf("labels before --model: %+v %v", sf, err)
	}
	// --input and the preprocessing flags apply to the --model they follow.
	sf, err = parseServeFlags([]string{"--model", "a.onnx", "--input", "3,32,48", "--mean", "1,2,3", "--bgr", "--model", "b.onnx", "--scale", "255"}, io)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := sf.models[0], sf.models[1]; !slices.Equal(a.Input, []int{3, 32, 48}) || b.Input != nil ||
		a.Preprocess == nil || !slices.Equal(a.Preprocess.Mean, []float32{1, 2, 3}) || !a.Preprocess.BGR || a.Preprocess.Scale != 0 ||
		b.Preprocess == nil || b.Preprocess.Scale != 255 || b.Preprocess.BGR || b.Preprocess.Mean != nil {
		t.Fatalf("per-model --input and preprocessing: %+v %+v", a, b)
	}
	for _, bad := range [][]string{{"--input", "3,32,32"}, {"--model", "a.onnx", "--input", "3,x,4"}, {"--model", "a.onnx", "--std", "0"}} {
		if _, err := parseServeFlags(bad, io); exitCode(err) != 2 {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := parseServeFlags([]string{"--labels", "l.txt"}, io); exitCode(err) != 2 {
		t.Fatalf("--labels without --model: %v", err)
	}
	if _, err := parseServeFlags([]string{"extra"}, io); exitCode(err) != 2 {
		t.Fatalf("positional argument: %v", err)
	}
	if _, err := parseServeFlags([]string{"--nope"}, io); exitCode(err) != 2 {
		t.Fatalf("unknown flag: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs "convscope serve --addr 127.0.0.1:0" until ctx ends and
// returns the URL it printed and the channel its result arrives on.
func startServe(t *testing.T, ctx context.Context) (string, chan error) {
	t.Helper()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, stdio{strings.NewReader(""), out, io.Discard})
	}()
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == "" && time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v (%s)", err, out)
		case <-time.After(20 * time.Millisecond):
		}
		url = re.FindString(out.String())
	}
	if url == "" {
		t.Fatalf("no URL printed: %q", out)
	}
	return url, done
}

func TestServeStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	url, done := startServe(t, ctx)
	resp, err := http.Get(url + "api/models")
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Models []struct{ ID string } }
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(list.Models) != 1 || list.Models[0].ID != "default" {
		t.Fatalf("GET /api/models: %d %+v", resp.StatusCode, list)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeLimitFlags(t *testing.T) {
	io := stdio{strings.NewReader(""), io.Discard, io.Discard}
	sf, err := parseServeFlags(nil, io)
	if err != nil {
		t.Fatal(err)
	}
	if sf.maxUpload != 32<<20 || sf.maxPixels != 50_000_000 || sf.maxRuns != max(1, runtime.GOMAXPROCS(0)) || sf.runWait != 2*time.Second {
		t.Fatalf("defaults: %+v", sf)
	}
	sf, err = parseServeFlags([]string{"--max-upload", "1000", "--max-pixels", "4096", "--max-runs", "3", "--run-wait", "250ms"}, io)
	if err != nil {
		t.Fatal(err)
	}
	if sf.maxUpload != 1000 || sf.maxPixels != 4096 || sf.maxRuns != 3 || sf.runWait != 250*time.Millisecond {
		t.Fatalf("parsed: %+v", sf)
	}
	for _, args := range [][]string{
		{"--max-upload", "0"}, {"--max-upload", "-5"}, {"--max-pixels", "0"},
		{"--max-runs", "0"}, {"--run-wait", "-1s"}, {"--run-wait", "soon"}, {"--max-upload", "32MB"},
	} {
		if _, err := parseServeFlags(args, io); exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestExposedWarning(t *testing.T) {
	for _, c := range []struct {
		ip       string
		loopback bool
	}{{"127.0.0.1", true}, {"::1", true}, {"0.0.0.0", false}, {"::", false}, {"192.168.1.4", false}} {
		a := &net.TCPAddr{IP: net.ParseIP(c.ip), Port: 8080}
		if got := isLoopback(a); got != c.loopback {
			t.Errorf("isLoopback(%s) = %v", c.ip, got)
		}
	}
	w := exposedWarning(&net.TCPAddr{IP: net.ParseIP("0.0.0.0"), Port: 8080})
	if !strings.Contains(w, "warning") || !strings.Contains(w, "0.0.0.0:8080") || !strings.Contains(w, "not a loopback address") {
		t.Errorf("warning %q", w)
	}
}

// TestServeGracefulShutdown cancels the context (as SIGINT/SIGTERM do)
// while a request is in flight: the request still gets its answer and serve
// returns nil afterwards.
func TestServeGracefulShutdown(t *testing.T) {
	// The server tells when its handler has the request, when it has
	// finished it, and when the shutdown has begun (its listener closed).
	started := make(chan struct{}, 1)
	stopping := make(chan struct{})
	var finished atomic.Bool
	serveHook = func(hs *http.Server) {
		h := hs.Handler
		hs.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case started <- struct{}{}:
			default:
			}
			h.ServeHTTP(w, r)
			finished.Store(true)
		})
		hs.RegisterOnShutdown(func() { close(stopping) })
	}
	defer func() { serveHook = nil }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, done := startServe(t, ctx)
	// An upload whose body arrives in two halves, with the shutdown between.
	var img bytes.Buffer
	rgba := image.NewRGBA(image.Rect(0, 0, 16, 16))
	png.Encode(&img, rgba)
	data := img.Bytes()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", url+"api/models/default/run", pr)
	req.ContentLength = int64(len(data))
	type result struct {
		status int
		err    error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			resc <- result{0, err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		resc <- result{resp.StatusCode, nil}
	}()
	pw.Write(data[:len(data)/2])
	select {
	case <-started: // the handler has the request and waits for its body
	case r := <-resc:
		t.Fatalf("request answered before its body was sent: %d %v", r.status, r.err)
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the handler")
	}
	cancel()
	select {
	case <-stopping:
	case <-time.After(10 * time.Second):
		t.Fatal("the shutdown did not begin")
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned %v with a request in flight", err)
	default:
	}
	pw.Write(data[len(data)/2:])
	pw.Close()
	select {
	case err := <-done:
		if !finished.Load() {
			t.Fatalf("serve returned %v with a request in flight", err)
		}
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	select {
	case r := <-resc:
		if r.err != nil || r.status != 200 {
			t.Fatalf("in-flight request: %d %v", r.status, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight request not answered")
	}
}

// The graph limits and HTTP timeouts are flags; a model over a limit is
// refused when the server starts, with the limit in the message.
func TestServeGraphLimitAndTimeoutFlags(t *testing.T) {
	io := stdio{strings.NewReader(""), io.Discard, io.Discard}
	sf, err := parseServeFlags(nil, io)
	if err != nil {
		t.Fatal(err)
	}
	if sf.limits != graph.DefaultLimits || sf.readHeaderTimeout != 10*time.Second || sf.idleTimeout != 2*time.Minute {
		t.Fatalf("defaults: %+v", sf)
	}
	sf, err = parseServeFlags([]string{"--max-nodes", "7", "--max-tensor-elems", "1000", "--max-activation-elems", "5000",
		"--read-header-timeout", "3s", "--read-timeout", "4s", "--write-timeout", "5s", "--idle-timeout", "6s"}, io)
	if err != nil {
		t.Fatal(err)
	}
	if sf.limits != (graph.Limits{MaxNodes: 7, MaxTensorElems: 1000, MaxTotalActElem: 5000}) ||
		sf.readHeaderTimeout != 3*time.Second || sf.readTimeout != 4*time.Second || sf.writeTimeout != 5*time.Second || sf.idleTimeout != 6*time.Second {
		t.Fatalf("parsed: %+v", sf)
	}
	for _, args := range [][]string{{"--max-nodes", "0"}, {"--max-tensor-elems", "-1"}, {"--max-activation-elems", "0"},
		{"--read-timeout", "0s"}, {"--idle-timeout", "-1s"}} {
		if _, err := parseServeFlags(args, io); exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	// Tiny VGG has 13 nodes: a limit of 5 refuses it at start.
	saved := graph.DefaultLimits
	defer func() { graph.DefaultLimits = saved }()
	_, stderr, err := runCLI(t, "serve", "--addr", "127.0.0.1:0", "--max-nodes", "5")
	if err == nil || !strings.Contains(err.Error()+stderr, "more than the limit of 5") {
		t.Fatalf("serve --max-nodes 5: %v\n%s", err, stderr)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type config struct {
	url      string
	pid      int
	clients  int
	duration time.Duration
	invalid  float64
	hostile  float64
	only     string
	model    string
	asJSON   bool
	serveArg string
	big      float64
	idle     time.Duration
}

func run() error {
	var c config
	flag.StringVar(&c.url, "url", "", "base URL of a running server (default: start one)")
	flag.IntVar(&c.pid, "pid", 0, "process id of the server at -url, for its peak memory")
	flag.IntVar(&c.clients, "clients", 32, "concurrent clients")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to send requests")
	flag.Float64Var(&c.invalid, "invalid", 0.2, "fraction of requests that are invalid")
	flag.Float64Var(&c.hostile, "hostile", 0.1, "fraction of requests that are issue 15's hostile requests (huge constants, repeated shards, long names, cross-site, …)")
	flag.StringVar(&c.only, "only", "", "send only the kinds whose names match this `regexp` (e.g. '^F1 ' for one finding)")
	flag.StringVar(&c.model, "model", "", "model id (default: the server's first)")
	flag.BoolVar(&c.asJSON, "json", false, "print the report as JSON")
	flag.StringVar(&c.serveArg, "serve-args", "", "extra arguments for the started server, space separated")
	flag.Float64Var(&c.big, "big", 0.25, "fraction of valid runs that upload a 640×480 photo instead of a 64×64 image")
	flag.DurationVar(&c.idle, "idle", 0, "after the load, wait this long and report the server's resident memory (VmRSS): what an idle server keeps")
	flag.Parse()
	if c.clients < 1 || c.duration <= 0 || c.invalid < 0 || c.hostile < 0 || c.invalid+c.hostile > 1 {
		return errors.New("need -clients ≥ 1, -duration > 0, -invalid ≥ 0, -hostile ≥ 0 and -invalid + -hostile ≤ 1")
	}
	if _, err := regexp.Compile(c.only); err != nil {
		return fmt.Errorf("-only: %w", err)
	}
	if c.url == "" {
		stop, base, pid, err := startServer(c.serveArg)
		if err != nil {
			return err
		}
		defer stop()
		c.url, c.pid = base, pid
	}
	if err := checkLoopback(c.url); err != nil {
		return err
	}
	if c.model == "" {
		id, err := firstModel(c.url)
		if err != nil {
			return err
		}
		c.model = id
	}
	rep, err := load(c)
	if err != nil {
		return err
	}
	if c.pid > 0 {
		rep.PeakRSSMB = procStatus(c.pid, "VmHWM:")
		if c.idle > 0 {
			time.Sleep(c.idle)
			rep.IdleRSSMB = procStatus(c.pid, "VmRSS:")
		}
	}
	if c.asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.print(os.Stdout)
	if rep.Unexpected > 0 {
		return fmt.Errorf("%d unexpected outcomes", rep.Unexpected)
	}
	return nil
}

// checkLoopback refuses to load anything but this machine.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	switch h := u.Hostname(); {
	case h == "localhost", strings.HasPrefix(h, "127."), h == "::1":
		return nil
	}
	return fmt.Errorf("refusing to load %s: only loopback addresses are allowed", base)
}

func startServer(extra string) (stop func(), base string, pid int, err error) {
	dir, err := os.MkdirTemp("", "convscope-load")
	if err != nil {
		return nil, "", 0, err
	}
	bin := filepath.Join(dir, "convscope")
	build := exec.Command("go", "build", "-o", bin, "./cmd/convscope")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, "", 0, fmt.Errorf("building convscope (run from the repository root): %w", err)
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, strings.Fields(extra)...)
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", 0, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, "", 0, err
	}
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
		os.RemoveAll(dir)
	}
	sc := bufio.NewScanner(out)
	re := regexp.MustCompile(`http://[^\s]+`)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if m := re.FindString(sc.Text()); m != "" {
				found <- strings.TrimSuffix(m, "/")
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case base = <-found:
		return stop, base, cmd.Process.Pid, nil
	case <-time.After(30 * time.Second):
		stop()
		return nil, "", 0, errors.New("the server did not print its URL within 30 s")
	}
}

func firstModel(base string) (string, error) {
	resp, err := http.Get(base + "/api/models")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var list struct {
		Models []struct {
			ID string `json:"id"`
		} `json:"models"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Models) == 0 {
		return "", fmt.Errorf("GET /api/models: no model list (%v)", err)
	}
	return list.Models[0].ID, nil
}

// A request kind and the status class it must get.
type kind struct {
	name   string
	weight float64 // among invalid kinds
	make   func(base, model string) (*http.Request, error)
	want   func(status int) bool
}

func post(u string, body []byte, ctype string) (*http.Request, error) {
	r, err := http.NewRequest("POST", u, bytes.NewReader(body))
	if err == nil {
		r.Header.Set("Content-Type", ctype)
	}
	return r, err
}

func is2xx(s int) bool { return s/100 == 2 }
func is4xx(s int) bool { return s/100 == 4 }

func kinds(big float64) (valid kind, invalid []kind) {
	photo := testPNG(64, 64)
	bigPhoto := testPNG(640, 480)
	huge := hugePNGHeader()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i * 7)
	}
	oversized := bytes.Repeat([]byte{0}, 40<<20)
	runURL := func(base, model string) string { return base + "/api/models/" + url.PathEscape(model) + "/run" }
	valid = kind{"valid run", 0, func(b, m string) (*http.Request, error) {
		if rand.Float64() < big {
			return post(runURL(b, m), bigPhoto, "image/png")
		}
		return post(runURL(b, m), photo, "image/png")
	}, is2xx}
	invalid = []kind{
		{"corrupt image", 4, func(b, m string) (*http.Request, error) { return post(runURL(b, m), garbage, "image/png") }, is4xx},
		{"truncated image", 3, func(b, m string) (*http.Request, error) { return post(runURL(b, m), photo[:len(photo)/2], "image/png") }, is4xx},
		{"100000x100000 PNG header", 2, func(b, m string) (*http.Request, error) { return post(runURL(b, m), huge, "image/png") }, is4xx},
		{"unknown model", 2, func(b, m string) (*http.Request, error) { return post(runURL(b, "no-such-model"), photo, "image/png") }, is4xx},
		{"empty body", 2, func(b, m string) (*http.Request, error) { return post(runURL(b, m), nil, "image/png") }, is4xx},
		{"wrong method", 1, func(b, m string) (*http.Request, error) {
			return http.NewRequest("DELETE", runURL(b, m), nil)
		}, is4xx},
		{"path traversal", 1, func(b, m string) (*http.Request, error) { return http.NewRequest("GET", b+"/../../etc/passwd", nil) }, is4xx},
		{"40 MB upload", 0.2, func(b, m string) (*http.Request, error) { return post(runURL(b, m), oversized, "image/png") }, is4xx},
	}
	return valid, invalid
}

// testPNG is a smooth colour picture.
func testPNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(255 * x / w), uint8(255 * y / h), uint8((x * y) % 256), 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// hugePNGHeader is a PNG signature and IHDR declaring 100000×100000.
func hugePNGHeader() []byte {
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	var b bytes.Buffer
	png.Encode(&b, img)
	p := b.Bytes()
	// IHDR data starts at byte 16: width and height, big endian; the CRC
	// is left wrong on purpose (the size check must come first anyway).
	for _, off := range []int{16, 20} {
		p[off], p[off+1], p[off+2], p[off+3] = 0, 0x01, 0x86, 0xa0
	}
	return p
}

type sample struct {
	kind    string
	body    string // the start of an unexpected answer
	status  int
	err     string
	latency time.Duration
	ok      bool
}

// Report is what a run measured.
type Report struct {
	Clients    int                     `json:"clients"`
	Seconds    float64                 `json:"seconds"`
	Requests   int                     `json:"requests"`
	PerSecond  float64                 `json:"requests_per_second"`
	Valid      Latency                 `json:"valid_latency_ms"`
	Kinds      map[string]*KindOutcome `json:"kinds"`
	Unexpected int                     `json:"unexpected"`
	PeakRSSMB  float64                 `json:"server_peak_rss_mb,omitempty"`
	IdleRSSMB  float64                 `json:"server_idle_rss_mb,omitempty"`
}

// Latency percentiles in milliseconds.
type Latency struct {
	P50, P90, P99, Max float64
}

// KindOutcome counts the responses of one kind of request.
type KindOutcome struct {
	Count      int            `json:"count"`
	Statuses   map[string]int `json:"statuses"`
	Unexpected int            `json:"unexpected"`
	// Example is the start of the body of one unexpected answer.
	Example string `json:"example,omitempty"`
}

func load(c config) (*Report, error) {
	valid, invalid := kinds(c.big)
	hostile := hostileKinds()
	only := regexp.MustCompile(c.only)
	keep := func(ks []kind) []kind {
		var out []kind
		for _, k := range ks {
			if only.MatchString(k.name) {
				out = append(out, k)
			}
		}
		return out
	}
	invalid, hostile = keep(invalid), keep(hostile)
	sendValid := only.MatchString(valid.name)
	weighted := func(rng *rand.Rand, ks []kind) kind {
		var total float64
		for _, k := range ks {
			total += k.weight
		}
		x := rng.Float64() * total
		for _, k := range ks {
			if x < k.weight {
				return k
			}
			x -= k.weight
		}
		return ks[0]
	}
	if !(c.hostile > 0 && len(hostile) > 0) && !(c.invalid > 0 && len(invalid) > 0) && !(c.hostile+c.invalid < 1 && sendValid) {
		return nil, errors.New("no request kind to send: check -only, -invalid and -hostile")
	}
	pick := func(rng *rand.Rand) kind {
		for {
			x := rng.Float64()
			switch {
			case x < c.hostile:
				if len(hostile) > 0 {
					return weighted(rng, hostile)
				}
			case x < c.hostile+c.invalid:
				if len(invalid) > 0 {
					return weighted(rng, invalid)
				}
			case sendValid:
				return valid
			}
		}
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}}
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	results := make([][]sample, c.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < c.clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for ctx.Err() == nil {
				k := pick(rng)
				req, err := k.make(c.url, c.model)
				if err != nil {
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				s := sample{kind: k.name, latency: time.Since(t0)}
				if err != nil {
					s.err = "transport: " + shortErr(err)
				} else {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					noteUpload(k, resp.StatusCode, body)
					s.latency = time.Since(t0)
					s.status = resp.StatusCode
					s.ok = k.want(resp.StatusCode)
					if !s.ok {
						s.body = string(body[:min(len(body), 200)])
					}
				}
				results[i] = append(results[i], s)
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	rep := &Report{Clients: c.clients, Seconds: elapsed, Kinds: map[string]*KindOutcome{}}
	var lat []float64
	for _, rs := range results {
		for _, s := range rs {
			rep.Requests++
			ko := rep.Kinds[s.kind]
			if ko == nil {
				ko = &KindOutcome{Statuses: map[string]int{}}
				rep.Kinds[s.kind] = ko
			}
			ko.Count++
			key := strconv.Itoa(s.status)
			if s.err != "" {
				key = s.err
			}
			ko.Statuses[key]++
			if !s.ok {
				if ko.Example == "" {
					ko.Example = s.body
				}
				ko.Unexpected++
				rep.Unexpected++
			}
			if s.kind == valid.name && s.ok {
				lat = append(lat, float64(s.latency.Microseconds())/1000)
			}
		}
	}
	rep.PerSecond = float64(rep.Requests) / elapsed
	sort.Float64s(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	if len(lat) > 0 {
		rep.Valid = Latency{q(0.5), q(0.9), q(0.99), lat[len(lat)-1]}
	}
	return rep, nil
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

func (r *Report) print(w io.Writer) {
	fmt.Fprintf(w, "%d clients for %.1f s: %d requests, %.0f requests/s\n", r.Clients, r.Seconds, r.Requests, r.PerSecond)
	fmt.Fprintf(w, "valid runs: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.Valid.P50, r.Valid.P90, r.Valid.P99, r.Valid.Max)
	names := make([]string, 0, len(r.Kinds))
	for n := range r.Kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "%-34s %8s %11s  statuses\n", "kind", "count", "unexpected")
	for _, n := range names {
		k := r.Kinds[n]
		var st []string
		for s, c := range k.Statuses {
			st = append(st, fmt.Sprintf("%s×%d", s, c))
		}
		sort.Strings(st)
		fmt.Fprintf(w, "%-34s %8d %11d  %s\n", n, k.Count, k.Unexpected, strings.Join(st, " "))
		if k.Example != "" {
			fmt.Fprintf(w, "%-34s unexpected answer: %s\n", "", strings.TrimSpace(k.Example))
		}
	}
	fmt.Fprintf(w, "unexpected outcomes: %d\n", r.Unexpected)
	if r.PeakRSSMB > 0 {
		fmt.Fprintf(w, "server peak RSS: %.1f MB\n", r.PeakRSSMB)
	}
	if r.IdleRSSMB > 0 {
		fmt.Fprintf(w, "server RSS when idle afterwards: %.1f MB\n", r.IdleRSSMB)
	}
}

// procStatus reads a memory line of a process's status (VmHWM: the
// high-water resident set, VmRSS: the current one) in MB.
func procStatus(pid int, key string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

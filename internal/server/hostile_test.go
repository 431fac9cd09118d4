//go:build !(js && wasm)

package server

// Regression tests of issue 15: small requests that made the server
// allocate gigabytes. The hostile files come from internal/badinput's
// generators. Memory is measured by the budgets' accounting (the server's
// memBudget, an import's format.Budget), which every allocation of that
// size is charged to before it happens; the tests never allocate the
// gigabytes themselves.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"github.com/convscope/convscope/internal/graph"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/badinput"
	"github.com/convscope/convscope/internal/format"
)

// postFiles posts files as a multipart upload to url.
func postFiles(t *testing.T, s http.Handler, url string, files format.MemFS, order ...string) *httptest.ResponseRecorder {
	t.Helper()
	body, ct := multipartFiles(t, files, order...)
	return do(t, s, "POST", url, body, ct)
}

// uploadFile posts one model file to POST /api/models, which must add it.
func uploadFile(t *testing.T, s http.Handler, name string, data []byte) uploadAnswer {
	t.Helper()
	return added(t, do(t, s, "POST", "/api/models?name="+name, bytes.NewReader(data), ""))
}

// TestFinding1ConstantOfShape: the ~1 KB ONNX file with a ConstantOfShape
// of [2³⁰−1024] int64 is refused by POST /api/analyze and /api/models with
// 413 naming the import budget, and nothing stays reserved.
func TestFinding1ConstantOfShape(t *testing.T) {
	s := newTestServer(t, Config{})
	data := badinput.ConstantOfShapeONNX(badinput.HugeConstantLen, 1)
	for _, url := range []string{"/api/analyze?name=m.onnx", "/api/models?name=m.onnx"} {
		w := do(t, s, "POST", url, bytes.NewReader(data), "application/octet-stream")
		wantError(t, w, 413, "8.0 GiB, more than the 64.0 MiB left of the import's memory budget of 64.0 MiB (8 × the upload's")
		if !strings.Contains(w.Body.String(), "--max-import-bytes") {
			t.Errorf("%s: the error does not name the flag: %s", url, w.Body)
		}
	}
	// Sixteen of 2²⁴ (2 GiB together) fail the same way.
	wantError(t, do(t, s, "POST", "/api/analyze?name=m.onnx", bytes.NewReader(badinput.ConstantOfShapeONNX(1<<24, 16)), ""), 413, "import's memory budget")
	if n := s.mem.inUse(); n != 0 {
		t.Fatalf("%d bytes of the memory budget still reserved", n)
	}
	// The same model with a small constant is fine.
	if w := do(t, s, "POST", "/api/models?name=m.onnx", bytes.NewReader(badinput.ConstantOfShapeONNX(1000, 1)), ""); w.Code != 201 {
		t.Fatalf("a [1000] constant: %d %s", w.Code, w.Body)
	}
	// Four concurrent uploads of a 2²⁸ constant all fail.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := do(t, s, "POST", "/api/models?name=m.onnx", bytes.NewReader(badinput.ConstantOfShapeONNX(1<<28, 1)), "")
			if w.Code != 413 && w.Code != 503 {
				t.Errorf("2^28 constant: %d %s", w.Code, w.Body)
			}
		}()
	}
	wg.Wait()
}

// TestFinding2RepeatedShard: a model.json listing one shard 64 times is
// refused before the shards are concatenated.
func TestFinding2RepeatedShard(t *testing.T) {
	s := newTestServer(t, Config{})
	w := postFiles(t, s, "/api/analyze", badinput.RepeatedShardTFJS(1<<20, 64), "model.json", "group1-shard1of1.bin")
	wantError(t, w, 422, "listed more than once")
}

// TestFinding3ExternalData: 64 initializers at offset 0 of one file are
// refused at the second.
func TestFinding3ExternalData(t *testing.T) {
	s := newTestServer(t, Config{})
	w := postFiles(t, s, "/api/analyze", badinput.ExternalDataONNX(64, 1<<20), "model.onnx", "weights.bin")
	wantError(t, w, 422, "read twice")
}

// TestFinding4Names: uploads named with a megabyte keep names, ids, the
// model list and 404s small, and the server keeps nothing per dropped id.
func TestFinding4Names(t *testing.T) {
	s := newTestServer(t, Config{MaxUploadedModels: 2})
	data := badinput.LongNameONNX(1 << 20)
	ids := map[string]bool{}
	for range 10 {
		a := uploadFile(t, s, "m.onnx", data)
		if n := len([]rune(a.Model.Name)); n > maxNameLen+1 {
			t.Fatalf("name of %d runes", n)
		}
		if len(a.Model.ID) > maxIDLen+4 || ids[a.Model.ID] {
			t.Fatalf("id %q: too long or given twice", a.Model.ID)
		}
		ids[a.Model.ID] = true
	}
	if len(s.byID) != 3 || len(s.models) != 3 || len(s.uploaded) != 2 {
		t.Fatalf("the store holds %d ids, %d models, %d uploads; want 3, 3, 2", len(s.byID), len(s.models), len(s.uploaded))
	}
	if w := do(t, s, "GET", "/api/models", nil, ""); w.Body.Len() > 8<<10 {
		t.Errorf("GET /api/models answers %d bytes", w.Body.Len())
	}
	w := do(t, s, "GET", "/api/models/"+strings.Repeat("x", 100000), nil, "")
	wantError(t, w, 404, "GET /api/models lists the models")
	if w.Body.Len() > 1024 {
		t.Errorf("a 404 of %d bytes", w.Body.Len())
	}
}

// TestFinding5Engines: uploads near the activation cap, run concurrently,
// never hold more than the memory budget: the oldest uploads are dropped
// to make room, and a model gets a second engine only when it fits.
func TestFinding5Engines(t *testing.T) {
	const limit = 6 << 20
	s := newTestServer(t, Config{MaxMemory: limit, MaxImportBytes: 16 << 20, MaxUploadActivations: 250_000, MaxRuns: 4, MaxUploads: 4, RunWait: 5 * time.Second})
	data := badinput.WideONNX(200) // 240 014 activations: just under the cap
	var last string
	for range 8 {
		last = uploadFile(t, s, "wide.onnx", data).Model.ID
		if n := s.mem.inUse(); n > limit {
			t.Fatalf("%d bytes reserved, over the budget of %d", n, limit)
		}
	}
	m := s.lookup(last)
	// x and its Relu (3·200² each), the pool, Flatten, Gemm and Softmax
	// (3, 3, 4, 4): 240 014 float32 values; no convolution, no scratch.
	if len(s.uploaded) >= 8 || m.engineBytes != 4*240_014 {
		t.Fatalf("%d uploads kept, %d bytes an engine: the budget did not bind", len(s.uploaded), m.engineBytes)
	}
	img := pngBytes(t, 16, 16)
	var wg sync.WaitGroup
	var peak int64
	ran := 0
	var mu sync.Mutex
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := do(t, s, "POST", "/api/models/"+last+"/run", bytes.NewReader(img), "")
			if w.Code != 200 && w.Code != 503 {
				t.Errorf("run: %d %s", w.Code, w.Body)
			}
			mu.Lock()
			peak = max(peak, s.mem.inUse())
			if w.Code == 200 {
				ran++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if peak > limit || ran == 0 {
		t.Fatalf("%d bytes reserved during the runs, over %d; %d of 8 ran", peak, limit, ran)
	}
	// A model bigger than the whole budget is refused.
	err := s.makeRoom(context.Background(), limit+1, "the model")
	if he, ok := err.(*httpError); !ok || he.status != 413 || !strings.Contains(he.msg, "more than the part of the memory budget uploads may use (3/4 of it) of 4.5 MiB (serve --max-memory 6.0 MiB)") {
		t.Fatalf("a model over the budget: %v", err)
	}
}

// TestFinding6CrossSite: the state-changing and expensive endpoints refuse
// cross-site browser requests and accept same-origin ones and clients that
// send neither header.
func TestFinding6CrossSite(t *testing.T) {
	s := newTestServer(t, Config{})
	img := pngBytes(t, 8, 8)
	model := badinput.LongNameONNX(4)
	example := s.models[0].examples[0].name
	reqs := []struct {
		method, url string
		body        []byte
	}{
		{"POST", "/api/models?name=m.onnx", model},
		{"POST", "/api/analyze?name=m.onnx", model},
		{"POST", "/api/models/default/run", img},
		{"GET", "/api/models/default/examples/" + example + "/run", nil},
	}
	for _, rq := range reqs {
		for _, h := range []struct {
			key, value string
			ok         bool
		}{
			{"Origin", "https://evil.example", false},
			{"Origin", "null", false},
			{"Origin", "http://example.com:8080", false},
			{"Sec-Fetch-Site", "cross-site", false},
			{"Sec-Fetch-Site", "same-site", false},
			{"Origin", "http://example.com", true}, // httptest's Host
			{"Sec-Fetch-Site", "same-origin", true},
			{"Sec-Fetch-Site", "none", true},
			{"", "", true},
		} {
			r := httptest.NewRequest(rq.method, rq.url, bytes.NewReader(rq.body))
			if h.key != "" {
				r.Header.Set(h.key, h.value)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if h.ok && w.Code/100 != 2 {
				t.Errorf("%s %s with %s: %s: %d %s", rq.method, rq.url, h.key, h.value, w.Code, w.Body)
			}
			if !h.ok {
				wantError(t, w, 403, "cross-site request refused")
			}
		}
	}
	// Reading stays open to any page (the answers are not readable cross-site).
	r := httptest.NewRequest("GET", "/api/models", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Errorf("GET /api/models cross-site: %d", w.Code)
	}
}

// slowBody is a request body that sends nothing until released and records
// whether it was read.
type slowBody struct {
	read    chan struct{}
	release chan struct{}
	once    sync.Once
	data    *bytes.Reader
}

func (b *slowBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.read) })
	<-b.release
	return b.data.Read(p)
}

// TestFinding7Admission: bodies are admitted against the memory budget
// before they are read: with room for two 1 MiB bodies (uploads may use
// 3/4 of the 3 MiB budget), a third request is answered 503 naming the
// budget without a byte of its body read.
func TestFinding7Admission(t *testing.T) {
	s := newTestServer(t, Config{MaxMemory: 3 << 20, RunWait: -1})
	release := make(chan struct{})
	var wg sync.WaitGroup
	var bodies []*slowBody
	for range 2 {
		b := &slowBody{read: make(chan struct{}), release: release, data: bytes.NewReader(make([]byte, 1<<20))}
		bodies = append(bodies, b)
		r := httptest.NewRequest("POST", "/api/analyze?name=m.onnx", b)
		r.ContentLength = 1 << 20
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.ServeHTTP(httptest.NewRecorder(), r)
		}()
		select { // admitted and being read
		case <-b.read:
		case <-time.After(10 * time.Second):
			close(release)
			t.Fatal("a body within the budget was not read")
		}
	}
	third := &slowBody{read: make(chan struct{}), release: release, data: bytes.NewReader(make([]byte, 1<<20))}
	r := httptest.NewRequest("POST", "/api/analyze?name=m.onnx", third)
	r.ContentLength = 1 << 20
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	wantError(t, w, 503, "memory budget (serve --max-memory")
	select {
	case <-third.read:
		t.Fatal("the refused body was read")
	default:
	}
	close(release)
	wg.Wait()
	if n := s.mem.inUse(); n != 0 {
		t.Fatalf("%d bytes still reserved", n)
	}
}

// TestFinding8FreeMemory: after an import that held much memory the heap is
// returned to the operating system within freeDelay: the runtime's count of
// released heap bytes grows by most of what the import allocated.
func TestFinding8FreeMemory(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 64 << 20})
	files := badinput.RepeatedShardTFJS(24<<20, 1) // 24 MiB shard → 96 MiB of float32
	released := func() uint64 {
		m := []metrics.Sample{{Name: "/memory/classes/heap/released:bytes"}}
		metrics.Read(m)
		return m[0].Value.Uint64()
	}
	runtime.GC()
	time.Sleep(2 * freeDelay) // a free another test asked for
	before := released()
	w := postFiles(t, s, "/api/analyze", files, "model.json", "group1-shard1of1.bin")
	if w.Code != 200 {
		t.Fatalf("analyze: %d %s", w.Code, w.Body)
	}
	deadline := time.Now().Add(10 * freeDelay)
	for released() < before+48<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("released heap grew by %d MiB in %v after a 120 MiB import, want ≥ 48", (int64(released())-int64(before))>>20, 10*freeDelay)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFinding9TooLargeBody: clients that send a whole too-large body before
// they read (as urllib and fetch do) get the 413 JSON, not a connection
// reset, also while the CPUs are busy; and so do chunked bodies.
func TestFinding9TooLargeBody(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 1 << 20})
	ts := httptest.NewServer(s)
	defer ts.Close()
	stop := make(chan struct{})
	for range runtime.GOMAXPROCS(0) * 2 { // CPU load
		go func() {
			for {
				select {
				case <-stop:
					return
				default:
					for i := 0; i < 1e5; i++ {
						_ = i * i
					}
				}
			}
		}()
	}
	defer close(stop)
	body := make([]byte, 6<<20)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunked := i%2 == 1
			c, err := net.Dial("tcp", ts.Listener.Addr().String())
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			var req bytes.Buffer
			fmt.Fprintf(&req, "POST /api/models/default/run HTTP/1.1\r\nHost: %s\r\nContent-Type: image/png\r\n", ts.Listener.Addr())
			if chunked {
				fmt.Fprintf(&req, "Transfer-Encoding: chunked\r\n\r\n%x\r\n", len(body))
			} else {
				fmt.Fprintf(&req, "Content-Length: %d\r\n\r\n", len(body))
			}
			req.Write(body)
			if chunked {
				req.WriteString("\r\n0\r\n\r\n")
			}
			if _, err := c.Write(req.Bytes()); err != nil { // the whole body first
				t.Errorf("client %d: writing: %v", i, err)
				return
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Errorf("client %d (chunked %v): no answer: %v", i, chunked, err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 413 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(b), "larger than the limit") {
				t.Errorf("client %d: %d %s %s", i, resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
		}()
	}
	wg.Wait()
}

// TestEngineBytesCountPackedWeights: every engine packs its own copy of
// the convolution weights (tensor.NewConv), so the memory model of a model
// with convolutions counts them besides its values and scratch. Tiny VGG's
// four 3×3 convolutions hold 3·10·9 + 3·10·10·9 = 2,970 weights.
func TestEngineBytesCountPackedWeights(t *testing.T) {
	s := newTestServer(t, Config{})
	m := s.lookup(DefaultID)
	var elems, scratch int64
	for _, sh := range m.shapes {
		elems += int64(sh.Elems())
	}
	for _, n := range m.g.Nodes {
		if _, ok := n.Op.(*graph.Conv); ok {
			scratch = max(scratch, 2*int64(m.shapes[n.Inputs[0]].Elems()))
		}
	}
	if packed := m.engineBytes - 4*(elems+scratch); packed < 4*2970 {
		t.Fatalf("an engine is counted at %d bytes, %d beyond its values and scratch: the packed weights (at least %d bytes) are missing", m.engineBytes, packed, 4*2970)
	}
}

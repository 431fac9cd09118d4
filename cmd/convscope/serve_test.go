package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
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

func TestServeStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, stdio{strings.NewReader(""), out, io.Discard})
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

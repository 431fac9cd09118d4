//go:build !(js && wasm)

package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/server/httpx/lite"
)

// patternList is a router that keeps the patterns registered.
type patternList []string

func (l *patternList) HandleFunc(p string, _ func(http.ResponseWriter, *http.Request)) {
	*l = append(*l, p)
}

// TestRoutesMatchNetHTTP runs requests for every route the server
// registers, and variants of them, through net/http's ServeMux and
// through lite's (the static site engine's router, httpx under js/wasm)
// and compares what they answer: the pattern (Server.IsAPIRoute's
// question), the path values, 404, 405 with Allow, the redirects of
// unclean paths.
func TestRoutesMatchNetHTTP(t *testing.T) {
	var routes patternList
	newTestServer(t, Config{}).register(&routes)
	if len(routes) < 20 || !slices.Contains(routes, "GET /api/models/{id}/params/{layer...}") || !slices.Contains(routes, "GET /") {
		t.Fatalf("routes %q", routes)
	}
	compareMuxes(t, routes)
	// Pattern shapes the server does not use (yet).
	compareMuxes(t, []string{"/files/", "GET /files/{$}", "/a/{x}", "POST /a/b", "GET /a/b/{y}/c", "DELETE /d/{z...}", "/e", "GET /x/{p}/{q}/"})
}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}|\{\$\}`)

// compareMuxes registers the patterns in both routers and compares their
// answers to requests for paths made from the patterns.
func compareMuxes(t *testing.T, patterns []string) {
	t.Helper()
	std, lm := http.NewServeMux(), lite.NewServeMux()
	for _, p := range patterns {
		var names []string
		for _, m := range wildcard.FindAllStringSubmatch(p, -1) {
			if m[1] != "" {
				names = append(names, m[1])
			}
		}
		// (A Content-Type, or httptest's recorder would sniff one.)
		std.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/x-pattern")
			fmt.Fprint(w, r.Pattern)
			for _, n := range names {
				fmt.Fprintf(w, " %s=%q", n, r.PathValue(n))
			}
		})
		lm.HandleFunc(p, func(w lite.ResponseWriter, r *lite.Request) {
			w.Header().Set("Content-Type", "text/x-pattern")
			fmt.Fprint(w, r.Pattern)
			for _, n := range names {
				fmt.Fprintf(w, " %s=%q", n, r.PathValue(n))
			}
		})
	}
	paths := map[string]bool{}
	add := func(p string) {
		for _, v := range []string{p, p + "/", strings.TrimSuffix(p, "/"), "/" + p, strings.Replace(p, "/", "//", 2),
			strings.Replace(p, "/", "/./", 2), strings.Replace(p, "/", "/x/../", 2), strings.Replace(p, "/", "/%2E%2E/", 2), p + "/extra", p + "?q=1&example=a"} {
			if v != "" {
				paths[v] = true
			}
		}
	}
	for _, p := range patterns {
		if i := strings.IndexAny(p, " \t"); i >= 0 {
			p = strings.TrimLeft(p[i+1:], " \t")
		}
		for _, v := range []string{"v", "a.png", "a%2Fb", "x%20y", "%C3%A9t%C3%A9", "..", "%2E%2E", "%2F", "a%25b"} {
			add(wildcard.ReplaceAllStringFunc(p, func(w string) string {
				switch {
				case w == "{$}":
					return ""
				case strings.HasSuffix(w, "...}"):
					return v + "/c/" + v
				}
				return v
			}))
		}
		add(wildcard.ReplaceAllString(p, ""))
	}
	for _, p := range []string{"/", "", "/api", "/api/", "/api/unknown", "/index.html", "/assets/a.js", "/api/models/x/params", "/api/models/x/params/"} {
		add(p)
	}
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT"}
	n, statuses := 0, map[int]int{}
	for p := range paths {
		if !strings.HasPrefix(p, "/") {
			continue
		}
		if _, err := url.ParseRequestURI(p); err != nil {
			continue
		}
		for _, m := range methods {
			n++
			sr := httptest.NewRequest(m, p, nil)
			lr, err := lite.NewRequest(m, "http://example.com"+p, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, sp := std.Handler(sr)
			_, lp := lm.Handler(lr)
			if sp != lp {
				t.Errorf("%s %s: pattern %q, net/http %q", m, p, lp, sp)
			}
			// IsAPIRoute's request: a URL with only its (unescaped) path.
			if u, err := url.Parse(p); err == nil {
				_, sp := std.Handler(&http.Request{Method: m, URL: &url.URL{Path: u.Path}, Host: "site"})
				_, lp := lm.Handler(&lite.Request{Method: m, URL: &url.URL{Path: u.Path}, Host: "site"})
				if sp != lp {
					t.Errorf("%s %s (path only): pattern %q, net/http %q", m, u.Path, lp, sp)
				}
			}
			sw := httptest.NewRecorder()
			std.ServeHTTP(sw, sr)
			lw := &liteRecorder{h: lite.Header{}}
			lm.ServeHTTP(lw, lr)
			if lw.status == 0 {
				lw.status = http.StatusOK
			}
			statuses[sw.Code]++
			if lw.status != sw.Code || lw.body.String() != sw.Body.String() || !sameHeader(lw.h, sw.Header()) {
				t.Errorf("%s %s: %d %v %q, net/http %d %v %q", m, p, lw.status, lw.h, lw.body.String(), sw.Code, sw.Header(), sw.Body.String())
			}
		}
	}
	if n < 1000 || statuses[200] == 0 || statuses[307] == 0 || statuses[405] == 0 || statuses[404] == 0 && !slices.Contains(patterns, "GET /") {
		t.Errorf("%d requests, statuses %v: not every case was met", n, statuses)
	}
	t.Logf("%d patterns, %d requests, statuses %v", len(patterns), n, statuses)
}

func sameHeader(l lite.Header, h http.Header) bool {
	return fmt.Sprint(map[string][]string(l)) == fmt.Sprint(map[string][]string(h))
}

type liteRecorder struct {
	h      lite.Header
	status int
	body   bytes.Buffer
}

func (w *liteRecorder) Header() lite.Header { return w.h }
func (w *liteRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *liteRecorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

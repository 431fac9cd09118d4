package lite

// The router: Go 1.22's ServeMux patterns and matching, following
// net/http's pattern.go, routing_tree.go and ServeMux (go1.26; Copyright
// 2023 The Go Authors, BSD-style license). Patterns have no host part.

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// A ServeMux routes requests to the handler of the pattern that matches
// them, like http.ServeMux: patterns "[METHOD ]/PATH" whose segments are
// literals, {name} (one segment), {name...} (the rest of the path, last)
// or {$} (the end, after a trailing slash); a trailing slash matches any
// path below it. The most specific pattern wins (literal before {name}
// before {name...}; a method before none); GET matches HEAD too. A
// request for an unclean path ("/a/../b", "//a") is redirected to the
// clean one, "/a" to "/a/" when only "/a/" matches; a path that matches
// with another method only is answered 405 with Allow, anything else 404.
type ServeMux struct {
	mu   sync.RWMutex
	tree node // children keyed by method, wild: patterns without one
}

// NewServeMux returns an empty ServeMux.
func NewServeMux() *ServeMux { return &ServeMux{} }

type pattern struct {
	str      string // as registered
	method   string
	segments []segment
}

// A segment of a pattern: a literal s, a wildcard named s (wild), a
// {name...} or trailing slash (wild and multi; s empty for the slash) or
// {$} (the literal "/").
type segment struct {
	s           string
	wild, multi bool
}

// wildcardIndex returns the position of the wildcard name among p's named
// wildcards, or -1.
func (p *pattern) wildcardIndex(name string) int {
	if p == nil {
		return -1
	}
	i := 0
	for _, seg := range p.segments {
		if seg.wild && seg.s != "" {
			if name == seg.s {
				return i
			}
			i++
		}
	}
	return -1
}

func (p *pattern) lastSegment() segment { return p.segments[len(p.segments)-1] }

// parsePattern parses "[METHOD ]/PATH".
func parsePattern(s string) (*pattern, error) {
	if s == "" {
		return nil, errors.New("empty pattern")
	}
	method, rest, found := s, "", false
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		method, rest, found = s[:i], strings.TrimLeft(s[i+1:], " \t"), true
	}
	if !found {
		rest, method = method, ""
	}
	if method != "" && !validMethod(method) {
		return nil, fmt.Errorf("invalid method %q", method)
	}
	p := &pattern{str: s, method: method}
	if !strings.HasPrefix(rest, "/") {
		return nil, errors.New("a pattern with a host, or without a path, is not supported")
	}
	if method != "" && method != "CONNECT" && rest != cleanPath(rest) {
		return nil, errors.New("non-CONNECT pattern with unclean path can never match")
	}
	seen := map[string]bool{}
	for len(rest) > 0 {
		rest = rest[1:]
		if rest == "" { // trailing slash
			p.segments = append(p.segments, segment{wild: true, multi: true})
			break
		}
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			i = len(rest)
		}
		var seg string
		seg, rest = rest[:i], rest[i:]
		if !strings.Contains(seg, "{") {
			p.segments = append(p.segments, segment{s: pathUnescape(seg)})
			continue
		}
		if seg[0] != '{' || seg[len(seg)-1] != '}' {
			return nil, errors.New("bad wildcard segment (must start with '{' and end with '}')")
		}
		name := seg[1 : len(seg)-1]
		if name == "$" {
			if rest != "" {
				return nil, errors.New("{$} not at end")
			}
			p.segments = append(p.segments, segment{s: "/"})
			break
		}
		name, multi := strings.CutSuffix(name, "...")
		if multi && rest != "" {
			return nil, errors.New("{...} wildcard not at end")
		}
		if !validWildcardName(name) {
			return nil, fmt.Errorf("bad wildcard name %q", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("duplicate wildcard name %q", name)
		}
		seen[name] = true
		p.segments = append(p.segments, segment{s: name, wild: true, multi: multi})
	}
	return p, nil
}

// validWildcardName reports whether s is a Go identifier.
func validWildcardName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !unicode.IsLetter(c) && c != '_' && (i == 0 || !unicode.IsDigit(c)) {
			return false
		}
	}
	return true
}

// pathUnescape unescapes a path segment; an invalid escape is kept as is.
func pathUnescape(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// cleanPath is path.Clean of an absolute path that keeps a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		if len(p) == len(np)+1 && strings.HasPrefix(p, np) {
			np = p
		} else {
			np += "/"
		}
	}
	return np
}

// A node of the routing tree. Below the root (keyed by method), children
// are keyed by a literal segment ("/" for {$}); wild holds the patterns
// with a single wildcard there (at the method level: those without a
// method) and multi the one with a multi wildcard.
type node struct {
	pattern  *pattern // a leaf's
	handler  Handler
	children map[string]*node
	wild     *node
	multi    *node
}

func (n *node) child(key string) *node {
	if n == nil {
		return nil
	}
	if key == "" {
		return n.wild
	}
	return n.children[key]
}

func (n *node) addChild(key string) *node {
	if key == "" {
		if n.wild == nil {
			n.wild = &node{}
		}
		return n.wild
	}
	c := n.children[key]
	if c == nil {
		c = &node{}
		if n.children == nil {
			n.children = map[string]*node{}
		}
		n.children[key] = c
	}
	return c
}

func (n *node) set(p *pattern, h Handler) {
	if n.pattern != nil {
		panic(fmt.Sprintf("pattern %q conflicts with pattern %q", p.str, n.pattern.str))
	}
	n.pattern, n.handler = p, h
}

func (n *node) addSegments(segs []segment, p *pattern, h Handler) {
	switch {
	case len(segs) == 0:
		n.set(p, h)
	case segs[0].multi:
		if n.multi == nil {
			n.multi = &node{}
		}
		n.multi.set(p, h)
	case segs[0].wild:
		n.addChild("").addSegments(segs[1:], p, h)
	default:
		n.addChild(segs[0].s).addSegments(segs[1:], p, h)
	}
}

// matchMethodAndPath finds the leaf for method and path (n is the root):
// the method's patterns, GET's for HEAD, then those without a method.
func (n *node) matchMethodAndPath(method, path string) (*node, []string) {
	if l, m := n.child(method).matchPath(path, nil); l != nil {
		return l, m
	}
	if method == "HEAD" {
		if l, m := n.child("GET").matchPath(path, nil); l != nil {
			return l, m
		}
	}
	return n.wild.matchPath(path, nil)
}

// matchPath matches path against the patterns below n: a literal first,
// then a single wildcard, then a multi wildcard, with backtracking.
func (n *node) matchPath(path string, matches []string) (*node, []string) {
	if n == nil {
		return nil, nil
	}
	if path == "" {
		if n.pattern == nil {
			return nil, nil
		}
		return n, matches
	}
	seg, rest := firstSegment(path)
	if l, m := n.child(seg).matchPath(rest, matches); l != nil {
		return l, m
	}
	if seg != "/" { // single wildcards do not match a trailing slash
		if l, m := n.wild.matchPath(rest, append(matches, seg)); l != nil {
			return l, m
		}
	}
	if c := n.multi; c != nil {
		if c.pattern.lastSegment().s != "" { // no value for a trailing slash
			matches = append(matches, pathUnescape(path[1:]))
		}
		return c, matches
	}
	return nil, nil
}

// firstSegment splits a path ("/…") into its first segment, unescaped if
// it can be, and the rest; "/" alone is the segment "/".
func firstSegment(path string) (seg, rest string) {
	if path == "/" {
		return "/", ""
	}
	path = path[1:]
	i := strings.IndexByte(path, '/')
	if i < 0 {
		i = len(path)
	}
	return pathUnescape(path[:i]), path[i:]
}

// exactMatch reports whether n's pattern matches path without a multi
// wildcard taking a non-empty part of it.
func exactMatch(n *node, path string) bool {
	if n == nil {
		return false
	}
	if !n.pattern.lastSegment().multi {
		return true
	}
	if len(path) > 0 && path[len(path)-1] != '/' {
		return false
	}
	return len(n.pattern.segments) == strings.Count(path, "/")
}

// Handle registers the handler of a pattern; it panics if the pattern is
// invalid or already registered.
func (mux *ServeMux) Handle(pat string, h Handler) {
	if h == nil {
		panic("http: nil handler")
	}
	p, err := parsePattern(pat)
	if err != nil {
		panic(fmt.Sprintf("parsing %q: %v", pat, err))
	}
	mux.mu.Lock()
	defer mux.mu.Unlock()
	mux.tree.addChild(p.method).addSegments(p.segments, p, h)
}

// HandleFunc registers a function as the handler of a pattern.
func (mux *ServeMux) HandleFunc(pat string, h func(ResponseWriter, *Request)) {
	if h == nil {
		panic("http: nil handler")
	}
	mux.Handle(pat, HandlerFunc(h))
}

// Handler returns the handler of a request and the pattern that matched
// it (for a redirect, the one that matches where it redirects to, if
// any; "" for 404 and 405), like http.ServeMux.Handler. It does not set
// the request's path values.
func (mux *ServeMux) Handler(r *Request) (Handler, string) {
	h, p, _, _ := mux.findHandler(r)
	return h, p
}

// ServeHTTP routes the request.
func (mux *ServeMux) ServeHTTP(w ResponseWriter, r *Request) {
	var h Handler
	h, r.Pattern, r.pat, r.matches = mux.findHandler(r)
	h.ServeHTTP(w, r)
}

func (mux *ServeMux) findHandler(r *Request) (Handler, string, *pattern, []string) {
	var n *node
	var matches []string
	escaped := r.URL.EscapedPath()
	p := escaped
	if r.Method == "CONNECT" { // not cleaned
		if _, _, u := mux.matchOrRedirect(r.Method, p, r.URL); u != nil {
			return redirectHandler(u.String(), StatusTemporaryRedirect), u.Path, nil, nil
		}
		n, matches, _ = mux.matchOrRedirect(r.Method, p, nil)
	} else {
		p = cleanPath(p)
		var u *url.URL
		n, matches, u = mux.matchOrRedirect(r.Method, p, r.URL)
		if u != nil {
			return redirectHandler(u.String(), StatusTemporaryRedirect), n.pattern.str, nil, nil
		}
		if p != escaped {
			ps := ""
			if n != nil {
				ps = n.pattern.str
			}
			u := &url.URL{Path: p, RawQuery: r.URL.RawQuery}
			return redirectHandler(u.String(), StatusTemporaryRedirect), ps, nil, nil
		}
	}
	if n == nil {
		if allowed := mux.matchingMethods(p); len(allowed) > 0 {
			return HandlerFunc(func(w ResponseWriter, r *Request) {
				w.Header().Set("Allow", strings.Join(allowed, ", "))
				Error(w, StatusText(StatusMethodNotAllowed), StatusMethodNotAllowed)
			}), "", nil, nil
		}
		return HandlerFunc(NotFound), "", nil, nil
	}
	return n.handler, n.pattern.str, n.pattern, matches
}

// matchOrRedirect matches method and path; with u, a path without a
// trailing slash that does not match exactly but would with one gets the
// URL to redirect to.
func (mux *ServeMux) matchOrRedirect(method, path string, u *url.URL) (*node, []string, *url.URL) {
	mux.mu.RLock()
	defer mux.mu.RUnlock()
	n, matches := mux.tree.matchMethodAndPath(method, path)
	if !exactMatch(n, path) && u != nil && !strings.HasSuffix(path, "/") && path != "" {
		path += "/"
		if n2, _ := mux.tree.matchMethodAndPath(method, path); exactMatch(n2, path) {
			return n2, nil, &url.URL{Path: cleanPath(u.Path) + "/", RawQuery: u.RawQuery}
		}
	}
	return n, matches, nil
}

// matchingMethods lists, sorted, the methods with a pattern that matches
// path (or path + "/"); HEAD with GET.
func (mux *ServeMux) matchingMethods(path string) []string {
	mux.mu.RLock()
	defer mux.mu.RUnlock()
	set := map[string]bool{}
	for _, p := range []string{path, path + "/"} {
		if p != path && strings.HasSuffix(path, "/") {
			break
		}
		for method, c := range mux.tree.children {
			if l, _ := c.matchPath(p, nil); l != nil {
				set[method] = true
			}
		}
	}
	if set["GET"] {
		set["HEAD"] = true
	}
	var list []string
	for m := range set {
		list = append(list, m)
	}
	slices.Sort(list)
	return list
}

func redirectHandler(target string, code int) Handler {
	return HandlerFunc(func(w ResponseWriter, r *Request) { Redirect(w, r, target, code) })
}

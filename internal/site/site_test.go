//go:build !(js && wasm)

package site

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/convscope/convscope/internal/server"
)

var ui = fstest.MapFS{
	"index.html":       {Data: []byte("<!doctype html><html><head><title>t</title></head><body></body></html>")},
	"assets/index.js":  {Data: []byte("console.log(1)")},
	"assets/index.css": {Data: []byte("body{}")},
}

func export(t *testing.T, dir string, models ...server.ModelSpec) *Site {
	t.Helper()
	st, err := Export(dir, Options{Models: models, UI: ui, Wasm: []byte("\x00asm\x01\x00\x00\x00"), WasmExec: []byte("// go")})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// readSite reads the folder's site.json.
func readSite(t *testing.T, dir string) Site {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		t.Fatal(err)
	}
	var st Site
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestExportDefault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	export(t, dir)
	st := readSite(t, dir)
	if st.Kind != Kind || st.Engine != "convscope.wasm" || !st.Scope || len(st.Models) != 0 {
		t.Errorf("site.json = %+v", st)
	}
	for _, f := range append(st.Files, "assets/index.js", "convscope.wasm", "wasm_exec.js", "examples/default/05_sandal.png") {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !slices.Contains(st.Files, "examples/default/05_sandal.png") || !slices.Contains(st.Files, "index.html") {
		t.Errorf("files = %v", st.Files)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	p := string(page)
	// The page carries the server's bootstrap (the default model) and the
	// site's data block, and no preload of an /api/ run.
	for _, want := range []string{`id="` + server.BootstrapID + `"`, `id="` + DataID + `"`, `"engine":"convscope.wasm"`} {
		if !strings.Contains(p, want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	if strings.Contains(p, `rel="preload"`) {
		t.Errorf("index.html preloads a run of the API: %s", p)
	}
}

func TestExportRefusesAForeignFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	_, err := Export(dir, Options{UI: ui})
	if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("err = %v", err)
	}
	os.WriteFile(filepath.Join(dir, File), []byte(`{"kind": "something else"}`), 0o644)
	if _, err := Export(dir, Options{UI: ui}); err == nil || !strings.Contains(err.Error(), "not a convscope export") {
		t.Fatalf("err = %v", err)
	}
	os.WriteFile(filepath.Join(dir, File), []byte(`{"kind": "`+Kind+`", "files": ["../outside"]}`), 0o644)
	if _, err := Export(dir, Options{UI: ui}); err == nil || !strings.Contains(err.Error(), "not a file of the folder") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Error("a refused export touched the folder")
	}
}

// A second export into the folder replaces the first one's files and
// keeps the others (a CNAME, a .git folder of GitHub Pages).
func TestReexport(t *testing.T) {
	dir := t.TempDir()
	export(t, dir)
	os.WriteFile(filepath.Join(dir, "CNAME"), []byte("class.example.org"), 0o644)
	stale := filepath.Join(dir, "assets", "old-1234.js")
	os.WriteFile(stale, []byte("old"), 0o644)
	st := readSite(t, dir)
	st.Files = append(st.Files, "assets/old-1234.js")
	b, _ := json.Marshal(st)
	os.WriteFile(filepath.Join(dir, File), b, 0o644)
	export(t, dir)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the earlier export's file is still there: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "CNAME")); string(b) != "class.example.org" {
		t.Error("CNAME was not kept")
	}
}

// An exported model is the model: the server loading the site's folder the
// way the engine does answers the same run as one serving the original file.
// A preset has no files, yet site.json lists them as [] (not null): the
// worker (web/src/lib/engine.worker.js) maps over each model's files, and a
// null stopped every page of a site exported with --model preset:….
func TestExportPresetFilesAreAList(t *testing.T) {
	dir := t.TempDir()
	export(t, dir, server.ModelSpec{Path: "preset:tinyvgg"})
	b, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Models []map[string]json.RawMessage `json:"models"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Models) != 1 || string(raw.Models[0]["files"]) != "[]" {
		t.Fatalf("site.json models = %s, want one with \"files\": []", b)
	}
}

func TestExportedModelRunsAsTheOriginal(t *testing.T) {
	src := filepath.Join("..", "zoo", "defaultmodel")
	labels := filepath.Join(t.TempDir(), "names.txt")
	os.WriteFile(labels, []byte(strings.Repeat("x\n", 9)+"last\n"), 0o644)
	spec := server.ModelSpec{Path: filepath.Join(src, "model.json"), Labels: labels}
	dir := t.TempDir()
	st := export(t, dir, spec, server.ModelSpec{Path: "preset:tinyvgg"})
	if len(st.Models) != 2 {
		t.Fatalf("models = %+v", st.Models)
	}
	m := st.Models[0]
	want := []string{"models/defaultmodel/model.json", "models/defaultmodel/group1-shard1of1.bin",
		"models/defaultmodel/labels.zh-CN.txt", "models/defaultmodel/labels.zh-TW.txt", "models/defaultmodel/labels/names.txt"}
	for _, f := range want {
		if !slices.Contains(m.Files, f) {
			t.Errorf("model files %v lack %s", m.Files, f)
		}
	}
	if n := len(m.Files) - len(want); n != 10 { // and the ten examples
		t.Errorf("model files: %v", m.Files)
	}
	if st.Examples["defaultmodel"] != "models/defaultmodel/examples/" {
		t.Errorf("examples = %v", st.Examples)
	}
	// Only the files listed: what the engine gets in the browser.
	files := fstest.MapFS{}
	for _, f := range m.Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = &fstest.MapFile{Data: b}
	}
	site, err := server.New(server.Config{Models: st.Specs(files)})
	if err != nil {
		t.Fatal(err)
	}
	orig, err := server.New(server.Config{Models: []server.ModelSpec{spec, {Path: "preset:tinyvgg"}}})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := site.ModelIDs(), orig.ModelIDs(); !slices.Equal(a, b) {
		t.Fatalf("ids %v, served %v", a, b)
	}
	for _, target := range []string{"/api/models", "/api/models/defaultmodel", "/api/models/defaultmodel/examples/05_sandal.png/run?max_channels=4", "/api/models/tinyvgg"} {
		got, want := get(t, site, target), get(t, orig, target)
		if !bytes.Equal(got, want) && !strings.HasSuffix(target, "/run?max_channels=4") {
			t.Errorf("%s: the site's answer differs:\n%s\nserved:\n%s", target, got, want)
		}
		if strings.HasSuffix(target, "/run?max_channels=4") && !sameRun(got, want) {
			t.Errorf("%s: the site's run differs", target)
		}
	}
}

func get(t *testing.T, h http.Handler, target string) []byte {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
	if w.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", target, w.Code, w.Body)
	}
	return w.Body.Bytes()
}

// sameRun compares two binary runs but for their timings (decode_ms, run_ms).
func sameRun(a, b []byte) bool {
	split := func(r []byte) (map[string]any, []byte) {
		n := int(r[0]) | int(r[1])<<8 | int(r[2])<<16 | int(r[3])<<24
		var h map[string]any
		json.Unmarshal(r[4:4+n], &h)
		delete(h, "decode_ms")
		delete(h, "run_ms")
		// The data section starts after the header's zero padding to a
		// multiple of 4 (docs/api.md), which depends on the header's
		// length, and so on the digits of the timings just deleted.
		return h, r[(4+n+3)&^3:]
	}
	ha, da := split(a)
	hb, db := split(b)
	ja, _ := json.Marshal(ha)
	jb, _ := json.Marshal(hb)
	return bytes.Equal(ja, jb) && bytes.Equal(da, db)
}

var _ fs.FS = (*recorder)(nil)

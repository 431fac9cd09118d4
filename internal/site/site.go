// Package site writes convscope's static site (convscope export-site): the
// web UI, the engine compiled to WebAssembly, and the models with their
// files, as a folder any static file server can host. The folder's
// site.json (Site) says what the page and the engine load; see
// docs/architecture.md, "The static site".
package site

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/server"
	"github.com/convscope/convscope/internal/zoo"
)

// File is the name of the site's description in the folder.
const File = "site.json"

// Kind marks a folder as a convscope static site (Site.Kind).
const Kind = "convscope static site"

// DataID is the id of the data block in index.html that carries site.json's
// contents (the page reads it there; lib/transport.js SiteID).
const DataID = "convscope-site"

// Site is site.json.
type Site struct {
	Kind string `json:"kind"`
	// Engine and WasmExec are the WebAssembly module and Go's loader.
	Engine   string `json:"engine"`
	WasmExec string `json:"wasm_exec"`
	// Scope is false when the site leaves the Scope page out (--no-scope).
	Scope bool `json:"scope"`
	// Models are the models after the default one (which the engine
	// embeds), in the order of their --model flags.
	Models []Model `json:"models"`
	// Examples maps a model's id to the folder of its example images (for
	// the page's thumbnails; runs take them from the engine).
	Examples map[string]string `json:"examples"`
	// Files lists every file the export wrote, so that a later export into
	// the same folder replaces exactly them and keeps anything else.
	Files []string `json:"files,omitempty"`
}

// Model is one --model of the site, its paths relative to the site's folder.
type Model struct {
	Path       string              `json:"path"`
	Labels     string              `json:"labels,omitempty"`
	Input      []int               `json:"input,omitempty"`
	Preprocess *imageio.Preprocess `json:"preprocess,omitempty"`
	// Files are the files the engine fetches for it.
	Files []string `json:"files"`
}

// Spec is the server's ModelSpec of m, its files in fsys (the site's folder).
func (m Model) Spec(fsys fs.FS) server.ModelSpec {
	return server.ModelSpec{Path: m.Path, Labels: m.Labels, Input: m.Input, Preprocess: m.Preprocess, FS: fsys}
}

// Specs are the server's ModelSpecs of the site's models.
func (s *Site) Specs(fsys fs.FS) []server.ModelSpec {
	specs := make([]server.ModelSpec, len(s.Models))
	for i, m := range s.Models {
		specs[i] = m.Spec(fsys)
	}
	return specs
}

// Options are export-site's.
type Options struct {
	// Models are served after the default model, as by convscope serve
	// (paths of the operating system; "preset:NAME" for a preset).
	Models  []server.ModelSpec
	NoScope bool
	// UI is the built web UI (web/dist).
	UI fs.FS
	// Wasm and WasmExec are the engine and its loader.
	Wasm, WasmExec []byte
}

// Export writes the static site into dir: created if missing, else it must
// be empty or hold an earlier export (whose files are replaced; other files
// are kept). It returns the site written.
func Export(dir string, o Options) (*Site, error) {
	old, err := checkDir(dir)
	if err != nil {
		return nil, err
	}
	for _, f := range old {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(f))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	w := &writer{dir: dir}
	st := &Site{Kind: Kind, Engine: "convscope.wasm", WasmExec: "wasm_exec.js", Scope: !o.NoScope, Models: []Model{}, Examples: map[string]string{}}
	folders := map[string]bool{}
	for _, spec := range o.Models {
		m, err := w.model(spec, folders)
		if err != nil {
			return nil, err
		}
		st.Models = append(st.Models, m)
	}
	// The server, loading the models from the folder as the engine will,
	// checks the export and writes the page's bootstrap block.
	srv, err := server.New(server.Config{Models: st.Specs(os.DirFS(dir))})
	if err != nil {
		return nil, fmt.Errorf("the exported models do not load: %w", err)
	}
	ids := srv.ModelIDs()
	for i, m := range st.Models {
		if ex := path.Join(path.Dir(m.Path), "examples"); slices.ContainsFunc(m.Files, func(f string) bool { return strings.HasPrefix(f, ex+"/") }) {
			st.Examples[ids[i+1]] = ex + "/"
		}
	}
	for _, e := range zoo.Examples() {
		if err := w.write(path.Join("examples", server.DefaultID, e.Name), e.Data); err != nil {
			return nil, err
		}
	}
	st.Examples[server.DefaultID] = "examples/" + server.DefaultID + "/"
	if err := w.write(st.Engine, o.Wasm); err != nil {
		return nil, err
	}
	if err := w.write(st.WasmExec, o.WasmExec); err != nil {
		return nil, err
	}
	var page []byte
	err = fs.WalkDir(o.UI, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(o.UI, p)
		if err != nil {
			return err
		}
		if p == "index.html" {
			page = b
			return nil
		}
		return w.write(p, b)
	})
	if err != nil {
		return nil, err
	}
	if page == nil {
		return nil, errors.New("the web UI has no index.html")
	}
	st.Files = append(slices.Clone(w.files), File, "index.html")
	sort.Strings(st.Files)
	js, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := w.write(File, append(js, '\n')); err != nil {
		return nil, err
	}
	if err := w.write("index.html", []byte(Index(srv.StaticIndex(string(page)), st))); err != nil {
		return nil, err
	}
	return st, nil
}

// Index inserts the site's data block (site.json without its file list)
// into index.html before </head>. encoding/json escapes <, > and &, so the
// JSON cannot close the script element.
func Index(page string, st *Site) string {
	i := strings.Index(page, "</head>")
	if i < 0 {
		return page
	}
	short := *st
	short.Files = nil
	b, _ := json.Marshal(short)
	return page[:i] + `<script type="application/json" id="` + DataID + `">` + string(b) + "</script>\n" + page[i:]
}

// checkDir makes dir if missing and returns the files of an earlier export
// in it; a folder with other contents and no site.json is refused.
func checkDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, File))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not empty and holds no earlier export (no %s): refusing to write into it; give an empty or new folder", dir, File)
	}
	if err != nil {
		return nil, err
	}
	var old Site
	if err := json.Unmarshal(b, &old); err != nil || old.Kind != Kind {
		return nil, fmt.Errorf("%s: %s is not a convscope export's: refusing to write into %s", filepath.Join(dir, File), File, dir)
	}
	for _, f := range old.Files {
		if !fs.ValidPath(f) || f == "." {
			return nil, fmt.Errorf("%s lists %q, not a file of the folder: refusing to write into %s", filepath.Join(dir, File), f, dir)
		}
	}
	return old.Files, nil
}

// writer writes the site's files, remembering their names.
type writer struct {
	dir   string
	files []string
}

func (w *writer) write(name string, b []byte) error {
	p := filepath.Join(w.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	if name != File && name != "index.html" {
		w.files = append(w.files, name)
	}
	return nil
}

// model copies a --model into models/FOLDER/: the files its format reads
// (found by loading it), preprocess.json beside it, the --labels file and
// the example images. FOLDER is the model's display name (-2, -3… when
// taken), which keeps the id convscope serve gives the model.
func (w *writer) model(spec server.ModelSpec, folders map[string]bool) (Model, error) {
	if strings.HasPrefix(spec.Path, server.PresetPrefix) {
		// No files, but a list: the worker maps over every model's files.
		return Model{Path: spec.Path, Files: []string{}, Input: spec.Input, Preprocess: spec.Preprocess}, nil
	}
	src := filepath.Dir(spec.Path)
	base := filepath.Base(spec.Path)
	rec := &recorder{fsys: os.DirFS(src)}
	if _, _, err := format.OpenFSWith(rec, base, format.Options{Input: spec.Input}); err != nil {
		return Model{}, fmt.Errorf("%s: %w", spec.Path, err)
	}
	name := server.DisplayName(spec.Path)
	folder := name
	for i := 2; folders[folder]; i++ {
		folder = fmt.Sprintf("%s-%d", name, i)
	}
	folders[folder] = true
	root := "models/" + folder
	m := Model{Path: root + "/" + base, Input: spec.Input, Preprocess: spec.Preprocess}
	copyFile := func(from, to string) error {
		b, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, to)
		return w.write(to, b)
	}
	for _, f := range rec.opened {
		if err := copyFile(filepath.Join(src, filepath.FromSlash(f)), root+"/"+f); err != nil {
			return Model{}, err
		}
	}
	if spec.Preprocess == nil {
		if _, err := os.Stat(filepath.Join(src, imageio.PreprocessFile)); err == nil {
			if err := copyFile(filepath.Join(src, imageio.PreprocessFile), root+"/"+imageio.PreprocessFile); err != nil {
				return Model{}, err
			}
		}
	}
	if spec.Labels != "" {
		m.Labels = root + "/labels/" + filepath.Base(spec.Labels)
		if err := copyFile(spec.Labels, m.Labels); err != nil {
			return Model{}, fmt.Errorf("--labels: %w", err)
		}
	}
	exDir := spec.Examples
	if exDir == "" {
		exDir = filepath.Join(src, "examples")
		if st, err := os.Stat(exDir); err != nil || !st.IsDir() {
			exDir = ""
		}
	}
	if exDir != "" {
		entries, err := os.ReadDir(exDir)
		if err != nil {
			return Model{}, fmt.Errorf("--examples: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !imageio.IsImageName(e.Name()) {
				continue
			}
			if err := copyFile(filepath.Join(exDir, e.Name()), root+"/examples/"+e.Name()); err != nil {
				return Model{}, err
			}
		}
	}
	return m, nil
}

// recorder is a file system that remembers the regular files opened in it:
// the files a model's format reads.
type recorder struct {
	fsys   fs.FS
	opened []string
}

func (r *recorder) Open(name string) (fs.File, error) {
	f, err := r.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && !slices.Contains(r.opened, name) {
		r.opened = append(r.opened, name)
	}
	return f, nil
}

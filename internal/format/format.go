package format

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/convscope/convscope/internal/graph"
)

// A Loader reads the model named name (a slash-separated path in fsys) into
// the IR, charging the tensor data it materialises to o.Budget (never nil)
// and giving its first input the size o.Input when that is set (FillInput).
type Loader func(fsys fs.FS, name string, o Options) (*graph.Graph, error)

// A Sniffer reports whether a file with this name and first bytes is of its
// format.
type Sniffer func(name string, head []byte) bool

// SniffLen is how many leading bytes sniffers see.
const SniffLen = 512

type entry struct {
	name  string
	sniff Sniffer
	load  Loader
}

var (
	mu      sync.RWMutex
	formats []entry
)

// Register adds a format. Sniffers are tried in registration order.
func Register(name string, sniff Sniffer, load Loader) {
	mu.Lock()
	defer mu.Unlock()
	formats = append(formats, entry{name, sniff, load})
}

// Names lists the registered formats.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	var n []string
	for _, f := range formats {
		n = append(n, f.name)
	}
	return n
}

// ErrUnknown is returned (wrapped) when no registered format recognises a
// file.
var ErrUnknown = errors.New("unrecognised model format")

// Open loads the model file at a path on disk; sibling files are readable
// by the loader.
func Open(p string) (*graph.Graph, string, error) {
	dir, base := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	return open(os.DirFS(dir), base, p, Options{})
}

// OpenWith is Open with import options (an input size).
func OpenWith(p string, o Options) (*graph.Graph, string, error) {
	dir, base := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	return open(os.DirFS(dir), base, p, o)
}

// OpenFS loads the model named name in fsys and reports its format name.
func OpenFS(fsys fs.FS, name string) (*graph.Graph, string, error) {
	return open(fsys, name, name, Options{})
}

// OpenBudget is OpenFS with the import's memory budget: the tensor data the
// importer materialises is charged to b, and an import past it fails with a
// *BudgetError (wrapped).
func OpenBudget(fsys fs.FS, name string, b *Budget) (*graph.Graph, string, error) {
	return open(fsys, name, name, Options{Budget: b})
}

// OpenFSWith is OpenFS with import options (a budget, an input size).
func OpenFSWith(fsys fs.FS, name string, o Options) (*graph.Graph, string, error) {
	return open(fsys, name, name, o)
}

// open loads name from fsys; errors name the file as display.
func open(fsys fs.FS, name, display string, o Options) (*graph.Graph, string, error) {
	if o.Budget == nil {
		o.Budget = NewBudget(0, "")
	}
	f, err := fsys.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, "", fmt.Errorf("%s: %w", display, pe.Err)
		}
		return nil, "", err
	}
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, "", fmt.Errorf("%s: %w", display, err)
	}
	if n == 0 {
		return nil, "", fmt.Errorf("%s: the file is empty", display)
	}
	head = head[:n]
	mu.RLock()
	list := append([]entry(nil), formats...)
	mu.RUnlock()
	for _, e := range list {
		if e.sniff(name, head) {
			g, err := e.load(fsys, name, o)
			if err != nil {
				return nil, e.name, fmt.Errorf("%s (%s): %w", display, e.name, err)
			}
			labels, err := ReadLabels(fsys, path.Join(path.Dir(name), LabelsFile))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, e.name, err
			}
			if labels != nil {
				g.Labels = labels
			}
			return g, e.name, nil
		}
	}
	var names []string
	for _, e := range list {
		names = append(names, e.name)
	}
	return nil, "", fmt.Errorf("%s: %w (known: %s)", display, ErrUnknown, strings.Join(names, ", "))
}

// HasExt reports whether name ends in one of the extensions (case-insensitive,
// with the dot).
func HasExt(name string, exts ...string) bool {
	e := strings.ToLower(path.Ext(name))
	for _, x := range exts {
		if e == x {
			return true
		}
	}
	return false
}

// ReadFile reads a whole file from fsys, refusing files larger than limit
// bytes with an error that names the file.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if st, err := f.Stat(); err == nil && st.Size() > 0 && st.Size() <= limit {
		buf.Grow(int(st.Size()) + bytes.MinRead) // one allocation of the right size, not a doubling series
	}
	_, err = buf.ReadFrom(io.LimitReader(f, limit+1))
	b := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than the limit of %d bytes", name, limit)
	}
	return b, nil
}

// MemFS is a read-only in-memory file system of flat file names (an upload
// of several files). Names with a slash or "..", or other invalid names, are
// not found.
type MemFS map[string][]byte

// Size is the bytes of all the files.
func (m MemFS) Size() int64 {
	var n int64
	for _, b := range m {
		n += int64(len(b))
	}
	return n
}

func (m MemFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	b, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, r: bytes.NewReader(b), size: int64(len(b))}, nil
}

type memFile struct {
	name string
	r    *bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f.name, f.size}, nil }
func (f *memFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *memFile) Close() error               { return nil }

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return path.Base(i.name) }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

// LabelsFile is the name of the class-name file read beside a model: one
// class name per line, in output order.
const LabelsFile = "labels.txt"

// ReadLabels reads a labels file: one name per line, surrounding space
// trimmed, trailing empty lines ignored.
func ReadLabels(fsys fs.FS, name string) ([]string, error) {
	b, err := ReadFile(fsys, name, 1<<20)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s has no class names", name)
	}
	return lines, nil
}

// CheckLabels verifies that a model's labels, if any, match its number of
// classes.
func CheckLabels(g *graph.Graph, classes int) error {
	if len(g.Labels) > 0 && len(g.Labels) != classes {
		return fmt.Errorf("%d class names for a model with %d outputs", len(g.Labels), classes)
	}
	return nil
}

// ExplainMissingWeights adds to an error of graph.HasWeights (a
// *graph.MissingWeightsError) which file lacks the weights and, for a Caffe
// network definition, the .caffemodel to put beside it. Other errors are
// returned unchanged.
func ExplainMissingWeights(file string, err error) error {
	var mw *graph.MissingWeightsError
	if !errors.As(err, &mw) {
		return err
	}
	base := path.Base(filepath.ToSlash(file))
	if HasExt(base, ".prototxt", ".pt") {
		model := strings.TrimSuffix(base, path.Ext(base)) + ".caffemodel"
		return fmt.Errorf("%s defines the network only, without weights (%w); to run it, put its weights %s beside it (or give the .caffemodel itself)", base, err, model)
	}
	return fmt.Errorf("%s holds no weights (%w)", base, err)
}

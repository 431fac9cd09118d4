package zoo

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/convscope/convscope/internal/format"
	// The default model is stored as a TF.js layers model.
	_ "github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
)

//go:embed defaultmodel
var defaultFS embed.FS

// DefaultName is the display name of the embedded default model.
const DefaultName = "Tiny VGG · Fashion-MNIST"

// Default loads the embedded default model (a fresh copy each call).
func Default() (*graph.Graph, error) {
	sub, err := fs.Sub(defaultFS, "defaultmodel")
	if err != nil {
		return nil, err
	}
	g, _, err := format.OpenFS(sub, "model.json")
	return g, err
}

// Example is an example image shipped with the default model.
type Example struct {
	Name string // file name, e.g. "sneaker.png"
	Data []byte
}

// Examples returns the default model's example images in name order.
func Examples() []Example {
	entries, _ := fs.ReadDir(defaultFS, "defaultmodel/examples")
	var out []Example
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") {
			continue
		}
		b, err := defaultFS.ReadFile(path.Join("defaultmodel/examples", n))
		if err == nil {
			out = append(out, Example{Name: n, Data: b})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

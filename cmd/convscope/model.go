package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

// modelFlags are the flags every command that runs a model shares.
type modelFlags struct {
	model, labels string
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.model, "model", "", "model file (TF.js model.json, …); default: the embedded Tiny VGG")
	fs.StringVar(&m.labels, "labels", "", "class names, one per line (default: labels.txt beside the model)")
}

// presetPrefix names a built-in preset instead of a file: "preset:resnet50".
const presetPrefix = "preset:"

// openModelOrPreset opens a model file, or builds the structure of a preset
// named "preset:NAME" (see convscope presets). It reports the format name.
func openModelOrPreset(arg string) (*graph.Graph, string, error) {
	if name, ok := strings.CutPrefix(arg, presetPrefix); ok {
		g, err := zoo.Preset(name, false)
		return g, "preset", err
	}
	return format.Open(arg)
}

// load returns the model and its display name.
func (m *modelFlags) load() (*graph.Graph, string, error) {
	var (
		g    *graph.Graph
		name string
		err  error
	)
	if m.model == "" {
		g, err = zoo.Default()
		name = zoo.DefaultName
	} else {
		g, _, err = format.Open(m.model)
		name = m.model
	}
	if err != nil {
		return nil, "", err
	}
	if m.labels != "" {
		dir, base := filepath.Split(m.labels)
		if dir == "" {
			dir = "."
		}
		labels, err := format.ReadLabels(os.DirFS(dir), base)
		if err != nil {
			return nil, "", fmt.Errorf("--labels: %w", err)
		}
		g.Labels = labels
	}
	return g, name, nil
}

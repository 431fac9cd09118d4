package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

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

package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/imageio"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/zoo"
)

// modelFlags are the flags every command that runs a model shares.
type modelFlags struct {
	model, labels string
	input         []int
	pre           preFlags
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.model, "model", "", "model file (TF.js model.json, …); default: the embedded Tiny VGG")
	fs.StringVar(&m.labels, "labels", "", "class names, one per line (default: labels.txt beside the model)")
	fs.Func("input", "input size `C,H,W`: fills the sizes the model file leaves open (ONNX dim_param, Keras null)", func(v string) error {
		d, err := analyze.ParseCHW(v)
		m.input = d
		return err
	})
	m.pre.register(fs, nil)
}

// preFlags are the preprocessing flags (docs/preprocessing.md); the fields
// they set override the model's preprocess.json.
type preFlags struct {
	p   imageio.Preprocess
	set []func(*imageio.Preprocess) error // each flag given, to apply over the file's
}

// register adds --mean, --std, --scale, --bgr and --resize; apply, if not
// nil, is given each flag's setter as it is parsed (serve applies it to the
// preceding --model).
func (pf *preFlags) register(fs *flag.FlagSet, apply func(func(*imageio.Preprocess) error) error) {
	add := func(set func(*imageio.Preprocess) error) error {
		pf.set = append(pf.set, set)
		if apply == nil {
			return nil
		}
		return apply(set)
	}
	floats := func(field func(*imageio.Preprocess) *[]float32) func(string) error {
		return func(v string) error {
			f, err := imageio.ParseFloats(v)
			if err != nil {
				return err
			}
			if len(f) != 1 && len(f) != 3 {
				return fmt.Errorf("give 1 or 3 values (R,G,B), got %d", len(f))
			}
			return add(func(p *imageio.Preprocess) error { *field(p) = f; return nil })
		}
	}
	fs.Func("mean", "per-channel `R,G,B` mean subtracted after --scale (x = (p·scale − mean)/std)", floats(func(p *imageio.Preprocess) *[]float32 { return &p.Mean }))
	fs.Func("std", "per-channel `R,G,B` divisor applied after the mean", floats(func(p *imageio.Preprocess) *[]float32 { return &p.Std }))
	fs.Func("scale", "pixel range `S` before mean/std: 1 (pixels in [0,1]) or 255", func(v string) error {
		f, err := imageio.ParseFloats(v)
		if err != nil || len(f) != 1 || f[0] <= 0 {
			return fmt.Errorf("%q is not a positive number", v)
		}
		return add(func(p *imageio.Preprocess) error { p.Scale = f[0]; return nil })
	})
	fs.BoolFunc("bgr", "feed the channels in B,G,R order (--mean and --std are then B,G,R too)", func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		return add(func(p *imageio.Preprocess) error { p.BGR = b; return nil })
	})
	fs.Func("resize", "how an image gets the input size: `crop` (cover, centre crop; default) or stretch", func(v string) error {
		if v != imageio.ResizeCrop && v != imageio.ResizeStretch {
			return fmt.Errorf("%q is neither crop nor stretch", v)
		}
		return add(func(p *imageio.Preprocess) error { p.Resize = v; return nil })
	})
}

// preprocessFor returns the preprocessing of the model file at path: its
// preprocess.json if there is one, with the flags given laid over it.
func preprocessFor(path string, flags []func(*imageio.Preprocess) error) (imageio.Preprocess, error) {
	var p imageio.Preprocess
	if path != "" && !strings.HasPrefix(path, presetPrefix) {
		dir := filepath.Dir(path)
		var err error
		p, err = imageio.ReadPreprocess(os.DirFS(dir), imageio.PreprocessFile)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return p, fmt.Errorf("%s: %w", filepath.Join(dir, imageio.PreprocessFile), err)
		}
	}
	for _, set := range flags {
		if err := set(&p); err != nil {
			return p, err
		}
	}
	return p, p.Check()
}

// presetPrefix names a built-in preset instead of a file: "preset:resnet50".
const presetPrefix = "preset:"

// openModelOrPreset opens a model file, or builds the structure of a preset
// named "preset:NAME" (see convscope presets). It reports the format name.
// An input size (C,H,W; nil: the file's) is given to the importer, which
// fills the sizes the file leaves free with it; a preset's input is
// replaced by it.
func openModelOrPreset(arg string, input []int) (*graph.Graph, string, error) {
	if name, ok := strings.CutPrefix(arg, presetPrefix); ok {
		g, err := zoo.Preset(name, false)
		if err == nil && input != nil && len(g.Inputs) > 0 {
			g.Inputs[0].Shape = append(graph.Shape{-1}, input...)
		}
		return g, "preset", err
	}
	return format.OpenWith(arg, format.Options{Input: input})
}

// checkInputs refuses a model with no input, or one whose input sizes are
// not all known (a *format.FreeSizeError naming --input and a size).
func checkInputs(g *graph.Graph) error {
	if len(g.Inputs) == 0 {
		return errors.New("the model has no input")
	}
	for _, in := range g.Inputs {
		if _, err := format.FillInput(in.Name, in.Shape, nil); err != nil {
			return err
		}
	}
	return nil
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
		g, _, err = format.OpenWith(m.model, format.Options{Input: m.input})
		name = m.model
	}
	if err != nil {
		return nil, "", err
	}
	if m.pre.p, err = preprocessFor(m.model, m.pre.set); err != nil {
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

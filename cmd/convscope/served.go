package main

import (
	"errors"
	"flag"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/server"
)

// servedModels are the flags naming the models served and what goes with
// each, shared by serve and export-site: --model, then --labels, --examples,
// --input and the preprocessing flags for it. Given before any --model, they
// apply to the first one.
type servedModels struct {
	models []server.ModelSpec
	// pendingLabels/pendingExamples hold --labels/--examples given before
	// any --model.
	pendingLabels, pendingExamples string
	// pendingInput is an --input given before any --model; preSets are the
	// preprocessing flags given for each model (index -1: before any).
	pendingInput []int
	preSets      map[int][]func(*imageio.Preprocess) error
}

// register adds the flags to fs.
func (sm *servedModels) register(fs *flag.FlagSet) {
	fs.Func("model", "model `file` to serve besides the default one (repeatable)", func(v string) error {
		if v == "" {
			return errors.New("empty file name")
		}
		sm.models = append(sm.models, server.ModelSpec{Path: v})
		return nil
	})
	fs.Func("labels", "class-name `file` (one per line) for the preceding --model", func(v string) error {
		if len(sm.models) == 0 {
			sm.pendingLabels = v
			return nil
		}
		sm.models[len(sm.models)-1].Labels = v
		return nil
	})
	fs.Func("examples", "`folder` of example images for the preceding --model", func(v string) error {
		if len(sm.models) == 0 {
			sm.pendingExamples = v
			return nil
		}
		sm.models[len(sm.models)-1].Examples = v
		return nil
	})
	fs.Func("input", "input size `C,H,W` of the preceding --model (fills the sizes its file leaves open)", func(v string) error {
		d, err := analyze.ParseCHW(v)
		if err != nil {
			return err
		}
		if len(sm.models) == 0 {
			sm.pendingInput = d
			return nil
		}
		sm.models[len(sm.models)-1].Input = d
		return nil
	})
	sm.preSets = map[int][]func(*imageio.Preprocess) error{}
	var pf preFlags
	pf.register(fs, func(set func(*imageio.Preprocess) error) error {
		i := len(sm.models) - 1
		sm.preSets[i] = append(sm.preSets[i], set)
		return nil
	})
}

// finish returns the models once the flags are parsed.
func (sm *servedModels) finish() ([]server.ModelSpec, error) {
	if sm.pendingLabels != "" || sm.pendingExamples != "" || sm.pendingInput != nil || len(sm.preSets[-1]) > 0 {
		if len(sm.models) == 0 {
			return nil, usagef("--labels, --examples, --input and the preprocessing flags apply to a --model; the default model has its own")
		}
		if sm.models[0].Input == nil {
			sm.models[0].Input = sm.pendingInput
		}
		sm.preSets[0] = append(sm.preSets[-1], sm.preSets[0]...)
		if sm.models[0].Labels == "" {
			sm.models[0].Labels = sm.pendingLabels
		}
		if sm.models[0].Examples == "" {
			sm.models[0].Examples = sm.pendingExamples
		}
	}
	for i, sets := range sm.preSets {
		if i < 0 || len(sets) == 0 {
			continue
		}
		p, err := preprocessFor(sm.models[i].Path, sets)
		if err != nil {
			return nil, usagef("--model %s: %v", sm.models[i].Path, err)
		}
		sm.models[i].Preprocess = &p
	}
	return sm.models, nil
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/convscope/convscope/internal/dataset"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/train"
	"github.com/convscope/convscope/internal/zoo"
)

func init() {
	register(command{name: "train", summary: "train a model on a dataset (Tiny VGG on Fashion-MNIST, CIFAR-10, a folder, …)", run: runTrain})
}

// trainMetrics is DIR/metrics.json.
type trainMetrics struct {
	Dataset   string             `json:"dataset"`
	Arch      string             `json:"arch"`
	Input     int                `json:"input"`
	Classes   []string           `json:"classes"`
	Config    trainConfigJSON    `json:"config"`
	Epochs    []train.EpochStats `json:"epochs"`
	Test      *trainTestJSON     `json:"test,omitempty"`
	Seconds   float64            `json:"seconds"`
	Completed bool               `json:"completed"`
}

type trainConfigJSON struct {
	train.Hyper
	Epochs      int             `json:"epochs"`
	Batch       int             `json:"batch"`
	Seed        uint64          `json:"seed"`
	Shards      int             `json:"shards"`
	Workers     int             `json:"workers"`
	ValFraction float64         `json:"val_fraction"`
	TrainN      int             `json:"train_examples"`
	ValN        int             `json:"val_examples"`
	Augment     dataset.Augment `json:"augment"`
}

type trainTestJSON struct {
	Accuracy float64 `json:"accuracy"`
	Examples int     `json:"examples"`
}

func runTrain(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var (
		spec     = fs.String("dataset", "", "fashion-mnist[:DIR], mnist:DIR, cifar10:DIR or folder:DIR (required)")
		arch     = fs.String("arch", "tinyvgg", "architecture (tinyvgg)")
		input    = fs.Int("input", 64, "model input size (pixels, square)")
		epochs   = fs.Int("epochs", 10, "epochs")
		batch    = fs.Int("batch", 32, "mini-batch size")
		lr       = fs.Float64("lr", 1e-3, "peak learning rate")
		opt      = fs.String("optimizer", "adam", "adam or sgd (momentum 0.9)")
		sched    = fs.String("schedule", "cosine", "learning-rate schedule: cosine, step or constant")
		warmup   = fs.Int("warmup", 0, "steps of linear learning-rate warm-up")
		decay    = fs.Float64("weight-decay", 0, "weight decay of conv and dense weights (decoupled with adam)")
		seed     = fs.Uint64("seed", 1, "seed of initialisation, shuffling, split and augmentation")
		valFrac  = fs.Float64("val", 0.1, "fraction of the training set held out for validation")
		augment  = fs.Bool("augment", true, "augment: shift, flip, colourise grey images / jitter colour ones")
		shift    = fs.Int("shift", 4, "largest random translation in pixels (with --augment)")
		limit    = fs.Int("limit", 0, "use only the first N training examples (0: all)")
		workers  = fs.Int("workers", 0, "goroutines (0: all cores); results do not depend on it")
		examples = fs.Bool("examples", true, "write one test image per class to DIR/examples")
		out      = fs.String("out", "", "output directory (required)")
	)
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope train --dataset SPEC [flags] --out DIR")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("train takes no arguments, got %q", fs.Args())
	}
	if *spec == "" || *out == "" {
		fs.Usage()
		return usagef("train needs --dataset and --out")
	}
	if *arch != "tinyvgg" {
		return usagef("unknown architecture %q (tinyvgg)", *arch)
	}
	if *epochs <= 0 || *batch <= 0 || *input < 16 || *valFrac < 0 || *valFrac >= 1 {
		return usagef("--epochs and --batch must be positive, --input at least 16, --val in [0, 1)")
	}
	sp, err := dataset.ParseSpec(*spec)
	if err != nil {
		return usagef("%v", err)
	}
	start := time.Now()
	set, err := dataset.Open(*spec, true, *input)
	if err != nil {
		return err
	}
	n := set.Len()
	if *limit > 0 {
		n = min(n, *limit)
	}
	trIdx, valIdx := dataset.Split(n, *valFrac, *seed)
	g, err := zoo.TinyVGG(*input, len(set.Classes), *seed)
	if err != nil {
		return err
	}
	g.Name = "tinyvgg-" + sp.Kind
	g.Labels = set.Classes
	const channels = 3
	aug := dataset.Augment{}
	if *augment {
		aug = dataset.TrainAugment(set, *shift)
	}
	trData := &dataset.Loader{Set: set, Idx: trIdx, Size: *input, Channels: channels, Aug: aug}
	valData := &dataset.Loader{Set: set, Idx: valIdx, Size: *input, Channels: channels}
	cfg := train.Config{
		Hyper:  train.Hyper{Optimizer: *opt, LR: *lr, Schedule: *sched, Warmup: *warmup, WeightDecay: *decay}.WithDefaults(),
		Epochs: *epochs, Batch: *batch, Seed: *seed, Workers: *workers,
	}
	net, err := train.New(g, *batch, train.Options{Workers: *workers, Seed: *seed})
	if err != nil {
		return err
	}
	if _, err := train.NewOptimizer(nil, cfg.Hyper); err != nil {
		return usagef("%v", err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	metrics := trainMetrics{Dataset: *spec, Arch: *arch, Input: *input, Classes: set.Classes,
		Config: trainConfigJSON{Hyper: cfg.Hyper, Epochs: *epochs, Batch: *batch, Seed: *seed, Shards: 8, Workers: *workers,
			ValFraction: *valFrac, TrainN: len(trIdx), ValN: len(valIdx), Augment: aug}}
	fmt.Fprintf(io.out, "training Tiny VGG (%d×%d×3, %d classes) on %s: %d training, %d validation images, %d epochs of %d steps\n",
		*input, *input, len(set.Classes), *spec, len(trIdx), len(valIdx), *epochs, (len(trIdx)+*batch-1)/(*batch))
	bar := newProgressBar(io.out)
	lastGood := 0
	hooks := train.Hooks{
		Progress: bar.update,
		Epoch: func(st train.EpochStats) error {
			bar.epochDone(st, len(valIdx) > 0)
			metrics.Epochs = append(metrics.Epochs, st)
			metrics.Seconds = time.Since(start).Seconds()
			if err := saveCheckpoint(*out, g, &metrics); err != nil {
				return err
			}
			lastGood = st.Epoch
			return nil
		},
	}
	_, err = train.Fit(ctx, net, trData, valData, cfg, hooks)
	if err != nil {
		bar.clear()
		if ctx.Err() != nil {
			if lastGood == 0 {
				return fmt.Errorf("interrupted during the first epoch: nothing saved")
			}
			return fmt.Errorf("interrupted: %s holds the model after epoch %d", *out, lastGood)
		}
		return err
	}
	// Final test figure on the plain rendering, as `convscope eval` does.
	if sp.Kind == "folder" && !hasSplit(sp.Dir) {
		// A plain class folder has no test split.
	} else if test, err := dataset.Open(*spec, false, *input); err != nil {
		fmt.Fprintf(io.err, "convscope: no test figure: %v\n", err)
	} else {
		tl := &dataset.Loader{Set: test, Size: *input, Channels: channels}
		conf, err := train.EvaluateEngine(ctx, g, tl, 50, *workers)
		if err != nil {
			return err
		}
		metrics.Test = &trainTestJSON{Accuracy: conf.Accuracy(), Examples: conf.Total()}
		fmt.Fprintf(io.out, "test accuracy %.2f%% (%d images)\n", 100*conf.Accuracy(), conf.Total())
		if *examples {
			if err := writeExamples(ctx, filepath.Join(*out, "examples"), g, test, tl); err != nil {
				return err
			}
		}
	}
	metrics.Seconds = time.Since(start).Seconds()
	metrics.Completed = true
	if err := saveCheckpoint(*out, g, &metrics); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "wrote %s (model.json, %s, metrics.json, curves.svg) in %s\n", *out, tfjs.ShardName, time.Since(start).Round(time.Second))
	return nil
}

func hasSplit(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "train"))
	return err == nil && st.IsDir()
}

// saveCheckpoint writes the model, metrics.json and curves.svg; each file is
// replaced atomically.
func saveCheckpoint(dir string, g *graph.Graph, m *trainMetrics) error {
	if err := tfjs.Write(dir, g); err != nil {
		return err
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "metrics.json"), append(js, '\n')); err != nil {
		return err
	}
	title := fmt.Sprintf("Tiny VGG on %s", m.Dataset)
	return writeFileAtomic(filepath.Join(dir, "curves.svg"), train.CurvesSVG(title, m.Epochs))
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// writeExamples saves, for each class, the first test image the model
// classifies correctly (the first one of the class if none is), as stored
// in the dataset (Fashion-MNIST: the 28×28 grey original), named
// NN_class.png.
func writeExamples(ctx context.Context, dir string, g *graph.Graph, set *dataset.Set, l *dataset.Loader) error {
	net, err := train.New(g, 1, train.Options{Workers: 1})
	if err != nil {
		return err
	}
	x := make([]float32, net.InputLen())
	pred := make([]int32, 0, 1)
	correct := func(i int) bool {
		if ctx.Err() != nil {
			return false
		}
		y := l.Sample(x, i, nil)
		if net.Forward(x, 1, false) != nil {
			return false
		}
		return net.Predict(pred)[0] == y
	}
	first := set.FirstOfClass(correct)
	fallback := set.FirstOfClass(nil)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for c, i := range first {
		if i < 0 {
			i = fallback[c]
		}
		if i < 0 {
			continue
		}
		name := fmt.Sprintf("%02d_%s.png", c, dataset.Slug(set.Classes[c]))
		if err := writePNG(filepath.Join(dir, name), set, i); err != nil {
			return err
		}
	}
	return nil
}

func writePNG(path string, s *dataset.Set, i int) error {
	b, err := s.PNG(i)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

// progressBar shows training progress: a bar redrawn in place on a
// terminal, one line per epoch otherwise.
type progressBar struct {
	w     io.Writer
	tty   bool
	last  time.Time
	width int
	cur   train.Progress
}

func newProgressBar(w io.Writer) *progressBar {
	p := &progressBar{w: w, width: 80}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 40 {
			p.width = cols
		}
	}
	return p
}

func (p *progressBar) update(pr train.Progress) {
	p.cur = pr
	if !p.tty || (time.Since(p.last) < 100*time.Millisecond && pr.Step < pr.Steps) {
		return
	}
	p.last = time.Now()
	rate := float64(pr.Images) / max(pr.Elapsed.Seconds(), 1e-9)
	eta := time.Duration(float64(pr.Elapsed) * float64(pr.Steps-pr.Step) / float64(max(1, pr.Step)))
	info := fmt.Sprintf(" %3.0f%% %.0f img/s loss %.4f acc %.1f%% ETA %s", 100*float64(pr.Step)/float64(pr.Steps),
		rate, pr.Loss, 100*pr.Acc, eta.Round(time.Second))
	p.draw(fmt.Sprintf("epoch %d/%d ", pr.Epoch, pr.Epochs), info, pr.Step, pr.Steps)
}

// draw redraws the bar in place: head, the bar filled to step/steps, info.
func (p *progressBar) draw(head, info string, step, steps int) {
	barW := max(10, p.width-len(head)-len(info)-3)
	done := barW * step / max(1, steps)
	fmt.Fprintf(p.w, "\r%s[%s%s]%s\x1b[K", head, strings.Repeat("█", done), strings.Repeat("░", barW-done), info)
}

func (p *progressBar) clear() {
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func (p *progressBar) epochDone(st train.EpochStats, val bool) {
	p.clear()
	line := fmt.Sprintf("epoch %d/%d  %d img  %.1fs (cpu %.1fs)  %.0f img/s  lr %.2g  loss %.4f  acc %.2f%%", st.Epoch, p.cur.Epochs,
		st.Images, st.Seconds, st.CPUSeconds, float64(st.Images)/max(p.cur.Elapsed.Seconds(), 1e-9), st.LR, st.TrainLoss, 100*st.TrainAcc)
	if val {
		line += fmt.Sprintf("  val loss %.4f  val acc %.2f%%", st.ValLoss, 100*st.ValAcc)
	}
	fmt.Fprintln(p.w, line)
}

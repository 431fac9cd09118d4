package train

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Data is a labelled set of examples the trainer draws from.
type Data interface {
	// Len is the number of examples.
	Len() int
	// Sample writes example i into dst (the model's input for one image)
	// and returns its label. In training, rng is seeded from the run's
	// seed, the epoch and i, and drives any augmentation; in evaluation it
	// is nil and the example must be rendered plainly. Sample is called
	// concurrently.
	Sample(dst []float32, i int, rng *rand.Rand) int32
}

// Config is one training run.
type Config struct {
	Hyper
	Epochs int
	Batch  int
	Seed   uint64
	// Workers and Shards: see Options.
	Workers, Shards int
	// Start resumes a run at this global step (0-based; steps before it
	// are skipped: the same permutations, schedule and augmentation as an
	// uninterrupted run, but the optimizer's moments start afresh).
	Start int
	// MaxSteps, if positive, ends the run after that many global steps:
	// the epoch it falls in ends there (evaluated and reported like a
	// whole one), and the learning-rate schedule spans MaxSteps.
	MaxSteps int
}

// TotalSteps is the number of steps of a run over n examples.
func (c Config) TotalSteps(n int) int {
	if c.Batch <= 0 {
		return 0
	}
	total := (n + c.Batch - 1) / c.Batch * c.Epochs
	if c.MaxSteps > 0 {
		total = min(total, c.MaxSteps)
	}
	return total
}

// EpochStats are the figures of one epoch.
type EpochStats struct {
	Epoch     int     `json:"epoch"` // 1-based
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_accuracy"`
	ValLoss   float64 `json:"val_loss"`
	ValAcc    float64 `json:"val_accuracy"`
	LR        float64 `json:"lr"` // at the end of the epoch
	Images    int     `json:"images"`
	Seconds   float64 `json:"seconds"`
	// CPUSeconds is the CPU time the whole process used during the epoch
	// (0 where unknown): on a shared machine a steadier figure than Seconds.
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
}

// Progress is reported after every step.
type Progress struct {
	Epoch, Epochs int // 1-based
	Step, Steps   int // steps done in this epoch, of
	Images        int // images done in this epoch
	Global, Total int // steps done in the whole run, of
	Loss, Acc     float64
	Elapsed       time.Duration // in this epoch
}

// Hooks are called by Fit. Epoch runs after each completed epoch with the
// model's parameters as they are then (save checkpoints there); an error
// stops training.
type Hooks struct {
	Progress func(Progress)
	Epoch    func(EpochStats) error
}

// Fit trains nt on train for cfg.Epochs epochs, evaluating on val (may be
// nil) after each. Each epoch visits the examples in a permutation drawn
// from the seed and the epoch; the last batch may be smaller. When ctx is
// cancelled, Fit returns after the current step with the completed epochs'
// figures and ctx's error; the parameters are then those of the step, not
// of the last completed epoch.
func Fit(ctx context.Context, nt *Net, train, val Data, cfg Config, hooks Hooks) ([]EpochStats, error) {
	if cfg.Epochs <= 0 || cfg.Batch <= 0 {
		return nil, fmt.Errorf("epochs (%d) and batch size (%d) must be positive", cfg.Epochs, cfg.Batch)
	}
	if cfg.Batch > nt.max {
		return nil, fmt.Errorf("batch size %d exceeds the net's %d", cfg.Batch, nt.max)
	}
	if train.Len() == 0 {
		return nil, errors.New("no training examples")
	}
	h := cfg.Hyper.WithDefaults()
	opt, err := NewOptimizer(nt.params, h)
	if err != nil {
		return nil, err
	}
	n := train.Len()
	steps := (n + cfg.Batch - 1) / cfg.Batch
	total := cfg.TotalSteps(n)
	if cfg.Start < 0 || cfg.Start >= total {
		return nil, fmt.Errorf("start step %d is outside the run's %d steps", cfg.Start, total)
	}
	x := make([]float32, cfg.Batch*nt.in.per)
	y := make([]int32, cfg.Batch)
	var history []EpochStats
	global := cfg.Start / steps * steps
	for epoch := 1 + cfg.Start/steps; epoch <= cfg.Epochs && global < total; epoch++ {
		start, cpu := time.Now(), processCPU()
		perm := rand.New(rand.NewPCG(cfg.Seed, uint64(epoch))).Perm(n)
		var lossSum float64
		correct, seen := 0, 0
		lr := 0.0
		for s := 0; s < steps && global < total; s++ {
			if global < cfg.Start {
				global++
				continue
			}
			if err := ctx.Err(); err != nil {
				return history, err
			}
			idx := perm[s*cfg.Batch : min(n, (s+1)*cfg.Batch)]
			fillBatch(nt, train, x, y, idx, cfg.Seed, uint64(epoch))
			nt.step = uint64(global)
			if err := nt.Forward(x, len(idx), true); err != nil {
				return history, err
			}
			loss, c, err := nt.Backward(y)
			if err != nil {
				return history, err
			}
			lr = h.Rate(global, total)
			opt.Step(lr)
			global++
			lossSum += loss * float64(len(idx))
			correct += c
			seen += len(idx)
			if hooks.Progress != nil {
				hooks.Progress(Progress{Epoch: epoch, Epochs: cfg.Epochs, Step: s + 1, Steps: steps, Images: seen,
					Global: global, Total: total, Loss: lossSum / float64(seen), Acc: float64(correct) / float64(seen), Elapsed: time.Since(start)})
			}
		}
		st := EpochStats{Epoch: epoch, TrainLoss: lossSum / float64(seen), TrainAcc: float64(correct) / float64(seen),
			LR: lr, Images: seen}
		if val != nil && val.Len() > 0 {
			r, err := Evaluate(ctx, nt, val)
			if err != nil {
				return history, err
			}
			st.ValLoss, st.ValAcc = r.Loss, r.Accuracy()
		}
		st.Seconds = time.Since(start).Seconds()
		if c := processCPU(); c > 0 {
			st.CPUSeconds = c - cpu
		}
		history = append(history, st)
		if hooks.Epoch != nil {
			if err := hooks.Epoch(st); err != nil {
				return history, err
			}
		}
	}
	return history, nil
}

// fillBatch writes the examples idx into x and y, in parallel; each
// example's augmentation is seeded by (seed, epoch, index) only.
func fillBatch(nt *Net, d Data, x []float32, y []int32, idx []int, seed, epoch uint64) {
	per := nt.in.per
	parallelFor(nt.opt.Workers, len(idx), func(j int) {
		rng := rand.New(rand.NewPCG(seed^0x6a09e667f3bcc909, epoch<<40^uint64(idx[j])))
		y[j] = d.Sample(x[j*per:(j+1)*per], idx[j], rng)
	})
}

// Result is an evaluation: the mean loss and the confusion matrix.
type Result struct {
	Loss float64
	Confusion
}

// Evaluate runs nt in inference mode over every example of d (without
// augmentation: rng is nil) and returns its mean cross-entropy and
// confusion matrix.
func Evaluate(ctx context.Context, nt *Net, d Data) (*Result, error) {
	r := &Result{Confusion: NewConfusion(nt.classes)}
	per := nt.in.per
	x := make([]float32, nt.max*per)
	y := make([]int32, nt.max)
	pred := make([]int32, 0, nt.max)
	n := d.Len()
	for lo := 0; lo < n; lo += nt.max {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(n, lo+nt.max)
		parallelFor(nt.opt.Workers, hi-lo, func(j int) {
			y[j] = d.Sample(x[j*per:(j+1)*per], lo+j, nil)
		})
		if err := nt.Forward(x, hi-lo, false); err != nil {
			return nil, err
		}
		loss, _ := nt.lossGrad(y, false)
		r.Loss += loss * float64(hi-lo)
		pred = nt.Predict(pred)
		for j, p := range pred {
			if y[j] < 0 || int(y[j]) >= nt.classes {
				return nil, fmt.Errorf("label %d is outside the model's %d classes", y[j], nt.classes)
			}
			r.Add(int(y[j]), int(p))
		}
	}
	if n > 0 {
		r.Loss /= float64(n)
	}
	return r, nil
}

// Confusion counts predictions: M[truth][predicted].
type Confusion struct {
	M [][]int
}

// NewConfusion returns an empty k×k matrix.
func NewConfusion(k int) Confusion {
	m := make([][]int, k)
	for i := range m {
		m[i] = make([]int, k)
	}
	return Confusion{M: m}
}

// Add counts one prediction.
func (c *Confusion) Add(truth, pred int) { c.M[truth][pred]++ }

// Total is the number of predictions counted.
func (c *Confusion) Total() int {
	t := 0
	for _, row := range c.M {
		for _, v := range row {
			t += v
		}
	}
	return t
}

// Accuracy is the fraction of correct predictions (0 when empty).
func (c *Confusion) Accuracy() float64 {
	ok := 0
	for i, row := range c.M {
		ok += row[i]
	}
	if t := c.Total(); t > 0 {
		return float64(ok) / float64(t)
	}
	return 0
}

// PerClass is each class's accuracy (recall); 0 for a class with no
// examples.
func (c *Confusion) PerClass() []float64 {
	out := make([]float64, len(c.M))
	for i, row := range c.M {
		t := 0
		for _, v := range row {
			t += v
		}
		if t > 0 {
			out[i] = float64(row[i]) / float64(t)
		}
	}
	return out
}

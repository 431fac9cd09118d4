package train

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/convscope/convscope/internal/zoo"
)

// recorder is patterns that records the examples drawn in training.
type recorder struct {
	patterns
	mu   sync.Mutex
	seen []int
}

func (r *recorder) Sample(dst []float32, i int, rng *rand.Rand) int32 {
	if rng != nil {
		r.mu.Lock()
		r.seen = append(r.seen, i)
		r.mu.Unlock()
	}
	return r.patterns.Sample(dst, i, rng)
}

// MaxSteps ends a run inside an epoch; Start resumes a run where it was
// stopped, visiting the same examples at the same steps as a run that was
// never stopped.
func TestMaxStepsAndStart(t *testing.T) {
	g, err := zoo.TinyVGG(16, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	nt, err := New(g, 8, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 40 examples, batch 8: 5 steps an epoch; 3 epochs capped at 7 steps.
	cfg := Config{Epochs: 3, Batch: 8, Seed: 3, MaxSteps: 7}
	if got := cfg.TotalSteps(40); got != 7 {
		t.Fatalf("TotalSteps = %d, want 7", got)
	}
	var globals []int
	whole := &recorder{patterns: patterns{n: 40, size: 16, seed: 1}}
	hist, err := Fit(context.Background(), nt, whole, patterns{n: 8, size: 16, seed: 2}, cfg,
		Hooks{Progress: func(p Progress) { globals = append(globals, p.Global) }})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(globals, []int{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("global steps %v", globals)
	}
	if len(hist) != 2 || hist[0].Images != 40 || hist[1].Images != 16 || hist[1].ValLoss == 0 {
		t.Errorf("epochs %+v: want a whole epoch of 40 images and a partial one of 16, evaluated", hist)
	}
	// Stop after step 3, then resume at 3 (the same 7-step run).
	ctx, cancel := context.WithCancel(context.Background())
	first := &recorder{patterns: whole.patterns}
	_, err = Fit(ctx, nt, first, nil, cfg, Hooks{Progress: func(p Progress) {
		if p.Global == 3 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("a cancelled run returned no error")
	}
	second := &recorder{patterns: whole.patterns}
	cfg.Start = 3
	globals = nil
	if _, err := Fit(context.Background(), nt, second, nil, cfg, Hooks{Progress: func(p Progress) { globals = append(globals, p.Global) }}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(globals, []int{4, 5, 6, 7}) {
		t.Errorf("resumed global steps %v, want 4…7", globals)
	}
	// Batches are filled in parallel: compare each step's set of examples.
	steps := func(seen []int) [][]int {
		var out [][]int
		for i := 0; i < len(seen); i += 8 {
			b := slices.Clone(seen[i:min(len(seen), i+8)])
			slices.Sort(b)
			out = append(out, b)
		}
		return out
	}
	got := append(steps(first.seen), steps(second.seen)...)
	if want := steps(whole.seen); !slices.EqualFunc(got, want, slices.Equal[[]int]) {
		t.Errorf("stopped + resumed run drew\n%v\nthe whole run\n%v", got, want)
	}
	cfg.Start = 7
	if _, err := Fit(context.Background(), nt, whole, nil, cfg, Hooks{}); err == nil {
		t.Error("start at the end: no error")
	}
}

package train

import (
	"context"
	"fmt"
	"runtime"

	"github.com/convscope/convscope/internal/engine"
	"github.com/convscope/convscope/internal/graph"
)

// EvaluateEngine runs g with the inference engine over every example of d
// (without augmentation) and returns the confusion matrix of the argmax of
// its output: exactly what a user of the model sees. Images are processed in
// batches of batch on workers engine programs (0: GOMAXPROCS).
func EvaluateEngine(ctx context.Context, g *graph.Graph, d Data, batch, workers int) (*Confusion, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	batch = max(1, batch)
	if len(g.Inputs) != 1 || len(g.Outputs) != 1 {
		return nil, fmt.Errorf("evaluation needs a model with one input and one output")
	}
	n := d.Len()
	chunks := (n + batch - 1) / batch
	workers = max(1, min(workers, chunks))
	progs := make([]*engine.Program, workers)
	for i := range progs {
		p, err := engine.CompileFinal(g, batch) // only the output is read
		if err != nil {
			return nil, err
		}
		progs[i] = p
	}
	outShape := progs[0].Shapes[g.Outputs[0]]
	k := outShape.PerImage().Elems()
	if k < 2 {
		return nil, fmt.Errorf("the model's output %v is not a vector of class scores", outShape)
	}
	per := progs[0].Shapes[g.Inputs[0].Name].PerImage().Elems()
	preds := make([]int32, n)
	labels := make([]int32, n)
	errs := make([]error, chunks)
	next := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(next)
		for c := 0; c < chunks; c++ {
			select {
			case next <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func(p *engine.Program) {
			defer func() { done <- struct{}{} }()
			x := make([]float32, batch*per)
			for c := range next {
				lo, hi := c*batch, min(n, (c+1)*batch)
				clear(x)
				for i := lo; i < hi; i++ {
					labels[i] = d.Sample(x[(i-lo)*per:(i-lo+1)*per], i, nil)
				}
				vals, err := p.Run(x)
				if err != nil {
					errs[c] = err
					continue
				}
				out := vals[g.Outputs[0]].Data
				for i := lo; i < hi; i++ {
					row := out[(i-lo)*k : (i-lo+1)*k]
					best := 0
					for j := range row {
						if row[j] > row[best] {
							best = j
						}
					}
					preds[i] = int32(best)
				}
			}
		}(progs[w])
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	c := NewConfusion(k)
	for i := range preds {
		if labels[i] < 0 || int(labels[i]) >= k {
			return nil, fmt.Errorf("example %d has label %d; the model has %d classes", i, labels[i], k)
		}
		c.Add(int(labels[i]), int(preds[i]))
	}
	return &c, nil
}

//go:build !(js && wasm)

package server

import (
	"context"
	"sort"
	"testing"

	"github.com/convscope/convscope/internal/dataset"
	"github.com/convscope/convscope/internal/testref"
	"github.com/convscope/convscope/internal/train"
)

// BenchmarkStudioEpoch alternates, in one process, an epoch of Tiny VGG on
// Fashion-MNIST (the first LIMIT=3200 training images, 64×64, batch 32) as
// `convscope train` runs it (train.Fit with a progress callback) and as the
// studio runs it (trainer.run: state updates, kernels, checkpoints every
// 10 s), and reports each one's median epoch time (Fit's own figure) and
// their ratio. Alternating makes a shared machine's load fall on both.
//
//	go test ./internal/server -run XXX -bench StudioEpoch -benchtime 6x
func BenchmarkStudioEpoch(b *testing.B) {
	testref.Need(b, dataset.FashionMNISTDir, "Fashion-MNIST ("+dataset.FashionMNISTInstall+")")
	s, err := New(Config{DataDir: b.TempDir(), UI: testUI})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	req := &TrainRequest{Dataset: "fashion-mnist", Limit: 3200}
	if err := s.checkTrainRequest(req); err != nil {
		b.Fatal(err)
	}
	var cli, studio, cliCPU, studioCPU []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := s.trainer.prepare(req, false)
		if err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			var last train.Progress
			hist, err := train.Fit(context.Background(), d.net, d.trainData, d.valData, d.cfg,
				train.Hooks{Progress: func(p train.Progress) { last = p }})
			if err != nil {
				b.Fatal(err)
			}
			_ = last
			cli = append(cli, hist[0].Seconds)
			cliCPU = append(cliCPU, hist[0].CPUSeconds)
		} else {
			s.trainer.update(func(st *trainState) { *st = trainState{State: stateRunning, Request: req} })
			s.trainer.run(context.Background(), d)
			st := s.trainer.snapshot(0)
			if st.State != stateDone || len(st.EpochSeconds) != 1 {
				b.Fatalf("studio run: %s %s", st.State, st.Error)
			}
			studio = append(studio, st.EpochSeconds[0])
			studioCPU = append(studioCPU, st.EpochCPUSeconds[0])
		}
	}
	if len(cli) > 0 && len(studio) > 0 {
		b.ReportMetric(median(cli), "cli-s/epoch")
		b.ReportMetric(median(studio), "studio-s/epoch")
		b.ReportMetric(median(studio)/median(cli), "studio/cli")
		b.ReportMetric(median(studioCPU)/median(cliCPU), "studio/cli-cpu")
		b.Logf("cli %v s (cpu %v), studio %v s (cpu %v)", cli, cliCPU, studio, studioCPU)
	}
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

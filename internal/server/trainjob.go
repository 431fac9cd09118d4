//go:build !(js && wasm)

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/convscope/convscope/internal/dataset"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/train"
	"github.com/convscope/convscope/internal/zoo"
)

// The training studio's job (POST /api/train): one at a time per server,
// run by train.Fit — the trainer of `convscope train` — in a goroutine,
// its state kept for GET /api/train and the event stream, its checkpoints
// under Config.DataDir/train.

// TrainRequest is the body of POST /api/train.
type TrainRequest struct {
	// Dataset is "fashion-mnist" or "upload" (the zip sent with it).
	Dataset string `json:"dataset"`
	Arch    string `json:"arch"` // "tinyvgg"
	zoo.TinyVGGArch
	LR       float64 `json:"lr"`
	Batch    int     `json:"batch"`
	Epochs   int     `json:"epochs"`
	Augment  *bool   `json:"augment,omitempty"`
	MaxSteps int     `json:"max_steps"`
	// Limit uses only the first Limit training examples (0: all).
	Limit int     `json:"limit"`
	Val   float64 `json:"val"`
	Seed  uint64  `json:"seed"`
}

// Job states.
const (
	stateOff     = "off" // the server has no data folder
	stateIdle    = "idle"
	stateRunning = "running"
	stateDone    = "done"
	stateStopped = "stopped"
	stateFailed  = "failed"
)

// trainState is GET /api/train's answer and each event's data. The
// training curve is one point every few steps (PointStep[i] is the step
// the point ends at, Loss and Accuracy the means over the steps since the
// previous point); From is the index of the first point sent (0 in GET
// /api/train, the points new since the previous event in the stream).
type trainState struct {
	State          string        `json:"state"`
	Job            int           `json:"job"` // counts the jobs started or resumed
	Error          string        `json:"error,omitempty"`
	Request        *TrainRequest `json:"request,omitempty"`
	Classes        []string      `json:"classes,omitempty"`
	TrainExamples  int           `json:"train_examples,omitempty"`
	ValExamples    int           `json:"val_examples,omitempty"`
	Step           int           `json:"step"`
	Steps          int           `json:"steps"`
	Epoch          int           `json:"epoch"`
	Epochs         int           `json:"epochs"`
	From           int           `json:"from"`
	PointStep      []int         `json:"point_step"`
	Loss           []float64     `json:"loss"`
	Accuracy       []float64     `json:"accuracy"`
	ValStep        []int         `json:"val_step"`
	ValLoss        []float64     `json:"val_loss"`
	ValAccuracy    []float64     `json:"val_accuracy"`
	StepsPerSecond float64       `json:"steps_per_second"`
	ETASeconds     float64       `json:"eta_seconds"`
	Seconds        float64       `json:"seconds"` // training time so far (all runs of the job)
	// EpochSeconds is each finished epoch's time as train.Fit measures it
	// (its steps and validation), as `convscope train` prints it.
	EpochSeconds []float64 `json:"epoch_seconds"`
	// EpochCPUSeconds is the CPU time the server used in each (0 where unknown).
	EpochCPUSeconds []float64 `json:"epoch_cpu_seconds"`
	// Model is the id of the trained model in GET /api/models once a
	// checkpoint exists; Checkpoint counts the checkpoints (the model is
	// replaced at each); Probe names its example image that the page runs
	// to show the activation maps.
	Model      string   `json:"model,omitempty"`
	Checkpoint int      `json:"checkpoint"`
	CheckStep  int      `json:"checkpoint_step"`
	Probe      string   `json:"probe,omitempty"`
	Kernels    *kernels `json:"kernels,omitempty"`
	// At the end (done or stopped): the validation confusion matrix
	// M[truth][predicted] and some misclassified examples.
	Confusion     [][]int         `json:"confusion,omitempty"`
	Misclassified []misclassified `json:"misclassified,omitempty"`
}

// kernels are the first convolution's weights, [out, in, k, k].
type kernels struct {
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

type misclassified struct {
	Truth int    `json:"truth"`
	Pred  int    `json:"pred"`
	Image string `json:"image"` // a data: URL of the PNG
}

// Tuning of the job's reports.
const (
	curvePoints     = 400              // about this many curve points a run
	snapshotEvery   = time.Second      // state (speed, kernels) refreshed
	checkpointEvery = 10 * time.Second // checkpoint written, model replaced
	maxMisclassed   = 12
	trainedBase     = "trained"
)

// trainer holds the job of a server.
type trainer struct {
	s   *Server
	dir string // DataDir/train; "" when training is off

	mu       sync.Mutex
	st       trainState // guarded by mu
	starting bool       // a POST is reading its upload
	cancel   context.CancelFunc
	done     chan struct{} // closed when the job goroutine ends
	changed  chan struct{} // closed and replaced at every change
	ckptMu   sync.Mutex    // held while a checkpoint is written or read
	closing  chan struct{}
	closed   bool
	modelID  string // the trained model's id once served (guarded by s.mu)
	// ckptEvery is checkpointEvery (tests shorten it).
	ckptEvery time.Duration
	// stepHook, set by tests only, runs after every step.
	stepHook func(ctx context.Context, step int)
}

func newTrainer(s *Server, dataDir string) *trainer {
	t := &trainer{s: s, changed: make(chan struct{}), closing: make(chan struct{}), ckptEvery: checkpointEvery}
	t.st = trainState{State: stateOff}
	if dataDir != "" {
		t.dir = filepath.Join(dataDir, "train")
		t.st.State = stateIdle
		t.restore()
	}
	return t
}

func (t *trainer) ckptDir() string    { return filepath.Join(t.dir, "checkpoint") }
func (t *trainer) datasetDir() string { return filepath.Join(t.dir, "dataset") }

// restore reads the last job's checkpoint, if any: a server restarted
// after a job shows it (a running one as stopped, resumable) and serves
// its model.
func (t *trainer) restore() {
	b, err := os.ReadFile(filepath.Join(t.ckptDir(), "state.json"))
	if err != nil {
		return
	}
	var st trainState
	if json.Unmarshal(b, &st) != nil || st.Request == nil {
		return
	}
	if st.State == stateRunning {
		st.State = stateStopped
	}
	st.Model = ""
	t.st = st
	if err := t.register(); err != nil {
		t.s.cfg.Log.Printf("training checkpoint %s: %v", t.ckptDir(), err)
	}
}

// snapshot copies the state, the curve points from index from on.
func (t *trainer) snapshot(from int) trainState {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.st
	from = min(max(from, 0), len(st.Loss))
	st.From = from
	st.PointStep = append([]int{}, st.PointStep[from:]...)
	st.Loss = append([]float64{}, st.Loss[from:]...)
	st.Accuracy = append([]float64{}, st.Accuracy[from:]...)
	st.ValStep = append([]int{}, st.ValStep...)
	st.ValLoss = append([]float64{}, st.ValLoss...)
	st.ValAccuracy = append([]float64{}, st.ValAccuracy...)
	return st
}

// update changes the state under the lock and wakes the event streams.
func (t *trainer) update(f func(st *trainState)) {
	t.mu.Lock()
	f(&t.st)
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

// wait returns a channel closed at the next change.
func (t *trainer) wait() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.changed
}

// close stops the job (its checkpoint written) and the event streams, and
// waits for the job to end.
func (t *trainer) close() {
	t.mu.Lock()
	if !t.closed {
		t.closed = true
		close(t.closing)
	}
	cancel, done := t.cancel, t.done
	t.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// jobData is a prepared run: the data, the net and the config.
type jobData struct {
	set        *dataset.Set
	trainData  *dataset.Loader
	valData    *dataset.Loader
	g          *graph.Graph
	net        *train.Net
	cfg        train.Config
	probeIndex int // in set
}

// prepare opens the dataset and builds (or, resuming, loads) the model.
func (t *trainer) prepare(req *TrainRequest, resume bool) (*jobData, error) {
	lim := t.s.cfg.Train
	var (
		set *dataset.Set
		err error
	)
	switch req.Dataset {
	case "fashion-mnist":
		set, err = dataset.Open("fashion-mnist", true, req.Input)
	case "upload":
		set, err = dataset.FolderWith(t.datasetDir(), true, req.Input,
			imageio.Limits{MaxPixels: lim.MaxImagePixels, MaxBytes: lim.MaxImageBytes})
		if err != nil {
			err = errors.New(stripDir(err.Error(), t.datasetDir()))
		}
	}
	if err != nil {
		return nil, errorStatus(422, "%v", err)
	}
	if n, err := req.TinyVGGArch.Params(len(set.Classes)); err != nil {
		return nil, errorStatus(422, "%v", err)
	} else if n > lim.MaxParams {
		return nil, errorStatus(413, "the model would have %d parameters; this server trains at most %d", n, lim.MaxParams)
	}
	n := set.Len()
	if req.Limit > 0 {
		n = min(n, req.Limit)
	}
	trIdx, valIdx := dataset.Split(n, req.Val, req.Seed)
	if len(trIdx) == 0 {
		return nil, errorStatus(422, "no training images left after holding out %g for validation", req.Val)
	}
	aug := dataset.Augment{}
	if *req.Augment {
		aug = dataset.TrainAugment(set, 4*req.Input/64)
	}
	d := &jobData{set: set,
		trainData: &dataset.Loader{Set: set, Idx: trIdx, Size: req.Input, Channels: 3, Aug: aug},
		valData:   &dataset.Loader{Set: set, Idx: valIdx, Size: req.Input, Channels: 3},
	}
	d.probeIndex = trIdx[0]
	if len(valIdx) > 0 {
		d.probeIndex = valIdx[0]
	}
	if resume {
		t.ckptMu.Lock()
		d.g, _, err = format.Open(filepath.Join(t.ckptDir(), "model.json"))
		t.ckptMu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("reading the checkpoint: %w", err)
		}
	} else if d.g, err = zoo.TinyVGGOf(req.TinyVGGArch, len(set.Classes), req.Seed); err != nil {
		return nil, errorStatus(422, "%v", err)
	}
	d.g.Name = "tinyvgg-" + req.Dataset
	d.g.Labels = set.Classes
	d.cfg = train.Config{Hyper: train.Hyper{LR: req.LR}.WithDefaults(), Epochs: req.Epochs, Batch: req.Batch,
		Seed: req.Seed, MaxSteps: req.MaxSteps}
	d.net, err = train.New(d.g, req.Batch, train.Options{Seed: req.Seed})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// stripDir removes the data folder from a message (the paths inside the
// upload are what its user knows).
func stripDir(msg, dir string) string {
	return strings.ReplaceAll(strings.ReplaceAll(msg, dir+string(filepath.Separator), ""), dir, "")
}

// start runs d in a goroutine; the caller has set the state to running.
func (t *trainer) start(d *jobData) {
	ctx, cancel := context.WithCancel(context.Background())
	t.mu.Lock()
	t.cancel, t.done = cancel, make(chan struct{})
	done := t.done
	t.mu.Unlock()
	go func() {
		defer close(done)
		defer cancel()
		t.run(ctx, d)
	}()
}

// run trains d, reporting into the state.
func (t *trainer) run(ctx context.Context, d *jobData) {
	st := t.snapshot(0)
	d.cfg.Start = st.Step
	total := d.cfg.TotalSteps(d.trainData.Len())
	every := max(1, total/curvePoints)
	var (
		winLoss, winCorrect float64
		winImages           int
		prevLoss, prevAcc   float64
		prevImages          int
		lastSnap, lastCkpt  = time.Now(), time.Now()
		runStart            = time.Now()
		startStep           = st.Step
		baseSeconds         = st.Seconds
		step                = st.Step
		ckptErr             error
	)
	// Periodic checkpoints are written by a goroutine from a copy of the
	// weights, so that training does not wait for the disk; the one after
	// an epoch, at the end or at a stop is written in line (after any
	// periodic one), as convscope train saves after each epoch.
	var (
		ckptMu  sync.Mutex // guards ckptErr
		writing = make(chan struct{}, 1)
	)
	fail := func(err error) {
		ckptMu.Lock()
		if ckptErr == nil {
			ckptErr = err
		}
		ckptMu.Unlock()
	}
	checkpoint := func() {
		writing <- struct{}{}
		if err := t.checkpoint(d, d.g, step); err != nil {
			fail(err)
		}
		<-writing
		lastCkpt = time.Now()
	}
	checkpointAsync := func() {
		select {
		case writing <- struct{}{}:
		default:
			return // the previous one is still being written
		}
		g, at := snapshotGraph(d.g), step
		lastCkpt = time.Now()
		go func() {
			defer func() { <-writing }()
			if err := t.checkpoint(d, g, at); err != nil {
				fail(err)
			}
		}()
	}
	pending := func() error {
		ckptMu.Lock()
		defer ckptMu.Unlock()
		return ckptErr
	}
	hooks := train.Hooks{
		Progress: func(p train.Progress) {
			step = p.Global
			if t.stepHook != nil {
				defer t.stepHook(ctx, step) // after the state is updated
			}
			if p.Step == 1 || p.Images < prevImages {
				prevLoss, prevAcc, prevImages = 0, 0, 0
			}
			n := p.Images - prevImages
			winLoss += p.Loss*float64(p.Images) - prevLoss*float64(prevImages)
			winCorrect += p.Acc*float64(p.Images) - prevAcc*float64(prevImages)
			winImages += n
			prevLoss, prevAcc, prevImages = p.Loss, p.Acc, p.Images
			point := p.Global%every == 0 || p.Global == p.Total
			snap := time.Since(lastSnap) >= snapshotEvery
			if !point && !snap {
				return
			}
			var k *kernels
			if snap {
				k = firstKernels(d.g)
				lastSnap = time.Now()
			}
			elapsed := time.Since(runStart).Seconds()
			t.update(func(s *trainState) {
				s.Step, s.Steps, s.Epoch, s.Epochs = p.Global, p.Total, p.Epoch, p.Epochs
				if point && winImages > 0 {
					s.PointStep = append(s.PointStep, p.Global)
					s.Loss = append(s.Loss, round4(winLoss/float64(winImages)))
					s.Accuracy = append(s.Accuracy, round4(winCorrect/float64(winImages)))
				}
				if k != nil {
					s.Kernels = k
				}
				if done := p.Global - startStep; elapsed > 0 && done > 0 {
					s.StepsPerSecond = round4(float64(done) / elapsed)
					s.ETASeconds = math.Round(float64(p.Total-p.Global) / s.StepsPerSecond)
				}
				s.Seconds = math.Round(baseSeconds + elapsed)
			})
			if point {
				winLoss, winCorrect, winImages = 0, 0, 0
			}
			if time.Since(lastCkpt) >= t.ckptEvery {
				checkpointAsync()
			}
		},
		Epoch: func(es train.EpochStats) error {
			t.update(func(s *trainState) {
				s.EpochSeconds = append(s.EpochSeconds, round4(es.Seconds))
				s.EpochCPUSeconds = append(s.EpochCPUSeconds, round4(es.CPUSeconds))
			})
			if d.valData.Len() > 0 {
				t.update(func(s *trainState) {
					s.ValStep = append(s.ValStep, step)
					s.ValLoss = append(s.ValLoss, round4(es.ValLoss))
					s.ValAccuracy = append(s.ValAccuracy, round4(es.ValAcc))
				})
			}
			checkpoint()
			return pending()
		},
	}
	_, err := train.Fit(ctx, d.net, d.trainData, d.valData, d.cfg, hooks)
	writing <- struct{}{} // the periodic checkpoint being written, if any, is done
	<-writing
	stopped := err != nil && ctx.Err() != nil
	// The state's step follows the curve points; the last step run may be
	// past the last point. The checkpoint below is of that step, and a
	// resume starts from the state's step: they must agree.
	t.update(func(s *trainState) { s.Step = step })
	if err == nil || stopped {
		if step > startStep || t.snapshot(0).Model == "" {
			checkpoint()
		}
		err = pending()
	}
	if err != nil && !stopped {
		t.update(func(s *trainState) { s.State, s.Error = stateFailed, err.Error() })
		t.s.cfg.Log.Printf("training: %v", err)
		return
	}
	conf, miss := t.confusion(d)
	t.update(func(s *trainState) {
		s.State, s.Kernels = stateDone, firstKernels(d.g)
		if stopped {
			s.State = stateStopped
		}
		s.Confusion, s.Misclassified = conf, miss
		s.ETASeconds = 0
	})
	t.saveState()
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// firstKernels copies the first convolution's weights.
func firstKernels(g *graph.Graph) *kernels {
	for _, n := range g.Nodes {
		if _, ok := n.Op.(*graph.Conv); ok {
			w := n.Params["weight"]
			if w == nil {
				return nil
			}
			return &kernels{Shape: append([]int{}, w.Shape...), Data: append([]float32{}, w.Data...)}
		}
	}
	return nil
}

// confusion evaluates the model on the validation images (the training
// ones without validation): the confusion matrix and the first
// misclassified examples.
func (t *trainer) confusion(d *jobData) ([][]int, []misclassified) {
	l := d.valData
	if l.Len() == 0 {
		l = &dataset.Loader{Set: d.set, Idx: d.trainData.Idx, Size: d.trainData.Size, Channels: 3}
	}
	k := len(d.set.Classes)
	conf := train.NewConfusion(k)
	var miss []misclassified
	per := d.net.InputLen()
	bs := d.net.MaxBatch()
	x := make([]float32, bs*per)
	y := make([]int32, bs)
	pred := make([]int32, 0, bs)
	for lo := 0; lo < l.Len(); lo += bs {
		hi := min(l.Len(), lo+bs)
		for j := lo; j < hi; j++ {
			y[j-lo] = l.Sample(x[(j-lo)*per:(j-lo+1)*per], j, nil)
		}
		if d.net.Forward(x, hi-lo, false) != nil {
			return nil, nil
		}
		pred = d.net.Predict(pred)
		for j, p := range pred {
			conf.Add(int(y[j]), int(p))
			if int(p) != int(y[j]) && len(miss) < maxMisclassed {
				if b, err := d.set.PNG(l.Index(lo + j)); err == nil {
					miss = append(miss, misclassified{Truth: int(y[j]), Pred: int(p), Image: pngDataURL(b)})
				}
			}
		}
	}
	return conf.M, miss
}

// snapshotGraph copies g with its own copy of every parameter (the
// structure is shared: it does not change while training).
func snapshotGraph(g *graph.Graph) *graph.Graph {
	c := *g
	c.Nodes = make([]*graph.Node, len(g.Nodes))
	for i, n := range g.Nodes {
		m := *n
		if n.Params != nil {
			m.Params = make(map[string]*graph.Tensor, len(n.Params))
			for k, p := range n.Params {
				q := *p
				q.Data = append([]float32(nil), p.Data...)
				m.Params[k] = &q
			}
		}
		c.Nodes[i] = &m
	}
	return &c
}

// checkpoint writes the model, its labels, a probe example and the state
// to a new folder and swaps it in (rename), then serves the model.
func (t *trainer) checkpoint(d *jobData, g *graph.Graph, step int) error {
	t.ckptMu.Lock()
	tmp := t.ckptDir() + ".tmp"
	err := func() error {
		os.RemoveAll(tmp)
		if err := tfjs.Write(tmp, g); err != nil {
			return err
		}
		labels := ""
		for _, c := range d.set.Classes {
			labels += c + "\n"
		}
		if err := os.WriteFile(filepath.Join(tmp, format.LabelsFile), []byte(labels), 0o644); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(tmp, "examples"), 0o755); err != nil {
			return err
		}
		// The probe first, then one image per class (the Explainer's examples).
		name := "00_probe_" + dataset.Slug(d.set.Classes[d.set.Labels[d.probeIndex]]) + ".png"
		if err := writeSetPNG(filepath.Join(tmp, "examples", name), d.set, d.probeIndex); err != nil {
			return err
		}
		for c, i := range d.set.FirstOfClass(nil) {
			if i >= 0 && i != d.probeIndex {
				p := filepath.Join(tmp, "examples", fmt.Sprintf("%02d_%s.png", c+1, dataset.Slug(d.set.Classes[c])))
				if err := writeSetPNG(p, d.set, i); err != nil {
					return err
				}
			}
			if c >= 20 {
				break
			}
		}
		t.update(func(s *trainState) { s.Checkpoint++; s.CheckStep = step; s.Probe = name })
		if err := t.writeStateLocked(tmp); err != nil {
			return err
		}
		old := t.ckptDir() + ".old"
		os.RemoveAll(old)
		if err := os.Rename(t.ckptDir(), old); err != nil && !os.IsNotExist(err) {
			return err
		}
		if err := os.Rename(tmp, t.ckptDir()); err != nil {
			return err
		}
		return os.RemoveAll(old)
	}()
	t.ckptMu.Unlock()
	if err != nil {
		return fmt.Errorf("writing the checkpoint: %w", err)
	}
	return t.register()
}

func writeSetPNG(path string, set *dataset.Set, i int) error {
	b, err := set.PNG(i)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// saveState rewrites the checkpoint's state.json (atomically).
func (t *trainer) saveState() {
	t.ckptMu.Lock()
	defer t.ckptMu.Unlock()
	if _, err := os.Stat(t.ckptDir()); err != nil {
		return
	}
	if err := t.writeStateLocked(t.ckptDir()); err != nil {
		t.s.cfg.Log.Printf("training state: %v", err)
	}
}

func (t *trainer) writeStateLocked(dir string) error {
	st := t.snapshot(0)
	st.Kernels, st.Misclassified = nil, nil
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	p := filepath.Join(dir, "state.json")
	if err := os.WriteFile(p+".tmp", b, 0o644); err != nil {
		return err
	}
	return os.Rename(p+".tmp", p)
}

// register serves the checkpoint's model under the trained id, replacing
// the previous checkpoint's.
func (t *trainer) register() error {
	t.ckptMu.Lock()
	m, err := loadSpec(ModelSpec{Path: filepath.Join(t.ckptDir(), "model.json")})
	t.ckptMu.Unlock()
	if err != nil {
		return err
	}
	m.name = "Tiny VGG trained here"
	t.s.mu.Lock()
	old := t.s.byID[t.modelID]
	if t.modelID != "" && old != nil {
		m.id = old.id
		for i, x := range t.s.models {
			if x == old {
				t.s.models[i] = m
			}
		}
		t.s.byID[m.id] = m
	} else {
		t.s.addLocked(m, trainedBase, false)
		t.modelID = m.id
	}
	t.s.mu.Unlock()
	t.update(func(s *trainState) { s.Model = m.id })
	return nil
}

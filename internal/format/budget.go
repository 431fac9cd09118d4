package format

import (
	"fmt"
	"sync"
)

// Budget bounds the bytes of tensor data one import materialises: decoded
// initializers and weights, constants, folded values, external data. Every
// importer charges it where it allocates tensor data (the ONNX importer in
// one function, newTensor/decodeTensor; TF.js per weight), before the
// allocation, so that a small hostile file fails with a *BudgetError instead
// of allocating gigabytes. It also records the byte ranges of files an
// import has read, so that one shard or one external-data range cannot be
// read (and decoded) many times over.
//
// A Budget is for one import; it is safe for concurrent use.
type Budget struct {
	mu    sync.Mutex
	limit int64
	used  int64
	why   string            // how the limit was set, for messages
	read  map[string][]span // byte ranges read, by file
	// Reserve, if set, is called with the bytes of each charge within the
	// limit before it is counted: a server reserves them from its own
	// memory budget. Its error fails the charge (and the import) as is.
	Reserve func(n int64) error
}

// DefaultImportBytes is the budget of an import that is given none (a
// model file named on the command line): 4 GiB.
const DefaultImportBytes = 4 << 30

// NewBudget returns a budget of limit bytes (DefaultImportBytes when
// limit ≤ 0); why says where the limit comes from ("serve
// --max-import-bytes", …) and ends up in the error.
func NewBudget(limit int64, why string) *Budget {
	if limit <= 0 {
		limit = DefaultImportBytes
	}
	if why == "" {
		why = "the importer's limit on tensor data"
	}
	return &Budget{limit: limit, why: why, read: map[string][]span{}}
}

// BudgetError is the error of a charge past the budget.
type BudgetError struct {
	What  string // the tensor or file being materialised
	Need  int64  // bytes it needs
	Used  int64  // bytes already charged
	Limit int64
	Why   string // where the limit comes from
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("%s needs %s, more than the %s left of the import's memory budget of %s (%s)",
		e.What, Bytes(e.Need), Bytes(max(0, e.Limit-e.Used)), Bytes(e.Limit), e.Why)
}

// Take charges n bytes for what; past the limit it charges nothing and
// returns a *BudgetError.
func (b *Budget) Take(n int64, what string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n < 0 || n > b.limit-b.used {
		return &BudgetError{What: what, Need: n, Used: b.used, Limit: b.limit, Why: b.why}
	}
	if b.Reserve != nil {
		if err := b.Reserve(n); err != nil {
			return err
		}
	}
	b.used += n
	return nil
}

// Used is the number of bytes charged so far.
func (b *Budget) Used() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Limit is the budget's size in bytes.
func (b *Budget) Limit() int64 { return b.limit }

// ReadOnce records that the bytes [offset, offset+length) of file name are
// read; a range that overlaps one read before is an error: a manifest that
// lists one shard many times, or external data that points many tensors at
// the same bytes, would otherwise multiply a small upload.
func (b *Budget) ReadOnce(name string, offset, length int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if length == 0 {
		return nil
	}
	for _, r := range b.read[name] {
		if offset < r.off+r.n && r.off < offset+length {
			return fmt.Errorf("bytes %d to %d of %s are read twice (each weight shard and each external-data range may be used once)", offset, offset+length, name)
		}
	}
	b.read[name] = append(b.read[name], span{offset, length})
	return nil
}

type span struct{ off, n int64 }

// Bytes formats a byte count for messages: "12 B", "3.0 KiB", "256.0 MiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

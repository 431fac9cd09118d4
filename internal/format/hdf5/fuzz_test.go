package hdf5

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/convscope/convscope/internal/format"
)

// walk reads every object, attribute and dataset below o, returning the
// first error.
func walk(o *Object, depth int) error { return walkSeen(o, depth, map[uint64]bool{}) }

func walkSeen(o *Object, depth int, seen map[uint64]bool) error {
	if depth > 8 || seen[o.addr] {
		return nil
	}
	seen[o.addr] = true
	for _, name := range []string{"s", "l", "b", "a0", "a8", "model_config", "weight_names"} {
		a, err := o.Attr(name)
		if err != nil {
			return err
		}
		if a != nil {
			if a.IsString() {
				_, err = a.Strings()
			} else if a.IsNumeric() {
				_, err = a.Float32()
			}
			if err != nil {
				return err
			}
		}
	}
	if o.IsDataset() {
		v, err := o.Dataset()
		if err != nil {
			return err
		}
		if v.IsNumeric() {
			_, err = v.Float32()
		} else if v.IsString() {
			_, err = v.Strings()
		}
		return err
	}
	links, err := o.Links()
	if err != nil {
		return err
	}
	for _, l := range links {
		c, err := o.Open(l)
		if err != nil {
			return err
		}
		if err := walkSeen(c, depth+1, seen); err != nil {
			return err
		}
	}
	return nil
}

// FuzzOpen: any bytes give an error or a file, never a panic, a hang or
// more memory than the budget.
func FuzzOpen(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.h5")
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Open(data, format.NewBudget(64<<20, "fuzz"))
		if err != nil {
			return
		}
		root, err := file.Root()
		if err != nil {
			return
		}
		_ = walk(root, 0)
	})
}

// TestSeedsRead: the seeds themselves read without error (so the fuzzer
// starts from files that reach every structure).
func TestSeedsRead(t *testing.T) {
	seeds, _ := filepath.Glob("testdata/*.h5")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Open(b, format.NewBudget(0, ""))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		root, err := f.Root()
		if err == nil {
			err = walk(root, 0)
		}
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
}

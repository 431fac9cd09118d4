package hdf5

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/testref"
)

type oracle struct {
	Datasets map[string]struct {
		Shape  []int
		Values []float64
	}
	Attrs      map[string]json.RawMessage
	GroupAttrs map[string][]float32 `json:"group_attrs"`
	Many       []string
}

// TestAgainstH5py reads files h5py wrote (scripts/keras/hdf5_cases.py, with
// the oldest and newest file formats HDF5 1.10 writes, and ordered links;
// the newest stores the 40 links of /many and 12 attributes of a group
// densely, and a 70 kB fixed-length attribute as a huge heap object)
// and compares every dataset and attribute with the values numpy held.
func TestAgainstH5py(t *testing.T) {
	dir := t.TempDir()
	testref.Script(t, "scripts/keras/hdf5_cases.py", dir)
	for _, name := range []string{"earliest.h5", "latest.h5", "ordered.h5"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join(dir, name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want oracle
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			f, err := Open(data, format.NewBudget(0, ""))
			if err != nil {
				t.Fatal(err)
			}
			for p, w := range want.Datasets {
				o, err := f.Get(p)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if !o.IsDataset() || o.IsGroup() {
					t.Errorf("%s: IsDataset %v IsGroup %v", p, o.IsDataset(), o.IsGroup())
				}
				v, err := o.Dataset()
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if !slices.Equal(v.Shape, w.Shape) && !(len(v.Shape) == 0 && len(w.Shape) == 0) {
					t.Errorf("%s: shape %v, want %v", p, v.Shape, w.Shape)
				}
				got, err := v.Float32()
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if len(got) != len(w.Values) {
					t.Fatalf("%s: %d values, want %d", p, len(got), len(w.Values))
				}
				for i := range got {
					if float32(w.Values[i]) != got[i] {
						t.Fatalf("%s[%d] = %v, want %v", p, i, got[i], w.Values[i])
					}
				}
			}
			root, err := f.Root()
			if err != nil {
				t.Fatal(err)
			}
			for name, rawWant := range want.Attrs {
				a, err := root.Attr(name)
				if err != nil || a == nil {
					t.Fatalf("attribute %s: %v %v", name, a, err)
				}
				if a.IsString() {
					var w []string
					json.Unmarshal(rawWant, &w)
					got, err := a.Strings()
					if err != nil {
						t.Fatalf("attribute %s: %v", name, err)
					}
					if !slices.Equal(got, w) {
						t.Errorf("attribute %s = %.80q, want %.80q", name, got, w)
					}
					continue
				}
				var w []float32
				json.Unmarshal(rawWant, &w)
				got, err := a.Float32()
				if err != nil || !slices.Equal(got, w) {
					t.Errorf("attribute %s = %v (%v), want %v", name, got, err, w)
				}
			}
			nested, err := f.Get("group/nested")
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range want.GroupAttrs {
				a, err := nested.Attr(name)
				if err != nil || a == nil {
					t.Fatalf("attribute %s of group/nested: %v %v", name, a, err)
				}
				got, err := a.Float32()
				if err != nil || !slices.Equal(got, w) || len(a.Shape) != 0 {
					t.Errorf("attribute %s of group/nested = %v %v (%v), want scalar %v", name, got, a.Shape, err, w)
				}
			}
			if a, err := root.Attr("absent"); a != nil || err != nil {
				t.Errorf("absent attribute: %v %v", a, err)
			}
			many, err := f.Get("many")
			if err != nil {
				t.Fatal(err)
			}
			links, err := many.Links()
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, l := range links {
				names = append(names, l.Name)
				o, err := many.Open(l)
				if err != nil {
					t.Fatal(err)
				}
				v, err := o.Dataset()
				if err != nil {
					t.Fatal(err)
				}
				x, err := v.Float32()
				k := float32(0)
				if _, e := fmtSscan(l.Name[1:], &k); e != nil || err != nil || len(x) != 2 || x[0] != k {
					t.Errorf("%s = %v (%v), want [%v %v]", l.Name, x, err, k, k)
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, want.Many) {
				t.Errorf("members of /many: %v, want %v", names, want.Many)
			}
			if _, err := f.Get("group/missing"); err == nil || !strings.Contains(err.Error(), `no member "missing"`) {
				t.Errorf("missing member: %v", err)
			}
		})
	}
}

func fmtSscan(s string, k *float32) (int, error) {
	var n int
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, os.ErrInvalid
		}
		n = n*10 + int(c-'0')
	}
	*k = float32(n)
	return 1, nil
}

// TestBudget: a dataset larger than the budget fails before it is decoded.
func TestBudget(t *testing.T) {
	dir := t.TempDir()
	testref.Script(t, "scripts/keras/hdf5_cases.py", dir)
	data, err := os.ReadFile(filepath.Join(dir, "earliest.h5"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(data, format.NewBudget(1000, "test"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.Get("group/nested/chunked")
	if err != nil {
		t.Fatal(err)
	}
	v, err := o.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Float32()
	var be *format.BudgetError
	if !errorsAs(err, &be) {
		t.Fatalf("error %v, want a BudgetError", err)
	}
	_ = math.Pi
}

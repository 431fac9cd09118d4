package graph

import "strconv"

// Names is a set of node or value names that hands out unused ones: base,
// else base+sep+k for the smallest k ≥ 2 not in the set. Names are never
// removed, so the search for a base continues where the last one stopped:
// n names of one base cost O(n), not O(n²).
type Names struct {
	sep   string
	taken map[string]bool
	next  map[string]int // for a base: every suffix below it is taken
}

// NewNames returns an empty set whose numbered names are base+sep+k.
func NewNames(sep string) *Names {
	return &Names{sep: sep, taken: map[string]bool{}, next: map[string]int{}}
}

// Has reports whether name is taken.
func (s *Names) Has(name string) bool { return s.taken[name] }

// Add takes name.
func (s *Names) Add(name string) { s.taken[name] = true }

// Free returns base, or base+sep+k for the smallest k ≥ 2, whichever is not
// taken, without taking it.
func (s *Names) Free(base string) string {
	if !s.taken[base] {
		return base
	}
	k := max(2, s.next[base])
	for s.taken[base+s.sep+strconv.Itoa(k)] {
		k++
	}
	s.next[base] = k
	return base + s.sep + strconv.Itoa(k)
}

// Unique returns Free(base) and takes it.
func (s *Names) Unique(base string) string {
	n := s.Free(base)
	s.taken[n] = true
	return n
}

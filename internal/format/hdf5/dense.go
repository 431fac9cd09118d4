package hdf5

import (
	"fmt"
	"math/bits"
)

// fractalHeap is the part of a fractal heap header needed to find managed
// and tiny objects by heap ID.
type fractalHeap struct {
	f          *File
	what       string
	idLen      int
	checksum   bool // direct blocks end their header in a checksum
	width      int
	start      uint64 // starting block size
	maxDirect  uint64 // maximum direct block size
	offBytes   int    // bytes of an offset in a heap ID and a block header
	lenBytes   int    // bytes of a length in a heap ID
	root       uint64
	rootRows   int
	maxDirRows int
	huge       uint64 // version 2 B-tree of huge objects (type 1)
}

func (f *File) fractalHeap(addr uint64, what string) (*fractalHeap, error) {
	h := &fractalHeap{f: f, what: what}
	r, err := f.at(addr, -1, what)
	if err != nil {
		return nil, err
	}
	r.sig("FRHP")
	r.skip(1)
	h.idLen = int(r.u16())
	filters := r.u16()
	flags := r.u8()
	h.checksum = flags&0x02 != 0
	maxManaged := r.u32()
	r.length()
	h.huge = r.addr()
	r.length()
	r.addr()
	for range 8 {
		r.length()
	}
	h.width = int(r.u16())
	h.start = r.length()
	h.maxDirect = r.length()
	maxHeapBits := int(r.u16())
	r.u16() // starting rows
	h.root = r.addr()
	h.rootRows = int(r.u16())
	if r.err != nil {
		return nil, r.err
	}
	if filters != 0 {
		return nil, fmt.Errorf("%s: filtered fractal heaps are not supported", what)
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	if h.width == 0 || h.width > 1<<16 || !pow2(h.start) || !pow2(h.maxDirect) || h.maxDirect < h.start || maxHeapBits == 0 || maxHeapBits > 64 || h.maxDirect > 1<<40 {
		return nil, fmt.Errorf("%s: inconsistent doubling table (width %d, blocks %d to %d)", what, h.width, h.start, h.maxDirect)
	}
	h.offBytes = (maxHeapBits + 7) / 8
	h.lenBytes = min((bits.Len64(h.maxDirect-1)+7)/8, (bits.Len64(uint64(maxManaged))+7)/8)
	h.maxDirRows = bits.Len64(h.maxDirect) - bits.Len64(h.start) + 2
	return h, nil
}

// object returns the bytes of the object with heap ID id.
func (h *fractalHeap) object(id []byte) ([]byte, error) {
	if len(id) == 0 {
		return nil, fmt.Errorf("%s: empty heap ID", h.what)
	}
	switch id[0] >> 4 & 3 {
	case 2: // tiny: the data is in the ID
		n := int(id[0]&0x0f) + 1
		if 1+n > len(id) {
			return nil, fmt.Errorf("%s: tiny object of %d bytes in a %d-byte ID", h.what, n, len(id))
		}
		return id[1 : 1+n], nil
	case 0:
	case 1:
		return h.hugeObject(id[1:])
	default:
		return nil, fmt.Errorf("%s: heap ID type %d", h.what, id[0]>>4&3)
	}
	r := &reader{f: h.f, b: id[1:], what: h.what + " heap ID"}
	off, n := r.uN(h.offBytes), r.uN(h.lenBytes)
	if r.err != nil {
		return nil, r.err
	}
	if h.rootRows == 0 {
		return h.direct(h.root, 0, h.start, off, n)
	}
	return h.indirect(h.root, 0, h.rootRows, off, n, 0)
}

// hugeObject reads an object stored outside the heap's blocks: its
// address and length are in the ID when they fit, otherwise the ID is a
// key of the heap's huge-object B-tree.
func (h *fractalHeap) hugeObject(id []byte) ([]byte, error) {
	var addr, n uint64
	if len(id) >= h.f.offSize+h.f.lenSize {
		r := &reader{f: h.f, b: id, what: h.what + " huge object ID"}
		addr, n = r.addr(), r.length()
		if r.err != nil {
			return nil, r.err
		}
	} else {
		r := &reader{f: h.f, b: id, what: h.what + " huge object ID"}
		key := r.uN(min(len(id), 8))
		found := false
		errFound := fmt.Errorf("found")
		err := h.f.btree2(h.huge, h.what+" huge objects", func(rec []byte) error {
			rr := &reader{f: h.f, b: rec, what: h.what + " huge object record"}
			a, l, k := rr.addr(), rr.length(), rr.length()
			if rr.err != nil {
				return rr.err
			}
			if k == key {
				addr, n, found = a, l, true
				return errFound
			}
			return nil
		})
		if err != nil && err != errFound {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("%s: huge object %d is not in its index", h.what, key)
		}
	}
	r, err := h.f.at(addr, int64(min(n, 1<<40)), h.what+" huge object")
	if err != nil {
		return nil, err
	}
	return r.b, nil
}

// direct reads n bytes at heap offset off from the direct block at addr
// that starts at heap offset base and has size bytes.
func (h *fractalHeap) direct(addr, base, size, off, n uint64) ([]byte, error) {
	r, err := h.f.at(addr, int64(size), h.what+" direct block")
	if err != nil {
		return nil, err
	}
	r.sig("FHDB")
	if off < base || off-base > size || n > size-(off-base) || off-base < uint64(r.off) {
		return nil, fmt.Errorf("%s: object at %d (%d bytes) is not inside its direct block", h.what, off, n)
	}
	return r.b[off-base : off-base+n], r.err
}

// indirect finds the block holding heap offset off below the indirect
// block at addr (heap offset base, rows rows).
func (h *fractalHeap) indirect(addr, base uint64, rows int, off, n uint64, depth int) ([]byte, error) {
	if depth > MaxDepth || rows > 64 {
		return nil, fmt.Errorf("%s: indirect blocks nested too deep", h.what)
	}
	r, err := h.f.at(addr, -1, h.what+" indirect block")
	if err != nil {
		return nil, err
	}
	r.sig("FHIB")
	r.skip(1)
	r.addr()
	r.skip(h.offBytes)
	pos := base
	for row := 0; row < rows; row++ {
		size := h.start
		if row > 1 {
			size = h.start << (row - 1)
		}
		for col := 0; col < h.width; col++ {
			child := r.addr()
			if r.err != nil {
				return nil, r.err
			}
			if row < h.maxDirRows {
				if off >= pos && off < pos+size {
					return h.direct(child, pos, size, off, n)
				}
				pos += size
				continue
			}
			// An indirect child of a row of blocks of this size holds
			// rows of its own until its size.
			childRows := bits.Len64(size) - bits.Len64(h.start*uint64(h.width)) + 1
			span := uint64(0)
			for cr := 0; cr < childRows; cr++ {
				s := h.start
				if cr > 1 {
					s = h.start << (cr - 1)
				}
				span += s * uint64(h.width)
			}
			if off >= pos && off < pos+span {
				return h.indirect(child, pos, childRows, off, n, depth+1)
			}
			pos += span
		}
	}
	return nil, fmt.Errorf("%s: object at offset %d is outside the heap", h.what, off)
}

// denseLinks reads the links of a group stored in a fractal heap, walking
// the name index (a version 2 B-tree of type 5).
func (f *File) denseLinks(heapAddr, indexAddr uint64, group string) ([]Link, error) {
	h, err := f.fractalHeap(heapAddr, "link heap of "+group)
	if err != nil {
		return nil, err
	}
	var links []Link
	err = f.btree2(indexAddr, "link name index of "+group, func(rec []byte) error {
		if len(rec) < 4+h.idLen {
			return fmt.Errorf("link name index of %s: record of %d bytes", group, len(rec))
		}
		obj, err := h.object(rec[4 : 4+h.idLen])
		if err != nil {
			return err
		}
		l, ok, err := f.linkMessage(obj, group)
		if err != nil {
			return err
		}
		if ok {
			if len(links) >= MaxLinks {
				return fmt.Errorf("group %q has more than %d members", group, MaxLinks)
			}
			links = append(links, l)
		}
		return nil
	})
	return links, err
}

// btree2 calls visit with every record of a version 2 B-tree, in order.
func (f *File) btree2(addr uint64, what string, visit func(rec []byte) error) error {
	r, err := f.at(addr, -1, what)
	if err != nil {
		return err
	}
	r.sig("BTHD")
	r.skip(2)
	nodeSize := uint64(r.u32())
	recSize := int(r.u16())
	depth := int(r.u16())
	r.skip(2)
	root := r.addr()
	rootRecs := int(r.u16())
	if r.err != nil {
		return r.err
	}
	if recSize == 0 || nodeSize < 10 || nodeSize > 1<<24 || depth > MaxDepth {
		return fmt.Errorf("%s: node size %d, record size %d, depth %d", what, nodeSize, recSize, depth)
	}
	// The sizes of the child pointers' fields (H5B2__hdr_init).
	limitEnc := func(v uint64) int { return bits.Len64(v)/8 + 1 }
	maxRec := make([]uint64, depth+1)
	cum := make([]uint64, depth+1)
	cumSize := make([]int, depth+1)
	maxRec[0] = (nodeSize - 10) / uint64(recSize)
	cum[0] = maxRec[0]
	nrecSize := limitEnc(maxRec[0])
	ptr := func(d int) int {
		s := f.offSize + nrecSize
		if d > 1 {
			s += cumSize[d-1]
		}
		return s
	}
	for d := 1; d <= depth; d++ {
		p := uint64(ptr(d))
		if nodeSize < 10+p {
			return fmt.Errorf("%s: node size %d too small", what, nodeSize)
		}
		maxRec[d] = (nodeSize - 10 - p) / (uint64(recSize) + p)
		cum[d] = (maxRec[d]+1)*cum[d-1] + maxRec[d]
		cumSize[d] = limitEnc(cum[d])
	}
	visited := 0
	var walk func(addr uint64, d, n int) error
	walk = func(addr uint64, d, n int) error {
		if visited++; visited > MaxLinks {
			return fmt.Errorf("%s has more than %d nodes", what, MaxLinks)
		}
		r, err := f.at(addr, int64(nodeSize), what+" node")
		if err != nil {
			return err
		}
		if d == 0 {
			r.sig("BTLF")
		} else {
			r.sig("BTIN")
		}
		r.skip(2)
		recs := r.bytes(n * recSize)
		if r.err != nil {
			return r.err
		}
		for i := 0; i <= n; i++ {
			if d > 0 {
				child := r.addr()
				cn := int(r.uN(nrecSize))
				if d > 1 {
					r.uN(cumSize[d-1])
				}
				if r.err != nil {
					return r.err
				}
				if err := walk(child, d-1, cn); err != nil {
					return err
				}
			}
			if i < n {
				if err := visit(recs[i*recSize : (i+1)*recSize]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if root == undef || rootRecs == 0 {
		return nil
	}
	return walk(root, depth, rootRecs)
}

package hdf5

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math/bits"
)

// Value is the data of a dataset or an attribute: its shape and element
// type, and a way to its bytes.
type Value struct {
	f     *File
	what  string
	Shape []int // nil for a scalar
	dt    *datatype
	raw   func() ([]byte, error) // the elements, size·count bytes
}

// Len is the number of elements.
func (v *Value) Len() int {
	n := 1
	for _, d := range v.Shape {
		n *= d
	}
	return n
}

// IsNumeric reports whether the elements are integers or floats.
func (v *Value) IsNumeric() bool { return v.dt.numeric() }

// IsString reports whether the elements are strings.
func (v *Value) IsString() bool { return v.dt.class == classString || v.dt.vlStr }

// Float32 decodes numeric elements to float32 (charged to the budget).
func (v *Value) Float32() ([]float32, error) {
	if !v.dt.numeric() {
		return nil, fmt.Errorf("%s is not numeric", v.what)
	}
	n := v.Len()
	if err := v.f.budget.Take(4*int64(n), fmt.Sprintf("%s (%d float32 values)", v.what, n)); err != nil {
		return nil, err
	}
	raw, err := v.raw()
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	v.dt.toFloat32(out, raw)
	return out, nil
}

// Strings decodes string elements (fixed-length: up to the first NUL).
func (v *Value) Strings() ([]string, error) {
	if !v.IsString() {
		return nil, fmt.Errorf("%s is not a string", v.what)
	}
	raw, err := v.raw()
	if err != nil {
		return nil, err
	}
	n := v.Len()
	out := make([]string, n)
	s := v.dt.size
	for i := range out {
		p := raw[i*s : (i+1)*s]
		if !v.dt.vlStr {
			if k := bytes.IndexByte(p, 0); k >= 0 {
				p = p[:k]
			}
			out[i] = string(bytes.TrimRight(p, " "))
			continue
		}
		if out[i], err = v.f.vlString(p, v.what); err != nil {
			return nil, err
		}
		// Elements may share one heap object: charge each copy.
		if err := v.f.budget.Take(int64(len(out[i])), v.what); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// vlString reads a variable-length string element: length, global heap
// collection address and object index.
func (f *File) vlString(p []byte, what string) (string, error) {
	r := &reader{f: f, b: p, what: what}
	n := r.u32()
	coll := r.addr()
	idx := r.u32()
	if r.err != nil {
		return "", r.err
	}
	if n == 0 {
		return "", nil
	}
	obj, err := f.globalHeapObject(coll, idx, what)
	if err != nil {
		return "", err
	}
	if uint64(n) > uint64(len(obj)) {
		return "", fmt.Errorf("%s: string of %d bytes in a heap object of %d", what, n, len(obj))
	}
	return string(obj[:n]), nil
}

// globalHeapObject finds object idx in the global heap collection at addr.
func (f *File) globalHeapObject(addr uint64, idx uint32, what string) ([]byte, error) {
	r, err := f.at(addr, 8+int64(f.lenSize), "global heap of "+what)
	if err != nil {
		return nil, err
	}
	r.sig("GCOL")
	r.skip(4)
	size := r.length()
	if r.err != nil {
		return nil, r.err
	}
	if r, err = f.at(addr, int64(min(size, uint64(len(f.data)+1))), "global heap of "+what); err != nil {
		return nil, err
	}
	r.skip(8 + f.lenSize)
	for r.left() >= 8+f.lenSize && r.err == nil {
		i := r.u16()
		r.skip(6)
		n := r.length()
		if i == 0 || n > uint64(r.left()) {
			break
		}
		data := r.bytes(int(n))
		if i == uint16(idx) && uint32(i) == idx {
			return data, nil
		}
		r.skip(int((8 - n%8) % 8))
	}
	return nil, fmt.Errorf("%s: object %d is not in the global heap collection at %#x", what, idx, addr)
}

// Dataset returns the data of a dataset object.
func (o *Object) Dataset() (*Value, error) {
	what := fmt.Sprintf("dataset %q", o.Path)
	lay, dtb, dsb := o.first(msgLayout), o.first(msgDatatype), o.first(msgDataspace)
	if lay == nil || dtb == nil || dsb == nil {
		return nil, fmt.Errorf("%q is not a dataset", o.Path)
	}
	dt, _, err := parseDatatype(dtb, what)
	if err != nil {
		return nil, err
	}
	dims, null, err := parseDataspace(dsb, o.f, what)
	if err != nil {
		return nil, err
	}
	v, err := o.f.value(dt, dims, null, what)
	if err != nil {
		return nil, err
	}
	total := int64(v.Len()) * int64(dt.size)
	v.raw = func() ([]byte, error) { return o.readLayout(lay, dims, dt.size, total, what) }
	return v, nil
}

// value checks a shape and its size in bytes.
func (f *File) value(dt *datatype, dims []uint64, null bool, what string) (*Value, error) {
	v := &Value{f: f, what: what, dt: dt}
	if null {
		v.Shape = []int{0}
		return v, nil
	}
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > 1<<40 {
			return nil, fmt.Errorf("%s: shape %v is too large", what, dims)
		}
		n = lo
		v.Shape = append(v.Shape, int(d))
	}
	if hi, lo := bits.Mul64(n, uint64(dt.size)); hi != 0 || lo > 1<<40 {
		return nil, fmt.Errorf("%s: shape %v is too large", what, dims)
	}
	return v, nil
}

// readLayout returns the total bytes of a dataset's elements (contiguous
// and compact data: the file's bytes themselves, to be read only).
func (o *Object) readLayout(lay []byte, dims []uint64, esize int, total int64, what string) ([]byte, error) {
	f := o.f
	if total > int64(len(f.data))*1032+1<<20 { // deflate expands at most ~1032×
		return nil, fmt.Errorf("%s: %d bytes of data cannot come from a file of %d bytes", what, total, len(f.data))
	}
	r := &reader{f: f, b: lay, what: "layout of " + what}
	version := r.u8()
	if version != 3 && version != 4 {
		if r.err != nil {
			return nil, r.err
		}
		return nil, fmt.Errorf("%s: data layout version %d is not supported (3 or 4)", what, version)
	}
	class := r.u8()
	switch class {
	case 0: // compact
		n := int(r.u16())
		data := r.bytes(n)
		if r.err != nil {
			return nil, r.err
		}
		if int64(n) < total {
			return nil, fmt.Errorf("%s: compact data of %d bytes, %d needed", what, n, total)
		}
		return data[:total], nil
	case 1: // contiguous
		a, n := r.addr(), r.length()
		if r.err != nil {
			return nil, r.err
		}
		if a == undef || total == 0 {
			// Never written: fill value (zeros).
			if err := f.budget.Take(total, what+" (raw data)"); err != nil {
				return nil, err
			}
			return make([]byte, total), nil
		}
		if n < uint64(total) {
			return nil, fmt.Errorf("%s: contiguous data of %d bytes, %d needed", what, n, total)
		}
		// The file's own bytes, not a copy (callers only read them).
		d, err := f.at(a, total, what)
		if err != nil {
			return nil, err
		}
		return d.b, nil
	case 2:
		return o.readChunked(r, version, dims, esize, total, what)
	}
	return nil, fmt.Errorf("%s: layout class %d is not supported (compact, contiguous, chunked)", what, class)
}

// chunk is one stored chunk: its offset in the dataset (elements), size in
// the file and filter mask.
type chunk struct {
	off  []uint64
	addr uint64
	size uint64
	mask uint32
}

func (o *Object) readChunked(r *reader, version uint8, dims []uint64, esize int, total int64, what string) ([]byte, error) {
	f := o.f
	var cdims []uint64
	var index uint8 = 0xff // B-tree v1
	var flags uint8
	var indexAddr uint64
	if version == 3 {
		rank := int(r.u8())
		indexAddr = r.addr()
		if rank < 1 || rank > MaxRank+1 {
			return nil, fmt.Errorf("%s: chunk rank %d", what, rank)
		}
		for range rank {
			cdims = append(cdims, uint64(r.u32()))
		}
	} else {
		flags = r.u8()
		rank := int(r.u8())
		w := int(r.u8())
		if rank < 1 || rank > MaxRank+1 || w < 1 || w > 8 {
			return nil, fmt.Errorf("%s: chunk rank %d, dimension size %d bytes", what, rank, w)
		}
		for range rank {
			cdims = append(cdims, r.uN(w))
		}
		index = r.u8()
	}
	if r.err != nil {
		return nil, r.err
	}
	// The last chunk dimension is the element size.
	if len(cdims) != len(dims)+1 {
		return nil, fmt.Errorf("%s: chunks of rank %d for data of rank %d", what, len(cdims)-1, len(dims))
	}
	cdims = cdims[:len(dims)]
	chunkElems := uint64(1)
	for _, d := range cdims {
		if d == 0 {
			return nil, fmt.Errorf("%s: a chunk dimension is 0", what)
		}
		hi, lo := bits.Mul64(chunkElems, d)
		if hi != 0 || lo > uint64(total)+1<<30 {
			return nil, fmt.Errorf("%s: chunk %v is too large", what, cdims)
		}
		chunkElems = lo
	}
	chunkBytes := chunkElems * uint64(esize)
	nchunks := uint64(1)
	for i, d := range dims {
		hi, lo := bits.Mul64(nchunks, (d+cdims[i]-1)/cdims[i])
		if hi != 0 {
			return nil, fmt.Errorf("%s: too many chunks", what)
		}
		nchunks = lo
	}
	if nchunks > uint64(len(f.data)) && len(dims) > 0 {
		// Every stored chunk takes bytes of the file; missing ones are
		// zeros, but no index lists more chunks than that.
		nchunks = uint64(len(f.data))
	}
	var chunks []chunk
	switch index {
	case 0xff:
		if indexAddr != undef {
			if err := f.chunkBTree(indexAddr, len(dims), &chunks, 0, map[uint64]bool{}, nchunks, what); err != nil {
				return nil, err
			}
		}
	case 1: // single chunk
		c := chunk{off: make([]uint64, len(dims)), size: chunkBytes}
		if flags&2 != 0 {
			c.size = r.length()
			c.mask = r.u32()
		}
		c.addr = r.addr()
		if r.err != nil {
			return nil, r.err
		}
		if c.addr != undef {
			chunks = append(chunks, c)
		}
	case 2: // implicit: chunks stored in order, unfiltered
		a := r.addr()
		if r.err != nil {
			return nil, r.err
		}
		if a != undef {
			for i := uint64(0); i < nchunks; i++ {
				chunks = append(chunks, chunk{off: chunkOffset(i, dims, cdims), addr: a + i*chunkBytes, size: chunkBytes})
			}
		}
	case 3: // fixed array
		r.skip(1) // page bits
		a := r.addr()
		if r.err != nil {
			return nil, r.err
		}
		if a != undef {
			if err := f.fixedArray(a, o.first(msgFilters) != nil, dims, cdims, chunkBytes, nchunks, &chunks, what); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%s: chunk index type %d is not supported (B-tree v1, single chunk, implicit, fixed array)", what, index)
	}
	filters, err := o.filters(what)
	if err != nil {
		return nil, err
	}
	if err := f.budget.Take(total+int64(chunkBytes), what+" (raw data)"); err != nil {
		return nil, err
	}
	out := make([]byte, total)
	buf := make([]byte, chunkBytes)
	for _, c := range chunks {
		d, err := f.at(c.addr, int64(c.size), what+" chunk")
		if err != nil {
			return nil, err
		}
		data, err := unfilter(d.b, filters, c.mask, buf, esize, what)
		if err != nil {
			return nil, err
		}
		if uint64(len(data)) < chunkBytes {
			return nil, fmt.Errorf("%s: chunk at %v has %d bytes, %d expected", what, c.off, len(data), chunkBytes)
		}
		if err := scatter(out, data, c.off, dims, cdims, esize, what); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// chunkOffset is the element offset of chunk i in row-major chunk order.
func chunkOffset(i uint64, dims, cdims []uint64) []uint64 {
	off := make([]uint64, len(dims))
	for k := len(dims) - 1; k >= 0; k-- {
		n := (dims[k] + cdims[k] - 1) / cdims[k]
		off[k] = i % n * cdims[k]
		i /= n
	}
	return off
}

// scatter copies a chunk into the dataset's row-major bytes.
func scatter(out, data []byte, off, dims, cdims []uint64, esize int, what string) error {
	rank := len(dims)
	if rank == 0 {
		copy(out, data[:esize])
		return nil
	}
	for k := range off {
		if off[k] >= dims[k] || off[k]%cdims[k] != 0 {
			return fmt.Errorf("%s: chunk offset %v is outside the data %v", what, off, dims)
		}
	}
	idx := make([]uint64, rank) // position inside the chunk, last dim excluded
	last := rank - 1
	run := min(cdims[last], dims[last]-off[last]) * uint64(esize)
	for {
		// source and destination of one row of the last dimension
		var src, dst uint64
		for k := 0; k < rank; k++ {
			src = src*cdims[k] + idx[k]
			dst = dst*dims[k] + off[k] + idx[k]
		}
		src *= uint64(esize)
		dst *= uint64(esize)
		copy(out[dst:dst+run], data[src:src+run])
		k := last - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < cdims[k] && off[k]+idx[k] < dims[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return nil
		}
	}
}

// chunkBTree walks a version 1 B-tree of chunks (type 1).
func (f *File) chunkBTree(addr uint64, rank int, chunks *[]chunk, depth int, seen map[uint64]bool, nchunks uint64, what string) error {
	r, level, n, err := f.btree1Node(addr, 1, depth, seen, what+" chunk B-tree")
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		c := chunk{size: uint64(r.u32()), mask: r.u32()}
		for k := 0; k <= rank; k++ {
			v := r.uN(8)
			if k < rank {
				c.off = append(c.off, v)
			}
		}
		c.addr = r.addr()
		if r.err != nil {
			return r.err
		}
		if level > 0 {
			if err := f.chunkBTree(c.addr, rank, chunks, depth+1, seen, nchunks, what); err != nil {
				return err
			}
			continue
		}
		if uint64(len(*chunks)) >= nchunks {
			return fmt.Errorf("%s: the chunk B-tree lists more than the %d chunks of the data", what, nchunks)
		}
		*chunks = append(*chunks, c)
	}
	return nil
}

// fixedArray reads an unpaged fixed-array chunk index (FAHD + FADB).
func (f *File) fixedArray(addr uint64, filtered bool, dims, cdims []uint64, chunkBytes, nchunks uint64, chunks *[]chunk, what string) error {
	r, err := f.at(addr, -1, what+" fixed array")
	if err != nil {
		return err
	}
	r.sig("FAHD")
	r.skip(2) // version, client
	esz := int(r.u8())
	pageBits := r.u8()
	n := r.length()
	data := r.addr()
	if r.err != nil {
		return r.err
	}
	if n != nchunks {
		return fmt.Errorf("%s: fixed array of %d chunks for %d", what, n, nchunks)
	}
	if n > 1<<pageBits {
		return fmt.Errorf("%s: paged fixed-array chunk indexes are not supported", what)
	}
	d, err := f.at(data, -1, what+" fixed array data")
	if err != nil {
		return err
	}
	d.sig("FADB")
	d.skip(2)
	d.addr()
	sizeLen := esz - f.offSize - 4
	if filtered && (sizeLen < 1 || sizeLen > 8) {
		return fmt.Errorf("%s: fixed array element of %d bytes", what, esz)
	}
	for i := uint64(0); i < n; i++ {
		c := chunk{off: chunkOffset(i, dims, cdims), size: chunkBytes}
		c.addr = d.addr()
		if filtered {
			c.size = d.uN(sizeLen)
			c.mask = d.u32()
		}
		if d.err != nil {
			return d.err
		}
		if c.addr != undef {
			*chunks = append(*chunks, c)
		}
	}
	return nil
}

// filter is one filter of a pipeline.
type filter struct {
	id       uint16
	optional bool
}

func (o *Object) filters(what string) ([]filter, error) {
	b := o.first(msgFilters)
	if b == nil {
		return nil, nil
	}
	r := &reader{f: o.f, b: b, what: "filter pipeline of " + what}
	version := r.u8()
	n := int(r.u8())
	if version == 1 {
		r.skip(6)
	}
	var out []filter
	for i := 0; i < n && r.err == nil; i++ {
		id := r.u16()
		nameLen := 0
		if version == 1 || id >= 256 {
			nameLen = int(r.u16())
		}
		flags := r.u16()
		nvals := int(r.u16())
		if version == 1 {
			nameLen = (nameLen + 7) / 8 * 8
		}
		r.skip(nameLen)
		r.skip(4 * nvals)
		if version == 1 && nvals%2 == 1 {
			r.skip(4)
		}
		out = append(out, filter{id, flags&1 != 0})
	}
	return out, r.err
}

// unfilter undoes the filters of a chunk (in reverse order), skipping
// those its mask disables.
func unfilter(data []byte, filters []filter, mask uint32, buf []byte, esize int, what string) ([]byte, error) {
	for i := len(filters) - 1; i >= 0; i-- {
		if i < 32 && mask&(1<<i) != 0 {
			continue
		}
		switch filters[i].id {
		case 1: // deflate
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("%s: deflate: %w", what, err)
			}
			out := buf[:0]
			w := bytes.NewBuffer(out)
			n, err := io.Copy(w, io.LimitReader(zr, int64(cap(buf))+1))
			if err != nil {
				return nil, fmt.Errorf("%s: deflate: %w", what, err)
			}
			if n > int64(cap(buf)) {
				return nil, fmt.Errorf("%s: a chunk inflates to more than its %d bytes", what, cap(buf))
			}
			data = w.Bytes()
		case 2: // shuffle
			out := make([]byte, len(data))
			n := len(data) / esize
			for b := 0; b < esize; b++ {
				for k := 0; k < n; k++ {
					out[k*esize+b] = data[b*n+k]
				}
			}
			copy(out[n*esize:], data[n*esize:])
			data = out
		case 3: // Fletcher32: drop the checksum
			if len(data) < 4 {
				return nil, fmt.Errorf("%s: Fletcher32 chunk shorter than its checksum", what)
			}
			data = data[:len(data)-4]
		default:
			return nil, fmt.Errorf("%s: HDF5 filter %d is not supported (deflate, shuffle)", what, filters[i].id)
		}
	}
	return data, nil
}

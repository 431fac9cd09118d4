package hdf5

import (
	"fmt"
	"path"
	"strings"
)

// Link is a named hard link from a group to an object.
type Link struct {
	Name string
	addr uint64
}

// Root returns the root group.
func (f *File) Root() (*Object, error) { return f.object(f.root, "/") }

// Get returns the object at a slash-separated path from the root.
func (f *File) Get(p string) (*Object, error) {
	o, err := f.Root()
	if err != nil {
		return nil, err
	}
	for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
		if part == "" {
			continue
		}
		if o, err = o.Child(part); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// Child returns the member of a group by name.
func (o *Object) Child(name string) (*Object, error) {
	links, err := o.Links()
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		if l.Name == name {
			return o.f.object(l.addr, path.Join(o.Path, name))
		}
	}
	return nil, fmt.Errorf("%q has no member %q", o.Path, name)
}

// Open returns the object a link of this group points to.
func (o *Object) Open(l Link) (*Object, error) { return o.f.object(l.addr, path.Join(o.Path, l.Name)) }

// Links lists a group's members (in the file's order).
func (o *Object) Links() ([]Link, error) {
	var links []Link
	if st := o.first(msgSymbolTable); st != nil {
		r := &reader{f: o.f, b: st, what: "symbol table message of " + o.Path}
		btree, heap := r.addr(), r.addr()
		if r.err != nil {
			return nil, r.err
		}
		names, err := o.f.localHeap(heap, o.Path)
		if err != nil {
			return nil, err
		}
		if err := o.f.groupBTree(btree, names, &links, 0, map[uint64]bool{}, o.Path); err != nil {
			return nil, err
		}
		return links, nil
	}
	for _, m := range o.msgs {
		if m.typ != msgLink {
			continue
		}
		l, ok, err := o.f.linkMessage(m.data, o.Path)
		if err != nil {
			return nil, err
		}
		if ok {
			links = append(links, l)
		}
	}
	if li := o.first(msgLinkInfo); li != nil {
		r := &reader{f: o.f, b: li, what: "link info message of " + o.Path}
		r.skip(1)
		flags := r.u8()
		if flags&1 != 0 {
			r.skip(8)
		}
		heap, index := r.addr(), r.addr()
		if r.err != nil {
			return nil, r.err
		}
		if heap != undef {
			dense, err := o.f.denseLinks(heap, index, o.Path)
			if err != nil {
				return nil, err
			}
			links = append(links, dense...)
		}
	}
	if len(links) > MaxLinks {
		return nil, fmt.Errorf("group %q has more than %d members", o.Path, MaxLinks)
	}
	return links, nil
}

// localHeap returns the data segment of a local heap.
func (f *File) localHeap(addr uint64, group string) ([]byte, error) {
	what := "local heap of " + group
	r, err := f.at(addr, 8+2*int64(f.lenSize)+int64(f.offSize), what)
	if err != nil {
		return nil, err
	}
	r.sig("HEAP")
	r.skip(4)
	size := r.length()
	r.length() // free list
	data := r.addr()
	if r.err != nil {
		return nil, r.err
	}
	if size > uint64(len(f.data)) {
		return nil, fmt.Errorf("%s: data segment of %d bytes is larger than the file", what, size)
	}
	d, err := f.at(data, int64(size), what+" data")
	if err != nil {
		return nil, err
	}
	return d.b, nil
}

// groupBTree walks a version 1 B-tree of a group (type 0) down to its
// symbol table nodes.
func (f *File) groupBTree(addr uint64, names []byte, links *[]Link, depth int, seen map[uint64]bool, group string) error {
	what := "group B-tree of " + group
	r, level, n, err := f.btree1Node(addr, 0, depth, seen, what)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		r.length() // key: heap offset
		child := r.addr()
		if r.err != nil {
			return r.err
		}
		if level > 0 {
			err = f.groupBTree(child, names, links, depth+1, seen, group)
		} else {
			err = f.symbolNode(child, names, links, group)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// btree1Node opens a version 1 B-tree node of type typ (0 group, 1 chunk)
// at addr, refusing cycles and nesting deeper than MaxDepth: the reader is
// at its first key.
func (f *File) btree1Node(addr uint64, typ uint8, depth int, seen map[uint64]bool, what string) (r *reader, level uint8, n int, err error) {
	if depth > MaxDepth || seen[addr] {
		return nil, 0, 0, fmt.Errorf("%s: nodes form a cycle or are nested too deep", what)
	}
	seen[addr] = true
	if r, err = f.at(addr, -1, what); err != nil {
		return nil, 0, 0, err
	}
	r.sig("TREE")
	t, level, n := r.u8(), r.u8(), int(r.u16())
	r.addr() // siblings
	r.addr()
	if r.err != nil {
		return nil, 0, 0, r.err
	}
	if t != typ {
		return nil, 0, 0, fmt.Errorf("%s: B-tree node type %d, not %d", what, t, typ)
	}
	return r, level, n, nil
}

// symbolNode reads a symbol table node (SNOD).
func (f *File) symbolNode(addr uint64, names []byte, links *[]Link, group string) error {
	what := "symbol table node of " + group
	r, err := f.at(addr, -1, what)
	if err != nil {
		return err
	}
	r.sig("SNOD")
	r.skip(2)
	n := int(r.u16())
	for i := 0; i < n && r.err == nil; i++ {
		nameOff := r.addr()
		obj := r.addr()
		r.skip(4 + 4 + 16)
		if r.err != nil {
			break
		}
		name, err := cstring(names, nameOff, what)
		if err != nil {
			return err
		}
		if len(*links) >= MaxLinks {
			return fmt.Errorf("group %q has more than %d members", group, MaxLinks)
		}
		*links = append(*links, Link{name, obj})
	}
	return r.err
}

// linkMessage decodes a link message; ok is false for a soft or external
// link (not followed).
func (f *File) linkMessage(b []byte, group string) (Link, bool, error) {
	r := &reader{f: f, b: b, what: "link message in " + group}
	if v := r.u8(); r.err == nil && v != 1 {
		return Link{}, false, fmt.Errorf("%s: version %d is not 1", r.what, v)
	}
	flags := r.u8()
	typ := uint8(0)
	if flags&0x08 != 0 {
		typ = r.u8()
	}
	if flags&0x04 != 0 {
		r.skip(8)
	}
	if flags&0x10 != 0 {
		r.skip(1)
	}
	n := r.uN(1 << (flags & 3))
	if n > uint64(r.left()) {
		return Link{}, false, fmt.Errorf("%s: name of %d bytes is longer than the message", r.what, n)
	}
	name := string(r.bytes(int(n)))
	if typ != 0 {
		return Link{Name: name}, false, r.err
	}
	a := r.addr()
	return Link{name, a}, true, r.err
}

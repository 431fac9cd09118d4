package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxIDXElems bounds what an IDX header may announce (1 GiB).
const maxIDXElems = 1 << 30

// ReadIDX reads an IDX file of unsigned bytes (type 0x08), raw or
// gzip-compressed, and returns its dimensions and data.
func ReadIDX(r io.Reader) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		defer gz.Close()
		br = bufio.NewReader(gz)
	}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("IDX header: %w", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, nil, errors.New("not an IDX file (bad magic number)")
	}
	if magic[2] != 0x08 {
		return nil, nil, fmt.Errorf("IDX element type 0x%02x is not unsigned bytes (0x08)", magic[2])
	}
	nd := int(magic[3])
	if nd < 1 || nd > 4 {
		return nil, nil, fmt.Errorf("IDX file has %d dimensions", nd)
	}
	dims = make([]int, nd)
	total := int64(1)
	for i := range dims {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("IDX header: %w", err)
		}
		dims[i] = int(d)
		total *= int64(d)
		if total > maxIDXElems {
			return nil, nil, fmt.Errorf("IDX file announces more than %d values", maxIDXElems)
		}
	}
	data = make([]byte, total)
	if _, err := io.ReadFull(br, data); err != nil {
		return nil, nil, fmt.Errorf("IDX data (%d values expected): %w", total, err)
	}
	return dims, data, nil
}

func readIDXFile(path string) ([]int, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	dims, data, err := ReadIDX(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return dims, data, nil
}

// IDXPair reads an images file ([N, H, W]) and a labels file ([N]).
func IDXPair(name, images, labels string, classes []string) (*Set, error) {
	idims, pix, err := readIDXFile(images)
	if err != nil {
		return nil, err
	}
	ldims, lab, err := readIDXFile(labels)
	if err != nil {
		return nil, err
	}
	if len(idims) != 3 || len(ldims) != 1 || idims[0] != ldims[0] {
		return nil, fmt.Errorf("%s and %s: shapes %v and %v do not make images with labels", images, labels, idims, ldims)
	}
	s := &Set{Name: name, Classes: classes, C: 1, H: idims[1], W: idims[2], Pix: pix, Labels: make([]int32, len(lab))}
	for i, l := range lab {
		s.Labels[i] = int32(l)
	}
	return s, s.check()
}

// idxFiles finds the images and labels files of split prefix ("train" or
// "t10k") in dir, raw or gzipped, named prefix-images-idx3-ubyte or
// prefix-images.idx3-ubyte (and the same for labels-idx1).
func idxFiles(dir, prefix string) (images, labels string, err error) {
	find := func(kind, dims string) (string, error) {
		for _, base := range []string{prefix + "-" + kind + "-" + dims + "-ubyte", prefix + "-" + kind + "." + dims + "-ubyte"} {
			for _, ext := range []string{".gz", ""} {
				p := filepath.Join(dir, base+ext)
				if st, err := os.Stat(p); err == nil && !st.IsDir() {
					return p, nil
				}
			}
		}
		return "", fmt.Errorf("no %s-%s-%s-ubyte[.gz] in %s", prefix, kind, dims, dir)
	}
	if images, err = find("images", "idx3"); err != nil {
		return "", "", err
	}
	labels, err = find("labels", "idx1")
	return images, labels, err
}

package dataset

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// CIFAR10Labels are the CIFAR-10 classes in label order.
var CIFAR10Labels = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// CIFAR10 reads the binary batches in dir (or dir/cifar-10-batches-bin):
// data_batch_1…5.bin for training, test_batch.bin for testing.
func CIFAR10(dir string, train bool) (*Set, error) {
	if st, err := os.Stat(filepath.Join(dir, "cifar-10-batches-bin")); err == nil && st.IsDir() {
		dir = filepath.Join(dir, "cifar-10-batches-bin")
	}
	files := []string{"test_batch.bin"}
	if train {
		files = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	}
	classes := append([]string(nil), CIFAR10Labels...)
	if b, err := os.ReadFile(filepath.Join(dir, "batches.meta.txt")); err == nil {
		var names []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
		if len(names) == 10 {
			classes = names
		}
	}
	s := &Set{Name: "cifar10", Classes: classes, C: 3, H: 32, W: 32}
	for _, name := range files {
		if err := readCIFARBatch(s, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
	}
	return s, s.check()
}

const cifarRecord = 1 + 3*32*32

func readCIFARBatch(s *Set, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("CIFAR-10: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size()%cifarRecord != 0 || st.Size() == 0 {
		return fmt.Errorf("%s: %d bytes is not a whole number of %d-byte CIFAR-10 records", path, st.Size(), cifarRecord)
	}
	r := bufio.NewReader(f)
	rec := make([]byte, cifarRecord)
	for {
		if _, err := io.ReadFull(r, rec); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if rec[0] > 9 {
			return fmt.Errorf("%s: label %d outside 0–9", path, rec[0])
		}
		s.Labels = append(s.Labels, int32(rec[0]))
		s.Pix = append(s.Pix, rec[1:]...)
	}
}

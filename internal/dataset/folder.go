package dataset

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/convscope/convscope/internal/imageio"
)

// Folder loads an image folder (see the package documentation for the
// layouts) fitted to size×size RGB. train selects the training split.
func Folder(dir string, train bool, size int) (*Set, error) {
	return FolderWith(dir, train, size, imageio.DefaultLimits())
}

// FolderWith is Folder with the decoding limits of every image (a server
// loading an uploaded folder keeps them small).
func FolderWith(dir string, train bool, size int, limits imageio.Limits) (*Set, error) {
	if size <= 0 {
		return nil, fmt.Errorf("folder dataset: image size %d must be positive", size)
	}
	root, evalRoot := dir, dir
	if isDir(filepath.Join(dir, "train")) {
		root = filepath.Join(dir, "train")
		evalRoot = ""
		for _, name := range []string{"val", "test"} {
			if isDir(filepath.Join(dir, name)) {
				evalRoot = filepath.Join(dir, name)
				break
			}
		}
		if !train && evalRoot == "" {
			return nil, fmt.Errorf("%s has a train folder but no val or test folder to evaluate on", dir)
		}
	}
	wnids, err := classDirs(root)
	if err != nil {
		return nil, err
	}
	classOf := map[string]int32{}
	for i, c := range wnids {
		classOf[c] = int32(i)
	}
	var files []string
	var labels []int32
	switch {
	case train || evalRoot == root:
		for i, c := range wnids {
			fs, err := imageFiles(filepath.Join(root, c))
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				files = append(files, f)
				labels = append(labels, int32(i))
			}
		}
	case fileExists(filepath.Join(evalRoot, "val_annotations.txt")):
		// Tiny ImageNet: val/images/*.JPEG listed with their wnid.
		files, labels, err = annotated(evalRoot, classOf)
		if err != nil {
			return nil, err
		}
	default:
		for _, c := range wnids {
			fs, err := imageFiles(filepath.Join(evalRoot, c))
			if err != nil && !os.IsNotExist(err) {
				return nil, err
			}
			for _, f := range fs {
				files = append(files, f)
				labels = append(labels, classOf[c])
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no images found in %s (expected one sub-folder of images per class)", dir)
	}
	s := &Set{Name: "folder:" + dir, Classes: className(dir, wnids), C: 3, H: size, W: size, Labels: labels,
		Pix: make([]uint8, len(files)*3*size*size)}
	if err := decodeAll(s, files, limits); err != nil {
		return nil, err
	}
	return s, s.check()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// classDirs lists the class sub-folders of root, sorted.
func classDirs(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("%s has %d class sub-folders; a classifier needs at least 2", root, len(out))
	}
	sort.Strings(out)
	return out, nil
}

// imageFiles lists the images of a class folder and of its images/
// sub-folder (Tiny ImageNet), sorted.
func imageFiles(dir string) ([]string, error) {
	var out []string
	for _, d := range []string{dir, filepath.Join(dir, "images")} {
		entries, err := os.ReadDir(d)
		if err != nil {
			if d != dir && os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() && imageio.IsImageName(e.Name()) {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// annotated reads Tiny ImageNet's val_annotations.txt.
func annotated(dir string, classOf map[string]int32) ([]string, []int32, error) {
	f, err := os.Open(filepath.Join(dir, "val_annotations.txt"))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var files []string
	var labels []int32
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 {
			continue
		}
		c, ok := classOf[fields[1]]
		if !ok {
			continue
		}
		p := filepath.Join(dir, "images", fields[0])
		if !fileExists(p) {
			p = filepath.Join(dir, fields[0])
		}
		files = append(files, p)
		labels = append(labels, c)
	}
	return files, labels, sc.Err()
}

// className maps folder names to display names with DIR/words.txt
// ("wnid<TAB>name, other names") when present.
func className(dir string, wnids []string) []string {
	names := append([]string(nil), wnids...)
	f, err := os.Open(filepath.Join(dir, "words.txt"))
	if err != nil {
		return names
	}
	defer f.Close()
	idx := map[string]int{}
	for i, w := range wnids {
		idx[w] = i
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		id, words, ok := strings.Cut(sc.Text(), "\t")
		if i, in := idx[id]; ok && in {
			first, _, _ := strings.Cut(words, ",")
			if first = strings.TrimSpace(first); first != "" {
				names[i] = first
			}
		}
	}
	return names
}

// decodeAll decodes and fits every file into s.Pix, in parallel.
func decodeAll(s *Set, files []string, limits imageio.Limits) error {
	n := s.H * s.W
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	jobs := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				f, err := os.Open(files[i])
				if err == nil {
					var x []float32
					x, err = imageio.Load(f, s.W, s.H, limits)
					f.Close()
					if err == nil {
						dst := s.Pix[i*3*n : (i+1)*3*n]
						for j, v := range x {
							dst[j] = uint8(v*255 + 0.5)
						}
					}
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%s: %w", files[i], err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return first
}

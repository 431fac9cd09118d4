package dataset

import (
	"fmt"
	"os"
	"strings"
)

// FashionMNISTDir is where Debian's dataset-fashion-mnist package installs
// the Fashion-MNIST IDX files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTInstall is the command that installs Fashion-MNIST.
const FashionMNISTInstall = "apt-get install dataset-fashion-mnist"

// FashionMNISTLabels are the Fashion-MNIST classes in label order.
var FashionMNISTLabels = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// MNISTLabels are the digits.
var MNISTLabels = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// Spec is a parsed dataset name.
type Spec struct {
	Kind string // "fashion-mnist", "mnist", "cifar10" or "folder"
	Dir  string
}

// ParseSpec parses "fashion-mnist[:DIR]", "mnist:DIR", "cifar10:DIR" or
// "folder:DIR".
func ParseSpec(s string) (Spec, error) {
	kind, dir, _ := strings.Cut(s, ":")
	kind = strings.ToLower(kind)
	switch kind {
	case "fashion-mnist", "fashionmnist", "fashion_mnist":
		kind = "fashion-mnist"
		if dir == "" {
			dir = FashionMNISTDir
		}
	case "mnist", "cifar10", "cifar-10", "folder":
		if kind == "cifar-10" {
			kind = "cifar10"
		}
		if dir == "" {
			return Spec{}, fmt.Errorf("dataset %q needs a directory: %s:DIR", s, kind)
		}
	default:
		return Spec{}, fmt.Errorf("unknown dataset %q (fashion-mnist, mnist:DIR, cifar10:DIR, folder:DIR)", s)
	}
	return Spec{Kind: kind, Dir: dir}, nil
}

// Open loads the training (train = true) or test split of a dataset. size
// is the model's input size, used to fit folder images when they are
// loaded; the other sets keep their native size.
func Open(spec string, train bool, size int) (*Set, error) {
	sp, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	prefix := "t10k"
	if train {
		prefix = "train"
	}
	switch sp.Kind {
	case "fashion-mnist":
		images, labels, err := idxFiles(sp.Dir, prefix)
		if err != nil {
			if _, serr := os.Stat(sp.Dir); os.IsNotExist(serr) && sp.Dir == FashionMNISTDir {
				return nil, fmt.Errorf("Fashion-MNIST is not installed (no %s): %s", FashionMNISTDir, FashionMNISTInstall)
			}
			return nil, fmt.Errorf("Fashion-MNIST: %w (%s)", err, FashionMNISTInstall)
		}
		return IDXPair("fashion-mnist", images, labels, append([]string(nil), FashionMNISTLabels...))
	case "mnist":
		images, labels, err := idxFiles(sp.Dir, prefix)
		if err != nil {
			return nil, fmt.Errorf("MNIST: %w", err)
		}
		return IDXPair("mnist", images, labels, append([]string(nil), MNISTLabels...))
	case "cifar10":
		return CIFAR10(sp.Dir, train)
	default:
		return Folder(sp.Dir, train, size)
	}
}

package zoo

import (
	"fmt"
	"strings"

	"github.com/convscope/convscope/internal/graph"
)

// Info describes a preset network.
type Info struct {
	Name        string `json:"name"`        // preset name, lower case
	Title       string `json:"title"`       // display name
	Year        int    `json:"year"`        // of the paper
	Description string `json:"description"` // one sentence
	Paper       string `json:"paper"`       // authors, title, venue
	Source      string `json:"source"`      // the definition followed, layer names included
	URL         string `json:"url"`         // the paper or definition
	Input       []int  `json:"input"`       // C, H, W
}

type preset struct {
	info  Info
	build func(seed uint64, weights bool) (*graph.Graph, error)
}

// presetSeed seeds the He initialisation of presets built with weights.
const presetSeed = 1

var presets = []preset{
	{Info{Name: "alexnet", Title: "AlexNet (Caffe, 2 groups)", Year: 2012,
		Description: "Five convolutions (three grouped in two, as trained on two GPUs), LRN, three fully connected layers.",
		Paper:       "Krizhevsky, Sutskever & Hinton, ImageNet Classification with Deep Convolutional Neural Networks, NIPS 2012",
		Source:      "BVLC Caffe models/bvlc_alexnet/deploy.prototxt",
		URL:         "https://github.com/BVLC/caffe/tree/master/models/bvlc_alexnet", Input: []int{3, 227, 227}},
		func(s uint64, w bool) (*graph.Graph, error) { return alexNet(s, w, false) }},
	{Info{Name: "caffenet", Title: "CaffeNet", Year: 2014,
		Description: "BVLC's AlexNet replica, with pooling before normalisation.",
		Paper:       "Jia et al., Caffe: Convolutional Architecture for Fast Feature Embedding, ACM MM 2014",
		Source:      "BVLC Caffe models/bvlc_reference_caffenet/deploy.prototxt",
		URL:         "https://github.com/BVLC/caffe/tree/master/models/bvlc_reference_caffenet", Input: []int{3, 227, 227}},
		func(s uint64, w bool) (*graph.Graph, error) { return alexNet(s, w, true) }},
	{Info{Name: "vgg16", Title: "VGG-16", Year: 2014,
		Description: "Thirteen 3×3 convolutions in five stages and three fully connected layers (configuration D).",
		Paper:       "Simonyan & Zisserman, Very Deep Convolutional Networks for Large-Scale Image Recognition, ICLR 2015",
		Source:      "Caffe model zoo VGG_ILSVRC_16_layers_deploy.prototxt",
		URL:         "https://arxiv.org/abs/1409.1556", Input: []int{3, 224, 224}},
		func(s uint64, w bool) (*graph.Graph, error) { return VGG(16, s, w) }},
	{Info{Name: "vgg19", Title: "VGG-19", Year: 2014,
		Description: "Sixteen 3×3 convolutions in five stages and three fully connected layers (configuration E).",
		Paper:       "Simonyan & Zisserman, Very Deep Convolutional Networks for Large-Scale Image Recognition, ICLR 2015",
		Source:      "Caffe model zoo VGG_ILSVRC_19_layers_deploy.prototxt",
		URL:         "https://arxiv.org/abs/1409.1556", Input: []int{3, 224, 224}},
		func(s uint64, w bool) (*graph.Graph, error) { return VGG(19, s, w) }},
	{Info{Name: "googlenet", Title: "GoogLeNet (Inception v1)", Year: 2014,
		Description: "Nine Inception modules of parallel 1×1, 3×3, 5×5 and pooling branches.",
		Paper:       "Szegedy et al., Going Deeper with Convolutions, CVPR 2015",
		Source:      "BVLC Caffe models/bvlc_googlenet/deploy.prototxt",
		URL:         "https://github.com/BVLC/caffe/tree/master/models/bvlc_googlenet", Input: []int{3, 224, 224}},
		googLeNet},
	{Info{Name: "resnet18", Title: "ResNet-18", Year: 2015,
		Description: "Eight residual blocks of two 3×3 convolutions.",
		Paper:       "He, Zhang, Ren & Sun, Deep Residual Learning for Image Recognition, CVPR 2016",
		Source:      "torchvision.models.resnet18",
		URL:         "https://pytorch.org/vision/stable/models/generated/torchvision.models.resnet18.html", Input: []int{3, 224, 224}},
		func(s uint64, w bool) (*graph.Graph, error) { return resNet(18, s, w) }},
	{Info{Name: "resnet50", Title: "ResNet-50 (v1.5)", Year: 2015,
		Description: "Sixteen bottleneck residual blocks; the stride is on the 3×3 convolution.",
		Paper:       "He, Zhang, Ren & Sun, Deep Residual Learning for Image Recognition, CVPR 2016",
		Source:      "torchvision.models.resnet50",
		URL:         "https://pytorch.org/vision/stable/models/generated/torchvision.models.resnet50.html", Input: []int{3, 224, 224}},
		func(s uint64, w bool) (*graph.Graph, error) { return resNet(50, s, w) }},
	{Info{Name: "resnet101", Title: "ResNet-101 (v1.5)", Year: 2015,
		Description: "Thirty-three bottleneck residual blocks; the stride is on the 3×3 convolution.",
		Paper:       "He, Zhang, Ren & Sun, Deep Residual Learning for Image Recognition, CVPR 2016",
		Source:      "torchvision.models.resnet101",
		URL:         "https://pytorch.org/vision/stable/models/generated/torchvision.models.resnet101.html", Input: []int{3, 224, 224}},
		func(s uint64, w bool) (*graph.Graph, error) { return resNet(101, s, w) }},
	{Info{Name: "resnet152", Title: "ResNet-152 (v1.5)", Year: 2015,
		Description: "Fifty bottleneck residual blocks; the stride is on the 3×3 convolution.",
		Paper:       "He, Zhang, Ren & Sun, Deep Residual Learning for Image Recognition, CVPR 2016",
		Source:      "torchvision.models.resnet152",
		URL:         "https://pytorch.org/vision/stable/models/generated/torchvision.models.resnet152.html", Input: []int{3, 224, 224}},
		func(s uint64, w bool) (*graph.Graph, error) { return resNet(152, s, w) }},
	{Info{Name: "squeezenet1.0", Title: "SqueezeNet 1.0", Year: 2016,
		Description: "Eight fire modules (1×1 squeeze, 1×1 and 3×3 expand) and a convolutional classifier.",
		Paper:       "Iandola et al., SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size, arXiv:1602.07360",
		Source:      "forresti/SqueezeNet SqueezeNet_v1.0/deploy.prototxt",
		URL:         "https://github.com/forresti/SqueezeNet", Input: []int{3, 227, 227}},
		func(s uint64, w bool) (*graph.Graph, error) { return squeezeNet(s, w, false) }},
	{Info{Name: "squeezenet1.1", Title: "SqueezeNet 1.1", Year: 2016,
		Description: "SqueezeNet with a 3×3 first convolution and earlier pooling: 2.4× less computation.",
		Paper:       "Iandola et al., SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size, arXiv:1602.07360",
		Source:      "forresti/SqueezeNet SqueezeNet_v1.1/deploy.prototxt",
		URL:         "https://github.com/forresti/SqueezeNet/tree/master/SqueezeNet_v1.1", Input: []int{3, 227, 227}},
		func(s uint64, w bool) (*graph.Graph, error) { return squeezeNet(s, w, true) }},
	{Info{Name: "mobilenetv1", Title: "MobileNet v1 1.0-224", Year: 2017,
		Description: "Thirteen depthwise-separable blocks (3×3 depthwise, 1×1 pointwise).",
		Paper:       "Howard et al., MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications, arXiv:1704.04861",
		Source:      "the paper's Table 1; layer names of keras.applications.MobileNet",
		URL:         "https://arxiv.org/abs/1704.04861", Input: []int{3, 224, 224}},
		mobileNetV1},
	{Info{Name: "mobilenetv2", Title: "MobileNet v2 1.0-224", Year: 2018,
		Description: "Seventeen inverted residual blocks with linear bottlenecks and ReLU6.",
		Paper:       "Sandler et al., MobileNetV2: Inverted Residuals and Linear Bottlenecks, CVPR 2018",
		Source:      "torchvision.models.mobilenet_v2",
		URL:         "https://pytorch.org/vision/stable/models/generated/torchvision.models.mobilenet_v2.html", Input: []int{3, 224, 224}},
		mobileNetV2},
	{Info{Name: "densenet121", Title: "DenseNet-121", Year: 2016,
		Description: "Four dense blocks in which every layer receives all earlier feature maps.",
		Paper:       "Huang, Liu, van der Maaten & Weinberger, Densely Connected Convolutional Networks, CVPR 2017",
		Source:      "torchvision.models.densenet121",
		URL:         "https://pytorch.org/vision/stable/models/generated/torchvision.models.densenet121.html", Input: []int{3, 224, 224}},
		denseNet121},
	{Info{Name: "inceptionv3", Title: "Inception v3", Year: 2015,
		Description: "Factorised Inception modules (n×1 and 1×n convolutions) with batch normalisation.",
		Paper:       "Szegedy et al., Rethinking the Inception Architecture for Computer Vision, CVPR 2016",
		Source:      "soeaver/caffe-model inception-v3 deploy.prototxt (torchvision inception_v3 without its auxiliary classifier)",
		URL:         "https://arxiv.org/abs/1512.00567", Input: []int{3, 299, 299}},
		inceptionV3},
	{Info{Name: "inceptionv4", Title: "Inception v4", Year: 2016,
		Description: "A uniform Inception stem, 4 A, 7 B and 3 C modules with two reduction modules.",
		Paper:       "Szegedy, Ioffe, Vanhoucke & Alemi, Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning, AAAI 2017",
		Source:      "Cadene pretrained-models.pytorch inceptionv4 (timm inception_v4)",
		URL:         "https://arxiv.org/abs/1602.07261", Input: []int{3, 299, 299}},
		inceptionV4},
	{Info{Name: "inceptionresnetv2", Title: "Inception-ResNet v2", Year: 2016,
		Description: "Inception modules with scaled residual connections: 10, 20 and 10 blocks on three grids.",
		Paper:       "Szegedy, Ioffe, Vanhoucke & Alemi, Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning, AAAI 2017",
		Source:      "Cadene pretrained-models.pytorch inceptionresnetv2 (timm inception_resnet_v2)",
		URL:         "https://arxiv.org/abs/1602.07261", Input: []int{3, 299, 299}},
		inceptionResNetV2},
	{Info{Name: "nin", Title: "Network in Network", Year: 2013,
		Description: "Four mlpconv stages (a convolution and two 1×1 convolutions) and global average pooling instead of fully connected layers.",
		Paper:       "Lin, Chen & Yan, Network In Network, ICLR 2014",
		Source:      "Caffe model zoo NIN ImageNet model (nin_imagenet train_val.prototxt)",
		URL:         "https://github.com/BVLC/caffe/wiki/Model-Zoo#network-in-network-model", Input: []int{3, 224, 224}},
		nin},
	{Info{Name: "yolov1", Title: "YOLO v1", Year: 2015,
		Description: "Twenty-four convolutions and two fully connected layers predicting a 7×7×30 detection grid.",
		Paper:       "Redmon, Divvala, Girshick & Farhadi, You Only Look Once: Unified, Real-Time Object Detection, CVPR 2016",
		Source:      "the paper's Figure 3; layer names of the Netscope preset YOLO.prototxt",
		URL:         "https://arxiv.org/abs/1506.02640", Input: []int{3, 448, 448}},
		yoloV1},
	{Info{Name: "tinyvgg", Title: "Tiny VGG (CNN Explainer)", Year: 2020,
		Description: "Four 3×3 convolutions with 10 filters, two max pools and a dense classifier over 10 classes.",
		Paper:       "Wang et al., CNN Explainer: Learning Convolutional Neural Networks with Interactive Visualization, IEEE VIS 2020",
		Source:      "poloclub/cnn-explainer Tiny VGG model.json",
		URL:         "https://github.com/poloclub/cnn-explainer", Input: []int{3, 64, 64}},
		tinyVGGPreset},
}

// PresetNames lists the preset networks in a fixed order (roughly
// historical, by family).
func PresetNames() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.info.Name
	}
	return names
}

func lookup(name string) (preset, bool) {
	for _, p := range presets {
		if p.info.Name == name {
			return p, true
		}
	}
	return preset{}, false
}

// PresetInfo describes the named preset.
func PresetInfo(name string) (Info, bool) {
	p, ok := lookup(name)
	if !ok {
		return Info{}, false
	}
	info := p.info
	info.Input = append([]int(nil), info.Input...)
	return info, true
}

// Preset builds the named network as a validated graph. weights=false
// builds the structure only (what analysis needs: shapes, parameters, MACs);
// weights=true also initialises every parameter deterministically (He
// uniform, zero biases, unit BatchNorm) so that the network can run.
func Preset(name string, weights bool) (g *graph.Graph, err error) {
	p, ok := lookup(strings.ToLower(strings.TrimSpace(name)))
	if !ok {
		return nil, fmt.Errorf("unknown preset %q (presets: %s)", name, strings.Join(PresetNames(), ", "))
	}
	defer func() {
		if r := recover(); r != nil { // a builder bug: report, don't crash a server
			g, err = nil, fmt.Errorf("preset %s: %v", p.info.Name, r)
		}
	}()
	return p.build(presetSeed, weights)
}

// Count returns a graph's learnable parameters (BatchNorm mean and variance
// excluded, as in graph.Node.ParamCount) and its multiply-accumulates per
// image, from the shapes its operators expect, so it works on
// structure-only graphs.
func Count(g *graph.Graph) (params, macs int64, err error) {
	shapes, err := g.InferShapes(1)
	if err != nil {
		return 0, 0, err
	}
	for _, n := range g.Nodes {
		in := make([]graph.Shape, len(n.Inputs))
		for i, v := range n.Inputs {
			in[i] = shapes[v]
		}
		out := make([]graph.Shape, len(n.Outputs))
		for i, v := range n.Outputs {
			out[i] = shapes[v]
		}
		for name, s := range n.Op.ParamShapes(in) {
			if name != "mean" && name != "var" {
				params += int64(s.Elems())
			}
		}
		macs += n.Op.Cost(in, out).MACs
	}
	return params, macs, nil
}

// Package caffe imports Caffe networks (.prototxt, optionally with the
// parameters of a .caffemodel) into the graph IR. It registers the format
// "caffe" with package format.
//
// # Parsing
//
// caffe.proto is a subset of Caffe's own, with Caffe's field names and
// numbers (plus PermuteParameter, InterpParameter and UpsampleParameter from
// the SSD, PSPNet and YOLOv3/SegNet forks); caffe.pb.go is generated from it
// by protoc (go generate). Prototxt is parsed by
// google.golang.org/protobuf/encoding/prototext, discarding unknown fields,
// and .caffemodel files by proto.Unmarshal. Both the current syntax
// (`layer { type: "Convolution" }`) and the legacy V1 syntax (`layers {
// type: CONVOLUTION }`) are read, also mixed in one file (as in Netscope's
// presets; the two lists are then interleaved so that layers follow the
// producers of their bottoms). Layer types are matched ignoring case and
// underscores ("InnerProduct" = "INNER_PRODUCT" = "inner_product").
//
// # Conventions
//
//   - Node.Name is the layer name; Node.Type is the type as written, except
//     that a V1 layer's enum name is shown in lower case ("convolution",
//     "inner_product", "softmax_loss"), as Netscope does. A Split layer
//     becomes one Identity node per top ("split", "split/1", …).
//   - Inputs come from `input` + `input_shape` or `input_dim`, from Input
//     layers (input_param), or from data layers: Data/ImageData/WindowData
//     give 3 channels (1 for ImageData with is_color false) and
//     transform_param crop_size (or the deprecated crop_size, or
//     ImageData's new_height/new_width) as height and width; MemoryData and
//     DummyData give their sizes. The batch dimension is dynamic (-1). A
//     size the file does not give is 0: the graph validates but its shapes
//     cannot be inferred until the caller sets the input shape (convscope
//     analyze --input C,H,W). A data layer's further tops (labels) become
//     inputs of shape [N] only if a deploy layer reads them.
//   - Values are SSA. The first version of a blob keeps the blob's name;
//     an in-place layer (top == bottom, e.g. ReLU, BatchNorm, Scale, Dropout
//     on "conv1") writes a new value named after the layer ("conv1_relu"),
//     or "<blob>@<layer>" when the layer's name is itself a blob name. Later
//     layers read the latest version, so the graph computes what Caffe
//     computes in place. Graph outputs are the values nothing reads.
//   - The deploy net is built: the state is phase TEST, level 0, stage
//     "deploy", and include/exclude rules are applied as Caffe's
//     Net::FilterNet does. Accuracy, Silence and every loss layer except the
//     softmax losses are dropped; SoftmaxWithLoss becomes a Softmax of its
//     first bottom (its label is not read). Two deploy conveniences go
//     beyond Caffe: a data layer the rules exclude is used when nothing else
//     defines the blob it provides and a layer reads it, and a softmax loss
//     the rules exclude is kept (as a Softmax) when no deploy layer already
//     applies a softmax to its bottom — so a train_val file whose loss is
//     TRAIN-only still ends in its classifier's softmax.
//   - Layers: Convolution (groups, dilation, pad/kernel/stride in the
//     repeated and _h/_w forms), Deconvolution, Pooling (MAX, AVE,
//     global_pooling; Caffe's ceil rounding = graph.Pool CeilMode, and
//     round_mode FLOOR; AVE divides by the window clipped to input+pad =
//     CountIncludePad), InnerProduct (axis 1, transpose), ReLU
//     (negative_slope → LeakyRelu), PReLU, ELU, Sigmoid, TanH, BatchNorm (a
//     graph.BatchNorm with NoAffine: Caffe keeps the affine part in the
//     following Scale layer; use_global_stats is ignored: a deploy net
//     always normalises with the stored statistics), Scale and Bias
//     (graph.Affine; with a second bottom an element-wise Mul/Add), LRN
//     (ACROSS_CHANNELS), Dropout,
//     Softmax, Concat, Eltwise (SUM with coeff, PROD, MAX), Flatten, Reshape,
//     Slice, Split, Crop, Permute (SSD), Power, Interp (PSPNet) and Upsample
//     (nearest). Other types are errors naming the type and the layer.
//   - Parameters: blobs are matched to layers by name (the caffemodel's
//     layers, V1 or current, win over blobs inside the prototxt) and mapped
//     in Caffe's blob order: Convolution/Deconvolution weight and bias,
//     InnerProduct weight [Out, In] (transposed when transpose is set) and
//     bias, BatchNorm mean and var (divided by Caffe's scale-factor blob),
//     Scale scale and bias, Bias bias, PReLU slope. Legacy 4-D blob shapes
//     of vectors and matrices are flattened. Blob counts and sizes are
//     checked, and graph.InferShapes checks every shape once the input size
//     is known.
//   - Every size read from a file is bounded (maxDim) and every error names
//     the layer and its type; nothing a file says is allocated before it is
//     checked against graph.DefaultLimits.
package caffe

// Package dataset loads labelled image sets for training and evaluation and
// turns their examples into model inputs, with optional augmentation.
//
// # Sources
//
// A dataset is named by a spec (see [Open]):
//
//   - "fashion-mnist" or "fashion-mnist:DIR": IDX files as Debian's
//     dataset-fashion-mnist package installs them in
//     /usr/share/datasets/fashion-mnist ({train,t10k}-{images-idx3,
//     labels-idx1}-ubyte.gz);
//   - "mnist:DIR": the same IDX layout (MNIST has no Debian package);
//   - "cifar10:DIR": the CIFAR-10 binary batches (data_batch_1…5.bin,
//     test_batch.bin, batches.meta.txt), DIR being the folder holding them
//     or its parent;
//   - "folder:DIR": one sub-folder per class holding images (any format
//     imageio decodes), or the Tiny ImageNet layout
//     DIR/train/<wnid>/images/*.JPEG with DIR/val/images and
//     DIR/val/val_annotations.txt (DIR/words.txt, when present, names the
//     classes). With DIR/train (and DIR/val or DIR/test), those are the
//     splits; otherwise the whole folder is both.
//
// IDX files may be raw or gzip-compressed (detected by their magic bytes).
// Nothing is ever downloaded.
//
// # Conventions
//
//   - A [Set] keeps its examples as 8-bit planar images (C×H×W, C = 1 or 3)
//     with int32 labels; folder images are decoded and fitted to the model
//     input when loaded (imageio.Fit: cover and centre-crop).
//   - A [Loader] turns example i into a model input [C, S, S] of float32 in
//     [0, 1]. Images of another size are resized with imageio.Fit, i.e.
//     bilinear interpolation with pixel centres aligned when enlarging
//     (28×28 → 64×64) and rounded to 8 bits, exactly as `convscope predict`
//     and the web app fit an uploaded image; a grey image feeding a
//     3-channel model is replicated to R, G and B. So evaluating a
//     28×28 example PNG through the app gives the same input as evaluation
//     here.
//   - Augmentation (training only; [Augment]) is, in order: a random
//     translation of up to Shift pixels (edges replicated), a horizontal
//     flip with probability 1/2, and then, for grey sets feeding a colour
//     model, colourisation: the grey level p ∈ [0, 1] (the amount of ink;
//     Fashion-MNIST draws light objects on black) becomes
//     rgb = bg·(1−p) + fg·p with fg and bg drawn per image — the plain grey
//     rendering (white on black) with probability 1/3, inverted grey (black
//     on white) with probability 1/6, otherwise two random colours whose
//     luminances differ by at least 0.3 — and, for colour sets, a
//     brightness/contrast/saturation jitter.
//   - Everything random is drawn from the *rand.Rand passed in, so a seed
//     fixes the augmentation.
package dataset

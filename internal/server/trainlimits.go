package server

// TrainLimits cap what the training studio accepts (docs/api.md).
type TrainLimits struct {
	MaxUploadBytes   int64 `json:"max_upload_bytes"`   // the dataset zip (default 64 MiB)
	MaxUnzippedBytes int64 `json:"max_unzipped_bytes"` // its images together, uncompressed (default 256 MiB)
	MaxImages        int   `json:"max_images"`         // images in the zip (default 20 000)
	MaxClasses       int   `json:"max_classes"`        // class folders (default 100)
	MaxImageBytes    int64 `json:"max_image_bytes"`    // one image file (default 4 MiB)
	MaxImagePixels   int64 `json:"max_image_pixels"`   // one image's width×height (default 4 000 000)
	MaxDatasetBytes  int64 `json:"max_dataset_bytes"`  // the decoded set: images × 3 × input² (default 256 MiB)
	MaxEpochs        int   `json:"max_epochs"`         // default 50
	MaxBatch         int   `json:"max_batch"`          // default 256
	MaxInput         int   `json:"max_input"`          // input side in pixels (default 128; at least 16)
	MaxParams        int64 `json:"max_params"`         // learnable parameters of the model (default 2 000 000)
}

// DefaultTrainLimits are TrainLimits' defaults.
var DefaultTrainLimits = TrainLimits{
	MaxUploadBytes: 64 << 20, MaxUnzippedBytes: 256 << 20, MaxImages: 20000, MaxClasses: 100,
	MaxImageBytes: 4 << 20, MaxImagePixels: 4_000_000, MaxDatasetBytes: 256 << 20,
	MaxEpochs: 50, MaxBatch: 256, MaxInput: 128, MaxParams: 2_000_000,
}

func (l *TrainLimits) withDefaults() {
	d := DefaultTrainLimits
	orDefault(&l.MaxUploadBytes, d.MaxUploadBytes)
	orDefault(&l.MaxUnzippedBytes, d.MaxUnzippedBytes)
	orDefault(&l.MaxImages, d.MaxImages)
	orDefault(&l.MaxClasses, d.MaxClasses)
	orDefault(&l.MaxImageBytes, d.MaxImageBytes)
	orDefault(&l.MaxImagePixels, d.MaxImagePixels)
	orDefault(&l.MaxDatasetBytes, d.MaxDatasetBytes)
	orDefault(&l.MaxEpochs, d.MaxEpochs)
	orDefault(&l.MaxBatch, d.MaxBatch)
	orDefault(&l.MaxInput, d.MaxInput)
	orDefault(&l.MaxParams, d.MaxParams)
}

// Close stops the training job (its checkpoint written) and ends the
// event streams; serve calls it on shutdown, before the HTTP server's
// graceful shutdown waits for the open requests.
func (s *Server) Close() { s.trainer.close() }

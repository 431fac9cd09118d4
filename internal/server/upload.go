package server

import (
	"net/http"
	"path"
	"strings"

	"github.com/convscope/convscope/internal/format"
)

// POST /api/models: a model file uploaded with its weights becomes a served
// model for this server's lifetime (in memory, at most
// Config.MaxUploadedModels of them), so the Scope page's Run button can open
// it in the Explainer.

func (s *Server) handleUploadModel(w http.ResponseWriter, r *http.Request) {
	if s.cfg.MaxUploadedModels < 0 {
		writeError(w, http.StatusForbidden, "this server does not accept uploaded models (serve --max-uploaded-models)")
		return
	}
	files, main, release, err := s.readUpload(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer release()
	m, err := loadUpload(files, main, s.cfg.MaxUploadActivations)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Uploads have no example images of their own: they get the default
	// model's, which any image model can take (images are fitted to its input).
	if def := s.lookup(DefaultID); def != nil {
		m.examples = def.examples
	}
	s.addUpload(m)
	writeJSON(w, http.StatusCreated, map[string]any{"model": m.summary()})
}

// loadUpload reads and prepares an uploaded model; one that cannot be run
// on images (no weights, no image input, an operator the engine lacks) is
// refused with 422 and the reason — except one whose only fault is an
// operator convscope does not support, which is listed (runnable false,
// the reason naming the operator) so that its graph can still be shown.
func loadUpload(files format.MemFS, main string, maxActivations int64) (*model, error) {
	g, fmtName, err := openUpload(files, main)
	if err != nil {
		return nil, err
	}
	name := g.Name
	if name == "" {
		name = strings.TrimSuffix(main, path.Ext(main))
	}
	m := &model{format: fmtName, file: main, g: g, name: name, labelsSource: "model"}
	if _, ok := files[format.LabelsFile]; ok {
		m.labelsSource = format.LabelsFile
	}
	if err := m.prepare(maxActivations); err != nil {
		return nil, placed(files[main], fmtName, err, main+": "+err.Error())
	}
	if !m.runnable && len(g.Unsupported()) == 0 {
		return nil, errorStatus(http.StatusUnprocessableEntity, "%s cannot be run on an image: %s", main, m.whyNot)
	}
	return m, nil
}

// addUpload serves m, dropping the oldest upload when there are too many.
func (s *Server) addUpload(m *model) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(m, m.name)
	s.uploaded = append(s.uploaded, m.id)
	for len(s.uploaded) > s.cfg.MaxUploadedModels {
		old := s.uploaded[0]
		s.uploaded = s.uploaded[1:]
		delete(s.byID, old)
		for i, x := range s.models {
			if x.id == old {
				s.models = append(s.models[:i:i], s.models[i+1:]...)
				break
			}
		}
	}
}

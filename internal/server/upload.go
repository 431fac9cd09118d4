package server

import (
	"context"
	"errors"
	"path"
	"strings"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/server/httpx"
)

// POST /api/models: a model file uploaded with its weights becomes a served
// model for this server's lifetime (in memory, at most
// Config.MaxUploadedModels of them), so the Scope page's Run button can open
// it in the Explainer.

func (s *Server) handleUploadModel(w httpx.ResponseWriter, r *httpx.Request) {
	if s.cfg.MaxUploadedModels < 0 {
		writeError(w, httpx.StatusForbidden, "this server does not accept uploaded models (serve --max-uploaded-models)")
		return
	}
	files, main, opts, release, err := s.readUpload(w, r)
	defer release()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.loadUpload(r.Context(), files, main, opts)
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
	writeJSON(w, httpx.StatusCreated, map[string]any{"model": m.summary()})
}

// loadUpload reads and prepares an uploaded model; one that cannot be run
// on images (no weights, no image input, an operator the engine lacks) is
// refused with 422 and the reason — except one whose only fault is an
// operator convscope does not support, which is listed (runnable false,
// the reason naming the operator) so that its graph can still be shown.
// Its weights and first engine (only its weights when it cannot run) are
// reserved from the memory budget (dropping the oldest uploads to make
// room) before the engine is compiled.
func (s *Server) loadUpload(ctx context.Context, files format.MemFS, main string, opts uploadOptions) (*model, error) {
	g, fmtName, done, err := s.openUpload(ctx, files, main, true, opts.input)
	done() // the import's temporaries are garbage; the model is charged below
	if err != nil {
		return nil, err
	}
	g.Name = clip(g.Name, maxNameLen)
	name := g.Name
	if name == "" {
		name = strings.TrimSuffix(main, path.Ext(main))
	}
	m := &model{format: fmtName, file: clip(main, maxNameLen), g: g, name: clip(name, maxNameLen), labelsSource: "model", mem: &modelMem{b: s.mem}}
	if _, ok := files[format.LabelsFile]; ok {
		m.labelsSource = format.LabelsFile
	}
	if opts.pre != nil {
		m.pre = *opts.pre
	}
	var reserved bool
	reserve := func(n int64) error {
		n += files.Size() // bounds what the graph keeps of the file: names, labels
		if err := s.makeRoom(ctx, n, "the model's weights and first engine"); err != nil {
			return err
		}
		m.mem.held, reserved = n, true
		return nil
	}
	if err := m.prepare(s.cfg.MaxUploadActivations, reserve); err != nil {
		m.mem.drop()
		var he *httpError
		if errors.As(err, &he) {
			return nil, err
		}
		return nil, placed(files[main], fmtName, err, main+": "+err.Error())
	}
	if !m.runnable && len(g.Unsupported()) == 0 {
		m.mem.drop()
		return nil, errorStatus(httpx.StatusUnprocessableEntity, "%s cannot be run on an image: %s", main, m.whyNot)
	}
	if !reserved {
		m.mem.drop()
		return nil, errors.New("internal error: an uploaded model was compiled without its memory")
	}
	return m, nil
}

// makeRoom reserves n bytes for what (of a model upload), dropping the
// oldest uploads while that is not enough, then waiting as runs do. More
// than uploads may take of the budget is refused with 413.
func (s *Server) makeRoom(ctx context.Context, n int64, what string) error {
	for n <= s.mem.uploadCeiling && !s.mem.tryTake(n) {
		if !s.dropOldestUpload() {
			return s.mem.take(ctx, n, s.memWait(), what, true)
		}
	}
	if n > s.mem.uploadCeiling {
		return s.mem.take(ctx, n, 0, what, true) // the 413
	}
	return nil
}

// addUpload serves m, dropping the oldest upload when there are too many.
func (s *Server) addUpload(m *model) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(m, m.name, true)
	s.uploaded = append(s.uploaded, m.id)
	for len(s.uploaded) > s.cfg.MaxUploadedModels {
		s.dropOldestLocked()
	}
}

// dropOldestUpload drops the oldest uploaded model, if there is one.
func (s *Server) dropOldestUpload() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.uploaded) == 0 {
		return false
	}
	s.dropOldestLocked()
	return true
}

func (s *Server) dropOldestLocked() {
	old := s.uploaded[0]
	s.uploaded = s.uploaded[1:]
	if m := s.byID[old]; m != nil && m.mem != nil {
		m.mem.drop() // its memory is given back once no run uses it
	}
	delete(s.byID, old)
	for i, x := range s.models {
		if x.id == old {
			s.models = append(s.models[:i:i], s.models[i+1:]...)
			break
		}
	}
}

package telegramtest

import (
	"net/http"
	"strings"

	"github.com/go-telegram/bot/models"
)

// getFile answers a models.File for any non-empty file_id, with a
// file_path that can be downloaded from URL()+"/file/bot<token>/<file_path>"
// (content set with SetFileContent, or a short placeholder).
func getFile(s *Server, c *call) (any, *apiError) {
	id := strings.TrimSpace(c.p.str("file_id"))
	if id == "" {
		return nil, badRequest("invalid file_id")
	}
	uid := fileUniqueID(id)
	path := "files/" + uid
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filePaths[path] = id
	return &models.File{FileID: id, FileUniqueID: uid, FileSize: int64(len(s.fileContentLocked(id))), FilePath: path}, nil
}

// SetFileContent sets what downloading fileID returns (see getFile).
func (s *Server) SetFileContent(fileID string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = append([]byte(nil), data...)
}

func (s *Server) fileContentLocked(id string) []byte {
	if b, ok := s.files[id]; ok {
		return b
	}
	return []byte("telegramtest file " + id)
}

// serveFile answers /file/bot<token>/<file_path> downloads.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/file/bot")
	token, path, _ := strings.Cut(rest, "/")
	if token != s.opts.Token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	s.mu.Lock()
	id, ok := s.filePaths[path]
	var data []byte
	if ok {
		data = s.fileContentLocked(id)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}

// File returns the content of a file the bot uploaded (sendDocument with a
// file), or one set with SetFileContent.
func (s *Server) File(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.files[fileID]
	return append([]byte(nil), b...), ok
}

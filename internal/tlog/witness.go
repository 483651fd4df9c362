package tlog

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// maxAddCheckpoint bounds an add-checkpoint request body.
const maxAddCheckpoint = 64 << 10

// Handler serves the embassy's HTTP interface:
//
//	POST /add-checkpoint          c2sp.org/tlog-witness: a log pushes a
//	                              checkpoint; the answer is the embassy's
//	                              cosignature, once the entries are mirrored
//	GET  /<origin hash>/...       the copy, as tlog-tiles (checkpoint with the
//	                              embassy's cosignature, tiles, entry bundles)
func (m *Mirror) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", m.serveAddCheckpoint)
	files := http.FileServer(http.Dir(m.Dir + "/copy"))
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		// Tessera keeps private state in dot directories; never serve them.
		for _, el := range strings.Split(path.Clean(r.URL.Path), "/") {
			if strings.HasPrefix(el, ".") {
				http.NotFound(w, r)
				return
			}
		}
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
	return mux
}

func (m *Mirror) serveAddCheckpoint(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAddCheckpoint+1))
	if err != nil || len(body) > maxAddCheckpoint {
		http.Error(w, "request too large", http.StatusBadRequest)
		return
	}
	old, proof, cp, err := parseAddCheckpoint(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	line, err := m.AddCheckpoint(ctx, old, proof, cp)
	var ref *Refusal
	switch {
	case errors.As(err, &ref) && ref.Status == http.StatusConflict:
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", ref.Size)
	case errors.As(err, &ref):
		http.Error(w, ref.Reason, ref.Status)
	case err != nil:
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, line)
	}
}

// parseAddCheckpoint reads "old <size>\n", at most 63 base64 hash lines,
// an empty line, then the checkpoint.
func parseAddCheckpoint(b []byte) (uint64, [][]byte, []byte, error) {
	head, cp, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok || len(cp) == 0 {
		return 0, nil, nil, errors.New("malformed request")
	}
	lines := strings.Split(string(head), "\n")
	if !strings.HasPrefix(lines[0], "old ") {
		return 0, nil, nil, errors.New("malformed request: no old size")
	}
	s := lines[0][len("old "):]
	old, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(old, 10) != s {
		return 0, nil, nil, errors.New("malformed request: bad old size")
	}
	if len(lines)-1 > 63 {
		return 0, nil, nil, errors.New("malformed request: more than 63 proof lines")
	}
	var proof [][]byte
	for _, l := range lines[1:] {
		h, err := base64.StdEncoding.Strict().DecodeString(l)
		if err != nil || len(h) != 32 || len(l) != 44 {
			return 0, nil, nil, errors.New("malformed request: bad proof line")
		}
		proof = append(proof, h)
	}
	return old, proof, cp, nil
}

// HTTPSource reads a log served over HTTP(S) at prefix (tlog-tiles).
func HTTPSource(prefix string, c *http.Client) (Source, error) {
	u, err := parseURL(prefix)
	if err != nil {
		return nil, err
	}
	return newHTTPFetcher(u, c)
}

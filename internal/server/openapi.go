package server

import (
	_ "embed"
	"net/http"

	"github.com/apostille/apostille/docs"
)

// OpenAPI is the service's OpenAPI 3.1 description, served at
// /openapi.json. Its Report schema refers to schemas/report.v1.json
// (docs/report.schema.json), which the service serves next to it, so that
// a client that resolves references against the document's address finds
// it.
//
//go:embed openapi.json
var OpenAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(OpenAPI)
}

func (s *Server) handleReportSchema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Write(docs.ReportSchema)
}

func (s *Server) handleRecordSchema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Write(docs.RecordSchema)
}

// Package docs holds the project's documentation. The documents a program
// serves are embedded here, so that they are the ones in this directory:
// `apostille serve` answers GET /schemas/report.v1.json with ReportSchema and
// GET /schemas/record.v1.json with RecordSchema.
package docs

import _ "embed"

// ReportSchema is report.schema.json, the JSON Schema of a report.
//
//go:embed report.schema.json
var ReportSchema []byte

// RecordSchema is record.schema.json, the JSON Schema of an output record:
// a report with the input it answers, as `apostille verify --format jsonl`
// writes it and POST /v1/verify/batch streams it.
//
//go:embed record.schema.json
var RecordSchema []byte

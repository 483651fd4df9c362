// Package docs holds the project's documentation. The documents a program
// serves are embedded here, so that they are the ones in this directory:
// `apostille serve` answers GET /schemas/report.v1.json with ReportSchema.
package docs

import _ "embed"

// ReportSchema is report.schema.json, the JSON Schema of a report.
//
//go:embed report.schema.json
var ReportSchema []byte

package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apostille/apostille/internal/demo"
	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
)

// apiDoc is the OpenAPI document a running service serves, with the report
// schema it refers to, ready to validate that service's answers.
type apiDoc struct {
	base string
	doc  map[string]any
	c    *jsonschema.Compiler
	seen map[string]bool // "METHOD path status media" checked against a schema
}

// loadAPI fetches /openapi.json and /schemas/report.v1.json from srv, as a
// client that resolves references against the document's address would.
func loadAPI(t *testing.T, srv *running) *apiDoc {
	t.Helper()
	a := &apiDoc{base: srv.url, c: jsonschema.NewCompiler(), seen: map[string]bool{}}
	a.c.DefaultDraft(jsonschema.Draft2020)
	for _, path := range []string{"/openapi.json", "/schemas/report.v1.json"} {
		code, body := get(t, srv.url+path)
		if code != 200 {
			t.Fatalf("GET %s: %d", path, code)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if err := a.c.AddResource(srv.url+path, v); err != nil {
			t.Fatal(err)
		}
	}
	_, body := get(t, srv.url+"/openapi.json")
	if err := json.Unmarshal(body, &a.doc); err != nil {
		t.Fatal(err)
	}
	return a
}

// at walks the document along keys.
func (a *apiDoc) at(keys ...string) any {
	var v any = a.doc
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func pointer(keys ...string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// schema compiles the schema at a pointer into the document.
func (a *apiDoc) schema(t *testing.T, ptr string) *jsonschema.Schema {
	t.Helper()
	s, err := a.c.Compile(a.base + "/openapi.json#" + ptr)
	if err != nil {
		t.Fatalf("compiling %s: %v", ptr, err)
	}
	return s
}

// check validates one answer against what the document says the operation
// answers with this status and media type: its headers, and its body
// against the schema (NDJSON line by line against BatchRecord).
func (a *apiDoc) check(t *testing.T, method, path string, resp *http.Response, body []byte) {
	t.Helper()
	status := strconv.Itoa(resp.StatusCode)
	keys := []string{"paths", path, strings.ToLower(method), "responses", status}
	r, ok := a.at(keys...).(map[string]any)
	if !ok {
		t.Fatalf("%s %s answered %s, which the document does not list", method, path, status)
	}
	if ref, ok := r["$ref"].(string); ok {
		keys = strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		r = a.at(keys...).(map[string]any)
	}
	headers, _ := r["headers"].(map[string]any)
	for name := range headers {
		if resp.Header.Get(name) == "" {
			t.Errorf("%s %s %s: no %s header", method, path, status, name)
		}
	}
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if _, ok := a.at(append(keys, "content", media)...).(map[string]any); !ok {
		t.Fatalf("%s %s %s: media type %q not in the document", method, path, status, media)
	}
	a.seen[method+" "+path+" "+status+" "+media] = true
	validate := func(ptr string, b []byte) {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s %s %s: not JSON: %v", method, path, status, err)
		}
		if err := a.schema(t, ptr).Validate(v); err != nil {
			t.Errorf("%s %s %s: the answer does not match %s: %v\n%.300s", method, path, status, ptr, err, b)
		}
	}
	switch {
	case media == "application/x-ndjson":
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			validate("/components/schemas/BatchRecord", sc.Bytes())
		}
	case strings.HasSuffix(media, "json"):
		validate(pointer(append(keys, "content", media, "schema")...), body)
	}
}

// do sends a request and checks its answer against the document.
func (a *apiDoc) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	a.check(t, req.Method, req.URL.Path, resp, body)
	return resp, body
}

func newRequest(method, url, ctype string, body []byte) *http.Request {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req
}

// TestOpenAPIDescribesTheRoutes: every route the service answers is in the
// document and every path in the document is answered; every schema it
// holds compiles, the report schema it refers to included.
func TestOpenAPIDescribesTheRoutes(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	a := loadAPI(t, srv)
	if v, _ := a.doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi %q", v)
	}
	var served, documented []string
	for _, r := range routeTable {
		served = append(served, r.method+" "+r.path)
	}
	ids := map[string]bool{}
	for path, item := range a.doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			id, _ := op.(map[string]any)["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, id)
			}
			ids[id] = true
		}
	}
	sort.Strings(served)
	sort.Strings(documented)
	if strings.Join(served, "\n") != strings.Join(documented, "\n") {
		t.Errorf("served:\n%s\ndocumented:\n%s", strings.Join(served, "\n"), strings.Join(documented, "\n"))
	}
	for name := range a.doc["components"].(map[string]any)["schemas"].(map[string]any) {
		a.schema(t, pointer("components", "schemas", name))
	}
	// The Report schema is the report schema, not an empty one: it refuses
	// a report without a verdict.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"report":"v1","warnings":[],"checks":[],"verified_at":""}`))
	if a.schema(t, "/components/schemas/Report").Validate(bad) == nil {
		t.Error("the Report schema accepts a report without a verdict")
	}
}

// TestOpenAPIMatchesAnswers validates real answers of every kind against
// the document: reports for every demo sample and for requests that hold
// no document, batch records, refusals (429, 503), the trust in use (plain,
// signed and refused), and the service's own schema.
func TestOpenAPIMatchesAnswers(t *testing.T) {
	srv := start(t, Config{MaxDocument: 64 << 10}, ServeOptions{})
	a := loadAPI(t, srv)

	for _, s := range world.man.Samples {
		a.do(t, newRequest("POST", srv.url+"/v1/verify", "application/json", sampleRequest(t, s)))
	}
	a.do(t, newRequest("POST", srv.url+"/v1/verify", "application/cose", doc(good)))
	a.do(t, newRequest("POST", srv.url+"/v1/verify", "text/plain", []byte("not a document")))
	a.do(t, newRequest("POST", srv.url+"/v1/verify", "application/json", []byte(`{"document":1}`)))
	a.do(t, newRequest("POST", srv.url+"/v1/verify", "application/octet-stream", bytes.Repeat([]byte("A"), 65<<10)))
	// A report at a time with no trust decision (verified_at in the past,
	// expired): the schema's time fields.
	a.do(t, newRequest("POST", srv.url+"/v1/verify", "application/json", []byte(`{"document":"`+b64(doc(good))+`","at":"2040-01-01T00:00:00Z"}`)))

	var batch bytes.Buffer
	for i, s := range world.man.Samples {
		var m map[string]any
		json.Unmarshal(sampleRequest(t, s), &m)
		m["id"] = i
		if i%2 == 1 {
			m["id"] = s.File
		}
		b, _ := json.Marshal(m)
		batch.Write(append(b, '\n'))
	}
	batch.WriteString("not json\n{\"id\":[1],\"document\":\"x\"}\n")
	_, body := a.do(t, newRequest("POST", srv.url+"/v1/verify/batch", "application/x-ndjson", batch.Bytes()))
	if n := bytes.Count(body, []byte("\n")); n != len(world.man.Samples)+2 {
		t.Errorf("%d records", n)
	}

	a.do(t, newRequest("GET", srv.url+"/v1/trust", "", nil))
	for _, path := range []string{"/livez", "/readyz", "/metrics", "/openapi.json", "/schemas/report.v1.json"} {
		a.do(t, newRequest("GET", srv.url+path, "", nil))
	}

	// Refusals, from a service whose one instance is held and whose queue
	// is empty, then from one that is stopping.
	gate := &gate{c: make(chan struct{})}
	es := &engines{make: func(e *testEngine) { e.gate = gate.c }}
	busy := start(t, Config{NewEngine: es.new, Instances: 1, Queue: -1}, ServeOptions{})
	t.Cleanup(gate.open)
	ba := loadAPI(t, busy)
	go func() {
		if resp, err := http.Post(busy.url+"/v1/verify", "application/cose", bytes.NewReader(doc(good))); err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, "the instance busy", func() bool { return busy.lim.busy() == 1 })
	ba.do(t, newRequest("POST", busy.url+"/v1/verify", "application/cose", doc(good)))
	busy.Drain()
	for _, path := range []string{"/v1/verify", "/v1/verify/batch"} {
		ba.do(t, newRequest("POST", busy.url+path, "application/cose", doc(good)))
	}
	ba.do(t, newRequest("GET", busy.url+"/readyz", "", nil))
	gate.open()

	// The trust view of a signed bundle, and of one refused.
	signed := trustSet(t, "trust.json", world.trust)
	signed.Parsed.Info = verifier.TrustInfo{Signed: true, Operator: demo.OperatorName, OperatorKey: "op-1", Sequence: 3,
		IssuedAt: demo.Issued.Format(time.RFC3339), NextUpdate: demo.Until.Format(time.RFC3339)}
	var err error
	if signed.Sources[0].Data, err = os.ReadFile(filepath.Join(world.dir, "trust.jws")); err != nil {
		t.Fatal(err)
	}
	signed.Refused = &verifier.BundleError{Reason: verifier.TrustRollback, Detail: "older than the accepted 4"}
	st := start(t, Config{LoadTrust: func(context.Context) (*engine.Trust, error) { return signed, nil }}, ServeOptions{})
	sa := loadAPI(t, st)
	sa.do(t, newRequest("GET", st.url+"/v1/trust", "", nil))

	for _, want := range []string{
		"POST /v1/verify 200 application/json", "POST /v1/verify 400 application/json", "POST /v1/verify 413 application/json",
		"POST /v1/verify/batch 200 application/x-ndjson", "GET /v1/trust 200 application/json",
	} {
		if !a.seen[want] && !sa.seen[want] {
			t.Errorf("not exercised: %s", want)
		}
	}
	for _, want := range []string{"POST /v1/verify 429 application/problem+json", "POST /v1/verify 503 application/problem+json", "POST /v1/verify/batch 503 application/problem+json"} {
		if !ba.seen[want] {
			t.Errorf("not exercised: %s", want)
		}
	}
}

// TestDeployDocPaths: the probe and scrape paths in docs/deploy.md's
// Kubernetes manifest are routes the service answers with GET.
func TestDeployDocPaths(t *testing.T) {
	b, err := os.ReadFile("../../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	get := map[string]bool{}
	for _, r := range routeTable {
		if r.method == "GET" {
			get[r.path] = true
		}
	}
	paths := regexp.MustCompile(`path: (/[a-z0-9/._-]+)`).FindAllStringSubmatch(string(b), -1)
	if len(paths) < 4 {
		t.Fatalf("%d paths found", len(paths))
	}
	for _, m := range paths {
		if !get[m[1]] {
			t.Errorf("docs/deploy.md probes %s, which the service does not answer", m[1])
		}
	}
}

package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
	// The record schema refers to the report schema by its $id; the
	// schemas' $id namespace is what the service serves under /schemas/.
	a.c.UseLoader(schemaLoader(srv.url))
	for _, path := range []string{"/openapi.json", "/schemas/report.v1.json", "/schemas/record.v1.json"} {
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

// schemaLoader loads the schemas' $ids (https://apostille.example/schemas/…)
// from a running service's /schemas/.
type schemaLoader string

func (base schemaLoader) Load(url string) (any, error) {
	rest, ok := strings.CutPrefix(url, "https://apostille.example/schemas/")
	if !ok {
		return nil, fmt.Errorf("no schema at %s", url)
	}
	resp, err := http.Get(string(base) + "/schemas/" + rest)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return jsonschema.UnmarshalJSON(resp.Body)
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
	a.seen[method+" "+path+" "+status] = true
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
// signed and refused), and the service's own schemas. Every status the
// document lists for an operation is produced by a real server.
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
	// An empty body holds no document: 400, as the document says.
	if resp, body := a.do(t, newRequest("POST", srv.url+"/v1/verify", "application/octet-stream", nil)); resp.StatusCode != 400 || decide(t, body).Reason != verifier.Malformed {
		t.Errorf("empty body: %d %s", resp.StatusCode, body)
	}
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
	if n := bytes.Count(body, []byte("\n")); n != len(world.man.Samples)+3 { // and the trailer
		t.Errorf("%d records", n)
	}

	a.do(t, newRequest("GET", srv.url+"/v1/trust", "", nil))
	for _, path := range []string{"/livez", "/readyz", "/startupz", "/metrics", "/openapi.json", "/schemas/report.v1.json", "/schemas/record.v1.json"} {
		a.do(t, newRequest("GET", srv.url+path, "", nil))
	}

	// Refusals, from a service whose one instance is held, whose queue is
	// empty and which takes one batch at a time.
	gate := &gate{c: make(chan struct{})}
	es := &engines{make: func(e *testEngine) { e.gate = gate.c }}
	busy := start(t, Config{NewEngine: es.new, Instances: 1, Queue: -1, MaxBatches: 1}, ServeOptions{})
	t.Cleanup(gate.open)
	ba := loadAPI(t, busy)
	go func() {
		if resp, err := http.Post(busy.url+"/v1/verify", "application/cose", bytes.NewReader(doc(good))); err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, "the instance busy", func() bool { return busy.lim.busy() == 1 })
	ba.do(t, newRequest("POST", busy.url+"/v1/verify", "application/cose", doc(good)))
	// A batch that sends nothing yet holds the one batch slot.
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	go func() {
		if resp, err := http.Post(busy.url+"/v1/verify/batch", "application/x-ndjson", pr); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	waitFor(t, "the batch slot taken", func() bool { return len(busy.batches) == 1 })
	ba.do(t, newRequest("POST", busy.url+"/v1/verify/batch", "application/x-ndjson", []byte("{\"document\":\"x\"}\n")))
	pw.Close()
	gate.open()

	// Before its first trust is loaded a service refuses with 503.
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	ts := trustSet(t, "trust.json", world.trust)
	early := start(t, Config{LoadTrust: func(ctx context.Context) (*engine.Trust, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return ts, nil
	}}, ServeOptions{Ready: func() {}})
	ea := loadAPI(t, early)
	for _, path := range []string{"/v1/verify", "/v1/verify/batch"} {
		ea.do(t, newRequest("POST", early.url+path, "application/cose", doc(good)))
	}
	for _, path := range []string{"/v1/trust", "/readyz", "/startupz"} {
		ea.do(t, newRequest("GET", early.url+path, "", nil))
	}

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
	// A body that does not come: 408.
	slow := start(t, Config{BodyGrace: 50 * time.Millisecond}, ServeOptions{})
	stalled, hold := io.Pipe()
	t.Cleanup(func() { hold.Close() })
	req, _ := http.NewRequest("POST", slow.url+"/v1/verify", stalled)
	req.Header.Set("Content-Type", "application/cose")
	sa.do(t, req)

	// Every status the document lists for an operation was produced.
	for path, item := range a.doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			for status := range op.(map[string]any)["responses"].(map[string]any) {
				key := strings.ToUpper(method) + " " + path + " " + status
				if !a.seen[key] && !ba.seen[key] && !ea.seen[key] && !sa.seen[key] {
					t.Errorf("documented but never produced: %s", key)
				}
			}
		}
	}
	for _, want := range []string{"POST /v1/verify 400 application/json", "POST /v1/verify/batch 200 application/x-ndjson", "POST /v1/verify 429 application/problem+json", "POST /v1/verify/batch 429 application/problem+json"} {
		if !a.seen[want] && !ba.seen[want] {
			t.Errorf("not exercised: %s", want)
		}
	}
}

// TestMethodNotAllowed: a method a path does not take is answered 405 with
// the methods it takes, also when the service's routes share a mux with a
// handler for everything else (the citizen's page at "/"), which must not
// answer GET /v1/verify with its 404.
func TestMethodNotAllowed(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	mux := http.NewServeMux()
	srv.Register(mux)
	mux.Handle("/", http.NotFoundHandler())
	page := httptest.NewServer(mux)
	t.Cleanup(page.Close)
	a := loadAPI(t, srv)
	for _, base := range []string{srv.url, page.URL} {
		for path, item := range a.doc["paths"].(map[string]any) {
			var allowed []string
			for method := range item.(map[string]any) {
				allowed = append(allowed, strings.ToUpper(method))
				if method == "get" {
					allowed = append(allowed, "HEAD")
				}
			}
			sort.Strings(allowed)
			for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
				if slices.Contains(allowed, method) {
					continue
				}
				resp, err := http.DefaultClient.Do(newRequest(method, base+path, "", nil))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != strings.Join(allowed, ", ") {
					t.Errorf("%s %s%s: %d, Allow %q; want 405, %q", method, base, path, resp.StatusCode, resp.Header.Get("Allow"), strings.Join(allowed, ", "))
				}
			}
		}
	}
	// HEAD is GET without the body.
	resp, err := http.Head(srv.url + "/livez")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("HEAD /livez: %v %v", resp, err)
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

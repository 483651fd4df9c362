package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/apostille/apostille/verifier"
)

// documentStrings are pieces of every demo document and of what its report
// says about the person: none may appear in a log line or a metric.
func documentStrings(t *testing.T, srv *running, seen func(rep []byte)) []string {
	t.Helper()
	var out []string
	for _, d := range world.docs {
		// Pieces of the raw document: its start, middle and end.
		n := len(d)
		out = append(out, string(d[:min(24, n)]), string(d[n/2:min(n/2+24, n)]), string(d[max(0, n-24):]))
		_, _, rep := post(t, srv.url+"/v1/verify", "text/plain", d)
		if seen != nil {
			seen(rep)
		}
		var r struct {
			Document *struct {
				Subject map[string]string `json:"subject"`
				Claims  map[string]any    `json:"claims"`
			} `json:"document"`
		}
		json.Unmarshal(rep, &r)
		if r.Document == nil {
			continue
		}
		for _, v := range r.Document.Subject {
			out = append(out, v)
		}
		for k, v := range r.Document.Claims {
			if s, ok := v.(string); ok && len(s) >= 6 && k != "iss" && k != "vct" {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestMetrics: verifications are counted by verdict, reason and format;
// the pool's size, use and queue are exposed; every label value is from a
// fixed set and nothing of a document is in the exposition.
func TestMetrics(t *testing.T) {
	srv := start(t, Config{Instances: 3}, ServeOptions{})
	// What the reports said is what the counters must say.
	want := map[string]float64{}
	count := func(rep []byte) {
		d := decide(t, rep)
		format := "none"
		if d.Document != nil {
			format = d.Document.Format
		}
		want[fmt.Sprintf("%s/%s/%s", d.Verdict, d.Reason, format)]++
	}
	for _, s := range world.man.Samples {
		for i := 0; i < 2; i++ {
			_, _, rep := post(t, srv.url+"/v1/verify", "application/json", sampleRequest(t, s))
			count(rep)
		}
	}
	_, _, rep := post(t, srv.url+"/v1/verify", "application/json", []byte("{"))
	count(rep)
	if want["invalid/malformed/none"] != 1 || len(want) < 10 {
		t.Fatalf("the requests did not decide as the demo lists: %v", want)
	}
	secrets := documentStrings(t, srv, count)

	code, body := get(t, srv.url+"/metrics")
	if code != 200 {
		t.Fatalf("%d", code)
	}
	for _, s := range secrets {
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("document data in /metrics: %q", s)
		}
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range fams["apostille_verifications_total"].GetMetric() {
		l := labels(m)
		got[l["verdict"]+"/"+l["reason"]+"/"+l["format"]] += m.GetCounter().GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("verifications %s: %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("label sets %v, want %v", got, want)
	}
	gauge := func(name string) float64 { return fams[name].GetMetric()[0].GetGauge().GetValue() }
	if gauge("apostille_pool_instances") != 3 || gauge("apostille_pool_busy") != 0 || gauge("apostille_queue_waiting") != 0 {
		t.Errorf("pool gauges: %v %v %v", gauge("apostille_pool_instances"), gauge("apostille_pool_busy"), gauge("apostille_queue_waiting"))
	}
	h := fams["apostille_verification_duration_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() == 0 || len(h.GetBucket()) != len(latencyBuckets)+1 { // and +Inf
		t.Errorf("latency histogram: %d samples, %d buckets", h.GetSampleCount(), len(h.GetBucket()))
	}
	// Every label value of the service's own metrics is from a fixed set.
	routes := map[string]bool{"verify": true, "batch": true, "trust": true, "livez": true, "readyz": true, "metrics": true, "openapi": true, "schema": true, "startupz": true}
	for name, f := range fams {
		if !strings.HasPrefix(name, "apostille_") {
			continue
		}
		for _, m := range f.GetMetric() {
			for k, v := range labels(m) {
				ok := false
				switch k {
				case "verdict":
					ok = knownVerdicts[v] || v == "other"
				case "reason":
					ok = v == "" || knownReasons[v] || v == "other"
				case "format":
					ok = knownFormats[v] || v == "none" || v == "other"
				case "route":
					ok = routes[v]
				case "code":
					ok = len(v) == 3 && model.LabelValue(v).IsValid()
				case "why":
					ok = strings.Contains(f.GetHelp(), v)
				case "result":
					ok = v == "ok" || v == "unchanged" || v == "error"
				}
				if !ok {
					t.Errorf("%s: label %s=%q is not from a fixed set", name, k, v)
				}
			}
		}
	}
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// TestLogs: one JSON line per request with its id (the client's when it is
// a plain token), route, status, duration and verdict; nothing of a
// document.
func TestLogs(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	secrets := documentStrings(t, srv, nil)
	send := func(id string) string {
		req, _ := http.NewRequest("POST", srv.url+"/v1/verify", bytes.NewReader(doc("ee-birth-certificate-tampered.jwt")))
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("X-Request-Id")
	}
	if got := send("client-id.42"); got != "client-id.42" {
		t.Errorf("echoed id %q", got)
	}
	bad := send("Mari Maasikas {}")
	if bad == "Mari Maasikas {}" || !plainToken(bad) {
		t.Errorf("an id that is not a plain token was kept: %q", bad)
	}
	var batch strings.Builder
	for _, name := range []string{good, "unknown-issuer.jwt"} {
		l, _ := json.Marshal(map[string]any{"document": b64(doc(name))})
		batch.Write(append(l, '\n'))
	}
	batch.WriteString("not json\n")
	post(t, srv.url+"/v1/verify/batch", "application/x-ndjson", []byte(batch.String()))

	// A request's line is written once its answer is: wait for them.
	want := len(world.docs) + 3
	waitFor(t, "the log lines", func() bool { return strings.Count(srv.logs.String(), `"msg":"request"`) >= want })
	text := srv.logs.String()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("document data in the log: %q", s)
		}
	}
	var sawClient, sawBatch bool
	n := 0
	for _, l := range srv.logs.lines(t) {
		if l["msg"] != "request" {
			continue
		}
		n++
		for _, k := range []string{"request_id", "route", "status", "duration_ms"} {
			if _, ok := l[k]; !ok {
				t.Errorf("request line without %s: %v", k, l)
			}
		}
		switch l["route"] {
		case "verify":
			if l["verdict"] == nil || l["format"] == nil {
				t.Errorf("verify line without verdict: %v", l)
			}
			if l["request_id"] == "client-id.42" {
				sawClient = l["verdict"] == "invalid" && l["reason"] == "signature_invalid"
			}
		case "batch":
			sawBatch = l["records"] == float64(3) && l["valid"] == float64(1) && l["invalid"] == float64(1) && l["indeterminate"] == float64(1)
		}
	}
	if !sawClient || !sawBatch || n != want {
		t.Errorf("client id line %v, batch line %v, %d request lines", sawClient, sawBatch, n)
	}
}

// TestSummarize: reading a report's verdict, reason and format without
// decoding it gives what decoding gives, for every demo report and for
// reports whose details and claims imitate those members.
func TestSummarize(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	var reps [][]byte
	for _, s := range world.man.Samples {
		_, _, rep := post(t, srv.url+"/v1/verify", "application/json", sampleRequest(t, s))
		reps = append(reps, rep)
	}
	for _, d := range []string{"{", "garbage", `{"document":"x"}`} {
		_, _, rep := post(t, srv.url+"/v1/verify", "application/json", []byte(d))
		reps = append(reps, rep)
	}
	r := &verifier.Report{Report: "v1", Verdict: verifier.Invalid, Reason: verifier.Expired,
		Warnings: []verifier.Warning{{Reason: verifier.TrustStale, Detail: `"verdict":"valid","document":{"format":"x"}`}},
		Checks:   []verifier.Check{{Check: "decode", Status: verifier.Failed, Reason: verifier.Malformed, Detail: `"reason":"revoked"`}},
		Document: &verifier.Document{Format: "cwt", Claims: map[string]any{"document": map[string]any{"format": "evil"}, "verdict": "valid"}}}
	b, _ := json.Marshal(r)
	reps = append(reps, b)
	r.Document = nil
	b, _ = json.Marshal(r)
	reps = append(reps, b)
	for _, rep := range reps {
		var r verifier.Report
		if json.Unmarshal(rep, &r) != nil {
			t.Fatalf("not a report: %.200s", rep)
		}
		want := summary{verdict: string(r.Verdict), reason: string(r.Reason), format: "none"}
		if r.Document != nil {
			want.format = r.Document.Format
		}
		if got := summarize(rep); got != want {
			t.Errorf("summarized %+v, decoded %+v: %.300s", got, want, rep)
		}
	}
	if s := summarize([]byte(`{"verdict":"maybe","reason":"Mari","warnings":[]}`)); s.verdict != "other" || s.reason != "other" {
		t.Errorf("unknown values kept: %+v", s)
	}
}

package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestBatchTrailer: a batch stream ends with a trailer that counts the
// lines read (blank ones too) and the records written, and says it is
// complete.
func TestBatchTrailer(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	line, _ := json.Marshal(map[string]any{"document": b64(doc(good))})
	body := string(line) + "\n\n" + string(line) + "\n   \n" + string(line)
	code, _, out := post(t, srv.url+"/v1/verify/batch", "application/x-ndjson", []byte(body))
	if code != 200 {
		t.Fatal(code)
	}
	recs, tr, err := readStream(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || tr == nil || *tr != (trailer{Type: "trailer", Lines: 5, Records: 3, End: "complete"}) {
		t.Fatalf("%d records, trailer %+v", len(recs), tr)
	}
}

// TestBatchCutByShutdown: a batch stream still being sent when the service
// stops is answered up to the lines read, then ends with a trailer that
// says shutdown cut it (a client can tell it from a finished stream, and
// knows where to resume); the stop log counts it.
func TestBatchCutByShutdown(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{ShutdownTimeout: 5 * time.Second})
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("POST", srv.url+"/v1/verify/batch", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	type result struct {
		resp *http.Response
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		got <- result{resp, err}
	}()
	line, _ := json.Marshal(map[string]any{"document": b64(doc(good))})
	for i := 0; i < 5; i++ {
		pw.Write(append(line, '\n'))
	}
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.resp.Body.Close()
	br := bufio.NewReader(r.resp.Body)
	for i := 0; i < 5; i++ {
		if _, err := br.ReadBytes('\n'); err != nil {
			t.Fatal(err)
		}
	}
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	recs, tr, err := readStream(br)
	if err != nil {
		t.Fatalf("the stream broke: %v", err)
	}
	if len(recs) != 0 || tr == nil || tr.End != "shutdown" || tr.Lines != 5 || tr.Records != 5 {
		t.Fatalf("after 5 records: %d more, trailer %+v", len(recs), tr)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	var last map[string]any
	for _, l := range srv.logs.lines(t) {
		if l["msg"] == "stopped" {
			last = l
		}
	}
	if last == nil || last["batches_cut"] != float64(1) || last["unfinished"] != float64(0) {
		t.Errorf("stop log: %v", last)
	}
}

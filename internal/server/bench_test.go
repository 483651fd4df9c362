package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
	"github.com/apostille/apostille/wasm/host"
)

// benchDocs are the demo documents sent raw (those without a detached
// proof or payload, which a raw body cannot carry).
func benchDocs() [][]byte {
	var out [][]byte
	for _, s := range world.man.Samples {
		if s.Proof == "" && s.Payload == "" {
			out = append(out, doc(filepath.Base(s.File)))
		}
	}
	return out
}

// BenchmarkVerify compares, on the same documents and on every core, the
// engine alone (the baseline: what `apostille verify` does per document)
// with a request through the service over loopback HTTP, client included:
// the difference is what HTTP, limits, metrics and the log line cost per
// document. It does so for the native engine and for the WebAssembly module
// (host crypto on, as `apostille serve` runs it). internal/cmd/servebench
// measures the service as a process.
func BenchmarkVerify(b *testing.B) {
	docs := benchDocs()
	ts := trustSet(b, "trust.json", world.trust)
	at := time.Now()
	engines := []struct {
		name string
		new  func(context.Context, *engine.Trust) (engine.Engine, error)
	}{
		{"native", func(_ context.Context, t *engine.Trust) (engine.Engine, error) {
			return engine.Native{Trust: t.Parsed}, nil
		}},
		{"module", moduleEngines(b, host.Config{})},
	}
	for _, eng := range engines {
		b.Run(eng.name+"/engine", func(b *testing.B) {
			e, err := eng.new(context.Background(), ts)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close(context.Background())
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					e.Verify(context.Background(), docs[int(next.Add(1))%len(docs)], verifier.Options{Time: at})
				}
			})
		})
		b.Run(eng.name+"/service", func(b *testing.B) {
			srv := start(b, Config{NewEngine: eng.new}, ServeOptions{})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					d := docs[int(next.Add(1))%len(docs)]
					resp, err := client.Post(srv.url+"/v1/verify", "application/octet-stream", bytes.NewReader(d))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
					}
				}
			})
		})
	}
}

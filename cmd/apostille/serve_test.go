package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testSite writes a minimal built site.
func testSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":           "<!doctype html><title>t</title>",
		"sw.js":                "self.x=1",
		"assets/app.abc.js":    "console.log(1)",
		"trust/default.json":   `{"trust_bundle":"v1"}`,
		"assets/engine.wasm":   "\x00asm\x01\x00\x00\x00",
		"demo/documents/a.jwt": "eyJ",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(files["assets/engine.wasm"]))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "assets/engine.wasm.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawClient shows responses as sent: no transparent decompression.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

func get(t *testing.T, url, accept string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", accept)
	res, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestServeSite(t *testing.T) {
	h, err := newServer(serveConfig{site: testSite(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	cases := []struct {
		path, accept, status, ctype, enc, cache string
	}{
		{"/", "", "200", "text/html; charset=utf-8", "", "no-cache"},
		{"/sw.js", "", "200", "text/javascript; charset=utf-8", "", "no-cache"},
		{"/assets/app.abc.js", "", "200", "text/javascript; charset=utf-8", "", "immutable"},
		{"/assets/engine.wasm", "", "200", "application/wasm", "", "immutable"},
		{"/assets/engine.wasm", "gzip, deflate", "200", "application/wasm", "gzip", "immutable"},
		{"/assets/engine.wasm", "gzip;q=0", "200", "application/wasm", "", "immutable"},
		{"/assets/engine.wasm.gz", "", "404", "", "", ""},
		{"/demo/documents/a.jwt", "", "200", "application/octet-stream", "", "no-cache"},
		{"/nothing", "", "404", "", "", ""},
		{"/../../etc/passwd", "", "404", "", "", ""},
	}
	for _, c := range cases {
		res := get(t, srv.URL+c.path, c.accept)
		if got := res.Status[:3]; got != c.status {
			t.Errorf("%s: status %s, want %s", c.path, got, c.status)
			continue
		}
		if c.status != "200" {
			continue
		}
		if got := res.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if got := res.Header.Get("Content-Encoding"); got != c.enc {
			t.Errorf("%s (Accept-Encoding %q): Content-Encoding %q, want %q", c.path, c.accept, got, c.enc)
		}
		body, _ := io.ReadAll(res.Body)
		if res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("%s: Content-Length %q for %d bytes", c.path, res.Header.Get("Content-Length"), len(body))
		}
		if c.enc == "gzip" {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err != nil {
				t.Errorf("%s: not gzip: %v", c.path, err)
			} else if plain, _ := io.ReadAll(zr); string(plain) != "\x00asm\x01\x00\x00\x00" {
				t.Errorf("%s: gzip body decodes to %q", c.path, plain)
			}
		}
		if got := res.Header.Get("Cache-Control"); !strings.Contains(got, c.cache) {
			t.Errorf("%s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval';") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", c.path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", c.path)
		}
	}
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("x"))
	if r2, err := http.DefaultClient.Do(req); err != nil || r2.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %v %v", err, r2)
	}
}

func TestServeNotModified(t *testing.T) {
	h, _ := newServer(serveConfig{site: testSite(t)})
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, accept := range []string{"", "gzip"} {
		res := get(t, srv.URL+"/assets/engine.wasm", accept)
		tag := res.Header.Get("ETag")
		req, _ := http.NewRequest("GET", srv.URL+"/assets/engine.wasm", nil)
		req.Header.Set("Accept-Encoding", accept)
		req.Header.Set("If-None-Match", tag)
		again, err := rawClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		again.Body.Close()
		if tag == "" || again.StatusCode != http.StatusNotModified {
			t.Errorf("Accept-Encoding %q: ETag %q, revalidation status %d", accept, tag, again.StatusCode)
		}
	}
}

func TestServeTrustOverride(t *testing.T) {
	dir := testSite(t)
	bundle := filepath.Join(t.TempDir(), "other.json")
	os.WriteFile(bundle, []byte(`{"trust_bundle":"v1","operator":"other"}`), 0o644)
	h, err := newServer(serveConfig{site: dir, trust: []string{bundle}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	body, _ := io.ReadAll(get(t, srv.URL+"/trust/default.json", "").Body)
	if !bytes.Contains(body, []byte(`"other"`)) {
		t.Errorf("trust/default.json = %s, want the --trust file", body)
	}
}

func TestServeNoSite(t *testing.T) {
	if _, err := newServer(serveConfig{site: t.TempDir()}); err == nil {
		t.Error("a directory without index.html was accepted as a site")
	}
	var out, errb bytes.Buffer
	if code := run([]string{"serve", "--site", t.TempDir()}, &out, &errb); code != exitUsage {
		t.Errorf("serve without a site: exit %d, want %d", code, exitUsage)
	}
}

func TestAcceptsEncoding(t *testing.T) {
	for h, want := range map[string]bool{"br": true, "gzip, br": true, "br;q=0": false, "BR;q=0.5": true, "gzip": false, "": false} {
		if got := acceptsEncoding(h, "br"); got != want {
			t.Errorf("acceptsEncoding(%q, br) = %v", h, got)
		}
	}
}

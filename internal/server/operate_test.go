package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/verifier"
)

// TestDrainServes: while the service drains, /readyz fails and every other
// request is served as before, so that a rolling update drops nothing
// while the load balancer's endpoints update; /startupz stays passed.
func TestDrainServes(t *testing.T) {
	srv := start(t, Config{}, ServeOptions{})
	srv.Drain()
	if code, _ := get(t, srv.url+"/readyz"); code != 503 {
		t.Errorf("readyz while draining: %d", code)
	}
	if code, _ := get(t, srv.url+"/startupz"); code != 200 {
		t.Errorf("startupz while draining: %d", code)
	}
	code, _, rep := post(t, srv.url+"/v1/verify", "text/plain", doc(good))
	if code != 200 || decide(t, rep).Verdict != verifier.Valid {
		t.Errorf("verify while draining: %d %s", code, rep)
	}
	code, _, body := post(t, srv.url+"/v1/verify/batch", "application/x-ndjson", []byte(`{"document":"`+b64(doc(good))+`"}`+"\n"))
	if recs := readRecords(t, bytes.NewReader(body)); code != 200 || len(recs) != 1 || decide(t, recs[0].Report).Verdict != verifier.Valid {
		t.Errorf("batch while draining: %d %s", code, body)
	}
	if code, _ := get(t, srv.url+"/v1/trust"); code != 200 {
		t.Errorf("trust while draining: %d", code)
	}
}

// TestStartupRefusedTrust: a refused bundle is started (a restart would
// refuse it again) but not ready.
func TestStartupRefusedTrust(t *testing.T) {
	ts := trustSet(t, "trust.json", world.trust)
	ts.Refused = &verifier.BundleError{Reason: verifier.TrustInvalid, Detail: "not signed by a pinned key"}
	srv := start(t, Config{LoadTrust: func(context.Context) (*engine.Trust, error) { return ts, nil }}, ServeOptions{})
	if code, _ := get(t, srv.url+"/startupz"); code != 200 {
		t.Errorf("startupz: %d", code)
	}
	if code, _ := get(t, srv.url+"/readyz"); code != 503 {
		t.Errorf("readyz: %d", code)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1, named by serial.
func selfSigned(t *testing.T, dir string, serial int64) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "apostille test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Duration(serial) * 24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writeAtomic(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeAtomic(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	return certFile, keyFile
}

func writeAtomic(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

// servedSerial connects over TLS and returns the serial of the
// certificate the service presents.
func servedSerial(t *testing.T, addr string) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// TestTLSReload: with a certificate the service answers HTTPS only; a
// reload swaps a renewed certificate in without a restart; a pair that
// cannot be loaded keeps the one in use, and counts as an error.
func TestTLSReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := selfSigned(t, dir, 1)
	reload := make(chan struct{})
	srv := start(t, Config{}, ServeOptions{TLSCert: certFile, TLSKey: keyFile, Reload: reload})
	addr := strings.TrimPrefix(srv.url, "http://")
	if got := servedSerial(t, addr); got != 1 {
		t.Fatalf("serial %d", got)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}}
	resp, err := client.Post("https://"+addr+"/v1/verify", "text/plain", bytes.NewReader(doc(good)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Errorf("HTTPS verify: %d over HTTP/%d", resp.StatusCode, resp.ProtoMajor)
	}
	if resp, err := http.Get(srv.url + "/livez"); err == nil && resp.StatusCode == 200 {
		t.Error("plain HTTP answered on a TLS listener")
	}

	selfSigned(t, dir, 2)
	reload <- struct{}{}
	waitFor(t, "the renewed certificate served", func() bool { return servedSerial(t, addr) == 2 })
	writeAtomic(t, certFile, []byte("not a certificate"))
	reload <- struct{}{}
	waitFor(t, "the failed reload counted", func() bool {
		return testutil.ToFloat64(srv.met.tlsReloads.WithLabelValues("error")) == 1
	})
	if got := servedSerial(t, addr); got != 2 {
		t.Errorf("after a bad reload: serial %d, want 2 kept", got)
	}
	if ok := testutil.ToFloat64(srv.met.tlsReloads.WithLabelValues("ok")); ok != 2 {
		t.Errorf("ok reloads %v, want 2", ok)
	}
}

// TestAlertSeriesExistAtStart: every series docs/deploy.md tells operators
// to watch exists in a fresh service's /metrics, before anything has
// happened: an alert on a counter that has never counted sees nothing.
func TestAlertSeriesExistAtStart(t *testing.T) {
	b, err := os.ReadFile("../../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	mentions := regexp.MustCompile(`(apostille_[a-z_]+)(\{([a-z_]+)="([a-z_]+)"\})?`).FindAllStringSubmatch(string(b), -1)
	if len(mentions) < 5 {
		t.Fatalf("%d series named in docs/deploy.md", len(mentions))
	}
	certFile, keyFile := selfSigned(t, t.TempDir(), 30)
	srv := start(t, Config{}, ServeOptions{TLSCert: certFile, TLSKey: keyFile})
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(scrape(t, srv.met)))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mentions {
		name, label, value := m[1], m[3], m[4]
		f, ok := fams[name]
		if !ok {
			t.Errorf("docs/deploy.md names %s, which a fresh service does not expose", name)
			continue
		}
		found := label == ""
		for _, s := range f.GetMetric() {
			if labels(s)[label] == value {
				found = true
			}
		}
		if !found {
			t.Errorf("docs/deploy.md names %s{%s=%q}, which a fresh service does not expose", name, label, value)
		}
	}
}

// scrape returns what /metrics would: the registry in the text format.
func scrape(t *testing.T, m *metrics) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.Bytes()
}

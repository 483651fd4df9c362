package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"os"
	"sync/atomic"
	"time"
)

// certificate is the TLS certificate the service presents, read from its
// PEM files and reloaded with the trust (SIGHUP, ServeOptions.ReloadEvery):
// a cert-manager Secret or a renewed file is picked up without a restart,
// and a pair that cannot be loaded keeps the one in use.
type certificate struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
	sum               [sha256.Size]byte // of the files last loaded
}

// load reads the pair, and swaps it in when the files changed (or force).
// It returns whether it swapped.
func (c *certificate) load(force bool) (bool, error) {
	certPEM, err := os.ReadFile(c.certFile)
	if err != nil {
		return false, err
	}
	keyPEM, err := os.ReadFile(c.keyFile)
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256(bytes.Join([][]byte{certPEM, keyPEM}, []byte{0}))
	if !force && sum == c.sum && c.cur.Load() != nil {
		return false, nil
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return false, err
	}
	if pair.Leaf == nil {
		if pair.Leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return false, err
		}
	}
	c.cur.Store(&pair)
	c.sum = sum
	return true, nil
}

func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) { return c.cur.Load(), nil }

func (c *certificate) config() *tls.Config {
	return &tls.Config{GetCertificate: c.get, MinVersion: tls.VersionTLS12}
}

// reloadTLS reloads the certificate, logs and counts the result: a pair
// that cannot be loaded keeps the one in use.
func (s *Server) reloadTLS(c *certificate, force bool) {
	swapped, err := c.load(force)
	switch {
	case err != nil:
		s.met.tlsReloads.WithLabelValues("error").Inc()
		s.log.Error("TLS certificate reload failed; the current certificate stays in use", "error", err.Error())
	case swapped:
		s.certLoaded(c)
	default:
		s.met.tlsReloads.WithLabelValues("unchanged").Inc()
	}
}

// certLoaded logs and counts a certificate swapped in, and exposes its
// expiry (apostille_tls_certificate_expiry_timestamp_seconds, registered
// only when the service serves TLS, so that no alert sees a zero).
func (s *Server) certLoaded(c *certificate) {
	leaf := c.cur.Load().Leaf
	s.met.tlsReloads.WithLabelValues("ok").Inc()
	s.met.reg.Register(s.met.tlsExpiry) // once; later calls find it registered
	s.met.tlsExpiry.Set(float64(leaf.NotAfter.Unix()))
	s.log.Info("TLS certificate loaded", "not_after", leaf.NotAfter.UTC().Format(time.RFC3339))
}

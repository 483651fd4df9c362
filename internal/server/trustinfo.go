package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/apostille/apostille/verifier"
)

// trustView is GET /v1/trust: which trust the service verifies with now.
// It describes public keys and who holds them; it holds no secret.
type trustView struct {
	LoadedAt    string             `json:"loaded_at"`
	Fingerprint string             `json:"fingerprint"`
	Sources     []sourceView       `json:"sources"`
	Refused     *refusalView       `json:"refused,omitempty"`
	Bundle      verifier.TrustInfo `json:"bundle"`
	Issuers     []issuerView       `json:"issuers"`
	Embassies   []embassyView      `json:"embassies"`
	StatusLists int                `json:"status_lists"`
}

type sourceView struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Signed bool   `json:"signed"`
}

type refusalView struct {
	Reason verifier.Reason `json:"reason"`
	Detail string          `json:"detail"`
}

type issuerView struct {
	ID            string                      `json:"id,omitempty"`
	Name          string                      `json:"name"`
	Country       string                      `json:"country,omitempty"`
	DocumentTypes []string                    `json:"document_types,omitempty"`
	Keys          []keyView                   `json:"keys"`
	Anchors       []string                    `json:"anchors,omitempty"`
	Attestation   *verifier.BundleAttestation `json:"attestation,omitempty"`
}

type keyView struct {
	Kid       string   `json:"kid"`
	Algs      []string `json:"algs"`
	NotBefore string   `json:"not_before,omitempty"`
	NotAfter  string   `json:"not_after,omitempty"`
	// Certificate is the subject of the key's certificate, if it has one.
	Certificate string `json:"certificate,omitempty"`
}

type embassyView struct {
	Name    string `json:"name"`
	Country string `json:"country,omitempty"`
	Key     string `json:"key"`
}

func (s *Server) handleTrust(w http.ResponseWriter, r *http.Request) {
	g := s.acquire()
	if g == nil {
		_, why := s.ready()
		s.refuse(w, http.StatusServiceUnavailable, "not_ready", why)
		return
	}
	defer g.release()
	b, err := json.Marshal(viewTrust(g))
	if err != nil {
		http.Error(w, "the trust could not be described", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func viewTrust(g *generation) trustView {
	t := g.trust
	v := trustView{
		LoadedAt:    g.loadedAt.UTC().Format(time.RFC3339),
		Fingerprint: t.Fingerprint,
		Sources:     []sourceView{},
		Issuers:     []issuerView{},
		Embassies:   []embassyView{},
		StatusLists: len(t.StatusLists),
	}
	for _, src := range t.Sources {
		sum := sha256.Sum256(src.Data)
		v.Sources = append(v.Sources, sourceView{Name: src.Name, SHA256: hex.EncodeToString(sum[:]), Signed: verifier.IsSignedBundle(src.Data)})
	}
	if t.Refused != nil {
		v.Refused = &refusalView{Reason: verifier.TrustInvalid, Detail: t.Refused.Error()}
		var be *verifier.BundleError
		if errors.As(t.Refused, &be) {
			v.Refused.Reason, v.Refused.Detail = be.Reason, be.Detail
		}
	}
	tr := t.Parsed
	if tr == nil {
		return v
	}
	v.Bundle = tr.Info
	v.StatusLists += len(tr.StatusLists)
	for _, is := range tr.Issuers {
		iv := issuerView{ID: is.ID, Name: is.Name, Country: is.Country, DocumentTypes: is.DocumentTypes, Keys: []keyView{}, Attestation: is.Attestation}
		for _, k := range is.Keys {
			kv := keyView{Kid: k.ID, Algs: []string{}, NotBefore: timeOrEmpty(k.NotBefore), NotAfter: timeOrEmpty(k.NotAfter)}
			for _, a := range k.Algs {
				kv.Algs = append(kv.Algs, string(a))
			}
			if k.Certificate != nil {
				kv.Certificate = k.Certificate.Subject.String()
			}
			iv.Keys = append(iv.Keys, kv)
		}
		for _, c := range is.Anchors {
			iv.Anchors = append(iv.Anchors, c.Subject.String())
		}
		v.Issuers = append(v.Issuers, iv)
	}
	for _, e := range tr.Embassies {
		v.Embassies = append(v.Embassies, embassyView{Name: e.Name, Country: e.Country, Key: e.Key})
	}
	return v
}

func timeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// handleReady says whether a load balancer should send verification
// requests here: the engine is made (the module compiled), the trust is
// loaded and accepted, and the service is not shutting down.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ok, why := s.ready()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	w.Write([]byte(why + "\n"))
}

// handleStartup says whether the service has started: its first trust is
// loaded and its engine made (the module compiled), a refused bundle
// included. It is the startupProbe: unlike /readyz it does not fail for a
// refused bundle (a restart would refuse the same bundle again) nor while
// draining, and unlike /livez it does not pass before the module is
// compiled.
func (s *Server) handleStartup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	started := s.started()
	if !started {
		_, why := s.ready()
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(why + "\n"))
		return
	}
	w.Write([]byte("started\n"))
}

func (s *Server) started() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen != nil
}

// probeAnswer answers /livez, /readyz and /startupz as their handlers do,
// for a connection the door does not let in.
func (s *Server) probeAnswer(path string) (int, string, bool) {
	switch path {
	case "/livez":
		return http.StatusOK, "ok\n", true
	case "/readyz":
		ok, why := s.ready()
		if !ok {
			return http.StatusServiceUnavailable, why + "\n", true
		}
		return http.StatusOK, why + "\n", true
	case "/startupz":
		if !s.started() {
			_, why := s.ready()
			return http.StatusServiceUnavailable, why + "\n", true
		}
		return http.StatusOK, "started\n", true
	}
	return 0, "", false
}

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// siteCSP is the page's Content-Security-Policy. Only the page's own scripts
// run ('wasm-unsafe-eval' lets them compile the module, nothing else);
// connections may go to https: because a trust bundle may be fetched from
// a URL the user gives (a document never is). The page carries the same
// policy in a meta tag, for hosts that send no headers; frame-ancestors works
// only as a header.
const siteCSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; " +
	"connect-src 'self' https:; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// contentTypes are set explicitly: the module must be application/wasm for
// streaming compilation, and system MIME tables differ between machines.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".wasm":        "application/wasm",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".pdf":         "application/pdf",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/plain; charset=utf-8",
	".pfb":         "application/octet-stream",
	".ttf":         "font/ttf",
}

// siteHandler serves the built site from fsys with the page's security
// headers. A precompressed NAME.br or NAME.gz next to a file is sent when
// the client accepts it, so that the module travels brotli-compressed.
type siteHandler struct {
	fsys fs.FS
	// trust, when set, replaces the site's trust/default.json.
	trust []byte
	etags sync.Map // name NUL encoding → ETag
}

// start is the modification time given to ServeContent: the site is
// immutable while the server runs, and revalidation goes by ETag anyway.
var start = time.Now()

func (h *siteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := path.Clean("/" + r.URL.Path)
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	name = strings.TrimPrefix(name, "/")
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", siteCSP)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	hdr.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
	if ct, ok := contentTypes[path.Ext(name)]; ok {
		hdr.Set("Content-Type", ct)
	} else if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		hdr.Set("Content-Type", ct)
	} else {
		hdr.Set("Content-Type", "application/octet-stream")
	}
	// Names under assets/ carry a content hash; everything else is
	// revalidated so that a new deployment is picked up (the service worker
	// keeps the page working offline).
	if strings.HasPrefix(name, "assets/") {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	if name == "sw.js" {
		hdr.Set("Service-Worker-Allowed", "/")
	}

	if name == "trust/default.json" && h.trust != nil {
		http.ServeContent(w, r, name, start, bytes.NewReader(h.trust))
		return
	}
	if strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") || !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	body, enc := h.open(name, r.Header.Get("Accept-Encoding"))
	if body == nil {
		http.NotFound(w, r)
		return
	}
	hdr.Add("Vary", "Accept-Encoding")
	hdr.Set("ETag", h.etag(name, enc, body))
	if enc == "" {
		http.ServeContent(w, r, name, start, bytes.NewReader(body))
		return
	}
	// ServeContent would drop Content-Length for an encoded body (and
	// serve ranges of it); the whole precompressed file is sent instead.
	hdr.Set("Content-Encoding", enc)
	if match := r.Header.Get("If-None-Match"); match != "" && match == hdr.Get("ETag") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// etag is a strong validator for one representation of a file, computed
// once: the site does not change while the server runs.
func (h *siteHandler) etag(name, enc string, body []byte) string {
	key := name + "\x00" + enc
	if v, ok := h.etags.Load(key); ok {
		return v.(string)
	}
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h.etags.Store(key, tag)
	return tag
}

// open reads name, or its precompressed variant when the client accepts
// that encoding. It returns nil when there is no such file.
func (h *siteHandler) open(name, accept string) ([]byte, string) {
	for _, c := range []struct{ enc, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !acceptsEncoding(accept, c.enc) {
			continue
		}
		if b, err := fs.ReadFile(h.fsys, name+c.ext); err == nil {
			return b, c.enc
		}
	}
	st, err := fs.Stat(h.fsys, name)
	if err != nil || st.IsDir() {
		return nil, ""
	}
	b, err := fs.ReadFile(h.fsys, name)
	if err != nil {
		return nil, ""
	}
	return b, ""
}

// acceptsEncoding reports whether an Accept-Encoding header accepts enc
// (q=0 refuses it).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		token, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(token), enc) {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

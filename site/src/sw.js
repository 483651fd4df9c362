// The service worker: after the first visit the page, its module and the
// demo world come from this cache, so checking works offline. The build
// prepends VERSION (a digest of every file) and FILES (the list to keep).
// It caches only this site's own files; it never sees a document, which
// stays in the page's memory.
/* global VERSION, FILES */
const CACHE = 'apostille-' + VERSION;
// Fetched from the network first: a deployment may replace the trust list.
const NETWORK_FIRST = new Set(['trust/default.json']);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      // Hashed assets never change under their name: the HTTP cache may
      // serve them. Everything else is revalidated.
      .then((c) => c.addAll(FILES.map((f) => new Request(f, { cache: f.startsWith('assets/') ? 'default' : 'no-cache' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('apostille-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function relative(url) {
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  const rel = url.pathname.slice(scope.pathname.length);
  return rel === '' ? 'index.html' : rel;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  const rel = relative(url);
  if (rel === null) return; // other origins (a trust list by URL): not ours to keep
  if (NETWORK_FIRST.has(rel)) {
    event.respondWith(
      fetch(req).then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(rel, copy));
        }
        return res;
      }).catch(() => caches.match(rel, { cacheName: CACHE })),
    );
    return;
  }
  const key = req.mode === 'navigate' ? 'index.html' : rel;
  event.respondWith(
    caches.match(key, { cacheName: CACHE, ignoreSearch: true }).then((hit) => hit || fetch(req)),
  );
});

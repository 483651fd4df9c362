// The page's Content-Security-Policy, as the build writes it into a meta
// tag. The server sends the same policy plus frame-ancestors (which works
// only as a header): cmd/apostille/sitehandler.go; a test compares them.
export const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; " +
  "style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; " +
  "connect-src 'self' https:; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; " +
  "base-uri 'none'; form-action 'none'";

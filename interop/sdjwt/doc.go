// Package sdjwtinterop checks that SD-JWT VCs issued by an independent
// implementation, the npm package @sd-jwt/sd-jwt-vc (pinned in
// package-lock.json), verify with Apostille's verifier. The test runs
// issue.mjs under Node; `make test` installs its packages first (npm ci).
package sdjwtinterop

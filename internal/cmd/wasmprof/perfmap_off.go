//go:build !perfmap

package main

// perfmapBuilt: see perfmap_on.go.
const perfmapBuilt = false

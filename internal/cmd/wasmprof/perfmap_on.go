//go:build perfmap

package main

// perfmapBuilt says whether wazero was built with its perfmap tag, which
// makes it write /tmp/perf-<pid>.map for the code it compiles; without the
// map, perf sees the guest's code as bare addresses. wazero keeps its own
// constant in an internal package, so the command repeats the tag here.
const perfmapBuilt = true

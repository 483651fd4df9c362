// Command gcprobe allocates small objects with pointers, as the verifier
// does with its decoded values and report checks, until the garbage
// collector has run a dozen times or so. TestGCStopsTheWorld builds it with
// the module's flags and reads the collector's trace.
package main

type node struct {
	next *node
	name string
	data []byte
}

var (
	root = &node{name: "root"}
	sink *node
)

func main() {
	// 16 live at a time, as a report keeps its checks until it is written.
	var ring [16]*node
	for i := range 1 << 20 {
		ring[i%16] = &node{next: root, name: "check"}
	}
	sink = ring[0]
}

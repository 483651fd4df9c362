// Package wasmbuild builds the WebAssembly module from source, with the one
// set of flags that makes it reproducible. `make wasm` (through
// internal/cmd/wasmbuild) and the tests that run the module both use it, so
// tests always run the module of the code they test, never a stale embed.
package wasmbuild

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"
)

// Package is the module's main package.
const Package = "./wasm/guest"

// Args are the go build arguments. -trimpath and -buildvcs=false keep paths
// and VCS state out of the binary; -s -w drop the symbol table and DWARF,
// which the module never needs at run time (docs/PERFORMANCE.md says how to
// get a build with names for size analysis). With GOOS, GOARCH and the
// toolchain fixed, two builds are byte-identical. -X sets the runtime's
// default GODEBUG (GODEBUG below).
//
// The -gcflags turn inlining off (-l) in packages that a verification passes
// through once or only on an error path: certificate parsing, ASN.1, fmt,
// reflection, big numbers, URLs and the rest below. Inlining copies a callee
// into every caller; in these packages the copies bought no measurable speed
// and cost 68 KB of the brotli-compressed module, which the citizen's page
// must keep under 1.65 MB (docs/PERFORMANCE.md, "Module size"). The hot path
// keeps inlining: the runtime, the crypto primitives, CBOR and the verifier
// itself. reflect is the one with a price: fxamacker/cbor calls its small
// methods on every decode, and COSE through the module is about 10% slower
// without them (measured with wasmbench -module; recorded there too).
var Args = append([]string{"build", "-trimpath", "-buildvcs=false", "-buildmode=c-shared", ldflags("-s -w")}, coldFlags()...)

// GODEBUG is the module's default GODEBUG, linked into its runtime
// (runtime.godebugDefault, read when the runtime starts, before the
// environment's GODEBUG, which an embedder may still set).
//
// gcstoptheworld=1 makes each garbage collection mark with the world
// stopped instead of alongside the program. The module runs on one thread
// and has no preemption: Go's background mark worker runs only when the
// verifier's goroutine yields, which a document's call never does, so
// a concurrent cycle lingered across many documents, finished by the
// allocating code's assists, and every allocation and pointer write in
// the meantime paid for the mark phase (allocate-black, write barriers,
// their buffer flushes). Stopped, a cycle marks the module's small live
// heap in about a millisecond and the mark phase costs nothing else.
// Measured on the mix, module+host against the previous module in the
// same rounds: 4–10% faster per format in the median of six runs; a
// small struct with pointers allocates in 160–170 ns instead of 210–270
// (docs/PERFORMANCE.md, "The garbage collector stops the world").
// TestGCStopsTheWorld holds it.
//
// The go command links its own default (from go.mod's go line and
// //go:debug directives) the same way, before the -ldflags given here,
// which win; TestNoOtherDefaultGODEBUG checks there is none to lose.
const GODEBUG = "gcstoptheworld=1"

// ldflags is the linker flags argument with the module's GODEBUG and
// an empty build ID.
func ldflags(extra string) string {
	return "-ldflags=" + extra + " -buildid= -X=runtime.godebugDefault=" + GODEBUG
}

// coldPackages are the packages built without inlining (see Args). Whether
// a package belongs here is measured, not assumed: encoding/base64, sort
// and golang.org/x/crypto/cryptobyte left the list when, inlined, the
// module measured 3–7 KB smaller each and no slower (docs/PERFORMANCE.md,
// "Module size").
var coldPackages = []string{
	"crypto/x509", "crypto/x509/...", "encoding/asn1", "encoding/pem", "encoding/hex",
	"crypto/rsa", "crypto/internal/fips140/rsa", "crypto/elliptic", "math/big",
	"fmt", "reflect", "errors", "strconv", "internal/strconv", "time",
	"net", "net/url", "os", "io/fs", "path/...", "syscall", "internal/syscall/...",
	"internal/godebug", "vendor/...", "golang.org/x/mod/...",
	"crypto/ecdsa", "crypto/ecdh", "crypto/internal/fips140/ecdh", "crypto/internal/fips140only", "crypto/x509/pkix", "internal/reflectlite", "mime/...",
}

func coldFlags() []string {
	var f []string
	for _, p := range coldPackages {
		f = append(f, "-gcflags="+p+"=-l")
	}
	return f
}

// Env is the environment of the build, on top of the caller's.
//
// GOEXPERIMENT=nogreenteagc builds the module with Go's previous garbage
// collector instead of Go 1.26's default Green Tea collector: the module
// is 6 KB smaller brotli-compressed (the page's budget, docs/PERFORMANCE.md
// "Module size") and verifies the mix no slower, as Green Tea's gains come
// from parallel marking and cache locality, which a single-threaded
// WebAssembly instance does not have. Setting it here also keeps a
// caller's GOEXPERIMENT from changing the module. When a Go release drops
// the experiment, the build fails rather than changing silently.
//
// GOTOOLCHAIN pins the Go release that builds the module, whatever Go the
// machine has: the committed module is defined as this release's build
// and `make test` checks it byte for byte, and another release writes
// other bytes (Go 1.27.3: 57 KB larger brotli-compressed, over the page's
// budget). A go command of another release fetches this one through the
// module proxy once (golang.org/toolchain); one of this release runs
// itself. Native builds (the CLI, the service, a Go user's program) use
// the machine's Go; the verifier writes the same reports under both
// (verifier/dnstring.go).
var Env = []string{"GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=", "GOEXPERIMENT=nogreenteagc", "GOTOOLCHAIN=" + Toolchain}

// Toolchain is the Go release that builds the module (Env).
const Toolchain = "go1.26.8"

// Build compiles the module into out from the Go module rooted at root.
func Build(root, out string, extra ...string) error {
	return goBuild(root, append(append(append([]string{}, Args...), extra...), "-o", out, Package))
}

// BuildCommand compiles pkg, a main package, into out as a WASI command
// (started by _start, not a reactor) with the module's flags and
// environment otherwise, so that what it measures compiles as the module
// does: wasmbench's ops table (internal/cmd/wasmops) uses it.
func BuildCommand(root, out, pkg string) error {
	args := []string{}
	for _, a := range Args {
		if !strings.HasPrefix(a, "-buildmode=") {
			args = append(args, a)
		}
	}
	return goBuild(root, append(args, "-o", out, pkg))
}

func goBuild(root string, args []string) error {
	cmd := goCommand(root, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("wasmbuild: go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// goCommand is the go command run in root with the module's build
// environment (Env).
func goCommand(root string, args ...string) *exec.Cmd {
	cmd := exec.Command(goTool(), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), Env...)
	return cmd
}

// Root returns the root of the Go module that holds the working directory.
func Root() (string, error) {
	out, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("wasmbuild: not inside a Go module")
	}
	return filepath.Dir(mod), nil
}

// Compress compresses a module as it is committed (wasm/module.Compressed):
// brotli at quality 11 with a 16 MiB window, which the module fits in
// whole. The same module always gives the same bytes.
func Compress(wasm []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
	w.Write(wasm)
	w.Close()
	return buf.Bytes()
}

// goTool is the go command: the one on PATH, as make and `go test` run.
func goTool() string { return "go" }

var (
	once    sync.Once
	testMod []byte
	testErr error
)

// FromSource builds the module from the current source once per process
// and returns it. Building takes a few seconds with a warm Go build cache.
func FromSource() ([]byte, error) {
	once.Do(func() {
		root, err := Root()
		if err != nil {
			testErr = err
			return
		}
		dir, err := os.MkdirTemp("", "apostille-wasm-")
		if err != nil {
			testErr = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "apostille.wasm")
		if testErr = Build(root, out); testErr == nil {
			testMod, testErr = os.ReadFile(out)
		}
	})
	return testMod, testErr
}

// ForTest is FromSource for tests: tests run the module of the code they
// test, never a stale embed.
func ForTest(tb testing.TB) []byte {
	tb.Helper()
	b, err := FromSource()
	if err != nil {
		tb.Fatalf("building the module: %v", err)
	}
	return b
}

// BuildNamed builds the module with the release flags but without -s -w,
// so that its name section stays, and returns it: the size and profile
// tools (internal/cmd/wasmsize, wasmprof) read functions by name.
func BuildNamed() ([]byte, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "apostille-named-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "named.wasm")
	// The last -ldflags wins.
	if err := Build(root, out, ldflags("")); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

// PackageOf takes the Go package from a function's name in the name
// section, where Go writes the path with "_" for "/" but keeps a module's
// domain: "crypto_x509.(*Certificate).Verify" is crypto_x509,
// "github.com_fxamacker_cbor_v2.Unmarshal" is github.com_fxamacker_cbor_v2.
func PackageOf(sym string) string {
	i := strings.IndexByte(sym, '.')
	if i < 0 {
		return sym
	}
	if rest := sym[i+1:]; !strings.Contains(sym[:i], "_") {
		if j := strings.IndexAny(rest, "._("); j > 0 && rest[j] == '_' {
			if k := strings.IndexByte(rest, '.'); k > 0 {
				return sym[:i+1+k]
			}
		}
	}
	return sym[:i]
}

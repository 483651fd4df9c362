// Command imagecheck runs the Dockerfile's steps without a container
// engine, and checks what they make: `make image-check`, part of `make
// test`. No container engine runs on the machines the project is built on,
// and the base images cannot be pulled there, so the image itself is not
// built; what can go wrong in it is checked instead:
//
//   - the build context, as .dockerignore leaves it, holds the source and
//     nothing built, fetched or kept by git (node_modules, build/, bin/,
//     .git), and is small;
//
//   - the build stage's steps (WORKDIR, COPY, ENV, RUN), run in a copy of
//     that context with the image's paths under a temporary root, build the
//     binary, which is static (the final image has no C library);
//
//   - the final stage's binary, run as the image runs it (ENTRYPOINT and
//     CMD, as USER, with the trust mounted where CMD says and nothing
//     writable), starts, passes /startupz and /readyz, verifies a demo
//     document, and stops with exit status 0 on SIGTERM.
//
//     go run ./internal/cmd/imagecheck
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxContext bounds the build context: the source is a few MB; more means
// something built or fetched got in.
const maxContext = 64 << 20

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "imagecheck:", err)
		os.Exit(1)
	}
}

func run() error {
	df, err := parseDockerfile("Dockerfile")
	if err != nil {
		return err
	}
	ignore, err := readIgnore(".dockerignore")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "apostille-imagecheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx := filepath.Join(tmp, "context")
	n, size, err := copyContext(".", ctx, ignore)
	if err != nil {
		return err
	}
	fmt.Printf("# build context: %d files, %.1f MB (.dockerignore)\n", n, float64(size)/(1<<20))
	if size > maxContext {
		return fmt.Errorf("the build context is %d MB, over %d MB: .dockerignore lets something built in", size>>20, maxContext>>20)
	}
	buildRoot := filepath.Join(tmp, "build-stage")
	if err := runStage(df.stages[0], ctx, buildRoot, nil); err != nil {
		return err
	}
	finalRoot := filepath.Join(tmp, "final-stage")
	if err := runStage(df.stages[1], ctx, finalRoot, map[string]string{df.stages[0].name: buildRoot}); err != nil {
		return err
	}
	bin := filepath.Join(finalRoot, strings.TrimPrefix(df.entrypoint[0], "/"))
	if err := checkStatic(bin); err != nil {
		return err
	}
	fmt.Printf("# %s: a static binary\n", df.entrypoint[0])
	return runImage(df, finalRoot, tmp)
}

// stage is one FROM … of the Dockerfile and its instructions.
type stage struct {
	name  string
	steps [][2]string // instruction, arguments
}

type dockerfile struct {
	stages     []stage
	entrypoint []string
	cmd        []string
	user       string
}

func parseDockerfile(path string) (*dockerfile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	df := &dockerfile{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, args, _ := strings.Cut(line, " ")
		instr = strings.ToUpper(instr)
		switch instr {
		case "FROM":
			f := strings.Fields(args)
			st := stage{}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			df.stages = append(df.stages, st)
			continue
		case "ENTRYPOINT", "CMD":
			var v []string
			if err := json.Unmarshal([]byte(args), &v); err != nil {
				return nil, fmt.Errorf("%s: want the exec form (a JSON array): %v", instr, err)
			}
			if instr == "CMD" {
				df.cmd = v
			} else {
				df.entrypoint = v
			}
		case "USER":
			df.user = args
		case "WORKDIR", "COPY", "ENV", "RUN", "EXPOSE":
		default:
			return nil, fmt.Errorf("instruction %s: imagecheck does not know it; teach it before using it", instr)
		}
		if len(df.stages) == 0 {
			return nil, fmt.Errorf("%s before FROM", instr)
		}
		st := &df.stages[len(df.stages)-1]
		st.steps = append(st.steps, [2]string{instr, args})
	}
	if len(df.stages) != 2 || len(df.entrypoint) == 0 || df.user == "" {
		return nil, errors.New("want two stages (build, final), an ENTRYPOINT and a USER")
	}
	return df, nil
}

// runStage runs a stage's steps with the image's file system under root:
// COPY from the context or from an earlier stage's root, RUN with bash in
// the working directory, absolute paths in its words moved under root.
func runStage(st stage, ctx, root string, stages map[string]string) error {
	wd := root
	env := os.Environ()
	for _, s := range st.steps {
		instr, args := s[0], s[1]
		switch instr {
		case "WORKDIR":
			wd = filepath.Join(root, args)
			if err := os.MkdirAll(wd, 0o755); err != nil {
				return err
			}
		case "ENV":
			k, v, ok := strings.Cut(args, "=")
			if !ok {
				return fmt.Errorf("ENV %s: want KEY=VALUE", args)
			}
			env = append(env, k+"="+v)
		case "COPY":
			f := strings.Fields(args)
			from := ctx
			if name, ok := strings.CutPrefix(f[0], "--from="); ok {
				from, f = stages[name], f[1:]
				if from == "" {
					return fmt.Errorf("COPY --from=%s: no such stage", name)
				}
			}
			dst := f[len(f)-1]
			if filepath.IsAbs(dst) {
				dst = filepath.Join(root, dst)
			} else {
				dst = filepath.Join(wd, dst)
			}
			for _, src := range f[:len(f)-1] {
				if filepath.IsAbs(src) {
					src = strings.TrimPrefix(src, "/")
				}
				if err := copyPath(filepath.Join(from, src), dst, strings.HasSuffix(f[len(f)-1], "/")); err != nil {
					return fmt.Errorf("COPY %s: %w", args, err)
				}
			}
		case "RUN":
			words := strings.Fields(args)
			for i, w := range words {
				if strings.HasPrefix(w, "/") {
					words[i] = filepath.Join(root, w)
				}
			}
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", strings.Join(words, " "))
			cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = wd, env, os.Stderr, os.Stderr
			fmt.Printf("# RUN %s\n", args)
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("RUN %s: %w", args, err)
			}
		}
	}
	return nil
}

// copyPath copies a file or a directory tree; into says dst is a directory
// to copy into (COPY's trailing slash, or "." in a WORKDIR).
func copyPath(src, dst string, into bool) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		if into || isDir(dst) {
			dst = filepath.Join(dst, filepath.Base(src))
		}
		return copyFile(src, dst, st.Mode())
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(p, filepath.Join(dst, rel), info.Mode())
	})
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func copyFile(src, dst string, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode.Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// readIgnore reads .dockerignore as Docker does for the patterns it uses:
// one pattern a line, # comments, "**" for any directories, a directory
// that matches taking its contents with it. Exceptions (!) are refused:
// nothing here needs them.
func readIgnore(path string) ([]*regexp.Regexp, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var res []*regexp.Regexp
	for _, line := range strings.Split(string(b), "\n") {
		p := strings.TrimSpace(line)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		if strings.HasPrefix(p, "!") {
			return nil, fmt.Errorf(".dockerignore: exceptions (%s) are not supported here", p)
		}
		p = strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch c := p[i]; {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case c == '*':
				re.WriteString("[^/]*")
			case c == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("(/.*)?$") // a directory takes its contents
		res = append(res, regexp.MustCompile(re.String()))
	}
	return res, nil
}

func ignored(rel string, ignore []*regexp.Regexp) bool {
	for _, re := range ignore {
		if re.MatchString(rel) {
			return true
		}
	}
	return false
}

// copyContext copies what the build context holds to dst, and fails when
// something that must never be in it is.
func copyContext(src, dst string, ignore []*regexp.Regexp) (n int, size int64, err error) {
	forbidden := regexp.MustCompile(`(^|/)(node_modules|\.git)(/|$)|^(bin|build)(/|$)`)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(p)
		if p == src {
			return nil
		}
		if ignored(rel, ignore) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if forbidden.MatchString(rel) {
			return fmt.Errorf("the build context holds %s: add it to .dockerignore", rel)
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n++
		size += info.Size()
		return copyFile(p, filepath.Join(dst, rel), info.Mode())
	})
	return n, size, err
}

// checkStatic refuses a binary that needs a dynamic loader or a shared
// library: the final image has none.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s needs a dynamic loader: the final image has none (CGO_ENABLED=0)", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s needs %v: the final image has none", path, libs)
	}
	return nil
}

// runImage runs the final stage as the image would: ENTRYPOINT and CMD, as
// USER, the demo world mounted where CMD reads the trust, listening on
// loopback, with no writable home or cache.
func runImage(df *dockerfile, root, tmp string) error {
	mount := filepath.Join(tmp, "etc-apostille")
	demo := exec.Command(filepath.Join(root, strings.TrimPrefix(df.entrypoint[0], "/")), "demo", mount)
	if out, err := demo.CombinedOutput(); err != nil {
		return fmt.Errorf("demo: %v\n%s", err, out)
	}
	if err := filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o755) // readable by USER, writable by root only
		}
		return nil
	}); err != nil {
		return err
	}
	args := append(append([]string{}, df.entrypoint...), df.cmd...)
	for i, a := range args {
		switch {
		case i == 0:
			args[i] = filepath.Join(root, strings.TrimPrefix(a, "/"))
		case strings.HasPrefix(a, "/etc/apostille/"):
			args[i] = filepath.Join(mount, strings.TrimPrefix(a, "/etc/apostille/"))
		case strings.HasPrefix(a, "0.0.0.0:"):
			args[i] = "127.0.0.1:0"
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = []string{"HOME=/nonexistent", "PATH=/usr/local/bin"}
	uid, gid, _ := strings.Cut(df.user, ":")
	u, _ := strconv.Atoi(uid)
	g, _ := strconv.Atoi(gid)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(u), Gid: uint32(g)}}
	}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Wait()
		return fmt.Errorf("the image's command did not start: %v\n%s", err, logs.String())
	}
	base := strings.TrimSuffix(strings.TrimSpace(line[strings.Index(line, "http://"):]), "/")
	fmt.Printf("# %s as %s: %s", strings.Join(df.entrypoint, " "), df.user, line)
	for _, probe := range []string{"/startupz", "/readyz"} {
		if err := waitOK(base + probe); err != nil {
			return fmt.Errorf("%s: %v\n%s", probe, err, logs.String())
		}
	}
	doc, err := os.ReadFile(filepath.Join(mount, "documents", "lu-residence-attestation.cwt"))
	if err != nil {
		return err
	}
	resp, err := http.Post(base+"/v1/verify", "application/cose", bytes.NewReader(doc))
	if err != nil {
		return err
	}
	var rep struct{ Verdict string }
	json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if resp.StatusCode != 200 || rep.Verdict != "valid" {
		return fmt.Errorf("a demo document: %d %q\n%s", resp.StatusCode, rep.Verdict, logs.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("on SIGTERM: %v\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "compiling the verification module in memory") {
		return fmt.Errorf("with nothing writable the log should say the module is compiled in memory:\n%s", logs.String())
	}
	fmt.Println("# started, ready, verified a demo document, stopped with exit status 0 on SIGTERM")
	return nil
}

// waitOK polls url until it answers 200, for at most a minute (the module
// compiles in memory first).
func waitOK(url string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 200 within a minute (last: %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

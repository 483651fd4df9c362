package main

import (
	"debug/elf"
	"os"
	"path/filepath"
	"runtime"
)

// hostNames names the addresses in this executable that perf could not:
// `go run` strips the ELF symbol table that perf reads, but the Go
// runtime's own table, which runtime.FuncForPC reads, is always there.
// perf gives such an address as an offset in the file (0x1c28bd for
// 0x5c28bd in a text segment loaded at 0x400000 from offset 0); the
// program headers turn it back into the address the runtime knows.
func hostNames() func(object string, addr uint64) string {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	f, err := elf.Open(exe)
	if err != nil {
		return nil
	}
	defer f.Close()
	var text []elf.ProgHeader
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 {
			text = append(text, p.ProgHeader)
		}
	}
	self := filepath.Base(exe)
	return func(object string, off uint64) string {
		if object != self {
			return ""
		}
		for _, p := range text {
			if off >= p.Off && off < p.Off+p.Filesz {
				if fn := runtime.FuncForPC(uintptr(off - p.Off + p.Vaddr)); fn != nil {
					return fn.Name()
				}
			}
		}
		return ""
	}
}

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
)

// rawClient speaks just enough HTTP/1.1 to the service: a request written
// in one piece (built once per document), an answer read by its
// Content-Length, the connection kept. net/http's client costs about as
// much CPU per request as the service's handling of it, and on a 2-core
// machine the load generator's CPU is taken from the service; wrk is
// written in C for the same reason.
type rawClient struct {
	addr string
	reqs [][]byte      // one request per document
	idle chan *rawConn // kept-alive connections (a sync.Pool would drop them at GC, unclosed)
}

type rawConn struct {
	c  net.Conn
	br *bufio.Reader
}

func newRawClient(addr, path string, docs []doc) *rawClient {
	c := &rawClient{addr: addr, idle: make(chan *rawConn, 1024)}
	for _, d := range docs {
		var b bytes.Buffer
		fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", path, addr, len(d.data))
		b.Write(d.data)
		c.reqs = append(c.reqs, b.Bytes())
	}
	return c
}

func (c *rawClient) conn() (*rawConn, error) {
	select {
	case rc := <-c.idle:
		return rc, nil
	default:
	}
	nc, err := net.Dial("tcp", c.addr)
	if err != nil {
		return nil, err
	}
	return &rawConn{c: nc, br: bufio.NewReaderSize(nc, 16<<10)}, nil
}

var errAnswer = errors.New("servebench: an answer it cannot read")

// do sends document i's request and reads the answer; it returns the
// status code.
func (c *rawClient) do(i int) (int, error) {
	rc, err := c.conn()
	if err != nil {
		return 0, err
	}
	status, keep, err := rc.roundTrip(c.reqs[i%len(c.reqs)])
	if err != nil || !keep {
		rc.c.Close()
		return status, err
	}
	select {
	case c.idle <- rc:
	default:
		rc.c.Close()
	}
	return status, nil
}

func (rc *rawConn) roundTrip(req []byte) (status int, keep bool, err error) {
	if _, err := rc.c.Write(req); err != nil {
		return 0, false, err
	}
	line, err := rc.br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, false, errAnswer
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, errAnswer
	}
	length, keep := -1, true
	for {
		h, err := rc.br.ReadSlice('\n')
		if err != nil {
			return status, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, _ := bytes.Cut(h, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return status, false, errAnswer
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keep = false
		}
	}
	if length < 0 {
		return status, false, errAnswer // the service sends Content-Length
	}
	if _, err := rc.br.Discard(length); err != nil {
		return status, false, err
	}
	return status, keep, nil
}

// close closes the idle connections.
func (c *rawClient) close() {
	for {
		select {
		case rc := <-c.idle:
			rc.c.Close()
		default:
			return
		}
	}
}

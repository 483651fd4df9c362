package server

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// door bounds the connections the service holds open and not idle (a
// request being read, queued, verified or answered). A connection beyond
// the bound is answered at once, before its request is read, with 503 and
// Retry-After, and closed: under overload a client learns in a
// millisecond to back off, rather than waiting in the kernel's accept
// queue while the process is busy, and the connections the service holds
// (so the goroutines, buffers and bodies) stay bounded.
type door struct {
	net.Listener
	max  int64
	tls  bool          // a TLS listener: excess connections are closed, not answered
	open *atomic.Int64 // connections held open
	shed func()
	// probe answers a probe (GET /livez, /readyz, /startupz) that comes
	// on a connection beyond the bound: a kubelet probing the API's port
	// must not take a full service for a dead one.
	probe    func(path string) (status int, body string, ok bool)
	refusing atomic.Int64 // refusals being written

	mu   sync.Mutex
	idle map[net.Conn]time.Time // keep-alive connections between requests, since when
}

// track is the http.Server's ConnState hook: it keeps the idle
// connections, which do not count against the bound.
func (d *door) track(c net.Conn, st http.ConnState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st == http.StateIdle {
		if d.idle == nil {
			d.idle = map[net.Conn]time.Time{}
		}
		d.idle[c] = time.Now()
		return
	}
	delete(d.idle, c)
}

// idleCount is how many connections are idle between requests.
func (d *door) idleCount() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return int64(len(d.idle))
}

// maxRefusing bounds the refusals written at once; beyond it a connection
// is closed without an answer.
const maxRefusing = 1024

// shedResponse is the answer to a connection beyond the bound: a complete
// HTTP/1.1 response that closes the connection.
var shedResponse = func() []byte {
	body := `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"too many connections","retry_after":1}`
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

func (d *door) Accept() (net.Conn, error) {
	for {
		c, err := d.Listener.Accept()
		if err != nil {
			return nil, err
		}
		// Idle keep-alive connections do not count: they cost a blocked
		// read, and a client's next request on one is bounded by the
		// tickets like any other.
		if d.open.Add(1)-d.idleCount() > d.max {
			d.open.Add(-1)
			if d.refusing.Add(1) > maxRefusing {
				d.refusing.Add(-1)
				d.shed()
				c.Close()
				continue
			}
			go d.refuse(c)
			continue
		}
		return &doorConn{Conn: c, d: d}, nil
	}
}

// refuse answers a connection beyond the bound. It reads what the client
// sent first, briefly, so that closing does not reset the connection
// before the client has read the answer.
func (d *door) refuse(c net.Conn) {
	defer d.refusing.Add(-1)
	defer c.Close()
	if d.tls {
		return
	}
	c.SetDeadline(time.Now().Add(100 * time.Millisecond))
	var buf [4096]byte
	n, _ := c.Read(buf[:])
	if status, body, ok := d.answerProbe(buf[:n]); ok {
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
			status, http.StatusText(status), len(body), body)
	} else {
		d.shed()
		c.Write(shedResponse)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	for {
		if _, err := c.Read(buf[:]); err != nil {
			return
		}
	}
}

// answerProbe answers the request that starts req when it is a probe.
func (d *door) answerProbe(req []byte) (int, string, bool) {
	if d.probe == nil {
		return 0, "", false
	}
	line, _, ok := bytes.Cut(req, []byte("\r\n"))
	if !ok {
		return 0, "", false
	}
	method, rest, _ := bytes.Cut(line, []byte(" "))
	path, _, _ := bytes.Cut(rest, []byte(" "))
	if string(method) != "GET" {
		return 0, "", false
	}
	return d.probe(string(path))
}

type doorConn struct {
	net.Conn
	d    *door
	once sync.Once
}

func (c *doorConn) Close() error {
	c.once.Do(func() { c.d.open.Add(-1) })
	return c.Conn.Close()
}

package testdc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gotd/log"
)

// headerTimeout is how long a new connection may take to send the first bytes of its
// MTProto transport header before the DC closes it. Telegram closes such connections too.
const headerTimeout = 30 * time.Second

// abridgedStart is the first byte of the abridged transport; every other transport starts
// with 4 bytes (a header or, in the full transport, the length of the first message).
const abridgedStart = 0xef

// sniffListener is the net.Listener a DC's server accepts from. gotd's transport listener
// reads a connection's transport header inside Accept and its server stops serving for
// good when Accept fails, so one connection closed before its first byte stopped a DC,
// and one that never spoke blocked every connection after it. sniffListener reads those
// first bytes in a goroutine of each connection, under headerTimeout, and hands over only
// connections whose header bytes arrived (they are read again by gotd's detection), through
// a view per generation of servers (see Restart). A connection that fails before is closed
// and logged; a view's Accept fails only once it or the listener is closed (net.ErrClosed,
// which gotd's server takes as the end of serving).
type sniffListener struct {
	l     net.Listener
	set   *connSet
	log   log.Helper
	ready chan net.Conn
	done  chan struct{}
	close sync.Once
	wg    sync.WaitGroup
}

// listen starts accepting l's connections; the caller serves what Accept returns.
func listen(l net.Listener, set *connSet, logger log.Helper) *sniffListener {
	s := &sniffListener{l: l, set: set, log: logger, ready: make(chan net.Conn), done: make(chan struct{})}
	s.wg.Add(1)
	go s.acceptLoop()
	return s
}

// acceptLoop accepts raw connections until the listener is closed, each sniffed in a
// goroutine of its own. A temporary accept failure (e.g. out of file descriptors) is
// retried after a pause.
func (s *sniffListener) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn(context.Background(), "Accept failed; accepting again", log.Error(err))
			select {
			case <-time.After(50 * time.Millisecond):
			case <-s.done:
				return
			}
			continue
		}
		tc := s.set.add(c)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.sniff(tc)
		}()
	}
}

// sniff reads the first bytes of c's transport header and hands c to Accept with those
// bytes to be read again; c is closed if they do not come within headerTimeout.
func (s *sniffListener) sniff(c net.Conn) {
	head, err := readHead(c)
	if err != nil {
		s.log.Debug(context.Background(), "Connection closed before its transport header", log.Error(err))
		_ = c.Close()
		return
	}
	pc := &prefixConn{Conn: c, r: io.MultiReader(bytes.NewReader(head), c)}
	select {
	case s.ready <- pc:
	case <-s.done:
		_ = c.Close()
	}
}

// readHead reads what gotd's codec detection reads first: one byte for the abridged
// transport, else four.
func readHead(c net.Conn) ([]byte, error) {
	if err := c.SetReadDeadline(time.Now().Add(headerTimeout)); err != nil {
		return nil, err
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(c, head[:1]); err != nil {
		return nil, err
	}
	if head[0] == abridgedStart {
		head = head[:1]
	} else if _, err := io.ReadFull(c, head[1:]); err != nil {
		return nil, err
	}
	return head, c.SetReadDeadline(time.Time{})
}

// Close stops accepting; it waits for the accept loop and the sniffing goroutines.
func (s *sniffListener) Close() error {
	var err error
	s.close.Do(func() {
		close(s.done)
		err = s.l.Close()
	})
	s.wg.Wait()
	return err
}

// prefixConn is a connection whose first bytes were read already: Read gives them again.
type prefixConn struct {
	net.Conn
	r io.Reader
}

// Read implements net.Conn.
func (c *prefixConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// view returns a listener over s for one generation of servers: closing it ends that
// generation's Accept, not s, whose connections wait for the next generation.
func (s *sniffListener) view() net.Listener {
	return &listenerView{s: s, done: make(chan struct{})}
}

// listenerView is what view returns.
type listenerView struct {
	s    *sniffListener
	done chan struct{}
	once sync.Once
}

// Accept implements net.Listener.
func (v *listenerView) Accept() (net.Conn, error) {
	select {
	case c := <-v.s.ready:
		return c, nil
	case <-v.done:
		return nil, net.ErrClosed
	case <-v.s.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener: it ends this view only.
func (v *listenerView) Close() error {
	v.once.Do(func() { close(v.done) })
	return nil
}

// Addr implements net.Listener.
func (v *listenerView) Addr() net.Addr { return v.s.l.Addr() }

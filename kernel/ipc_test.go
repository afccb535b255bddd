package kernel

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// ipcConnection is a connection of transport ipc: Unix sockets "{ip}-{port}" in a
// directory of the test's.
func ipcConnection(t *testing.T) *ConnectionInfo {
	return &ConnectionInfo{Transport: "ipc", IP: filepath.Join(t.TempDir(), "kernel-ipc"), Key: "test-key",
		SignatureScheme: "hmac-sha256", ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5}
}

func (c *ConnectionInfo) socketPaths() []string {
	var paths []string
	for _, port := range []int{c.ShellPort, c.IOPubPort, c.StdinPort, c.ControlPort, c.HBPort} {
		paths = append(paths, c.socketPath(port))
	}
	return paths
}

func TestConnectionFileTransports(t *testing.T) {
	// jupyter_client numbers ipc sockets from 1 up, with no upper bound.
	c, err := ReadConnectionFile(writeConnectionFile(t, `"transport": "ipc", "ip": "/run/k-ipc", "shell_port": 70000`))
	if err != nil || c.endpoint(c.ShellPort) != "ipc:///run/k-ipc-70000" {
		t.Errorf("ipc: %v, %v", c, err)
	}
	if _, err := ReadConnectionFile(writeConnectionFile(t, `"shell_port": 70000`)); err == nil {
		t.Error("tcp port 70000 accepted")
	}
	if _, err := ReadConnectionFile(writeConnectionFile(t, `"transport": "udp"`)); err == nil ||
		!strings.Contains(err.Error(), `transport "udp" is not supported (tcp or ipc)`) {
		t.Errorf("udp: %v", err)
	}
	long := "/" + strings.Repeat("d", 104) // with "-1", 107 bytes: the most Linux takes
	if _, err := ReadConnectionFile(writeConnectionFile(t, `"transport": "ipc", "ip": "`+long+`"`)); err != nil {
		t.Errorf("a path of 107 bytes: %v", err)
	}
	if _, err := ReadConnectionFile(writeConnectionFile(t, `"transport": "ipc", "ip": "`+long+`d"`)); err == nil ||
		!strings.Contains(err.Error(), "is 108 bytes long, over the 107 a Unix socket may have") {
		t.Errorf("a path of 108 bytes: %v", err)
	}
}

// A kernel on ipc serves all five sockets on Unix sockets only its user may open, and
// removes them when it ends.
func TestIPCServesEverySocketAndRemovesItsFiles(t *testing.T) {
	conn := ipcConnection(t)
	c, done := startKernelOn(t, &fakeSession{}, conn)
	c.subscribe()
	for _, path := range conn.socketPaths() {
		if fi, err := os.Stat(path); err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want a socket of mode 0600", path, fi.Mode(), err)
		}
	}

	id := c.send(c.shell, "execute_request", map[string]any{"code": "print"})
	if rc := content(t, c.recv(c.shell)); rc["status"] != "ok" {
		t.Errorf("execute reply %v", rc)
	}
	var text any
	for _, m := range c.iopubUntilIdle(id) {
		if m.Header.MsgType == "stream" {
			text = content(t, m)["text"]
		}
	}
	if text != "ab" {
		t.Errorf("stream on iopub: %v, want ab", text)
	}

	c.send(c.shell, "execute_request", map[string]any{"code": "input", "allow_stdin": true})
	if req := c.recv(c.stdin); req.Header.MsgType != "input_request" {
		t.Fatalf("stdin got %s", req.Header.MsgType)
	}
	c.send(c.stdin, "input_reply", map[string]any{"value": "Ada"})
	if rc := content(t, c.recv(c.shell)); rc["status"] != "ok" {
		t.Errorf("input cell: %v", rc)
	}

	hb := zmq4.NewReq(t.Context())
	defer hb.Close()
	if err := hb.Dial(conn.endpoint(conn.HBPort)); err != nil {
		t.Fatal(err)
	}
	hb.Send(zmq4.NewMsgString("ping"))
	if m, err := hb.Recv(); err != nil || string(m.Bytes()) != "ping" {
		t.Errorf("heartbeat answered %q, %v", m.Bytes(), err)
	}

	c.send(c.control, "shutdown_request", map[string]any{"restart": false})
	if r := c.recv(c.control); r.Header.MsgType != "shutdown_reply" {
		t.Fatalf("control answered %s", r.Header.MsgType)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	for _, path := range conn.socketPaths() {
		if _, err := os.Lstat(path); !os.IsNotExist(err) {
			t.Errorf("%s left behind (%v)", path, err)
		}
	}
}

// A socket file nothing listens on (a killed kernel's) is replaced; one in use is not.
func TestIPCReplacesAStaleSocketButNotALiveOne(t *testing.T) {
	conn := ipcConnection(t)
	stale, err := net.Listen("unix", conn.socketPath(conn.ShellPort))
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	c, _ := startKernelOn(t, &fakeSession{}, conn)
	c.send(c.shell, "kernel_info_request", map[string]any{})
	if r := c.recv(c.shell); r.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("got %s", r.Header.MsgType)
	}

	other := ipcConnection(t)
	live, err := net.Listen("unix", other.socketPath(other.ControlPort))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	_, err = New(other, &fakeSession{}, io.Discard).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("Run beside a live socket: %v, want address already in use", err)
	}
	if _, err := os.Lstat(other.socketPath(other.ControlPort)); err != nil {
		t.Errorf("the live socket was removed: %v", err)
	}
	if _, err := os.Lstat(other.socketPath(other.ShellPort)); !os.IsNotExist(err) {
		t.Errorf("the failed kernel left its shell socket behind (%v)", err)
	}
}

// Package jmsg is the least of the Jupyter messaging protocol the speed benchmark's own
// Go programs need (the floor kernel and the Go front end of bench/roundtrip): the
// connection file, a message's frames, HMAC-SHA256 signatures and headers. It is not the
// kernel's wire code (kernel/ exports none of it), and checks only what a benchmark must.
package jmsg

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net"
	"os"
	"time"
)

// Connection is the content of a connection file.
type Connection struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
}

// ReadConnection reads a connection file; only tcp and hmac-sha256 are accepted.
func ReadConnection(path string) (*Connection, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Connection
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("connection file %s: %w", path, err)
	}
	if c.Transport != "tcp" {
		return nil, fmt.Errorf("connection file %s: transport %q (only tcp)", path, c.Transport)
	}
	if c.SignatureScheme != "" && c.SignatureScheme != "hmac-sha256" {
		return nil, fmt.Errorf("connection file %s: signature scheme %q (only hmac-sha256)", path, c.SignatureScheme)
	}
	return &c, nil
}

// NewLoopback returns a connection on five free loopback ports with a random key.
func NewLoopback() (*Connection, error) {
	c := &Connection{Transport: "tcp", IP: "127.0.0.1", Key: NewID(), SignatureScheme: "hmac-sha256"}
	for _, p := range []*int{&c.ShellPort, &c.ControlPort, &c.StdinPort, &c.IOPubPort, &c.HBPort} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		*p = l.Addr().(*net.TCPAddr).Port
		defer l.Close()
	}
	return c, nil
}

// Write writes c to path as a connection file.
func (c *Connection) Write(path string) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// Endpoint is the ZeroMQ address of port.
func (c *Connection) Endpoint(port int) string {
	return fmt.Sprintf("tcp://%s:%d", c.IP, port)
}

// Header is a message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// NewHeader returns a fresh header of msgType in session.
func NewHeader(msgType, session string) Header {
	return Header{MsgID: NewID(), Session: session, Username: "bench",
		Date: time.Now().UTC().Format(time.RFC3339Nano), MsgType: msgType, Version: "5.3"}
}

// NewID returns 16 random bytes in hex.
func NewID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Message is one message: the routing identities, its header (parsed and as it came), the
// parent header, metadata and content as JSON.
type Message struct {
	Identities [][]byte
	Header     Header
	RawHeader  []byte
	Parent     []byte
	Metadata   []byte
	Content    []byte
}

// ParentID is the msg_id of m's parent header.
func (m *Message) ParentID() string {
	var h Header
	json.Unmarshal(m.Parent, &h)
	return h.MsgID
}

var delimiter = []byte("<IDS|MSG>")

// Errors of Decode.
var (
	ErrNoDelimiter  = errors.New("jmsg: no <IDS|MSG> delimiter followed by five frames")
	ErrBadSignature = errors.New("jmsg: signature does not match")
)

// Signer signs and verifies with the HMAC-SHA256 of a key; a Signer of the empty key
// signs with "".
type Signer struct {
	mac hash.Hash // nil for the empty key
}

// NewSigner returns the signer of key.
func NewSigner(key string) *Signer {
	if key == "" {
		return &Signer{}
	}
	return &Signer{mac: hmac.New(sha256.New, []byte(key))}
}

// sign returns the hex signature of the four parts. A Signer is used by one goroutine.
func (s *Signer) sign(parts ...[]byte) []byte {
	if s.mac == nil {
		return nil
	}
	s.mac.Reset()
	for _, p := range parts {
		s.mac.Write(p)
	}
	sum := s.mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// Encode returns the signed frames of m (an empty part is sent as {}).
func (s *Signer) Encode(m *Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent, metadata, content := orEmpty(m.Parent), orEmpty(m.Metadata), orEmpty(m.Content)
	frames := append([][]byte{}, m.Identities...)
	return append(frames, delimiter, s.sign(header, parent, metadata, content),
		header, parent, metadata, content), nil
}

// Decode parses received frames and verifies their signature.
func (s *Signer) Decode(frames [][]byte) (*Message, error) {
	d := -1
	for i, f := range frames {
		if bytes.Equal(f, delimiter) {
			d = i
			break
		}
	}
	if d < 0 || len(frames) < d+6 {
		return nil, ErrNoDelimiter
	}
	sig, header, parent, metadata, content := frames[d+1], frames[d+2], frames[d+3], frames[d+4], frames[d+5]
	if s.mac != nil && !hmac.Equal(sig, s.sign(header, parent, metadata, content)) {
		return nil, ErrBadSignature
	}
	m := &Message{Identities: frames[:d], RawHeader: header, Parent: parent, Metadata: metadata, Content: content}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("jmsg: header: %w", err)
	}
	return m, nil
}

func orEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

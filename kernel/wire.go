package kernel

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol version the kernel speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the message proper.
const delimiter = "<IDS|MSG>"

// Header is a message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message as it travels on a socket.
type Message struct {
	Identities [][]byte // ROUTER identities (or the PUB topic) before the delimiter
	Header     Header
	// RawHeader is the header exactly as received: the parent_header of replies.
	RawHeader json.RawMessage
	Parent    json.RawMessage
	Metadata  json.RawMessage
	Content   json.RawMessage
	Buffers   [][]byte
	// Received is when the kernel read the message (for stop_on_error).
	Received time.Time
	// signature is the one the message came with (for refusing replays).
	signature []byte
}

// Errors of decoding; every one means the message is dropped.
var (
	ErrNoDelimiter   = errors.New("no <IDS|MSG> delimiter")
	ErrTooFewFrames  = errors.New("too few frames after the delimiter")
	ErrBadSignature  = errors.New("signature does not match")
	ErrBadJSON       = errors.New("frame is not a JSON object")
	ErrNoMessageType = errors.New("header has no msg_type")
	ErrReplayed      = errors.New("signature seen before: a replayed message")
)

// signatureHashes are the hashes of the signature schemes "hmac-NAME" the kernel accepts:
// every NAME of Python's hashlib that jupyter_client's Session signs with (it looks the
// name up in hashlib), except blake2b and blake2s, which Go's standard library lacks.
var signatureHashes = map[string]func() hash.Hash{
	"md5":      md5.New,
	"sha1":     sha1.New,
	"sha224":   sha256.New224,
	"sha256":   sha256.New,
	"sha384":   sha512.New384,
	"sha512":   sha512.New,
	"sha3_224": func() hash.Hash { return sha3.New224() },
	"sha3_256": func() hash.Hash { return sha3.New256() },
	"sha3_384": func() hash.Hash { return sha3.New384() },
	"sha3_512": func() hash.Hash { return sha3.New512() },
}

// signatureHash returns the hash of a signature scheme of a connection file (empty:
// the default, hmac-sha256).
func signatureHash(scheme string) (func() hash.Hash, error) {
	if scheme == "" {
		return sha256.New, nil
	}
	name, ok := strings.CutPrefix(scheme, "hmac-")
	if h := signatureHashes[name]; ok && h != nil {
		return h, nil
	}
	return nil, fmt.Errorf("signature scheme %q is not supported (hmac- with %s)",
		scheme, strings.Join(slices.Sorted(maps.Keys(signatureHashes)), ", "))
}

// signer computes message signatures, and remembers those it has verified: a message
// whose signature it has seen is a replay (a signed execute_request sent again runs
// again), refused as jupyter_client's Session refuses it. A nil signer (empty key) signs
// with "".
type signer struct {
	key  []byte
	hash func() hash.Hash
	mu   sync.Mutex
	seen map[string]bool
	ring []string // the signatures seen, oldest first, for forgetting the oldest
}

// maxSeen bounds the signatures remembered (jupyter_client keeps 2^16).
const maxSeen = 1 << 16

// newSigner returns the signer of key with HMAC-SHA256, the default scheme.
func newSigner(key string) *signer { return newSchemeSigner(key, sha256.New) }

// newSchemeSigner returns the signer of key with the HMAC of h.
func newSchemeSigner(key string, h func() hash.Hash) *signer {
	if key == "" {
		return nil
	}
	return &signer{key: []byte(key), hash: h, seen: map[string]bool{}}
}

// fresh reports whether sig is new, and remembers it.
func (s *signer) fresh(sig []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := string(sig)
	if s.seen[key] {
		return false
	}
	if len(s.ring) >= maxSeen {
		delete(s.seen, s.ring[0])
		s.ring = s.ring[1:]
	}
	s.seen[key] = true
	s.ring = append(s.ring, key)
	return true
}

// sign returns the hex HMAC of the four signed frames.
func (s *signer) sign(frames ...[]byte) []byte {
	if s == nil {
		return nil
	}
	mac := hmac.New(s.hash, s.key)
	for _, f := range frames {
		mac.Write(f)
	}
	sum := mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// decode parses the frames of a received message and verifies its signature.
func decode(frames [][]byte, s *signer) (*Message, error) {
	d := -1
	for i, f := range frames {
		if string(f) == delimiter {
			d = i
			break
		}
	}
	if d < 0 {
		return nil, ErrNoDelimiter
	}
	rest := frames[d+1:]
	if len(rest) < 5 {
		return nil, fmt.Errorf("%w: %d", ErrTooFewFrames, len(rest))
	}
	sig, header, parent, metadata, content := rest[0], rest[1], rest[2], rest[3], rest[4]
	if s != nil && !hmac.Equal(sig, s.sign(header, parent, metadata, content)) {
		return nil, ErrBadSignature
	}
	for _, f := range [][]byte{header, parent, metadata, content} {
		if !isJSONObject(f) {
			return nil, ErrBadJSON
		}
		if jsonDepth(f) > maxJSONDepth {
			return nil, fmt.Errorf("%w: nested more than %d deep", ErrBadJSON, maxJSONDepth)
		}
	}
	m := &Message{
		signature:  sig,
		Identities: frames[:d],
		RawHeader:  header,
		Parent:     parent,
		Metadata:   metadata,
		Content:    content,
		Buffers:    rest[5:],
		Received:   time.Now(),
	}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrBadJSON, err)
	}
	if m.Header.MsgType == "" {
		return nil, ErrNoMessageType
	}
	return m, nil
}

// maxJSONDepth bounds the nesting of a received part: the kernel echoes the parent header
// on iopub, and a header nested thousands deep makes every jupyter_client reader fail
// (Python's recursion limit). No message of the protocol needs more than a few levels.
const maxJSONDepth = 64

// jsonDepth is how deep the arrays and objects of valid JSON b nest.
func jsonDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

func isJSONObject(b []byte) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal(b, &v) == nil && v != nil
}

// encode returns the frames of m, signed.
func encode(m *Message, s *signer) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent, metadata, content := orEmpty(m.Parent), orEmpty(m.Metadata), orEmpty(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), s.sign(header, parent, metadata, content),
		header, parent, metadata, content)
	return append(frames, m.Buffers...), nil
}

func orEmpty(b json.RawMessage) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// dateFormat stamps microseconds, as ipykernel does: jupyter_client parses at most six
// fractional digits and leaves a date with nine as a string.
const dateFormat = "2006-01-02T15:04:05.000000Z07:00"

// newHeader returns a fresh header of type msgType in session.
func newHeader(msgType, session string) Header {
	return Header{
		MsgID:    newID(),
		Session:  session,
		Username: "kernel",
		Date:     time.Now().UTC().Format(dateFormat),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
}

// newID returns a random UUID (version 4) string.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func frames(parts ...string) [][]byte {
	out := make([][]byte, len(parts))
	for i, p := range parts {
		out[i] = []byte(p)
	}
	return out
}

const testHeader = `{"msg_id":"1","session":"s","username":"u","date":"2026-01-01T00:00:00Z","msg_type":"kernel_info_request","version":"5.3"}`

// signed returns a well-formed message from identity id, signed with key.
func signed(key string, header string) [][]byte {
	s := newSigner(key)
	sig := s.sign([]byte(header), []byte("{}"), []byte("{}"), []byte("{}"))
	return frames("id", delimiter, string(sig), header, "{}", "{}", "{}")
}

func TestSignatureIsHMACSHA256OfTheFourFrames(t *testing.T) {
	got := newSigner("key").sign([]byte("a"), []byte("b"), []byte("c"), []byte("d"))
	// Python: hmac.new(b"key", b"abcd", hashlib.sha256).hexdigest()
	const want = "2a31ec0ee8d878c9eece9fb0df79b3b90b2256240163aa5ee50d176d3d1121f8"
	if string(got) != want {
		t.Errorf("signature %s, want %s", got, want)
	}
	if newSigner("").sign([]byte("x")) != nil {
		t.Errorf("an empty key must sign with an empty signature")
	}
}

func TestDecode(t *testing.T) {
	good := signed("key", testHeader)
	badSig := signed("key", testHeader)
	badSig[2] = bytes.Repeat([]byte("0"), 64)
	changed := signed("key", testHeader)
	changed[6] = []byte(`{"x":1}`)
	noType := signed("key", `{"msg_id":"1"}`)

	tests := []struct {
		name   string
		frames [][]byte
		key    string
		want   error
	}{
		{"good", good, "key", nil},
		{"unsigned accepted without key", frames(delimiter, "", testHeader, "{}", "{}", "{}"), "", nil},
		{"wrong key", good, "other", ErrBadSignature},
		{"bad signature", badSig, "key", ErrBadSignature},
		{"changed content", changed, "key", ErrBadSignature},
		{"missing signature", frames(delimiter, "", testHeader, "{}", "{}", "{}"), "key", ErrBadSignature},
		{"no delimiter", frames("id", testHeader, "{}", "{}", "{}"), "", ErrNoDelimiter},
		{"too few frames", frames(delimiter, "", testHeader, "{}"), "", ErrTooFewFrames},
		{"header not JSON", frames(delimiter, "", "nope", "{}", "{}", "{}"), "", ErrBadJSON},
		{"content is an array", frames(delimiter, "", testHeader, "{}", "{}", "[]"), "", ErrBadJSON},
		{"no msg_type", noType, "key", ErrNoMessageType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decode(tt.frames, newSigner(tt.key))
			if !errors.Is(err, tt.want) {
				t.Fatalf("decode: got error %v, want %v", err, tt.want)
			}
			if tt.want == nil && m.Header.MsgType != "kernel_info_request" {
				t.Errorf("msg_type %q", m.Header.MsgType)
			}
		})
	}
}

func TestDecodeKeepsIdentitiesAndBuffers(t *testing.T) {
	f := append(frames("id1", "id2"), signed("k", testHeader)[1:]...)
	f = append(f, []byte("buffer"))
	m, err := decode(f, newSigner("k"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Identities) != 2 || string(m.Identities[1]) != "id2" {
		t.Errorf("identities %q", m.Identities)
	}
	if len(m.Buffers) != 1 || string(m.Buffers[0]) != "buffer" {
		t.Errorf("buffers %q", m.Buffers)
	}
	if string(m.RawHeader) != testHeader {
		t.Errorf("raw header %s", m.RawHeader)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	s := newSigner("secret")
	m := &Message{
		Identities: frames("peer"),
		Header:     newHeader("execute_reply", "sess"),
		Parent:     json.RawMessage(testHeader),
		Content:    json.RawMessage(`{"status":"ok"}`),
	}
	f, err := encode(m, s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(f, s)
	if err != nil {
		t.Fatalf("decode of our own encoding: %v", err)
	}
	if got.Header != m.Header || string(got.Parent) != testHeader || string(got.Content) != `{"status":"ok"}` {
		t.Errorf("round trip changed the message: %+v", got)
	}
	if string(got.Metadata) != "{}" {
		t.Errorf("missing metadata must encode as {}, got %s", got.Metadata)
	}
}

func TestNewIDIsAVersion4UUID(t *testing.T) {
	id := newID()
	if len(id) != 36 || id[14] != '4' || id == newID() {
		t.Errorf("newID() = %q", id)
	}
}

// FuzzDecode: no input may panic the decoder, and what it accepts re-encodes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(delimiter), []byte(""), []byte(testHeader), []byte("{}"))
	f.Add([]byte("x"), []byte("sig"), []byte("{"), []byte("[]"))
	f.Add([]byte(delimiter), []byte("00"), []byte(`{"msg_type":1}`), []byte(`{"a":"\u0000"}`))
	f.Fuzz(func(t *testing.T, a, sig, header, content []byte) {
		m, err := decode([][]byte{a, sig, header, []byte("{}"), []byte("{}"), content}, nil)
		if err != nil {
			return
		}
		if _, err := encode(m, nil); err != nil {
			t.Errorf("accepted message does not encode: %v", err)
		}
	})
}

// A signed message received twice is a replay: the kernel refuses the second (receive).
func TestReplayedMessageIsRefused(t *testing.T) {
	s := newSigner("key")
	header := []byte(testHeader)
	sig := s.sign(header, []byte("{}"), []byte("{}"), []byte("{}"))
	f := [][]byte{[]byte(delimiter), sig, header, []byte("{}"), []byte("{}"), []byte("{}")}
	for i, want := range []bool{true, false} {
		m, err := decode(f, s)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.fresh(m.signature); got != want {
			t.Errorf("message %d: fresh %v, want %v", i+1, got, want)
		}
	}
	// The memory is bounded: the oldest signatures are forgotten first.
	small := newSigner("key")
	for i := range maxSeen + 1 {
		small.fresh([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
	}
	if len(small.seen) != maxSeen || small.fresh([]byte{0, 0, 0}) == false {
		t.Errorf("remembered %d signatures; the oldest should be forgotten", len(small.seen))
	}
}

// A part nested deeper than any message needs is refused: echoed on iopub, it would make
// every jupyter_client reader fail.
func TestDeeplyNestedJSONIsRefused(t *testing.T) {
	if d := jsonDepth([]byte(`{"a": [1, {"b": "}}}[[[\"{"}], "c": {}}`)); d != 3 {
		t.Errorf("depth %d, want 3 (brackets in strings do not count)", d)
	}
	s := newSigner("key")
	deep := []byte(`{"msg_id": "1", "msg_type": "execute_request", "x": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`)
	f := [][]byte{[]byte(delimiter), s.sign(deep, []byte("{}"), []byte("{}"), []byte("{}")), deep, []byte("{}"), []byte("{}"), []byte("{}")}
	if _, err := decode(f, s); !errors.Is(err, ErrBadJSON) {
		t.Errorf("a header 5000 deep: got %v", err)
	}
	ok := []byte(testHeader)
	f = [][]byte{[]byte(delimiter), s.sign(ok, []byte("{}"), []byte("{}"), []byte("{}")), ok, []byte("{}"), []byte("{}"), []byte("{}")}
	if _, err := decode(f, s); err != nil {
		t.Errorf("an ordinary header: %v", err)
	}
}

package jmsg

import (
	"bytes"
	"errors"
	"testing"
)

// The signature of four parts as Python's hmac computes it, the way jupyter_client's
// Session signs: hmac.new(b"bench-key", digestmod=hashlib.sha256), update with each part.
func TestSignatureIsJupyterClients(t *testing.T) {
	got := NewSigner("bench-key").sign([]byte(`{"msg_id":"a"}`), []byte("{}"), []byte("{}"), []byte(`{"code":"1+1"}`))
	if want := "b201426485ccb35ad25e73f386214d70d0143cf58d8189c9f23b12b4b1916336"; string(got) != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

func TestEncodeDecode(t *testing.T) {
	s := NewSigner("k")
	m := &Message{Identities: [][]byte{[]byte("id")}, Header: NewHeader("execute_request", "s"),
		Parent: []byte(`{"msg_id":"p"}`), Content: []byte(`{"code":"1+1"}`)}
	frames, err := s.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(frames)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != m.Header || got.ParentID() != "p" || !bytes.Equal(got.Content, m.Content) ||
		!bytes.Equal(got.Metadata, []byte("{}")) || len(got.Identities) != 1 || string(got.Identities[0]) != "id" {
		t.Errorf("decoded %+v, sent %+v", got, m)
	}
	if _, err := NewSigner("other").Decode(frames); !errors.Is(err, ErrBadSignature) {
		t.Errorf("another key: %v, want ErrBadSignature", err)
	}
	if _, err := s.Decode(frames[:3]); !errors.Is(err, ErrNoDelimiter) {
		t.Errorf("cut short: %v, want ErrNoDelimiter", err)
	}
}

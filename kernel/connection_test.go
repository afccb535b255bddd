package kernel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The HMACs of RFC 2202 (MD5, SHA-1) and RFC 4231 (SHA-2) test case 2, key "Jefe"; SHA-3
// from Python's hmac.new(b"Jefe", b"what do ya want for nothing?", hashlib.sha3_256).
var jefe = map[string]string{
	"hmac-md5":      "750c783e6ab0b503eaa86e310a5db738",
	"hmac-sha1":     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
	"hmac-sha224":   "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
	"hmac-sha256":   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	"hmac-sha384":   "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
	"hmac-sha512":   "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
	"hmac-sha3_224": "7fdb8dd88bd2f60d1b798634ad386811c2cfc85bfaf5d52bbace5e66",
	"hmac-sha3_256": "c7d4072e788877ae3596bbb0da73b887c9171f93095b294ae857fbe2645e1ba5",
	"hmac-sha3_384": "f1101f8cbf9766fd6764d2ed61903f21ca9b18f57cf3e1a23ca13508a93243ce48c045dc007f26a21b3f5e0e9df4c20a",
	"hmac-sha3_512": "5a4bfeab6166427c7a3647b747292b8384537cdb89afb3bf5665e4c5e709350b287baec921fd7ca0ee7a0c31d022a95e1fc92ba9d77df883960275beb4e62024",
}

func TestSignatureSchemesSignAsTheirHMACs(t *testing.T) {
	for scheme, want := range jefe {
		h, err := signatureHash(scheme)
		if err != nil {
			t.Errorf("%s: %v", scheme, err)
			continue
		}
		// The four signed frames, concatenated, are the RFCs' data.
		got := newSchemeSigner("Jefe", h).sign([]byte("what do "), []byte("ya want "), []byte("for "), []byte("nothing?"))
		if string(got) != want {
			t.Errorf("%s: %s, want %s", scheme, got, want)
		}
	}
}

// writeConnectionFile writes a connection file of ports 1 to 5 with the given fields.
func writeConnectionFile(t *testing.T, fields string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kernel.json")
	data := `{"ip": "127.0.0.1", "shell_port": 1, "control_port": 2, "stdin_port": 3, "iopub_port": 4, "hb_port": 5, ` + fields + `}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConnectionFileSignatureSchemes(t *testing.T) {
	for scheme := range jefe {
		if _, err := ReadConnectionFile(writeConnectionFile(t, `"key": "k", "signature_scheme": "`+scheme+`"`)); err != nil {
			t.Errorf("%s refused: %v", scheme, err)
		}
	}
	c, err := ReadConnectionFile(writeConnectionFile(t, `"key": "k"`))
	if err != nil || c.SignatureScheme != "hmac-sha256" {
		t.Errorf("no scheme: %v, %v; want hmac-sha256", c, err)
	}
	// Unknown to hashlib, not an HMAC, another case than hashlib's, or not in Go.
	for _, scheme := range []string{"hmac-sha999", "sha256", "HMAC-SHA256", "hmac-", "hmac-blake2b"} {
		for _, key := range []string{"k", ""} {
			_, err := ReadConnectionFile(writeConnectionFile(t, `"key": "`+key+`", "signature_scheme": "`+scheme+`"`))
			if err == nil || !strings.Contains(err.Error(), `signature scheme "`+scheme+`" is not supported (hmac- with md5, sha1, sha224, sha256, sha384, sha3_224`) {
				t.Errorf("%s (key %q): %v; want a refusal naming the schemes supported", scheme, key, err)
			}
		}
	}
}

// A kernel whose connection file says hmac-sha512 signs its replies so and refuses a
// request signed with another scheme.
func TestAKernelSignsWithTheConnectionFilesScheme(t *testing.T) {
	conn := testConnection(t)
	conn.SignatureScheme = "hmac-sha512"
	s := &fakeSession{}
	c, _ := startKernelOn(t, s, conn)
	c.send(c.shell, "kernel_info_request", map[string]any{})
	r := c.recv(c.shell) // decoded with the client's HMAC-SHA512
	if r.Header.MsgType != "kernel_info_reply" || len(r.signature) != 128 {
		t.Fatalf("got %s signed %q", r.Header.MsgType, r.signature)
	}
	other := *c
	other.signer = newSigner(conn.Key) // the right key, HMAC-SHA256
	other.send(c.shell, "execute_request", map[string]any{"code": "print"})
	c.send(c.shell, "kernel_info_request", map[string]any{})
	if r := c.recv(c.shell); r.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("got %s, want only the reply to the HMAC-SHA512 request", r.Header.MsgType)
	}
	if n := s.executed.Load(); n != 0 {
		t.Errorf("a request signed with HMAC-SHA256 ran")
	}
}

package session

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/secure/precis"
)

// SCRAM-SHA-256 (RFC 5802, RFC 7677): the password never crosses the wire,
// and the server proves with its signature (v=) that it holds the salted
// key, so a forged server learns nothing and is refused. Written on the
// standard library (crypto/pbkdf2, crypto/hmac): the mechanism is three
// messages, and a dependency for it would be more code to trust than this.

// scramMaxIter bounds the iteration count a server may ask for: PBKDF2
// runs in the session's caller, and a hostile server must not be able to
// stall it for minutes.
const scramMaxIter = 1 << 20

// scramNonceLen is the bytes of randomness in our nonce (base64 encoded).
const scramNonceLen = 24

// scram is the client side of one SCRAM-SHA-256 exchange.
type scram struct {
	user, pass string
	rand       io.Reader // crypto/rand.Reader; tests pass a fixed nonce source
	step       int       // messages sent: 0, 1 (client-first), 2 (client-final)
	nonce      string    // ours (c-nonce)
	firstBare  string    // client-first-message-bare
	serverSig  []byte    // the signature the server must show (v=)
	verified   bool
}

// newSCRAM returns the mechanism for user and pass; r nil means crypto/rand.
func newSCRAM(user, pass string, r io.Reader) *scram {
	if r == nil {
		r = rand.Reader
	}
	return &scram{user: user, pass: pass, rand: r}
}

func (c *scram) Next(challenge []byte) ([]byte, error) {
	switch c.step {
	case 0:
		c.step++
		return c.clientFirst()
	case 1:
		c.step++
		return c.clientFinal(string(challenge))
	case 2:
		c.step++
		return nil, c.serverFinal(string(challenge))
	}
	return nil, errors.New("the server sent SCRAM messages after the exchange ended")
}

// Done requires that the server's signature was checked: a 903 that skips
// the server-final message proves nothing.
func (c *scram) Done() error {
	if !c.verified {
		return fmt.Errorf("%w: it reported success without sending its SCRAM signature", errServerProof)
	}
	return nil
}

func (c *scram) clientFirst() ([]byte, error) {
	user, err := precis.UsernameCasePreserved.String(c.user)
	if err != nil {
		return nil, fmt.Errorf("the SASL username %q cannot be used with SCRAM (RFC 8265 rejects it: %v)", c.user, err)
	}
	b := make([]byte, scramNonceLen)
	if _, err := io.ReadFull(c.rand, b); err != nil {
		return nil, fmt.Errorf("SCRAM nonce: %w", err)
	}
	c.nonce = base64.RawStdEncoding.EncodeToString(b)
	c.firstBare = "n=" + scramName(user) + ",r=" + c.nonce
	return []byte("n,," + c.firstBare), nil
}

// scramName escapes a saslname (RFC 5802 section 5.1).
func scramName(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

func (c *scram) clientFinal(serverFirst string) ([]byte, error) {
	attrs, err := scramAttrs(serverFirst)
	if err != nil {
		return nil, err
	}
	if _, ok := attrs['m']; ok {
		return nil, errors.New("the server asked for a SCRAM extension ferry does not know (m=)")
	}
	nonce := attrs['r']
	if len(nonce) <= len(c.nonce) || !strings.HasPrefix(nonce, c.nonce) {
		return nil, errors.New("the server's SCRAM nonce does not extend ours")
	}
	salt, err := base64.StdEncoding.DecodeString(attrs['s'])
	if err != nil || len(salt) == 0 {
		return nil, errors.New("the server's SCRAM salt is missing or not base64")
	}
	iter, err := strconv.Atoi(attrs['i'])
	if err != nil || iter < 1 || iter > scramMaxIter {
		return nil, fmt.Errorf("the server's SCRAM iteration count %q is not between 1 and %d", attrs['i'], scramMaxIter)
	}
	pass, err := precis.OpaqueString.String(c.pass)
	if err != nil {
		return nil, errors.New("the SASL password cannot be used with SCRAM: RFC 8265 rejects some of its characters (control characters?)")
	}
	salted, err := pbkdf2.Key(sha256.New, pass, salt, iter, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("SCRAM key derivation: %w", err)
	}
	clientKey := scramHMAC(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte("n,,")) + ",r=" + nonce
	auth := c.firstBare + "," + serverFirst + "," + withoutProof
	proof := scramHMAC(stored[:], auth)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	c.serverSig = scramHMAC(scramHMAC(salted, "Server Key"), auth)
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

func (c *scram) serverFinal(msg string) error {
	attrs, err := scramAttrs(msg)
	if err != nil {
		return fmt.Errorf("%w: %v", errServerProof, err)
	}
	if e, ok := attrs['e']; ok {
		return fmt.Errorf("the server refused the SCRAM proof (%s)", clip(e, 64))
	}
	v, ok := attrs['v']
	if !ok {
		return fmt.Errorf("%w: its SCRAM final message has no signature", errServerProof)
	}
	sig, err := base64.StdEncoding.DecodeString(v)
	if err != nil || !hmac.Equal(sig, c.serverSig) {
		return fmt.Errorf("%w: its SCRAM signature is wrong", errServerProof)
	}
	c.verified = true
	return nil
}

func scramHMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// scramAttrs parses "a=value,b=value" (RFC 5802 section 7); values may hold
// '=' but not ','.
func scramAttrs(msg string) (map[byte]string, error) {
	out := map[byte]string{}
	for _, f := range strings.Split(msg, ",") {
		if len(f) < 2 || f[1] != '=' || bytes.IndexByte([]byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), f[0]) < 0 {
			return nil, errors.New("the server's SCRAM message is malformed")
		}
		if _, dup := out[f[0]]; !dup {
			out[f[0]] = f[2:]
		}
	}
	return out, nil
}

package testnet

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677), kept apart from
// ferry's client on purpose: the two are checked against each other and
// against RFC 7677's example. Passwords are not normalised (SASLprep):
// ferryd's test accounts are ASCII.

// scramIter is the PBKDF2 iteration count of ferryd's accounts (RFC 7677's
// minimum).
const scramIter = 4096

// account is how ferryd keeps an account: never the password, only the
// salted keys RFC 5802 section 3 lets a server store.
type account struct {
	salt      []byte
	iter      int
	storedKey []byte // H(ClientKey)
	serverKey []byte
}

func newAccount(pass string) account {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	a := account{salt: salt, iter: scramIter}
	a.storedKey, a.serverKey = scramKeys(pass, salt, scramIter)
	return a
}

func scramKeys(pass string, salt []byte, iter int) (stored, server []byte) {
	salted, err := pbkdf2.Key(sha256.New, pass, salt, iter, sha256.Size)
	if err != nil {
		return nil, nil
	}
	ck := mac(salted, "Client Key")
	h := sha256.Sum256(ck)
	return h[:], mac(salted, "Server Key")
}

// checkPassword verifies a PLAIN password against the stored key.
func (a account) checkPassword(pass string) bool {
	stored, _ := scramKeys(pass, a.salt, a.iter)
	return stored != nil && hmacEqual(stored, a.storedKey)
}

func mac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// scramExchange is the server's state between the client's two messages.
type scramExchange struct {
	user        string
	acct        account
	gs2         string // the client's GS2 header, echoed in c=
	firstBare   string
	serverFirst string
	nonce       string // client nonce + ours
	sig         []byte // ServerSignature, sent once the proof checks
	proved      bool   // v= sent; waiting for the client's empty answer
}

func (n *Network) scramStep(c *conn, msg []byte) {
	u := c.u
	x := u.sasl.scram
	switch {
	case x == nil:
		n.scramFirst(c, string(msg))
	case !x.proved:
		n.scramFinal(c, string(msg))
	default:
		// The client's empty answer to v=.
		if len(msg) != 0 {
			n.saslFail(c, "data after the SCRAM exchange")
			return
		}
		n.loggedIn(c, x.user)
	}
}

// scramFirst reads client-first-message: gs2-header ("n,," or "y,,"; no
// channel binding, no authzid other than the user) then "n=user,r=nonce".
func (n *Network) scramFirst(c *conn, msg string) {
	parts := strings.SplitN(msg, ",", 3)
	if len(parts) != 3 || (parts[0] != "n" && parts[0] != "y") {
		n.saslFail(c, "unsupported GS2 header")
		return
	}
	bare := parts[2]
	attrs := scramFields(bare)
	user, ok := unescapeSASLName(attrs["n"])
	cnonce := attrs["r"]
	if !ok || user == "" || cnonce == "" || strings.HasPrefix(bare, "m=") {
		n.saslFail(c, "malformed client-first-message")
		return
	}
	if parts[1] != "" && parts[1] != "a="+attrs["n"] {
		n.saslFail(c, "authorization identity differs from the user")
		return
	}
	acct, known := n.lookupAccount(user)
	if !known {
		n.saslFail(c, "unknown account "+strconv.Quote(user))
		return
	}
	var sb [18]byte
	_, _ = rand.Read(sb[:])
	x := &scramExchange{user: user, acct: acct, gs2: parts[0] + "," + parts[1] + ",", firstBare: bare,
		nonce: cnonce + base64.RawURLEncoding.EncodeToString(sb[:])}
	x.serverFirst = "r=" + x.nonce + ",s=" + base64.StdEncoding.EncodeToString(acct.salt) + ",i=" + strconv.Itoa(acct.iter)
	c.u.sasl.scram = x
	c.sendAuthenticate([]byte(x.serverFirst))
}

// scramFinal checks client-final-message's proof and answers with v=.
func (n *Network) scramFinal(c *conn, msg string) {
	x := c.u.sasl.scram
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		n.saslFail(c, "client-final-message without a proof")
		return
	}
	withoutProof := msg[:i]
	attrs := scramFields(withoutProof)
	if attrs["c"] != base64.StdEncoding.EncodeToString([]byte(x.gs2)) || attrs["r"] != x.nonce {
		n.saslFail(c, "channel binding or nonce mismatch")
		return
	}
	proof, err := base64.StdEncoding.DecodeString(msg[i+3:])
	if err != nil || len(proof) != sha256.Size {
		n.saslFail(c, "malformed proof")
		return
	}
	auth := x.firstBare + "," + x.serverFirst + "," + withoutProof
	sig := mac(x.acct.storedKey, auth)
	clientKey := make([]byte, len(proof))
	for j := range proof {
		clientKey[j] = proof[j] ^ sig[j]
	}
	h := sha256.Sum256(clientKey)
	if !hmacEqual(h[:], x.acct.storedKey) {
		n.saslFail(c, "wrong password for account "+strconv.Quote(x.user))
		return
	}
	x.sig = mac(x.acct.serverKey, auth)
	x.proved = true
	f := n.faults
	switch {
	case f.SCRAMSkipSignature:
		n.loggedIn(c, x.user)
	case f.SCRAMForgedSignature:
		forged := append([]byte(nil), x.sig...)
		forged[0] ^= 0xff
		c.sendAuthenticate([]byte("v=" + base64.StdEncoding.EncodeToString(forged)))
	default:
		c.sendAuthenticate([]byte("v=" + base64.StdEncoding.EncodeToString(x.sig)))
	}
}

// scramFields splits "k=v,k=v"; the first value of a key wins.
func scramFields(s string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		if _, dup := out[k]; !dup {
			out[k] = v
		}
	}
	return out
}

// unescapeSASLName undoes "=2C" and "=3D" (RFC 5802 section 5.1); any other
// '=' is invalid.
func unescapeSASLName(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "=2C"):
			b.WriteByte(',')
		case strings.HasPrefix(s[i:], "=3D"):
			b.WriteByte('=')
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

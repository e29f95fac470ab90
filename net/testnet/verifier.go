package testnet

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// verifierPrefix starts an account as ferryd stores it outside the
// process (the network's KV in cluster mode), in RFC 5803's form:
//
//	SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
//
// with base64 salt and keys. SCRAM authenticates from it directly and
// PLAIN derives StoredKey again with its salt and count; the password
// itself is never written.
const verifierPrefix = "SCRAM-SHA-256$"

// maxScramIter bounds the iteration count read back from the store, so a
// corrupt or hostile entry cannot make every PLAIN attempt cost seconds.
const maxScramIter = 1 << 20

// verifier encodes a as RFC 5803's SCRAM-SHA-256 verifier.
func (a account) verifier() string {
	enc := base64.StdEncoding.EncodeToString
	return verifierPrefix + strconv.Itoa(a.iter) + ":" + enc(a.salt) + "$" + enc(a.storedKey) + ":" + enc(a.serverKey)
}

var errBadVerifier = errors.New("malformed SCRAM-SHA-256 verifier")

// parseVerifier reads what verifier wrote.
func parseVerifier(s string) (account, error) {
	rest, ok := strings.CutPrefix(s, verifierPrefix)
	if !ok {
		return account{}, errBadVerifier
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return account{}, errBadVerifier
	}
	iter, salt, ok1 := strings.Cut(params, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return account{}, errBadVerifier
	}
	var a account
	var err error
	if a.iter, err = strconv.Atoi(iter); err != nil || a.iter < 1 || a.iter > maxScramIter {
		return account{}, fmt.Errorf("%w: iteration count %q", errBadVerifier, iter)
	}
	dec := base64.StdEncoding.DecodeString
	a.salt, err = dec(salt)
	if err != nil || len(a.salt) == 0 {
		return account{}, fmt.Errorf("%w: salt", errBadVerifier)
	}
	a.storedKey, err = dec(stored)
	if err != nil || len(a.storedKey) != 32 {
		return account{}, fmt.Errorf("%w: StoredKey", errBadVerifier)
	}
	a.serverKey, err = dec(server)
	if err != nil || len(a.serverKey) != 32 {
		return account{}, fmt.Errorf("%w: ServerKey", errBadVerifier)
	}
	return a, nil
}

// storedAccount reads an account entry of the network's KV. An entry
// without the verifier prefix was written by a ferryd that stored the
// password in clear: it still works (legacy is true, and the caller
// rewrites it as a verifier).
func storedAccount(v []byte) (a account, legacy bool, err error) {
	if strings.HasPrefix(string(v), verifierPrefix) {
		a, err = parseVerifier(string(v))
		return a, false, err
	}
	return newAccount(string(v)), true, nil
}

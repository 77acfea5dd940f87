package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (RFC 9106's second recommended option, lighter on memory for a 2-core box).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashSecret returns an argon2id hash of a password or PIN in PHC string form.
func HashSecret(secret string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash secret: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifySecret reports whether secret matches an argon2id hash, in constant time.
func VerifySecret(hash, secret string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var mem, t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(secret), salt, t, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// ErrWeakPIN and ErrWeakPassword describe credential rules.
var (
	ErrWeakPIN      = errors.New("PIN must be 4 to 8 digits")
	ErrWeakPassword = errors.New("password must be at least 8 characters")
)

// CheckPIN enforces 4–8 digits.
func CheckPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 8 {
		return ErrWeakPIN
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return ErrWeakPIN
		}
	}
	return nil
}

// CheckPassword enforces a minimum length (and a sane maximum).
func CheckPassword(pw string) error {
	if len([]rune(pw)) < 8 || len(pw) > 200 {
		return ErrWeakPassword
	}
	return nil
}

// PINLookup is the keyed hash stored beside the slow PIN hash: it lets PIN sign-in find the user
// by index and keeps PINs unique across the system, without storing anything reversible.
func PINLookup(key []byte, pin string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("pin:" + pin))
	return hex.EncodeToString(m.Sum(nil))
}

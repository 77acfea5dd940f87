package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Tokens issues and checks API access tokens: HS256 JWTs with a key derived from SECRET_KEY.
type Tokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewTokens makes a token issuer; now may be nil (time.Now).
func NewTokens(key []byte, ttl time.Duration, now func() time.Time) *Tokens {
	if now == nil {
		now = time.Now
	}
	return &Tokens{key: key, ttl: ttl, now: now}
}

const issuer = "backroom"

// Claims is what an access token says: whose it is, the sign-in (refresh-token family) it
// belongs to, and the credential epoch it was issued under.
type Claims struct {
	UserID uuid.UUID
	Family uuid.UUID
	Epoch  int
}

type jwtClaims struct {
	jwt.RegisteredClaims
	Family string `json:"sid"`
	Epoch  int    `json:"cep"`
}

// Issue returns a signed access token for the user, valid for the configured TTL.
func (t *Tokens) Issue(c Claims) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(t.ttl)
	claims := jwtClaims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   c.UserID.String(),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-30 * time.Second)),
		ExpiresAt: jwt.NewNumericDate(exp),
		ID:        uuid.NewString(),
	}, Family: c.Family.String(), Epoch: c.Epoch}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

// ErrBadToken is any token that is malformed, forged or expired.
var ErrBadToken = errors.New("invalid or expired access token")

// Parse checks signature, algorithm, issuer and expiry, and returns the claims.
func (t *Tokens) Parse(token string) (Claims, error) {
	var claims jwtClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(issuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(t.now), jwt.WithLeeway(0))
	if err != nil {
		return Claims{}, ErrBadToken
	}
	id, err1 := uuid.Parse(claims.Subject)
	family, err2 := uuid.Parse(claims.Family)
	if err1 != nil || err2 != nil {
		return Claims{}, ErrBadToken
	}
	return Claims{UserID: id, Family: family, Epoch: claims.Epoch}, nil
}

// randomToken returns an opaque 256-bit token and its SHA-256 (what is stored).
func randomToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

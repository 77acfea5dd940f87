// Package dbtest gives each test its own PostgreSQL database, cloned from a template that has
// every migration applied. Tests need TEST_DATABASE_URL (an admin URL to a server; `make test`
// sets it and starts a throwaway server when none is running).
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"backroom/models"
)

// AdminURL is the server's admin URL from TEST_DATABASE_URL; the test fails without it.
func AdminURL(t testing.TB) string {
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run `make test`, or point it at a PostgreSQL admin URL such as postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	}
	return u
}

// New creates a fresh, migrated database for this test and drops it when the test ends.
// It returns the database's URL, a pool and a GORM handle over it.
func New(t testing.TB) (string, *pgxpool.Pool, *gorm.DB) {
	t.Helper()
	ctx := context.Background()
	admin := AdminURL(t)
	tpl, err := ensureTemplate(ctx, admin)
	if err != nil {
		t.Fatalf("test database template: %v", err)
	}
	name := "bt_" + randomHex(8)
	if err := exec(ctx, admin, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tpl)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	dbURL := withDatabase(admin, name)
	pool, db, err := models.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect test database: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		_ = exec(context.Background(), admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return dbURL, pool, db
}

// ensureTemplate builds backroom_tpl_<digest> once per migration set; an advisory lock makes
// concurrent test packages wait for the one that builds it.
func ensureTemplate(ctx context.Context, admin string) (string, error) {
	name := "backroom_tpl_" + models.MigrationsDigest()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(74201)`); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(74201)`)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	pool, err := pgxpool.New(ctx, withDatabase(admin, building))
	if err != nil {
		return "", err
	}
	migrateErr := models.Migrate(ctx, pool)
	pool.Close()
	if migrateErr != nil {
		return "", migrateErr
	}
	// The pool's connections close asynchronously; rename waits until none remain.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err = conn.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name))
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return name, err
}

func exec(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		// key=value form
		return strings.TrimSpace(raw) + " dbname=" + name
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

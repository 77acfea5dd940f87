package models

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/schema"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Connect opens one pgx pool and a GORM handle over it, so sessions, jobs and models share
// connections and transactions.
func Connect(ctx context.Context, url string) (*pgxpool.Pool, *gorm.DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if cfg.MaxConns < 10 {
		cfg.MaxConns = 10
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("connect to database: %w", err)
	}
	db, err := OpenGorm(pool)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return pool, db, nil
}

// OpenGorm wraps an existing pool in GORM with Backroom's conventions: UUIDv7 ids assigned on
// create, UTC timestamps, and no logging of SQL (errors are returned to callers).
func OpenGorm(pool *pgxpool.Pool) (*gorm.DB, error) {
	sqlDB := stdlib.OpenDBFromPool(pool)
	db, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true,
		TranslateError:         false,
	})
	if err != nil {
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	if err := db.Callback().Create().Before("gorm:create").Register("backroom:uuid", assignIDs); err != nil {
		return nil, err
	}
	return db, nil
}

// NewID returns a time-ordered UUIDv7, so primary-key indexes stay append-mostly.
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

var uuidType = reflect.TypeOf(uuid.UUID{})

func assignIDs(db *gorm.DB) {
	if db.Statement.Schema == nil {
		return
	}
	field := db.Statement.Schema.LookUpField("ID")
	if field == nil || field.FieldType != uuidType {
		return
	}
	rv := db.Statement.ReflectValue
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			setID(db, field, reflect.Indirect(rv.Index(i)))
		}
	case reflect.Struct:
		setID(db, field, rv)
	}
}

func setID(db *gorm.DB, field *schema.Field, rv reflect.Value) {
	ctx := db.Statement.Context
	if _, zero := field.ValueOf(ctx, rv); zero {
		_ = field.Set(ctx, rv, NewID())
	}
}

// Migrate applies every embedded migration that has not run yet. Running it twice is a no-op.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	goose.SetBaseFS(migrations)
	goose.SetLogger(goose.NopLogger())
	if err := goose.SetDialect("postgres"); err != nil {
		return err
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	if err := goose.UpContext(ctx, sqlDB, "migrations"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// River keeps its job tables beside ours; its migrator is idempotent too.
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	return nil
}

// MigrationVersion reports the newest applied migration.
func MigrationVersion(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	goose.SetBaseFS(migrations)
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	return goose.GetDBVersionContext(ctx, sqlDB)
}

// CheckMigrated fails with a clear instruction when embedded migrations have not all run.
func CheckMigrated(ctx context.Context, pool *pgxpool.Pool) error {
	goose.SetBaseFS(migrations)
	goose.SetLogger(goose.NopLogger())
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	current, err := goose.GetDBVersionContext(ctx, sqlDB)
	if err != nil {
		return fmt.Errorf("database is not migrated; run `backroom migrate` first (%w)", err)
	}
	all, err := goose.CollectMigrations("migrations", 0, goose.MaxVersion)
	if err != nil {
		return err
	}
	if last, err := all.Last(); err == nil && last.Version > current {
		return fmt.Errorf("database is at migration %d but this build needs %d; run `backroom migrate`", current, last.Version)
	}
	return nil
}

// MigrationsDigest is a short hash of every embedded migration, so test templates are rebuilt
// when a migration changes.
func MigrationsDigest() string {
	h := sha256.New()
	h.Write([]byte("river v0.51.1"))
	entries, _ := migrations.ReadDir("migrations")
	for _, e := range entries {
		b, _ := migrations.ReadFile("migrations/" + e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Ready reports why the database cannot serve requests now: out of reach within a second, or
// behind the migrations this binary carries. Nil when it can. The messages are safe to show to
// anyone (a load balancer's health check): they name no host or credential.
func Ready(ctx context.Context, pool *pgxpool.Pool) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var applied int64
	err := pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&applied)
	if err != nil {
		return errors.New("the database is unreachable")
	}
	if want := latestMigration(); applied < want {
		return fmt.Errorf("the database is at migration %d and this binary needs %d: run backroom migrate", applied, want)
	}
	return nil
}

// latestMigration is the highest version among the embedded migrations (read from their file
// names, NNNNN_name.sql).
func latestMigration() int64 {
	entries, _ := migrations.ReadDir("migrations")
	var latest int64
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

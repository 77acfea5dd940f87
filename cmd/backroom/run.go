package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"backroom/app"
	"backroom/app/config"
	"backroom/app/jobs"
	"backroom/app/router"
	"backroom/app/server"
	"backroom/models"
	"backroom/seeds"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `Backroom: the back office of a multi-store retail chain.

Usage:
  backroom serve            run the web app and API (and background workers; --no-workers to leave them out)
  backroom worker           run only the background workers
  backroom migrate          apply database migrations (safe to run again)
  backroom seed             load the demo data (safe to run again)
  backroom user create      create a user: --username --name [--pin] [--password] --role [--store CODE]
  backroom version          print the version

Run "backroom serve --help" for the configuration variables.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "backroom", buildVersion())
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	if wantsHelp(rest) {
		printSettings(stdout)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	setupLogging(cfg, os.Stderr)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, stdout, !hasFlag(rest, "--no-workers"))
	case "worker":
		return worker(ctx, cfg, stdout)
	case "migrate":
		return withDB(ctx, cfg, func(pool *pgxpool.Pool, _ *gorm.DB) error {
			if err := models.Migrate(ctx, pool); err != nil {
				return err
			}
			v, err := models.MigrationVersion(ctx, pool)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "database is at migration %d\n", v)
			return nil
		})
	case "seed":
		return withDB(ctx, cfg, func(_ *pgxpool.Pool, db *gorm.DB) error {
			if err := seeds.Demo(ctx, db, cfg); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "demo data loaded")
			printLogins(stdout, cfg)
			return nil
		})
	case "user":
		if len(rest) == 0 || rest[0] != "create" {
			return errors.New(`usage: backroom user create --username NAME --name "Display Name" --role ROLE [--pin 1234] [--password …] [--store CODE]`)
		}
		return withDB(ctx, cfg, func(_ *pgxpool.Pool, db *gorm.DB) error {
			return createUser(ctx, db, cfg, rest[1:], stdout)
		})
	}
	fmt.Fprint(stdout, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag {
			return true
		}
	}
	return false
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--help" || a == "-h" || a == "help" {
			return true
		}
	}
	return false
}

func buildVersion() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

func printSettings(w io.Writer) {
	fmt.Fprintln(w, "Configuration (environment variables):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, s := range config.Settings {
		fmt.Fprintf(tw, "  %s\t%s\tdefault: %s\n", s.Name, s.Help, s.Default)
	}
	tw.Flush()
}

func setupLogging(cfg config.Config, w io.Writer) {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Production() {
		h = slog.NewJSONHandler(w, opts)
	}
	slog.SetDefault(slog.New(server.ContextHandler{Handler: h}))
}

func withDB(ctx context.Context, cfg config.Config, f func(*pgxpool.Pool, *gorm.DB) error) error {
	pool, db, err := models.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	return f(pool, db)
}

// startWorkers runs the job workers of a until the returned stop is called; check tells whether
// they still run.
func startWorkers(ctx context.Context, a *app.App) (stop func(), check func(context.Context) error, err error) {
	runner, err := jobs.NewRunner(a.Pool, a.Jobs, 10, time.Second)
	if err != nil {
		return nil, nil, err
	}
	if err := runner.Start(ctx); err != nil {
		return nil, nil, fmt.Errorf("start workers: %w", err)
	}
	stop = func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := runner.Stop(stopCtx); err != nil {
			slog.Error("stop workers", "err", err)
		}
	}
	return stop, runner.Check, nil
}

// worker runs only the background workers: it builds the services (app.New) and their jobs,
// never the HTTP engine.
func worker(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	return withDB(ctx, cfg, func(pool *pgxpool.Pool, db *gorm.DB) error {
		if err := models.CheckMigrated(ctx, pool); err != nil {
			return err
		}
		a, err := app.New(cfg, pool, db)
		if err != nil {
			return err
		}
		stop, _, err := startWorkers(ctx, a)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "Backroom workers are running")
		<-ctx.Done()
		stop()
		return nil
	})
}

func serve(ctx context.Context, cfg config.Config, stdout io.Writer, withWorkers bool) error {
	return withDB(ctx, cfg, func(pool *pgxpool.Pool, db *gorm.DB) error {
		if err := models.CheckMigrated(ctx, pool); err != nil {
			return err
		}
		a, err := app.New(cfg, pool, db)
		if err != nil {
			return err
		}
		var ready []func(context.Context) error
		if withWorkers {
			stop, check, err := startWorkers(ctx, a)
			if err != nil {
				return err
			}
			defer stop()
			ready = append(ready, check)
		}
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
		srv := &http.Server{
			Handler:           router.New(a, ready...),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			WriteTimeout:      120 * time.Second,
			IdleTimeout:       120 * time.Second,
		}
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(ln) }()
		slog.Info("serving", "addr", "http://"+ln.Addr().String(), "env", cfg.Env, "version", version)
		fmt.Fprintf(stdout, "Backroom is serving on http://%s\n", ln.Addr())
		if !cfg.Production() {
			printLogins(stdout, cfg)
		}
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
		}
		slog.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		return nil
	})
}

func printLogins(w io.Writer, cfg config.Config) {
	if cfg.Production() {
		return
	}
	fmt.Fprintln(w, "Demo logins (username / PIN): admin / 1234 (Administrator, HQ-wide), manager / 2345 (Store Manager), cashier / 3456 (Cashier)")
}

func createUser(ctx context.Context, db *gorm.DB, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var in seeds.UserSpec
	fs.StringVar(&in.Username, "username", "", "sign-in name")
	fs.StringVar(&in.DisplayName, "name", "", "display name")
	fs.StringVar(&in.PIN, "pin", "", "4–8 digit PIN, unique across the system")
	fs.StringVar(&in.Password, "password", "", "password (at least 8 characters)")
	fs.StringVar(&in.Role, "role", "", "role name, e.g. Administrator")
	fs.StringVar(&in.StoreCode, "store", "", "store code for a store role (omit for an HQ-wide role)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if strings.TrimSpace(in.Username) == "" || in.Role == "" || (in.PIN == "" && in.Password == "") {
		return errors.New("--username, --role and a --pin or --password are required")
	}
	u, err := seeds.CreateUser(ctx, db, cfg, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %s (%s)\n", u.Username, u.ID)
	return nil
}

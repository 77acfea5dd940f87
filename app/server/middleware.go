package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"backroom/models"
)

type ctxKey int

const requestIDKey ctxKey = iota

// RequestID gives every request an id (the caller's X-Request-ID when it is sane), puts it on
// the response and in the request context so every log line of the request carries it.
func requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if len(id) < 8 || len(id) > 64 {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey, id))
	c.Next()
}

// RequestID returns the request's id.
func RequestID(c *gin.Context) string {
	if c == nil || c.Request == nil {
		return ""
	}
	return RequestIDFrom(c.Request.Context())
}

// RequestIDFrom returns the request id held by ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// ContextHandler adds the request id of the context to every record, so slog.InfoContext(ctx, …)
// anywhere below a handler is traceable.
type ContextHandler struct{ slog.Handler }

// Handle adds request_id when the context has one.
func (h ContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper.
func (h ContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return ContextHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper.
func (h ContextHandler) WithGroup(name string) slog.Handler {
	return ContextHandler{h.Handler.WithGroup(name)}
}

// metrics are one engine's Prometheus metrics, on a registry of its own that /metrics serves
// (with the Go runtime's and the process's), so every engine built (one per test app) counts only
// its own requests.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "backroom_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "backroom_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	m.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration)
	return m
}

// accessLog logs one line per request and records its metrics.
func (m *metrics) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	elapsed := time.Since(start)
	status := c.Writer.Status()
	m.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
	if c.Request.URL.Path == "/health" || c.Request.URL.Path == "/metrics" {
		return
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	// Only the path is logged: query strings may carry tokens or search terms.
	slog.Default().Log(c.Request.Context(), level, "http",
		"method", c.Request.Method, "path", c.Request.URL.Path, "route", route,
		"status", status, "duration_ms", elapsed.Milliseconds(), "bytes", c.Writer.Size())
}

// recoverPanics turns a panic into a logged 500 through Fail.
func recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(r)
			}
			Logger(c).Error("panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				Fail(c, fmt.Errorf("panic: %v", r))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// securityHeaders sets conservative browser protections on every answer.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	c.Next()
}

// BodyLimit refuses bodies over n bytes with 413 (checked while reading, so a lying
// Content-Length does not help).
func BodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			Fail(c, &models.Error{Kind: models.ErrTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", n)})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

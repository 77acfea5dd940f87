package storesync

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"backroom/app/server"
)

// Notification is what a connected store server is told after a commit that touched synced
// data: which entity types changed, and the newest version that can exist then (the snapshot's
// xmax − 1, at or above every committed change), so a store whose cursor is below it pulls. It
// is a hint: the pull is the truth, and a store pulls at least every minute anyway.
type Notification struct {
	Type          string   `json:"type"` // "changed"
	EntityTypes   []string `json:"entityTypes"`
	LatestVersion int64    `json:"latestVersion"`
}

// notifyDelay gathers the tables of commits close together into one message.
const notifyDelay = 150 * time.Millisecond

// pingEvery keeps a socket (and the store's "last contact") alive.
const pingEvery = 30 * time.Second

// hub fans the database's sync_changed notifications out to the sockets open on this instance.
// It listens only while at least one socket is open; with several head-office instances on one
// database, each listens for its own sockets, so a change made through any reaches every store.
type hub struct {
	pool *pgxpool.Pool

	mu       sync.Mutex
	subs     map[chan Notification]struct{}
	cancel   context.CancelFunc // stops the listener when the last socket closes
	watching chan struct{}      // closed once the current listener has run LISTEN
}

func newHub(pool *pgxpool.Pool) *hub {
	return &hub{pool: pool, subs: map[chan Notification]struct{}{}}
}

// subscribe adds a socket's channel, starting the listener for the first one, and returns once
// the listener hears notifications (or after 5 s, when the database is slow: the socket still
// opens, and the store still pulls every minute).
func (h *hub) subscribe() chan Notification {
	h.mu.Lock()
	ch := make(chan Notification, 8)
	h.subs[ch] = struct{}{}
	if h.cancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		h.cancel, h.watching = cancel, make(chan struct{})
		go h.listen(ctx, h.watching)
	}
	watching := h.watching
	h.mu.Unlock()
	select {
	case <-watching:
	case <-time.After(5 * time.Second):
	}
	return ch
}

func (h *hub) unsubscribe(ch chan Notification) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, ch)
	if len(h.subs) == 0 && h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
}

func (h *hub) broadcast(n Notification) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- n:
		default: // a slow socket misses a hint, not data: it still pulls every minute
		}
	}
}

// listen holds one connection on LISTEN sync_changed until ctx ends, reconnecting with backoff.
func (h *hub) listen(ctx context.Context, watching chan struct{}) {
	backoff := time.Second
	var once sync.Once
	ready := func() { once.Do(func() { close(watching) }) }
	for ctx.Err() == nil {
		err := h.listenOnce(ctx, ready)
		if ctx.Err() != nil {
			return
		}
		slog.WarnContext(ctx, "sync notifications: listening failed; trying again", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (h *hub) listenOnce(ctx context.Context, ready func()) error {
	conn, err := h.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN sync_changed"); err != nil {
		return err
	}
	ready()
	// The connection goes back to the pool afterwards: it must not stay subscribed.
	defer func() { _, _ = conn.Exec(context.Background(), "UNLISTEN sync_changed") }()
	tables := map[string]bool{}
	for {
		wait, cancel := context.WithTimeout(ctx, time.Hour)
		if len(tables) > 0 {
			wait, cancel = context.WithTimeout(ctx, notifyDelay)
		}
		n, err := conn.Conn().WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			tables[n.Payload] = true
		case ctx.Err() != nil:
			return ctx.Err()
		case wait.Err() == context.DeadlineExceeded:
			if len(tables) > 0 {
				var version int64
				if err := conn.QueryRow(ctx, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1").Scan(&version); err != nil {
					return err
				}
				h.broadcast(Notification{Type: "changed", EntityTypes: entityTypesOf(tables), LatestVersion: version})
				tables = map[string]bool{}
			}
		default:
			return err
		}
	}
}

// entityTypesOf names the entity types the changed tables feed.
func entityTypesOf(tables map[string]bool) []string {
	seen := map[string]bool{}
	for _, e := range entities() {
		if tables[e.table()] || (e.name == "users" && tables["user_store_roles"]) {
			seen[e.name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// apiSocket is GET /api/v1/sync/ws: a store server's socket. It hears a Notification after each
// commit that changed synced data and a ping every 30 s; while open it counts as contact.
func (s *Service) apiSocket(c *gin.Context) {
	store := StoreOf(c)
	// Subscribed before the handshake ends, so a store that has its socket hears every commit
	// from then on.
	ch := s.hub.subscribe()
	defer s.hub.unsubscribe(ch)
	conn, err := websocket.Accept(c.Writer, c.Request, nil)
	if err != nil {
		return // Accept has answered the client
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(c.Request.Context()) // the store sends nothing; reading handles close frames
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	log := server.Logger(c).With("store", store.Code)
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-ch:
			b, _ := json.Marshal(n)
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := conn.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				log.Info("sync socket closed", "err", err)
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
			if err := s.contact(ctx, store.ID); err != nil {
				log.Warn("sync socket: recording contact failed", "err", err)
			}
		}
	}
}

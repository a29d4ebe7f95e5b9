package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"holdspace"
	"holdspace/seal"
	"holdspace/store"
)

// clientNames keeps this node's name index (nameindex.go) current.
//
//   - Built on first use (or by WarmClientSearch at start, in the
//     background): every client's name is opened once, from one read
//     transaction, with each client's data key opened directly (the shared
//     key cache is not flooded).
//   - Kept current on this node synchronously: the services that create a
//     client, change its assignments or erase it call touch after their
//     transaction commits, so the committing process finds the change in
//     its very next search.
//   - Kept current across nodes through the change notifications: every
//     such transaction also notifies "client:<id>" (store.DB.Subscribe
//     delivers it on every node: PostgreSQL LISTEN/NOTIFY, or in process on
//     SQLite), and a notification naming a client makes the node re-read
//     that one client. Notifications are hints that can be lost (a listener
//     reconnecting), so an index in use is also rebuilt every
//     resyncInterval.
//
// The index only proposes: every result is re-read and re-checked in the
// search's own transaction (visibility, assignment, the name itself; see
// SearchClients), so a stale index can at worst miss a client for the
// notification's latency, never show a client the viewer may not see or
// under a name they no longer have.
type clientNames struct {
	a   *core
	idx *nameIndex

	startOnce sync.Once
	// ready is closed once the first build finished (buildErr says how).
	ready    chan struct{}
	buildErr error

	// refreshMu serializes re-reads of one client and their application,
	// so that a later re-read is never overwritten by an earlier one;
	// rebuildMu serializes rebuilds.
	refreshMu sync.Mutex
	rebuildMu sync.Mutex

	mu         sync.Mutex
	built      bool
	rebuilding bool
	dirty      map[string]struct{} // touched while rebuilding: re-read after
	pending    map[string]struct{} // notified, not yet re-read
	used       bool                // searched since the last build
	wake       chan struct{}

	// applied, if set (tests), is called after a client was re-read.
	applied func(id string)
}

// resyncInterval is how often an index in use is rebuilt from the store,
// which bounds how long a lost notification can hide a change.
const resyncInterval = 10 * time.Minute

// manyChanged is how many changed clients are re-read one by one; more
// (an import) rebuild the whole index, which is cheaper than as many
// updates at 100,000 clients.
const manyChanged = 1000

func newClientNames(a *core) *clientNames {
	return &clientNames{a: a, idx: newNameIndex(), ready: make(chan struct{}), dirty: map[string]struct{}{},
		pending: map[string]struct{}{}, wake: make(chan struct{}, 1)}
}

// start subscribes to the change notifications and builds the index in the
// background, once. The goroutines end when the database closes (its
// notification channel closes).
func (n *clientNames) start() {
	n.startOnce.Do(func() {
		// Subscribe before building, so that no change committed during
		// the build goes unheard.
		topics := n.a.db.Subscribe(context.Background())
		done := make(chan struct{})
		go n.listen(topics, done)
		go n.work(done)
	})
}

// listen moves the client ids of notifications to the pending set without
// ever blocking, so that the store's subscriber buffer does not overflow.
func (n *clientNames) listen(topics <-chan string, done chan<- struct{}) {
	defer close(done)
	for t := range topics {
		id, ok := strings.CutPrefix(t, "client:")
		if !ok || id == "" {
			continue
		}
		n.mu.Lock()
		n.pending[id] = struct{}{}
		n.mu.Unlock()
		select {
		case n.wake <- struct{}{}:
		default:
		}
	}
}

// work builds the index, then re-reads the notified clients and rebuilds
// the index every resyncInterval while it is in use, until done.
func (n *clientNames) work(done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-done; cancel() }()
	n.buildErr = n.rebuild(ctx)
	if n.buildErr != nil && ctx.Err() == nil {
		n.a.log.Error("client search: build the name index", "err", n.buildErr)
	}
	close(n.ready)
	tick := time.NewTicker(resyncInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
			n.mu.Lock()
			ids := n.pending
			n.pending = map[string]struct{}{}
			n.mu.Unlock()
			if len(ids) > manyChanged {
				if err := n.rebuild(ctx); err != nil && ctx.Err() == nil {
					n.a.log.Error("client search: rebuild the name index", "err", err)
				}
				continue
			}
			for id := range ids {
				n.touch(ctx, id)
			}
		case <-tick.C:
			n.mu.Lock()
			used := n.used || !n.built
			n.used = false
			n.mu.Unlock()
			if used {
				if err := n.rebuild(ctx); err != nil && ctx.Err() == nil {
					n.a.log.Error("client search: rebuild the name index", "err", err)
				}
			}
		}
	}
}

// wait starts the index if needed and waits for its first build.
func (n *clientNames) wait(ctx context.Context) error {
	n.start()
	select {
	case <-n.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	n.mu.Lock()
	n.used = true
	built := n.built
	n.mu.Unlock()
	if !built {
		return fmt.Errorf("client search: the name index is not available: %w", n.buildErr)
	}
	return nil
}

// touch re-reads one client and updates the index: after a commit on this
// node (synchronously), or on a notification. Before the index is first
// built it does nothing (the build reads the client); during a rebuild the
// client is re-read again once the rebuilt index is in place.
func (n *clientNames) touch(ctx context.Context, id string) {
	n.mu.Lock()
	if n.rebuilding {
		n.dirty[id] = struct{}{}
	}
	built := n.built
	n.mu.Unlock()
	if !built {
		return
	}
	n.refreshMu.Lock()
	defer n.refreshMu.Unlock()
	c, err := n.readOne(ctx, id)
	switch {
	case holdspace.ErrorCode(err) == holdspace.ENOTFOUND:
		n.idx.remove(id)
	case err != nil:
		// Left as it was; the next rebuild reads it again.
		n.a.log.Warn("client search: re-read a client", "client", id, "err", err)
		return
	default:
		n.idx.put(c)
	}
	if n.applied != nil {
		n.applied(id)
	}
}

// touchedClients is touch for the services, after their commit, in the
// caller's process: each client re-read, or the index rebuilt when more
// than manyChanged changed (an import).
func (a *core) touchedClients(ctx context.Context, ids ...string) {
	if a.names == nil || len(ids) == 0 {
		return
	}
	// The change is committed: the caller going away does not stop the
	// re-read, a store that does not answer does.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if len(ids) > manyChanged {
		a.names.mu.Lock()
		built := a.names.built
		a.names.mu.Unlock()
		if built {
			if err := a.names.rebuild(ctx); err != nil {
				a.log.Error("client search: rebuild the name index", "err", err)
			}
		}
		return
	}
	for _, id := range ids {
		a.names.touch(ctx, id)
	}
}

// readOne reads what the index keeps of one client; ENOTFOUND when it is
// not (or no longer) a client.
func (n *clientNames) readOne(ctx context.Context, id string) (indexedClient, error) {
	var c indexedClient
	err := n.a.db.View(ctx, func(tx store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if u.Role != holdspace.RoleClient {
			return holdspace.NotFound("client")
		}
		cl, err := tx.Client(ctx, id)
		if err != nil {
			return err
		}
		name, err := n.a.open(u.ID, "name", u.NameSealed)
		if err != nil {
			return err
		}
		c = indexedClient{id: id, name: name, pids: cl.PractitionerIDs}
		return nil
	})
	return c, err
}

// rebuild reads every client's name and replaces the index. Clients
// touched meanwhile are re-read once the new index is in place.
func (n *clientNames) rebuild(ctx context.Context) error {
	n.rebuildMu.Lock()
	defer n.rebuildMu.Unlock()
	n.mu.Lock()
	n.rebuilding = true
	n.mu.Unlock()
	cs, err := n.readAll(ctx)
	n.mu.Lock()
	n.rebuilding = false
	dirty := n.dirty
	n.dirty = map[string]struct{}{}
	if err == nil {
		n.idx.load(cs)
		n.built = true
	}
	n.mu.Unlock()
	if err != nil {
		return err
	}
	for id := range dirty {
		n.touch(ctx, id)
	}
	return nil
}

// clientKeysColumn is where the clients' sealed data keys are stored.
var clientKeysColumn = store.SealedColumn{Table: "client_keys", Column: "key_sealed"}

// readAll opens every client's name.
func (n *clientNames) readAll(ctx context.Context) ([]indexedClient, error) {
	var out []indexedClient
	err := n.a.db.View(ctx, func(tx store.Tx) error {
		users, err := tx.ListUsers(ctx, holdspace.RoleClient)
		if err != nil {
			return err
		}
		clients, err := tx.ListClients(ctx, store.ClientFilter{})
		if err != nil {
			return err
		}
		pids := make(map[string][]string, len(clients))
		for _, c := range clients {
			pids[c.ID] = c.PractitionerIDs
		}
		wrapped := make(map[string][]byte, len(users))
		for after := ""; ; {
			page, err := tx.SealedValues(ctx, clientKeysColumn, after, 2000)
			if err != nil {
				return err
			}
			for _, v := range page {
				wrapped[v.ID] = v.Value
			}
			if len(page) < 2000 {
				break
			}
			after = page[len(page)-1].ID
		}
		out = make([]indexedClient, 0, len(users))
		for _, u := range users {
			ps, ok := pids[u.ID]
			if !ok {
				continue // an account whose profile is not there (yet)
			}
			name, err := n.a.openNameWith(u, wrapped[u.ID])
			if err != nil {
				return err
			}
			out = append(out, indexedClient{id: u.ID, name: name, pids: ps})
		}
		return nil
	})
	return out, err
}

// openNameWith opens a client's name, with the client's wrapped data key
// when the name is sealed under it, without caching the key.
func (a *core) openNameWith(u *store.User, wrappedKey []byte) (string, error) {
	if !seal.UnderDataKey(u.NameSealed) {
		return a.open(u.ID, "name", u.NameSealed)
	}
	if len(wrappedKey) == 0 {
		return "", errors.New("open name of " + u.ID + ": the client has no data key")
	}
	k := a.ckeys.get(u.ID)
	if k == nil {
		var err error
		if k, err = a.keys.Open(wrappedKey, clientKeyAAD(u.ID)); err != nil {
			return "", fmt.Errorf("open the data key of %s: %w", u.ID, err)
		}
	}
	b, err := seal.OpenWith(k, u.NameSealed, aad(u.ID, "name"))
	if err != nil {
		return "", fmt.Errorf("open name of %s: %w", u.ID, err)
	}
	return string(b), nil
}

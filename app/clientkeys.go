package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"holdspace"
	"holdspace/seal"
	"holdspace/store"
)

// Every client has a data key of their own (crypto-shredding): the
// client's sensitive fields are sealed under it (seal.SealWith, naming the
// client), and the key itself is stored sealed under the master key in
// client_keys. Erasure destroys that one row, so every value sealed under
// the key is unreadable from then on, in the database, its WAL, and in
// any copy of the values made after the erasure.

// maxCachedKeys bounds the in-memory cache of opened client keys.
const maxCachedKeys = 10000

// clientKeyCache holds opened client data keys by client id.
type clientKeyCache struct {
	mu   sync.Mutex
	keys map[string][]byte
	// intents holds, by client id, the intents their blind indexes were
	// found to stand for (see openIntent), so that reads on the decision
	// path compute no hashes.
	intents map[string]map[string]string
	// gen counts forgets: a key read before a forget must not be cached
	// after it (see putIfCurrent).
	gen uint64
	// fresh counts, by client id, the keys stored by transactions not yet
	// committed: such a key is cached only once its transaction commits,
	// and a read of it inside that transaction caches nothing.
	fresh map[string]int
}

func newClientKeyCache() *clientKeyCache {
	return &clientKeyCache{keys: map[string][]byte{}, intents: map[string]map[string]string{}, fresh: map[string]int{}}
}

func (c *clientKeyCache) intent(id, index string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	in, ok := c.intents[id][index]
	return in, ok
}

func (c *clientKeyCache) putIntent(id, index, intent string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.intents) >= maxCachedKeys {
		clear(c.intents)
	}
	m := c.intents[id]
	if m == nil {
		m = map[string]string{}
		c.intents[id] = m
	}
	m[index] = intent
}

func (c *clientKeyCache) get(id string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys[id]
}

func (c *clientKeyCache) put(id string, key []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fresh[id] > 0 {
		return
	}
	if len(c.keys) >= maxCachedKeys {
		clear(c.keys)
	}
	c.keys[id] = key
}

// generation returns the count of forgets so far.
func (c *clientKeyCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// storing marks a key of id as stored by a transaction not yet committed.
func (c *clientKeyCache) storing(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.fresh) >= maxCachedKeys {
		// Marks left by transactions that rolled back (new clients whose
		// creation failed): bounded like the cache.
		clear(c.fresh)
	}
	c.fresh[id]++
}

// stored is called once the transaction that stored key for id committed:
// the key is cached unless a client was forgotten since gen was read (a
// key read before an erasure committed is not cached after it). A
// transaction that rolled back never calls it, so its id stays marked
// (its reads uncached) until a later store of a key for id commits.
func (c *clientKeyCache) stored(id string, key []byte, gen uint64) {
	c.mu.Lock()
	delete(c.fresh, id)
	stale := c.gen != gen
	c.mu.Unlock()
	if !stale {
		c.put(id, key)
	}
}

func (c *clientKeyCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.keys, id)
	delete(c.intents, id)
}

func clientKeyAAD(clientID string) []byte { return []byte("client-key\x00" + clientID) }

// clientKey returns the data key of a client, creating and storing it in
// tx when the client has none (clients from before per-client keys).
func (a *core) clientKey(ctx context.Context, tx sealTx, clientID string) ([]byte, error) {
	if k := a.ckeys.get(clientID); k != nil {
		return k, nil
	}
	gen := a.ckeys.generation()
	sealed, err := tx.ClientKey(ctx, clientID)
	if holdspace.ErrorCode(err) == holdspace.ENOTFOUND {
		var fresh []byte
		if fresh, err = seal.NewDataKey(); err != nil {
			return nil, err
		}
		return a.storeClientKey(ctx, tx, clientID, fresh, gen)
	}
	if err != nil {
		return nil, err
	}
	return a.openClientKey(clientID, sealed)
}

// storeClientKey stores key as the client's data key unless the client has
// one already, and returns the one stored.
// gen is the cache's generation read before the client's key was looked
// for.
func (a *core) storeClientKey(ctx context.Context, tx sealTx, clientID string, key []byte, gen uint64) ([]byte, error) {
	wrapped, err := a.keys.Seal(key, clientKeyAAD(clientID))
	if err != nil {
		return nil, err
	}
	a.ckeys.storing(clientID)
	stored, err := tx.PutClientKey(ctx, clientID, wrapped, tx.Now())
	if err != nil {
		return nil, err
	}
	k, err := a.keys.Open(stored, clientKeyAAD(clientID))
	if err != nil {
		return nil, fmt.Errorf("open the data key of %s: %w", clientID, err)
	}
	// Cached once stored for good: a key of a transaction (or a part of
	// a grouped one) that rolls back must never seal anything.
	tx.AfterCommit(func() { a.ckeys.stored(clientID, k, gen) })
	return k, nil
}

// openClientKey opens a client's data key and caches it, unless a
// transaction that stored it has not committed yet (see
// clientKeyCache.fresh).
func (a *core) openClientKey(clientID string, sealed []byte) ([]byte, error) {
	k, err := a.keys.Open(sealed, clientKeyAAD(clientID))
	if err != nil {
		return nil, fmt.Errorf("open the data key of %s: %w", clientID, err)
	}
	a.ckeys.put(clientID, k)
	return k, nil
}

// sealFor seals a field of a client's data under the client's data key
// (see clientKey), bound to owner and field like seal.
func (a *core) sealFor(key []byte, clientID, owner, field, value string) ([]byte, error) {
	if value == "" {
		return nil, nil
	}
	b, err := seal.SealWith(key, clientID, []byte(value), aad(owner, field))
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", field, err)
	}
	return b, nil
}

// sealClient is sealFor with the client's key looked up (or created) in tx.
func (a *core) sealClient(ctx context.Context, tx sealTx, clientID, owner, field, value string) ([]byte, error) {
	if value == "" {
		return nil, nil
	}
	k, err := a.clientKey(ctx, tx, clientID)
	if err != nil {
		return nil, err
	}
	return a.sealFor(k, clientID, owner, field, value)
}

// openData opens a value sealed under a client's data key. The key comes
// from the cache or, on a miss, from a read of its own: a value whose
// client was erased has no key any more, and opens to an error.
func (a *core) openData(owner, field string, sealed []byte) (string, error) {
	clientID := seal.DataKeyName(sealed)
	k := a.ckeys.get(clientID)
	if k == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := a.db.View(ctx, func(tx store.Tx) error {
			wrapped, err := tx.ClientKey(ctx, clientID)
			if err != nil {
				return err
			}
			k, err = a.openClientKey(clientID, wrapped)
			return err
		})
		if err != nil {
			return "", fmt.Errorf("open %s of %s: the client's data key: %w", field, owner, err)
		}
	}
	b, err := seal.OpenWith(k, sealed, aad(owner, field))
	if err != nil {
		return "", fmt.Errorf("open %s of %s: %w", field, owner, err)
	}
	return string(b), nil
}

// resealFor moves the sealed name and email of a new client's account
// under the client's data key.
func (a *People) resealFor(key []byte, u *store.User) error {
	for _, f := range []struct {
		name string
		v    *[]byte
	}{{"name", &u.NameSealed}, {"email", &u.EmailSealed}} {
		plain, err := a.open(u.ID, f.name, *f.v)
		if err != nil {
			return err
		}
		if *f.v, err = a.sealFor(key, u.ID, u.ID, f.name, plain); err != nil {
			return err
		}
	}
	return nil
}

// newClientDataKey returns a fresh data key for a new client.
func newClientDataKey() ([]byte, error) { return seal.NewDataKey() }

package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"holdspace/catalogue"
	"holdspace/seal"
	"holdspace/store"
)

// What reveals sex life or health is sealed under the client's data key
// wherever the store keeps it outside the sealed columns: the regions of
// a revocation, the type and payload (region, answer, chaperone, scores)
// of a session event and the triggers of a follow-up are stored sealed;
// the intent of an agreement or a session is stored as a blind index (a
// keyed hash under a key derived from the client's data key), since a new
// agreement version is numbered by an equality lookup on it. With two
// intents in the catalogue the index opens by trying both. All of it goes
// with the client's data key on erasure.
//
// recordSealingTx does it under every transaction of the services (see update
// and view), so the use cases and the content hashes of the audit chain
// keep seeing the values in clear; sealClearRecords seals the values that
// versions before it wrote in clear.

// Prefixes of the stored forms.
const (
	sealedTextPrefix = "sealed:" // a value sealed under the client's data key, base64
	blindIndexPrefix = "bi:"     // a blind index
)

// batchSize is how many rows sealClearRecords seals per transaction.
const resealBatch = 200

// blindIndex returns the blind index of value for purpose under a client's
// data key.
func blindIndex(dataKey []byte, purpose, value string) string {
	m := hmac.New(sha256.New, dataKey)
	m.Write([]byte("holdspace.blind-index.v1"))
	sub := m.Sum(nil)
	m = hmac.New(sha256.New, sub)
	m.Write([]byte(purpose + "\x00" + value))
	return blindIndexPrefix + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// dataKeyIn returns the data key of a client without creating one.
func (a *core) dataKeyIn(ctx context.Context, tx store.Keys, clientID string) ([]byte, error) {
	if k := a.ckeys.get(clientID); k != nil {
		return k, nil
	}
	wrapped, err := tx.ClientKey(ctx, clientID)
	if err != nil {
		return nil, fmt.Errorf("the data key of %s: %w", clientID, err)
	}
	return a.openClientKey(clientID, wrapped)
}

// sealText seals value as text under the client's data key.
func (a *core) sealText(ctx context.Context, tx sealTx, clientID, owner, field, value string) (string, error) {
	b, err := a.sealClient(ctx, tx, clientID, owner, field, value)
	if err != nil || b == nil {
		return value, err
	}
	return sealedTextPrefix + base64.RawStdEncoding.EncodeToString(b), nil
}

// openBytes opens a value sealed under a client's data key, in tx.
func (a *core) openBytes(ctx context.Context, tx store.Keys, owner, field string, sealed []byte) ([]byte, error) {
	k, err := a.dataKeyIn(ctx, tx, seal.DataKeyName(sealed))
	if err != nil {
		return nil, fmt.Errorf("open %s of %s: %w", field, owner, err)
	}
	b, err := seal.OpenWith(k, sealed, aad(owner, field))
	if err != nil {
		return nil, fmt.Errorf("open %s of %s: %w", field, owner, err)
	}
	return b, nil
}

// openText opens a value of sealText; a value in clear (written before
// sealing) is returned as it is.
func (a *core) openText(ctx context.Context, tx store.Keys, owner, field, stored string) (string, error) {
	enc, ok := strings.CutPrefix(stored, sealedTextPrefix)
	if !ok {
		return stored, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("open %s of %s: %w", field, owner, err)
	}
	b, err = a.openBytes(ctx, tx, owner, field, b)
	return string(b), err
}

// sealList seals a list as one sealed element holding its JSON; an empty
// list stays empty.
func (a *core) sealList(ctx context.Context, tx sealTx, clientID, owner, field string, l []string) ([]string, error) {
	if len(l) == 0 {
		return l, nil
	}
	b, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	s, err := a.sealText(ctx, tx, clientID, owner, field, string(b))
	return []string{s}, err
}

func isSealedList(l []string) bool { return len(l) == 1 && strings.HasPrefix(l[0], sealedTextPrefix) }

// openList opens a list of sealList; a list in clear is returned as it is.
func (a *core) openList(ctx context.Context, tx store.Keys, owner, field string, l []string) ([]string, error) {
	if !isSealedList(l) {
		return l, nil
	}
	s, err := a.openText(ctx, tx, owner, field, l[0])
	if err != nil {
		return nil, err
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("open %s of %s: %w", field, owner, err)
	}
	return out, nil
}

// intentIndex returns the stored form of a client's intent.
func (a *core) intentIndex(ctx context.Context, tx sealTx, clientID, intent string) (string, error) {
	k, err := a.clientKey(ctx, tx, clientID)
	if err != nil {
		return "", err
	}
	return blindIndex(k, "intent", intent), nil
}

// openIntent returns the intent a stored blind index stands for; an
// intent in clear is returned as it is.
func (a *core) openIntent(ctx context.Context, tx store.Keys, clientID, stored string) (string, error) {
	if !strings.HasPrefix(stored, blindIndexPrefix) {
		return stored, nil
	}
	if in, ok := a.ckeys.intent(clientID, stored); ok {
		return in, nil
	}
	k, err := a.dataKeyIn(ctx, tx, clientID)
	if err != nil {
		return "", err
	}
	for _, in := range catalogue.Intents() {
		if blindIndex(k, "intent", string(in)) == stored {
			a.ckeys.putIntent(clientID, stored, string(in))
			return string(in), nil
		}
	}
	return "", fmt.Errorf("the stored intent of a record of %s is no known intent", clientID)
}

// recordSealingTx seals the values that reveal sex life or health as the
// records holding them are written, and opens them as they are read.
type recordSealingTx struct {
	store.Tx
	a *core
}

// CreateAgreement stores a with its intent as a blind index.
func (t recordSealingTx) CreateAgreement(ctx context.Context, a *store.Agreement) error {
	c := *a
	var err error
	if c.Intent, err = t.a.intentIndex(ctx, t.Tx, a.ClientID, a.Intent); err != nil {
		return err
	}
	if err := t.Tx.CreateAgreement(ctx, &c); err != nil {
		return err
	}
	c.Intent = a.Intent
	*a = c
	return nil
}

// NextAgreementVersion counts the versions stored under the blind index
// and any stored in clear before sealing.
func (t recordSealingTx) NextAgreementVersion(ctx context.Context, clientID, intent string) (int, error) {
	idx, err := t.a.intentIndex(ctx, t.Tx, clientID, intent)
	if err != nil {
		return 0, err
	}
	v, err := t.Tx.NextAgreementVersion(ctx, clientID, idx)
	if err != nil {
		return 0, err
	}
	old, err := t.Tx.NextAgreementVersion(ctx, clientID, intent)
	return max(v, old), err
}

func (t recordSealingTx) openAgreement(ctx context.Context, a *store.Agreement) error {
	var err error
	a.Intent, err = t.a.openIntent(ctx, t.Tx, a.ClientID, a.Intent)
	return err
}

// Agreement returns one agreement with its intent opened.
func (t recordSealingTx) Agreement(ctx context.Context, id string) (*store.Agreement, error) {
	a, err := t.Tx.Agreement(ctx, id)
	if err != nil {
		return nil, err
	}
	return a, t.openAgreement(ctx, a)
}

// ListAgreements returns a client's agreements with their intents opened.
func (t recordSealingTx) ListAgreements(ctx context.Context, clientID string) ([]*store.Agreement, error) {
	as, err := t.Tx.ListAgreements(ctx, clientID)
	for _, a := range as {
		if err == nil {
			err = t.openAgreement(ctx, a)
		}
	}
	return as, err
}

// CreateRevocation stores r with its regions sealed.
func (t recordSealingTx) CreateRevocation(ctx context.Context, r *store.Revocation) error {
	c := *r
	var err error
	if c.Regions, err = t.a.sealList(ctx, t.Tx, r.ClientID, r.ID, "regions", r.Regions); err != nil {
		return err
	}
	if err := t.Tx.CreateRevocation(ctx, &c); err != nil {
		return err
	}
	c.Regions = r.Regions
	*r = c
	return nil
}

func (t recordSealingTx) openRevocation(ctx context.Context, r *store.Revocation) error {
	var err error
	r.Regions, err = t.a.openList(ctx, t.Tx, r.ID, "regions", r.Regions)
	return err
}

// Revocation returns one revocation with its regions opened.
func (t recordSealingTx) Revocation(ctx context.Context, id string) (*store.Revocation, error) {
	r, err := t.Tx.Revocation(ctx, id)
	if err != nil {
		return nil, err
	}
	return r, t.openRevocation(ctx, r)
}

// ListRevocations returns a client's revocations with their regions opened.
func (t recordSealingTx) ListRevocations(ctx context.Context, clientID string) ([]*store.Revocation, error) {
	rs, err := t.Tx.ListRevocations(ctx, clientID)
	for _, r := range rs {
		if err == nil {
			err = t.openRevocation(ctx, r)
		}
	}
	return rs, err
}

// CreateSession stores s with its intent as a blind index.
func (t recordSealingTx) CreateSession(ctx context.Context, s *store.Session) error {
	c := *s
	var err error
	if c.Intent, err = t.a.intentIndex(ctx, t.Tx, s.ClientID, s.Intent); err != nil {
		return err
	}
	if err := t.Tx.CreateSession(ctx, &c); err != nil {
		return err
	}
	c.Intent = s.Intent
	*s = c
	return nil
}

func (t recordSealingTx) openSession(ctx context.Context, s *store.Session) error {
	var err error
	s.Intent, err = t.a.openIntent(ctx, t.Tx, s.ClientID, s.Intent)
	return err
}

// Session returns one session with its intent opened.
func (t recordSealingTx) Session(ctx context.Context, id string) (*store.Session, error) {
	s, err := t.Tx.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	return s, t.openSession(ctx, s)
}

// ListSessions returns sessions with their intents opened.
func (t recordSealingTx) ListSessions(ctx context.Context, f store.SessionFilter) ([]*store.Session, error) {
	ss, err := t.Tx.ListSessions(ctx, f)
	for _, s := range ss {
		if err == nil {
			err = t.openSession(ctx, s)
		}
	}
	return ss, err
}

// AppendEvent stores e with its type and payload sealed under the data key
// of the session's client.
func (t recordSealingTx) AppendEvent(ctx context.Context, e *store.SessionEvent, state string) error {
	s, err := t.Tx.Session(ctx, e.SessionID)
	if err != nil {
		return err
	}
	c := *e
	if c.Type, err = t.a.sealText(ctx, t.Tx, s.ClientID, e.ID, "type", e.Type); err != nil {
		return err
	}
	if c.Payload, err = t.a.sealClient(ctx, t.Tx, s.ClientID, e.ID, "payload", string(e.Payload)); err != nil {
		return err
	}
	if err := t.Tx.AppendEvent(ctx, &c, state); err != nil {
		return err
	}
	c.Type, c.Payload = e.Type, e.Payload
	*e = c
	return nil
}

func (t recordSealingTx) openEvent(ctx context.Context, e *store.SessionEvent) error {
	var err error
	if e.Type, err = t.a.openText(ctx, t.Tx, e.ID, "type", e.Type); err != nil {
		return err
	}
	if seal.UnderDataKey(e.Payload) {
		e.Payload, err = t.a.openBytes(ctx, t.Tx, e.ID, "payload", e.Payload)
	}
	return err
}

// Event returns one event with its type and payload opened.
func (t recordSealingTx) Event(ctx context.Context, id string) (*store.SessionEvent, error) {
	e, err := t.Tx.Event(ctx, id)
	if err != nil {
		return nil, err
	}
	return e, t.openEvent(ctx, e)
}

// ListEvents returns a session's events with their types and payloads
// opened.
func (t recordSealingTx) ListEvents(ctx context.Context, sessionID string) ([]*store.SessionEvent, error) {
	es, err := t.Tx.ListEvents(ctx, sessionID)
	for _, e := range es {
		if err == nil {
			err = t.openEvent(ctx, e)
		}
	}
	return es, err
}

// CreateFollowUp stores f with its triggers sealed.
func (t recordSealingTx) CreateFollowUp(ctx context.Context, f *store.FollowUp) error {
	c := *f
	var err error
	if c.Triggers, err = t.a.sealList(ctx, t.Tx, f.ClientID, f.ID, "triggers", f.Triggers); err != nil {
		return err
	}
	if err := t.Tx.CreateFollowUp(ctx, &c); err != nil {
		return err
	}
	c.Triggers = f.Triggers
	*f = c
	return nil
}

func (t recordSealingTx) openFollowUp(ctx context.Context, f *store.FollowUp) error {
	var err error
	f.Triggers, err = t.a.openList(ctx, t.Tx, f.ID, "triggers", f.Triggers)
	return err
}

// FollowUp returns one follow-up with its triggers opened.
func (t recordSealingTx) FollowUp(ctx context.Context, id string) (*store.FollowUp, error) {
	f, err := t.Tx.FollowUp(ctx, id)
	if err != nil {
		return nil, err
	}
	return f, t.openFollowUp(ctx, f)
}

// ListFollowUps returns follow-ups with their triggers opened.
func (t recordSealingTx) ListFollowUps(ctx context.Context, f store.FollowUpFilter) ([]*store.FollowUp, error) {
	fs, err := t.Tx.ListFollowUps(ctx, f)
	for _, x := range fs {
		if err == nil {
			err = t.openFollowUp(ctx, x)
		}
	}
	return fs, err
}

// view runs fn in a read transaction whose records are opened (see
// recordSealingTx).
func (a *core) view(ctx context.Context, fn func(store.Tx) error) error {
	return a.db.View(ctx, func(tx store.Tx) error { return fn(recordSealingTx{Tx: tx, a: a}) })
}

// openedDB is a database whose transactions open the records sealed by
// recordSealingTx.
type openedDB struct {
	store.DB
	a *core
}

// View implements store.DB.
func (d openedDB) View(ctx context.Context, fn func(store.Tx) error) error { return d.a.view(ctx, fn) }

// Update implements store.DB.
func (d openedDB) Update(ctx context.Context, fn func(store.Tx) error) error {
	return d.a.db.Update(ctx, func(tx store.Tx) error { return fn(recordSealingTx{Tx: tx, a: d.a}) })
}

// OpenedDB returns db with the records that reveal sex life or health
// opened under keys as they are read, for checking them against the
// content hashes of the audit chain (VerifyAuditFull) from a command that
// has no services.
func OpenedDB(db store.DB, keys *seal.Keyring) store.DB {
	return openedDB{DB: db, a: &core{db: db, keys: keys, ckeys: newClientKeyCache()}}
}

// sealClearRecords seals the values that versions before sealing wrote in
// clear (see recordSealingTx), in batches of their own transactions, and
// returns how many it sealed. It is idempotent: values sealed already are
// left alone, and a value changed meanwhile is not overwritten.
//
// It reads every row of those columns only when it must: the database
// notes every write of a value in clear into them, whatever writes it (an
// older version after a downgrade, a restore, an import; see migration
// 0017), and a start makes a pass only while such notes remain. After a
// complete pass it forgets the notes it read before the pass, each only if
// it has not counted more since, so a clear write racing a pass is not
// lost: it is sealed by another pass (a few at most; then the next start).
func (a *core) sealClearRecords(ctx context.Context) (int, error) {
	total := 0
	for range resealPasses {
		var notes []store.ClearWrite
		if err := a.db.View(ctx, func(tx store.Tx) (err error) {
			notes, err = tx.ClearWrites(ctx)
			return err
		}); err != nil {
			return total, fmt.Errorf("clear writes: %w", err)
		}
		if len(notes) == 0 {
			return total, nil
		}
		n, err := a.sealClearPass(ctx)
		total += n
		if err != nil {
			return total, err
		}
		if err := a.db.Update(ctx, func(tx store.Tx) error { return tx.ForgetClearWrites(ctx, notes) }); err != nil {
			return total, fmt.Errorf("clear writes: %w", err)
		}
	}
	a.log.Warn("values were written in clear while the records were being sealed; the next start seals them")
	return total, nil
}

// resealPasses is how many passes sealClearRecords makes at most while
// values keep being written in clear.
const resealPasses = 3

// sealClearPass reads every value of store.ClearColumns and seals those
// in clear.
func (a *core) sealClearPass(ctx context.Context) (int, error) {
	n := 0
	for _, col := range store.ClearColumns() {
		after := ""
		for {
			var vals []store.ClearValue
			err := a.db.View(ctx, func(tx store.Tx) (err error) {
				vals, err = tx.ClearValues(ctx, col, after, resealBatch)
				return err
			})
			if err != nil {
				return n, fmt.Errorf("seal clear %s.%s: %w", col.Table, col.Column, err)
			}
			if len(vals) == 0 {
				break
			}
			after = vals[len(vals)-1].ID
			err = a.db.Update(ctx, func(tx store.Tx) error {
				for _, v := range vals {
					next, err := a.sealStored(ctx, tx, col, v)
					if err != nil {
						return err
					}
					if next == nil {
						continue
					}
					done, err := tx.ReplaceClear(ctx, col, v.ID, v.Value, next)
					if err != nil {
						return err
					}
					if done {
						n++
					}
				}
				return nil
			})
			if err != nil {
				return n, fmt.Errorf("seal clear %s.%s: %w", col.Table, col.Column, err)
			}
		}
	}
	return n, nil
}

// sealStored returns the sealed stored form of a value of col stored in
// clear, or nil when it is sealed already (or has nothing to seal).
func (a *core) sealStored(ctx context.Context, tx sealTx, col store.SealedColumn, v store.ClearValue) ([]byte, error) {
	if v.ClientID == "" || len(v.Value) == 0 {
		return nil, nil
	}
	s := string(v.Value)
	switch col {
	case store.AgreementIntent, store.SessionIntent:
		if strings.HasPrefix(s, blindIndexPrefix) {
			return nil, nil
		}
		idx, err := a.intentIndex(ctx, tx, v.ClientID, s)
		return []byte(idx), err
	case store.EventType:
		if strings.HasPrefix(s, sealedTextPrefix) {
			return nil, nil
		}
		out, err := a.sealText(ctx, tx, v.ClientID, v.ID, "type", s)
		return []byte(out), err
	case store.EventPayload:
		if seal.UnderDataKey(v.Value) {
			return nil, nil
		}
		return a.sealClient(ctx, tx, v.ClientID, v.ID, "payload", s)
	case store.RevocationRegions, store.FollowUpTriggers:
		var l []string
		if err := json.Unmarshal(v.Value, &l); err != nil {
			return nil, fmt.Errorf("%s of %s: %w", col.Column, v.ID, err)
		}
		if len(l) == 0 || isSealedList(l) {
			return nil, nil
		}
		out, err := a.sealList(ctx, tx, v.ClientID, v.ID, col.Column, l)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
	return nil, nil
}

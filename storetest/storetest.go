// Package storetest is the one test suite every storage engine passes: Run
// exercises every method of the store contract (happy paths, ENOTFOUND,
// ECONFLICT, rollback, read-only views, the audit chain under concurrency,
// notifications, erasure, filters, time precision and a copy between two
// databases). Engines call it from their own tests with a function that
// opens a fresh, migrated, empty database.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"holdspace"
	"holdspace/audit"
	"holdspace/store"
)

// t0 is a time with microsecond precision in a non-UTC zone, so round trips
// check both precision and normalisation to UTC.
var t0 = time.Date(2026, 11, 26, 9, 30, 0, 123456000, time.FixedZone("CET", 3600))

// waitFor bounds how long a test waits for a notification before failing.
const waitFor = 10 * time.Second

type suite struct {
	open func(t *testing.T) store.ImportDB
}

// Run runs the whole suite. open must return a fresh, migrated, empty
// database and arrange for it to be closed when t ends.
func Run(t *testing.T, open func(t *testing.T) store.ImportDB) {
	s := suite{open: open}
	groups := []struct {
		name  string
		cases []tcase
	}{
		{"Tx", s.txCases()},
		{"Users", s.userCases()},
		{"Tokens", s.tokenCases()},
		{"Clients", s.clientCases()},
		{"Credentials", s.credentialCases()},
		{"Screenings", s.screeningCases()},
		{"Agreements", s.agreementCases()},
		{"Sessions", s.sessionCases()},
		{"Audit", s.auditCases()},
		{"Notify", s.notifyCases()},
		{"Importer", s.importerCases()},
		{"ConsentHolds", s.consentHoldsCases()},
		{"Keys", s.keyCases()},
		{"Practice", s.practiceCases()},
		{"Accounts", s.accountCases()},
		{"Reseal", s.resealCases()},
		{"TimeZone", s.timeZoneCases()},
		{"Booking", s.bookingCases()},
		{"Outbox", s.outboxCases()},
		{"Pages", s.pageCases()},
		{"Savepoints", s.savepointCases()},
		{"Epoch", s.epochCases()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.fn(t, s.open(t))
				})
			}
		})
	}
}

type tcase struct {
	name string
	fn   func(t *testing.T, db store.DB)
}

// update runs fn in db.Update and fails the test on error.
func update(t *testing.T, db store.DB, fn func(tx store.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in db.View and fails the test on error.
func view(t *testing.T, db store.DB, fn func(tx store.Tx) error) {
	t.Helper()
	if err := db.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// importDB returns db as the store.ImportDB every engine under test is.
func importDB(t *testing.T, db store.DB) store.ImportDB {
	t.Helper()
	imp, ok := db.(store.ImportDB)
	if !ok {
		t.Fatalf("%T does not implement store.ImportDB", db)
	}
	return imp
}

// export runs fn in db.Export, which reads as View does and also offers
// the Importer methods, and fails the test on error.
func export(t *testing.T, db store.DB, fn func(tx store.ImportTx) error) {
	t.Helper()
	if err := importDB(t, db).Export(context.Background(), fn); err != nil {
		t.Fatalf("Export: %v", err)
	}
}

// importTx runs fn in db.Import, which writes as Update does and also
// offers the Importer methods, and fails the test on error.
func importTx(t *testing.T, db store.DB, fn func(tx store.ImportTx) error) {
	t.Helper()
	if err := importDB(t, db).Import(context.Background(), fn); err != nil {
		t.Fatalf("Import: %v", err)
	}
}

// wantErr fails unless err has the code and, when reason is set, the reason.
func wantErr(t *testing.T, err error, code, reason string) {
	t.Helper()
	if got := holdspace.ErrorCode(err); got != code {
		t.Fatalf("err = %v, want code %q", err, code)
	}
	if reason != "" {
		if got := holdspace.ErrorReason(err); got != reason {
			t.Fatalf("err = %v, want reason %q", err, reason)
		}
	}
}

func user(id string, role holdspace.Role, email string, at time.Time) *store.User {
	u := &store.User{ID: id, Role: role, CreatedAt: at, NameSealed: []byte("sealed-name-" + id), PasswordHash: "h-" + id}
	if email != "" {
		u.EmailIndex = []byte("idx-" + email)
		u.EmailSealed = []byte("sealed-" + email)
	}
	return u
}

// seedPractitioner stores a practitioner user.
func seedPractitioner(t *testing.T, tx store.Tx, id string, at time.Time) {
	t.Helper()
	if err := tx.CreateUser(context.Background(), user(id, holdspace.RolePractitioner, id+"@example.test", at)); err != nil {
		t.Fatalf("CreateUser %s: %v", id, err)
	}
}

// seedClient stores a client user and profile assigned to practitioners.
func seedClient(t *testing.T, tx store.Tx, id string, at time.Time, practitioners ...string) *store.Client {
	t.Helper()
	ctx := context.Background()
	if err := tx.CreateUser(ctx, user(id, holdspace.RoleClient, id+"@example.test", at)); err != nil {
		t.Fatalf("CreateUser %s: %v", id, err)
	}
	c := &store.Client{ID: id, BirthDateSealed: []byte("bd-" + id), AnatomySealed: []byte("an-" + id),
		NotesSealed: []byte("notes-" + id), PractitionerIDs: practitioners, CreatedAt: at, CreatedBy: "admin"}
	if err := tx.CreateClient(ctx, c); err != nil {
		t.Fatalf("CreateClient %s: %v", id, err)
	}
	return c
}

// same fails unless got and want are deeply equal, after normalising times
// to UTC (the engines return UTC; inputs may carry a zone).
func same[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// normalize returns a copy of v with every time.Time in UTC (zero stays
// zero) and empty byte slices nil, recursively through pointers, slices,
// maps and structs.
func normalize[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	out := reflect.New(rv.Type()).Elem()
	deepNormalize(out, rv)
	return out.Interface().(T)
}

var timeType = reflect.TypeFor[time.Time]()

func deepNormalize(dst, src reflect.Value) {
	switch {
	case src.Type() == timeType:
		tm := src.Interface().(time.Time)
		if tm.IsZero() {
			dst.Set(reflect.ValueOf(time.Time{}))
		} else {
			dst.Set(reflect.ValueOf(tm.UTC()))
		}
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Elem().Type())
		deepNormalize(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.Len() == 0 {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepNormalize(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMap(src.Type())
		for _, k := range src.MapKeys() {
			e := reflect.New(src.Type().Elem()).Elem()
			deepNormalize(e, src.MapIndex(k))
			m.SetMapIndex(k, e)
		}
		dst.Set(m)
	case reflect.Struct:
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				deepNormalize(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

func (s suite) txCases() []tcase {
	return []tcase{
		{"Engine", func(t *testing.T, db store.DB) {
			if e := db.Engine(); e != "sqlite" && e != "postgres" {
				t.Fatalf("Engine() = %q", e)
			}
		}},
		{"Ready", func(t *testing.T, db store.DB) {
			if err := db.Ready(context.Background()); err != nil {
				t.Fatalf("Ready: %v", err)
			}
		}},
		{"NowFixed", func(t *testing.T, db store.DB) {
			before := time.Now().Add(-time.Second)
			update(t, db, func(tx store.Tx) error {
				now := tx.Now()
				if now.Location() != time.UTC || now.Nanosecond()%1000 != 0 {
					t.Fatalf("Now() = %v, want UTC with microsecond precision", now)
				}
				if now.Before(before) || now.After(time.Now()) {
					t.Fatalf("Now() = %v, not the time of the transaction", now)
				}
				if err := tx.CreateUser(context.Background(), user("u1", holdspace.RoleAdmin, "", now)); err != nil {
					return err
				}
				if again := tx.Now(); !again.Equal(now) {
					t.Fatalf("Now() moved within a transaction: %v then %v", now, again)
				}
				return nil
			})
		}},
		{"FnErrorReturned", func(t *testing.T, db store.DB) {
			sentinel := errors.New("stop")
			if err := db.Update(context.Background(), func(store.Tx) error { return sentinel }); !errors.Is(err, sentinel) {
				t.Fatalf("Update err = %v, want the fn's error", err)
			}
			if err := db.View(context.Background(), func(store.Tx) error { return sentinel }); !errors.Is(err, sentinel) {
				t.Fatalf("View err = %v, want the fn's error", err)
			}
		}},
		{"RollbackLeavesNothing", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", t0)
				return nil
			})
			sentinel := errors.New("abort")
			err := db.Update(ctx, func(tx store.Tx) error {
				seedClient(t, tx, "c1", t0, "p1")
				if _, err := tx.BumpVersion(ctx, "p1"); err != nil {
					return err
				}
				if _, err := tx.AppendAudit(ctx, audit.Entry{Actor: "p1", Action: "client.create", ClientID: "c1"}); err != nil {
					return err
				}
				tx.Notify("client:c1")
				return sentinel
			})
			if !errors.Is(err, sentinel) {
				t.Fatalf("Update err = %v", err)
			}
			export(t, db, func(tx store.ImportTx) error {
				counts, err := tx.Counts(ctx)
				if err != nil {
					return err
				}
				for table, n := range counts {
					want := int64(0)
					if table == "users" {
						want = 1
					}
					if n != want {
						t.Errorf("%s has %d rows after rollback, want %d", table, n, want)
					}
				}
				v, err := tx.Versions(ctx, "p1")
				if err != nil {
					return err
				}
				if v["p1"] != 0 {
					t.Errorf("version bumped in a rolled-back transaction: %d", v["p1"])
				}
				_, err = tx.Client(ctx, "c1")
				wantErr(t, err, holdspace.ENOTFOUND, "")
				return nil
			})
		}},
		{"ViewCannotWrite", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			err := db.View(ctx, func(tx store.Tx) error {
				return tx.CreateUser(ctx, user("u1", holdspace.RoleAdmin, "a@example.test", t0))
			})
			if err == nil {
				t.Fatal("CreateUser inside View succeeded")
			}
			err = db.View(ctx, func(tx store.Tx) error {
				_, err := tx.AppendAudit(ctx, audit.Entry{Actor: "u1", Action: "x"})
				return err
			})
			if err == nil {
				t.Fatal("AppendAudit inside View succeeded")
			}
			export(t, db, func(tx store.ImportTx) error {
				us, err := tx.AllUsers(ctx)
				if err != nil {
					return err
				}
				if len(us) != 0 {
					t.Fatalf("View wrote %d users", len(us))
				}
				return nil
			})
		}},
		{"TimeMicroseconds", func(t *testing.T, db store.DB) {
			ctx := context.Background()
			nanos := time.Date(2026, 3, 4, 5, 6, 7, 987654321, time.FixedZone("X", -5*3600))
			update(t, db, func(tx store.Tx) error {
				seedPractitioner(t, tx, "p1", nanos)
				return tx.CreateCredential(ctx, &store.Credential{ID: "cr1", PractitionerID: "p1", Kind: "k",
					ValidFrom: nanos, CreatedAt: nanos})
			})
			view(t, db, func(tx store.Tx) error {
				u, err := tx.User(ctx, "p1")
				if err != nil {
					return err
				}
				want := nanos.Truncate(time.Microsecond).UTC()
				if !u.CreatedAt.Equal(want) || u.CreatedAt.Location() != time.UTC {
					t.Fatalf("CreatedAt = %v, want %v (UTC, microseconds)", u.CreatedAt, want)
				}
				if !u.ErasedAt.IsZero() {
					t.Fatalf("ErasedAt = %v, want zero", u.ErasedAt)
				}
				cs, err := tx.ListCredentials(ctx, "p1")
				if err != nil {
					return err
				}
				if len(cs) != 1 || !cs[0].ValidFrom.Equal(want) || cs[0].ValidFrom.Location() != time.UTC || !cs[0].ValidUntil.IsZero() {
					t.Fatalf("credential times = %+v", cs)
				}
				return nil
			})
		}},
	}
}

package sqlstore

import (
	"context"
	"math/rand"
	"reflect"
	"testing"
	"testing/fstest"
	"testing/quick"
	"time"
)

func TestMigrations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   fstest.MapFS
		want    []int64
		wantErr bool
	}{
		{"ordered by number", fstest.MapFS{
			"0010_ten.sql": {Data: []byte("B")}, "0002_two.sql": {Data: []byte("A")}, "README": {Data: []byte("x")},
		}, []int64{2, 10}, false},
		{"empty", fstest.MapFS{}, nil, false},
		{"no number", fstest.MapFS{"init.sql": {}}, nil, true},
		{"zero", fstest.MapFS{"0000_zero.sql": {}}, nil, true},
		{"duplicate version", fstest.MapFS{"0001_a.sql": {}, "001_b.sql": {}}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Migrations(tc.files)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			var got []int64
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("versions = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMicrosRoundTrip(t *testing.T) {
	f := func(sec int64, nsec int32) bool {
		tm := time.Unix(sec%(1<<40), int64(nsec)%1e9)
		var got time.Time
		if err := (timeCol{&got}).Scan(micros(tm)); err != nil {
			return false
		}
		return got.Equal(tm.Truncate(time.Microsecond)) && got.Location() == time.UTC
	}
	if err := quick.Check(f, &quick.Config{Rand: rand.New(rand.NewSource(1))}); err != nil {
		t.Fatal(err)
	}
}

func TestTimeColumns(t *testing.T) {
	var got time.Time
	for _, tc := range []struct {
		name string
		v    any
		want time.Time
	}{
		{"null is zero", nil, time.Time{}},
		{"zero stays zero", micros(time.Time{}), time.Time{}},
		{"epoch", int64(0), time.Unix(0, 0).UTC()},
	} {
		got = time.Unix(1, 0)
		if err := (timeCol{&got}).Scan(tc.v); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !got.Equal(tc.want) || got.IsZero() != tc.want.IsZero() {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if nullMicros(time.Time{}) != nil {
		t.Error("nullMicros(zero) is not NULL")
	}
	if err := (timeCol{&got}).Scan("2026-01-01"); err == nil {
		t.Error("a text time column scanned without error")
	}
}

func TestListColumn(t *testing.T) {
	for _, l := range [][]string{nil, {"a"}, {"perineum", "inner_thigh_l", `quote"and\\slash`}} {
		var got []string
		if err := (listCol{&got}).Scan(list(l)); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("round trip %q = %q", l, got)
		}
	}
	var got []string
	if err := (listCol{&got}).Scan([]byte("{not json")); err == nil {
		t.Error("malformed list scanned without error")
	}
}

// FuzzListColumn checks that any stored text either scans or fails cleanly,
// and that what scans writes back to the same list.
func FuzzListColumn(f *testing.F) {
	for _, seed := range []string{"[]", `["a","b"]`, "null", "", `[1]`, `["\u0000"]`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var l []string
		if err := (listCol{&l}).Scan(text); err != nil {
			return
		}
		var again []string
		if err := (listCol{&again}).Scan(list(l)); err != nil {
			t.Fatalf("re-scan of %q: %v", list(l), err)
		}
		if !reflect.DeepEqual(again, l) {
			t.Fatalf("%q: %q then %q", text, l, again)
		}
	})
}

func TestWhere(t *testing.T) {
	var w where
	if w.String() != "" {
		t.Fatalf("empty where = %q", w.String())
	}
	w.add("a = ?", 1)
	w.add("b < ?", "x")
	if got, want := w.String(), " WHERE a = $1 AND b < $2"; got != want {
		t.Fatalf("where = %q, want %q", got, want)
	}
	if got := paramList(3, 3); got != "$3, $4, $5" {
		t.Fatalf("placeholders = %q", got)
	}
}

func TestHub(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	a := h.Subscribe(ctx)
	b := h.Subscribe(context.Background())
	// A slow subscriber misses topics; the publisher never blocks.
	for range subscriberBuffer + 10 {
		h.Publish("t")
	}
	if len(a) != subscriberBuffer || len(b) != subscriberBuffer {
		t.Fatalf("buffered %d and %d, want %d", len(a), len(b), subscriberBuffer)
	}
	cancel()
	for range a {
	}
	h.Close()
	for range b {
	}
	h.Close() // twice is fine
	h.Publish("after close")
	if _, ok := <-h.Subscribe(context.Background()); ok {
		t.Fatal("subscription after Close is open")
	}
}

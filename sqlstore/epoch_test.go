package sqlstore

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestSharedReadNeverOlderThanTheCall: whatever the interleaving, a
// caller gets the result of a read that began after it called (the
// property that keeps a revoked token refused once the revocation is
// acknowledged), and concurrent callers share reads.
func TestSharedReadNeverOlderThanTheCall(t *testing.T) {
	t.Parallel()
	var r sharedRead
	var started atomic.Int64
	fn := func(context.Context) (int64, error) {
		n := started.Add(1)
		for range 3 {
			runtime.Gosched()
		}
		return n, nil
	}
	const callers, calls = 16, 200
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range calls {
				before := started.Load()
				n, err := r.read(context.Background(), fn)
				if err != nil {
					t.Errorf("read: %v", err)
					return
				}
				if n <= before {
					t.Errorf("got the result of read %d, begun before the call (%d reads had begun)", n, before)
					return
				}
			}
		})
	}
	wg.Wait()
	r.close()
	if n := started.Load(); n >= callers*calls {
		t.Errorf("%d reads for %d calls: none shared", n, callers*calls)
	}
}

// TestSharedReadCoalesces: callers arriving while a read is under way
// share the one read after it; a caller whose context ends stops
// waiting without ending the read for the others; close waits for the
// read under way.
func TestSharedReadCoalesces(t *testing.T) {
	t.Parallel()
	var r sharedRead
	joined := make(chan struct{}, 16)
	r.joined = func() { joined <- struct{}{} }
	release := make(chan struct{})
	var reads atomic.Int64
	fn := func(context.Context) (int64, error) {
		n := reads.Add(1)
		if n == 1 {
			<-release
		}
		return n, nil
	}
	first := make(chan int64, 1)
	go func() {
		n, _ := r.read(context.Background(), fn)
		first <- n
	}()
	<-joined // the first read is under way and blocked
	const waiting = 5
	got := make(chan int64, waiting)
	for range waiting {
		go func() {
			n, err := r.read(context.Background(), fn)
			if err != nil {
				t.Errorf("read: %v", err)
			}
			got <- n
		}()
	}
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		_, err := r.read(ctx, fn)
		gaveUp <- err
	}()
	for range waiting + 1 {
		<-joined
	}
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("a caller whose context ended got %v", err)
	}
	close(release)
	if n := <-first; n != 1 {
		t.Fatalf("the first caller got read %d, want 1", n)
	}
	for range waiting {
		if n := <-got; n != 2 {
			t.Fatalf("a caller that arrived during read 1 got read %d, want 2 (shared)", n)
		}
	}
	r.close()
	if n := reads.Load(); n != 2 {
		t.Fatalf("%d reads, want 2", n)
	}
}

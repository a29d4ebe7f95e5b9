package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"holdspace"

	"holdspace/app"
	"holdspace/app/apptest"
	"holdspace/server"
)

// TestAPIStreamEndsWithAccess: an open event stream is re-checked on every
// keep-alive and ends when its token is revoked or the practitioner is taken
// off the client.
func TestAPIStreamEndsWithAccess(t *testing.T) {
	a := apptest.New(t, nil)
	h, err := server.Handler(server.Config{App: a, StreamKeepAlive: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(srv.CloseClientConnections) // runs first: a stream left open by a failure must not hang Close
	ctx := context.Background()
	const pw = "a long test password"
	pid, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner, Name: "Pat", Email: "p@example.test", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.RolePractitioner, Name: "Sam", Email: "s@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := a.People.CreateClient(ctx, app.System, app.ClientInput{Name: "Casey", Email: "c@example.test", BirthDate: "1980-01-01", PractitionerIDs: []string{pid}})
	if err != nil {
		t.Fatal(err)
	}
	ses, err := a.Sessions.CreateSession(ctx, app.System, app.SessionInput{ClientID: cid, PractitionerID: pid, Intent: "therapeutic", StartsAt: "2026-12-01T10:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	open := func(t *testing.T) (string, chan error) {
		s, err := a.Accounts.Login(ctx, "p@example.test", pw, "127.0.0.1", "api")
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/sessions/"+ses.ID+"/stream", nil)
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stream: %v %v", err, resp)
		}
		ended := make(chan error, 1)
		go func() {
			_, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			ended <- err
		}()
		return s.Token, ended
	}
	wait := func(t *testing.T, ended chan error, why string) {
		t.Helper()
		select {
		case <-ended:
		case <-time.After(3 * time.Second):
			t.Fatalf("the stream stayed open after %s", why)
		}
	}
	t.Run("TokenRevoked", func(t *testing.T) {
		tok, ended := open(t)
		req, _ := http.NewRequest("DELETE", srv.URL+"/api/v1/auth/token", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
			t.Fatalf("logout: %v %v", err, resp)
		}
		wait(t, ended, "logout")
	})
	t.Run("Unassigned", func(t *testing.T) {
		_, ended := open(t)
		if err := a.People.AssignPractitioners(ctx, app.System, cid, []string{other}); err != nil {
			t.Fatal(err)
		}
		wait(t, ended, "unassignment")
	})
}

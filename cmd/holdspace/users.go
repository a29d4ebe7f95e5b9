package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"holdspace"

	"holdspace/app"
)

func cmdUserAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("user add", stderr)
	var c config
	c.register(fs, getenv)
	role := fs.String("role", "", "admin, practitioner or client")
	email := fs.String("email", "", "email address (the login)")
	name := fs.String("name", "", "full name")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	birth := fs.String("birth-date", "", "clients: birth date YYYY-MM-DD")
	anatomy := fs.String("anatomy", "", "clients: comma-separated anatomy: prostate, vagina, breasts")
	assign := fs.String("practitioners", "", "clients: comma-separated practitioner ids")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if !holdspace.AccountRole(*role) {
		return usageErrorf("--role must be admin, practitioner or client")
	}
	if !*pwStdin {
		return usageErrorf("--password-stdin is required: the password is read from standard input, never from the command line")
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	an, err := parseAnatomy(*anatomy)
	if err != nil {
		return err
	}
	p, err := c.open(ctx, stderr, nil)
	if err != nil {
		return err
	}
	defer p.db.Close()
	var id string
	if holdspace.Role(*role) == holdspace.RoleClient {
		id, err = p.app.People.CreateClient(ctx, app.System, app.ClientInput{Name: *name, Email: *email, Password: password,
			BirthDate: *birth, Anatomy: an, PractitionerIDs: splitList(*assign)})
	} else {
		id, err = p.app.People.CreateUser(ctx, app.System, app.NewUser{Role: holdspace.Role(*role), Name: *name, Email: *email, Password: password})
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s\n", *role, id)
	return nil
}

// readPassword reads the password from the first line of standard input.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", usageErrorf("no password on standard input")
	}
	return password, nil
}

// cmdUserPassword sets a new password for an account (a forgotten
// password, a handover) and signs it out everywhere.
func cmdUserPassword(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("user password", stderr)
	var c config
	c.register(fs, getenv)
	email := fs.String("email", "", "the account's email address")
	pwStdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *email == "" || !*pwStdin {
		return usageErrorf("usage: holdspace user password --email E --password-stdin")
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	p, err := c.open(ctx, stderr, nil)
	if err != nil {
		return err
	}
	defer p.db.Close()
	if err := p.app.Accounts.SetPasswordByEmail(ctx, app.System, *email, password); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "password set; the account is signed out everywhere")
	return nil
}

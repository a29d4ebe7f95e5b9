package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"holdspace/app"
	"holdspace/catalogue"
	"holdspace/store"
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
	if !store.ValidRole(*role) {
		return usageErrorf("--role must be admin, practitioner or client")
	}
	if !*pwStdin {
		return usageErrorf("--password-stdin is required: the password is read from standard input, never from the command line")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return usageErrorf("no password on standard input")
	}
	p, err := c.open(ctx, stderr, nil)
	if err != nil {
		return err
	}
	defer p.db.Close()
	var id string
	if store.Role(*role) == store.RoleClient {
		var an catalogue.Anatomy
		for _, f := range splitList(*anatomy) {
			switch f {
			case "prostate":
				an.Prostate = true
			case "vagina":
				an.Vagina = true
			case "breasts":
				an.Breasts = true
			default:
				return usageErrorf("--anatomy: unknown %q (prostate, vagina, breasts)", f)
			}
		}
		id, err = p.app.CreateClient(ctx, app.System, app.ClientInput{Name: *name, Email: *email, Password: password,
			BirthDate: *birth, Anatomy: an, PractitionerIDs: splitList(*assign)})
	} else {
		id, err = p.app.CreateUser(ctx, app.System, app.NewUser{Role: store.Role(*role), Name: *name, Email: *email, Password: password})
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s\n", *role, id)
	return nil
}

package holdspace

// Role is what a person (or holdspace itself) may do: the role of an account
// and the part an actor plays in a session. One type for every layer, so
// that the API, the pages, the services and the store speak of the same
// thing without converting.
type Role string

// Roles. Admin, practitioner and client are account roles; System is
// holdspace itself, which records only automatic closes and acts of the CLI.
const (
	RoleAdmin        Role = "admin"
	RolePractitioner Role = "practitioner"
	RoleClient       Role = "client"
	RoleSystem       Role = "system"
)

// AccountRole reports whether r names a role an account may hold.
func AccountRole(r string) bool {
	return r == string(RoleAdmin) || r == string(RolePractitioner) || r == string(RoleClient)
}

package fhir

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"holdspace"
)

// Bundle is a FHIR R4 Bundle.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id,omitempty"`
	Type         string        `json:"type"`
	Timestamp    string        `json:"timestamp,omitempty"`
	Entry        []BundleEntry `json:"entry"`
}

// BundleEntry is one Bundle.entry: the resource and its absolute fullUrl.
type BundleEntry struct {
	FullURL  string `json:"fullUrl"`
	Resource any    `json:"resource"`
}

// NewBundle returns a Bundle of type "collection" holding resources in the
// given order. id is a holdspace id for the bundle itself (mapped with
// LogicalID; empty for none) and at its timestamp (zero for none). Each
// resource may be any value that marshals to a JSON object with string
// "resourceType" and "id" members: the resource types of this package, a
// map[string]any, a json.RawMessage, or another package's struct.
//
// fullUrl is base + "/<resourceType>/<id>" when base (the server's FHIR
// base URL, e.g. "https://practice.example/api/v1/fhir") is set, so that
// relative references such as "Patient/<id>" resolve inside the bundle.
// Without a base it is "urn:uuid:<uuid>", a UUID derived from the resource
// type and id (the same inputs give the same fullUrl).
//
// Errors: EINVALID "invalid_id" (field "id"); EINVALID "invalid_resource"
// (field "entry[i]") for a nil resource or one without resourceType or id;
// EINVALID "duplicate_entry" (field "entry[i]") when two resources share a
// resource type and id; an EINTERNAL-class error wrapping the cause when a
// resource cannot be marshalled.
func NewBundle(id, base string, at time.Time, resources ...any) (Bundle, error) {
	b := Bundle{ResourceType: "Bundle", Type: "collection", Timestamp: instant(at), Entry: make([]BundleEntry, 0, len(resources))}
	if id != "" {
		lid, err := LogicalID(id)
		if err != nil {
			return Bundle{}, err
		}
		b.ID = lid
	}
	base = strings.TrimRight(base, "/")
	seen := make(map[string]bool, len(resources))
	for i, r := range resources {
		field := "entry[" + strconv.Itoa(i) + "]"
		typ, rid, err := Identify(r)
		if err != nil {
			return Bundle{}, withField(err, field)
		}
		key := typ + "/" + rid
		if seen[key] {
			return Bundle{}, holdspace.Invalid("duplicate_entry", field, "%s appears twice in the bundle.", key)
		}
		seen[key] = true
		full := "urn:uuid:" + nameUUID("fhir-resource", key)
		if base != "" {
			full = base + "/" + key
		}
		b.Entry = append(b.Entry, BundleEntry{FullURL: full, Resource: r})
	}
	return b, nil
}

// resource is implemented by the resource types of this package.
type resource interface {
	header() (resourceType, id string)
}

func (p Patient) header() (string, string)      { return p.ResourceType, p.ID }
func (p Practitioner) header() (string, string) { return p.ResourceType, p.ID }
func (c Consent) header() (string, string)      { return c.ResourceType, c.ID }
func (e Encounter) header() (string, string)    { return e.ResourceType, e.ID }
func (b Bundle) header() (string, string)       { return b.ResourceType, b.ID }

// Identify returns the resourceType and id of a FHIR resource value (see
// NewBundle for the values accepted). Errors: EINVALID "invalid_resource"
// when v is nil or either member is missing or not a non-empty string; an
// EINTERNAL-class error wrapping the cause when v cannot be marshalled.
func Identify(v any) (resourceType, id string, err error) {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		v = nil
	}
	switch r := v.(type) {
	case nil:
		return "", "", holdspace.Invalid("invalid_resource", "", "A bundle entry needs a resource.")
	case resource:
		resourceType, id = r.header()
	case map[string]any:
		resourceType, _ = r["resourceType"].(string)
		id, _ = r["id"].(string)
	default:
		raw, ok := v.(json.RawMessage)
		if !ok {
			if raw, err = json.Marshal(v); err != nil {
				return "", "", fmt.Errorf("fhir: marshal %T: %w", v, err)
			}
		}
		var h struct {
			ResourceType any `json:"resourceType"`
			ID           any `json:"id"`
		}
		if err := json.Unmarshal(raw, &h); err != nil {
			return "", "", holdspace.Invalid("invalid_resource", "", "A FHIR resource is a JSON object.")
		}
		resourceType, _ = h.ResourceType.(string)
		id, _ = h.ID.(string)
	}
	if resourceType == "" || id == "" {
		return "", "", holdspace.Invalid("invalid_resource", "", "A FHIR resource needs a resourceType and an id.")
	}
	return resourceType, id, nil
}

// nameUUID returns a UUID (RFC 9562 version 8, name-based with SHA-256)
// derived from a namespace and a name: the same inputs always give the same
// UUID.
func nameUUID(namespace, name string) string {
	h := sha256.New()
	h.Write([]byte("holdspace:" + namespace + "\x00" + name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // variant 10
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u[10:])
	return string(buf[:])
}

package httpapi

import (
	"encoding/json"
	"net/http"

	"holdspace/fhir"
)

// fhirDefinitionOperations document the StructureDefinitions of the
// extensions holdspace writes, served at their canonical URLs.
var fhirDefinitionOperations = []operation{
	{"GET /fhir/StructureDefinition/{id}", "The FHIR R4 StructureDefinition of a holdspace extension, at its canonical URL (the url of every holdspace extension in a FHIR record resolves here); public", false, nil, 200, []int{404}},
}

func init() {
	operations = append(operations, fhirDefinitionOperations...)
	contracts["GET /fhir/StructureDefinition/{id}"] = contract{id: "getStructureDefinition", tag: "fhir", resp: fhir.StructureDefinition{}, media: fhirJSON}
}

// registerFHIRDefinitionRoutes registers the routes of
// fhirDefinitionOperations.
func (s *Server) registerFHIRDefinitionRoutes() {
	s.handle("GET /fhir/StructureDefinition/{id}", s.plain(s.structureDefinition))
}

// structureDefinition serves one extension's StructureDefinition. The
// definitions are public: they describe the format, not anyone's data.
func (s *Server) structureDefinition(w http.ResponseWriter, r *http.Request) error {
	sd, err := fhir.Definition(s.records.BaseURL(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	return json.NewEncoder(w).Encode(sd)
}

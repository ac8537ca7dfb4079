package web

import "reflect"

// The job check's request and error bodies, checked against their key
// tables in docs/api.md with the rest (TestAPIDocKeys). The report itself
// is documented, and tested, with `netviz check --json` (docs/check.md).
func init() {
	documentedTypes["checkRequest"] = reflect.TypeFor[checkJSONBody]()
	documentedTypes["checkError"] = reflect.TypeFor[checkErrorBody]()
}

package devcluster

import "testing"

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/nvz-1/alloc/x/a\\040b/secrets": "/tmp/nvz-1/alloc/x/a b/secrets",
		"/plain":                             "/plain",
		"/back\\134slash":                    "/back\\slash",
		"/short\\04":                         "/short\\04",
	} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}

package nomad

import "testing"

// TestVariablesHCL: each pair becomes one string assignment whose value is
// the text exactly (no interpolation), and a key that is not an HCL name
// is refused rather than written into the variables file.
func TestVariablesHCL(t *testing.T) {
	got, err := VariablesHCL([]string{"a=1", " b_2 = x ${y} %{z} \"q\"", "c-d="})
	want := "a = \"1\"\nb_2 = \" x $${y} %%{z} \\\"q\\\"\"\nc-d = \"\"\n"
	if err != nil || got != want {
		t.Errorf("got %q, %v\nwant %q", got, err, want)
	}
	for _, bad := range []string{"noequals", "=v", "1a=v", "a b=v", "a;b=v"} {
		if _, err := VariablesHCL([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// A newline in the value stays inside the string.
	if got, _ := VariablesHCL([]string{"x = 1\ny=2"}); got != "x = \" 1\\ny=2\"\n" {
		t.Errorf("multi-line value written as %q", got)
	}
}

package nomad

import (
	"encoding/json"
	"net/http"
	"testing"
)

// A node's address is the same whether it comes from the list (a stub
// whose Address is the HTTP address) or from an event (the full node): the
// churn oracle found the live model flipping between the two.
func TestNodeAddressSameFromListAndEvent(t *testing.T) {
	const resources = `"NodeResources":{"MinDynamicPort":20000,"MaxDynamicPort":32000,
		"NodeNetworks":[{"Device":"nomad-br","Addresses":[{"Alias":"default","Address":"172.26.80.1"}]}]}`
	stub := `{"ID":"n1","Name":"dev","Address":"127.0.0.1","HTTPAddr":"127.0.0.1:4646","Status":"ready",` + resources + `}`
	full := `{"ID":"n1","Name":"dev","HTTPAddr":"127.0.0.1:4646","Status":"ready",
		"Attributes":{"unique.network.ip-address":"172.26.80.1"},` + resources + `}`
	var a, b apiNode
	if err := json.Unmarshal([]byte(stub), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(full), &b); err != nil {
		t.Fatal(err)
	}
	if ga, gb := convertNode(&a).Address, convertNode(&b).Address; ga != "172.26.80.1" || gb != ga {
		t.Errorf("list gives %q, event gives %q; want both 172.26.80.1", ga, gb)
	}
}

// Closing a client's idle connections reaches through the byte counter:
// otherwise fresh collectors leak connections until Nomad answers 429.
func TestCountBytesKeepsCloseIdle(t *testing.T) {
	c := &http.Client{Transport: &http.Transport{}}
	CountBytes(c)
	if _, ok := c.Transport.(interface{ CloseIdleConnections() }); !ok {
		t.Fatal("the counting transport hides CloseIdleConnections")
	}
}

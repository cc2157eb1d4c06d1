package emulatortest

import (
	"net/http"
	"testing"
)

func TestInvalidTokenReadsTheBearerChallenge(t *testing.T) {
	for _, c := range []struct {
		headers []string
		want    bool
	}{
		{[]string{`Bearer error="invalid_token"`}, true},
		{[]string{`bearer error=invalid_token`}, true},
		{[]string{`Bearer realm="api", error = "invalid_token", error_description="The access token expired"`}, true},
		{[]string{`Basic realm="x"`, `Bearer error="invalid_token"`}, true},
		{[]string{`Basic realm="a, b", Bearer error="invalid_token"`}, true},
		{[]string{`Negotiate abc==, Bearer error="invalid_token"`}, true},
		{nil, false},
		{[]string{`Bearer`}, false},
		{[]string{`Bearer realm="api"`}, false},
		{[]string{`Bearer error="insufficient_scope", scope="users:read"`}, false},
		{[]string{`Bearer error="INVALID_TOKEN"`}, false},
		{[]string{`Bearer error_description="error=invalid_token"`}, false},
		{[]string{`Bearer error_description="say \"error=invalid_token\""`}, false},
		{[]string{`Basic error="invalid_token"`}, false},
		{[]string{`Basic realm="x, Bearer error=\"invalid_token\""`}, false},
		{[]string{`Bearer error="invalid_token`}, false},
	} {
		h := http.Header{}
		for _, v := range c.headers {
			h.Add("WWW-Authenticate", v)
		}
		if got := invalidToken(h); got != c.want {
			t.Errorf("%q: %v, want %v", c.headers, got, c.want)
		}
	}
}

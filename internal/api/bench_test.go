package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkListEmployees measures GET /v2/employees?limit=20 through the
// router with a fake verifier (no JWT work): the store and encoding cost.
func BenchmarkListEmployees(b *testing.B) {
	e := newEnv(b)
	h := e.api.Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/v2/employees?limit=20", nil)
			req.Header.Set("Authorization", "Bearer dk")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
